//! Bulk edits: one write transaction per chunk of a [`Selection`] — set visibility, add and
//! remove tags, remove images. The sync triggers queue the bucket's work row by row inside
//! the same transaction (a move for a visibility change, a delete for a removal), exactly as
//! for one image; the single-image edits are the one-id case of these.

use rusqlite::{params, Transaction};
use serde::Serialize;

use super::images::{refresh_fts_with, ImageRecord};
use super::selection::{Cursor, Selection, Target};
use super::tags::{attach, normalize};
use super::Catalog;
use crate::error::{Error, Result};
use crate::model::{now_ms, Visibility};

/// What an edit did to one image.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit<T> {
    /// The image changed; its state afterwards.
    Changed(T),
    /// It already was so: nothing written (no sync work queued).
    Unchanged(T),
}

/// One image's result within a chunk: its id (as given, for an unknown one) and the edit, or
/// why it could not be made (an unknown id is [`Error::NotFound`]).
pub type ChunkItem<T> = (String, Result<Edit<T>>);

/// A visibility change, with the value before it (what an undo sets back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VisibilityChange {
    pub visibility: Visibility,
    pub previous: Visibility,
}

impl Catalog {
    /// Resolves the next chunk of `sel` and applies `edit` to each image found, then `finish`,
    /// in one write transaction (the chunk is read inside it, so what is read is what is
    /// changed). `None` when the selection is exhausted. An error from `edit` or `finish`
    /// (the catalog failing) rolls the chunk back and ends the action.
    pub fn edit_chunk<T>(
        &mut self,
        sel: &Selection,
        cursor: &mut Cursor,
        size: usize,
        mut edit: impl FnMut(&Transaction, &ImageRecord) -> Result<Edit<T>>,
        finish: impl FnOnce(&Transaction) -> Result<()>,
    ) -> Result<Option<Vec<ChunkItem<T>>>> {
        let tx = self.write()?;
        let chunk = sel.next_chunk(&tx, cursor, size)?;
        if chunk.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(chunk.len());
        for target in chunk {
            match target {
                Target::Missing(id) => out.push((id.clone(), Err(Error::NotFound(id)))),
                Target::Found(rec) => {
                    let e = edit(&tx, &rec)?;
                    out.push((rec.id, Ok(e)));
                }
            }
        }
        finish(&tx)?;
        tx.commit()?;
        Ok(Some(out))
    }

    /// Sets the visibility of the next chunk (the bucket follows: the trigger queues a move),
    /// in one statement for the chunk's changed images.
    pub fn set_visibility_chunk(
        &mut self,
        sel: &Selection,
        cursor: &mut Cursor,
        size: usize,
        visibility: Visibility,
    ) -> Result<Option<Vec<ChunkItem<VisibilityChange>>>> {
        let changed = std::cell::RefCell::new(Vec::new());
        self.edit_chunk(
            sel,
            cursor,
            size,
            |_, rec| {
                let change = VisibilityChange {
                    visibility,
                    previous: rec.visibility,
                };
                if rec.visibility == visibility {
                    return Ok(Edit::Unchanged(change));
                }
                changed.borrow_mut().push(rec.seq);
                Ok(Edit::Changed(change))
            },
            |tx| set_visibility(tx, &changed.borrow(), visibility),
        )
    }

    /// Adds `add` and then removes `remove` (so a tag in both ends up removed) on the next
    /// chunk; each image's tags afterwards. Tags no image uses any more are forgotten.
    pub fn edit_tags_chunk(
        &mut self,
        sel: &Selection,
        cursor: &mut Cursor,
        size: usize,
        add: &[String],
        remove: &[String],
    ) -> Result<Option<Vec<ChunkItem<Vec<String>>>>> {
        let add = normalize(add)?;
        let remove = normalize(remove)?;
        let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
        let now = now_ms();
        self.edit_chunk(
            sel,
            cursor,
            size,
            |tx, rec| {
                let has = |t: &str| rec.tags.iter().any(|o| same(o, t));
                let adding: Vec<String> = add
                    .iter()
                    .filter(|t| !has(t) && !remove.iter().any(|r| same(r, t)))
                    .cloned()
                    .collect();
                let removing: Vec<&String> = remove.iter().filter(|t| has(t)).collect();
                if adding.is_empty() && removing.is_empty() {
                    return Ok(Edit::Unchanged(rec.tags.clone()));
                }
                attach(tx, rec.seq, &adding)?;
                for tag in removing {
                    tx.prepare_cached(
                        "DELETE FROM image_tags WHERE image_seq = ?1
                         AND tag_id = (SELECT id FROM tags WHERE name = ?2)",
                    )?
                    .execute(params![rec.seq, tag])?;
                }
                tx.prepare_cached("UPDATE images SET updated_at = ?1 WHERE seq = ?2")?
                    .execute(params![now, rec.seq])?;
                refresh_fts_with(tx, rec.seq, None)?;
                let mut tags: Vec<String> = {
                    let mut stmt = tx.prepare_cached(
                        "SELECT t.name FROM image_tags it JOIN tags t ON t.id = it.tag_id
                         WHERE it.image_seq = ?1",
                    )?;
                    let rows = stmt.query_map([rec.seq], |r| r.get(0))?;
                    rows.collect::<Result<Vec<_>, _>>()?
                };
                tags.sort_by_key(|t| t.to_lowercase());
                Ok(Edit::Changed(tags))
            },
            |tx| {
                if !remove.is_empty() {
                    tx.prepare_cached(
                        "DELETE FROM tags WHERE NOT EXISTS
                         (SELECT 1 FROM image_tags WHERE tag_id = tags.id)",
                    )?
                    .execute([])?;
                }
                Ok(())
            },
        )
    }

    /// Removes the next chunk's rows, leaving a tombstone each (the trigger queues the
    /// bucket's delete); each removed record, for the caller to remove its files after the
    /// commit. `delete_remote: false` leaves the objects in the bucket (see
    /// [`Catalog::forget`]).
    pub fn remove_chunk(
        &mut self,
        sel: &Selection,
        cursor: &mut Cursor,
        size: usize,
        delete_remote: bool,
    ) -> Result<Option<Vec<ChunkItem<ImageRecord>>>> {
        self.edit_chunk(
            sel,
            cursor,
            size,
            |tx, rec| {
                remove_row(tx, rec, delete_remote)?;
                Ok(Edit::Changed(rec.clone()))
            },
            |_| Ok(()),
        )
    }
}

/// Sets these images' visibility in one statement (the catalog's triggers queue each one's
/// move in the bucket, its feed and replica work, as for one image).
pub(super) fn set_visibility(tx: &Transaction, seqs: &[i64], visibility: Visibility) -> Result<()> {
    if seqs.is_empty() {
        return Ok(());
    }
    let list = serde_json::to_string(seqs).unwrap_or_else(|_| "[]".into());
    tx.prepare_cached(
        "UPDATE images SET visibility = ?1, updated_at = ?2
         WHERE seq IN (SELECT value FROM json_each(?3)) AND visibility <> ?1",
    )?
    .execute(params![visibility.as_str(), now_ms(), list])?;
    Ok(())
}

/// Removes one image's row (tags, sources and jobs cascade) and leaves its tombstone.
pub(super) fn remove_row(
    tx: &Transaction,
    record: &ImageRecord,
    delete_remote: bool,
) -> Result<()> {
    let last_job: i64 = tx
        .prepare_cached("SELECT coalesce(max(id), 0) FROM sync_queue")?
        .query_row([], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO tombstones
            (id, sha256, ext, visibility, object_key, remote_state, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        record.id,
        record.sha256,
        record.ext,
        record.visibility.as_str(),
        record.object_key,
        record.remote_state.as_str(),
        now_ms()
    ])?;
    tx.prepare_cached("DELETE FROM images_fts WHERE rowid = ?1")?
        .execute([record.seq])?;
    tx.prepare_cached("DELETE FROM images WHERE seq = ?1")?
        .execute([record.seq])?;
    if !delete_remote {
        // The delete trigger queued the object's removal; take it back. A 'delete' job
        // queued earlier (an older object of the same content) stays.
        tx.prepare_cached(
            "DELETE FROM sync_queue WHERE kind = 'delete' AND sha256 = ?1 AND id > ?2",
        )?
        .execute(params![record.sha256, last_job])?;
        tx.prepare_cached("UPDATE tombstones SET remote_state = 'kept' WHERE id = ?1")?
            .execute([&record.id])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
