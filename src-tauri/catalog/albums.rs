//! Albums: a name (unique in any letter case), its images in the order they were added, and
//! where it is published. Membership rows go with their image (`ON DELETE CASCADE`), so a
//! deleted image leaves every album. The objects a published album wrote are recorded in
//! `album_objects` (see `crate::albums`).

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use super::images::{record_from_row, ImageRecord, RECORD_COLUMNS};
use super::Catalog;
use crate::error::{Error, Result};
use crate::model::{now_ms, rfc3339};

/// An album as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Album {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The random folder of its published page, while published (or being published).
    pub slug: Option<String>,
    pub published_url: Option<String>,
    pub published_at: Option<i64>,
}

/// One album as `album list` and the app's Albums section show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct AlbumSummary {
    pub name: String,
    /// How many images it holds.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub images: u64,
    /// The page's address while the album is published.
    pub published_url: Option<String>,
    pub published_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// An object a published album wrote (or was about to write) into the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbumObject {
    pub key: String,
    pub sha256: Option<String>,
    pub done: bool,
}

/// A name as stored: trimmed, 1 to 200 characters, no control characters.
pub fn album_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 || n.chars().any(char::is_control) {
        return Err(Error::Invalid {
            what: "album name",
            value: name.to_string(),
            hint: "an album name is 1 to 200 characters with no control characters",
        });
    }
    Ok(n.to_string())
}

const ALBUM_COLUMNS: &str = "id, name, created_at, updated_at, slug, published_url, published_at";

fn album_from_row(r: &rusqlite::Row) -> rusqlite::Result<Album> {
    Ok(Album {
        id: r.get(0)?,
        name: r.get(1)?,
        created_at: r.get(2)?,
        updated_at: r.get(3)?,
        slug: r.get(4)?,
        published_url: r.get(5)?,
        published_at: r.get(6)?,
    })
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

impl Catalog {
    /// A new, empty album; an album of that name (any letter case) is an error.
    pub fn create_album(&self, name: &str) -> Result<Album> {
        let name = album_name(name)?;
        let now = now_ms();
        match self.conn().execute(
            "INSERT INTO albums (name, created_at, updated_at) VALUES (?1, ?2, ?2)",
            params![name, now],
        ) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(Error::AlbumExists(name)),
            Err(e) => return Err(e.into()),
        }
        self.album(&name)
    }

    /// The album of this name (any letter case), or [`Error::AlbumNotFound`].
    pub fn album(&self, name: &str) -> Result<Album> {
        self.conn()
            .query_row(
                &format!("SELECT {ALBUM_COLUMNS} FROM albums WHERE name = ?1"),
                [name.trim()],
                album_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::AlbumNotFound(name.trim().to_string()))
    }

    /// Every album with its image count, by name.
    pub fn albums(&self) -> Result<Vec<AlbumSummary>> {
        let mut stmt = self.conn().prepare(
            "SELECT a.name, (SELECT count(*) FROM album_images m WHERE m.album_id = a.id),
                    a.published_url, a.published_at, a.created_at, a.updated_at
             FROM albums a ORDER BY a.name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AlbumSummary {
                name: r.get(0)?,
                images: r.get::<_, i64>(1)? as u64,
                published_url: r.get(2)?,
                published_at: r.get::<_, Option<i64>>(3)?.map(rfc3339),
                created_at: rfc3339(r.get(4)?),
                updated_at: rfc3339(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// One album's summary.
    pub fn album_summary(&self, name: &str) -> Result<AlbumSummary> {
        let album = self.album(name)?;
        Ok(AlbumSummary {
            images: self.album_size(album.id)?,
            published_at: album.published_at.map(rfc3339),
            created_at: rfc3339(album.created_at),
            updated_at: rfc3339(album.updated_at),
            name: album.name,
            published_url: album.published_url,
        })
    }

    pub fn album_size(&self, album: i64) -> Result<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM album_images WHERE album_id = ?1",
            [album],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// The album's images in album order (the order they were added).
    pub fn album_images(&self, album: i64) -> Result<Vec<ImageRecord>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM album_images m JOIN images ON images.seq = m.image_seq
             WHERE m.album_id = ?1 ORDER BY m.position, m.image_seq"
        ))?;
        let rows = stmt.query_map([album], record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Adds images (by `seq`) at the album's end in one transaction: how many were not in it.
    pub fn add_album_images(&mut self, album: i64, seqs: &[i64]) -> Result<u64> {
        let tx = self
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut next: i64 = tx.query_row(
            "SELECT coalesce(max(position), 0) + 1 FROM album_images WHERE album_id = ?1",
            [album],
            |r| r.get(0),
        )?;
        let mut added = 0;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO album_images (album_id, image_seq, position)
                 VALUES (?1, ?2, ?3)",
            )?;
            for seq in seqs {
                if stmt.execute(params![album, seq, next])? > 0 {
                    added += 1;
                    next += 1;
                }
            }
        }
        if added > 0 {
            touch(&tx, album)?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Takes images (by `seq`) out of the album in one transaction: how many were in it.
    pub fn remove_album_images(&mut self, album: i64, seqs: &[i64]) -> Result<u64> {
        let tx = self
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut removed = 0;
        {
            let mut stmt = tx.prepare_cached(
                "DELETE FROM album_images WHERE album_id = ?1 AND image_seq = ?2",
            )?;
            for seq in seqs {
                removed += stmt.execute(params![album, seq])? as u64;
            }
        }
        if removed > 0 {
            touch(&tx, album)?;
        }
        tx.commit()?;
        Ok(removed)
    }

    /// Deletes the album (its memberships and records go with it; the images stay).
    pub fn delete_album(&self, album: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM albums WHERE id = ?1", [album])?;
        Ok(())
    }

    pub fn rename_album(&self, album: i64, new_name: &str) -> Result<Album> {
        let name = album_name(new_name)?;
        match self.conn().execute(
            "UPDATE albums SET name = ?2, updated_at = ?3 WHERE id = ?1",
            params![album, name, now_ms()],
        ) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(Error::AlbumExists(name)),
            Err(e) => return Err(e.into()),
        }
        self.album(&name)
    }

    /// Records where the album is being published (`slug`), before anything is written.
    pub fn set_album_slug(&self, album: i64, slug: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE albums SET slug = ?2 WHERE id = ?1",
            params![album, slug],
        )?;
        Ok(())
    }

    /// The page is written: the album is published at `url`.
    pub fn set_album_published(&self, album: i64, url: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE albums SET published_url = ?2, published_at = ?3 WHERE id = ?1",
            params![album, url, now_ms()],
        )?;
        Ok(())
    }

    /// Not published any more (every object it wrote is gone).
    pub fn clear_album_published(&self, album: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE albums SET slug = NULL, published_url = NULL, published_at = NULL WHERE id = ?1",
            [album],
        )?;
        Ok(())
    }

    /// Every object recorded for the album.
    pub fn album_objects(&self, album: i64) -> Result<Vec<AlbumObject>> {
        let mut stmt = self.conn().prepare(
            "SELECT key, sha256, done FROM album_objects WHERE album_id = ?1 ORDER BY key",
        )?;
        let rows = stmt.query_map([album], |r| {
            Ok(AlbumObject {
                key: r.get(0)?,
                sha256: r.get(1)?,
                done: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// About to write `key` (recorded first, so a kill never leaves an object unrecorded).
    pub fn album_object_intent(&self, album: i64, key: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO album_objects (album_id, key) VALUES (?1, ?2)
             ON CONFLICT (album_id, key) DO UPDATE SET done = 0",
            params![album, key],
        )?;
        Ok(())
    }

    /// `key` is written with this content.
    pub fn album_object_done(&self, album: i64, key: &str, sha256: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE album_objects SET done = 1, sha256 = ?3 WHERE album_id = ?1 AND key = ?2",
            params![album, key, sha256],
        )?;
        Ok(())
    }

    /// Whether the image's original carries a location or a serial number (what a public copy
    /// strips).
    pub fn is_sensitive(&self, seq: i64) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT has_gps OR has_serial FROM images WHERE seq = ?1",
            [seq],
            |r| r.get(0),
        )?)
    }

    /// `key` is deleted.
    pub fn forget_album_object(&self, album: i64, key: &str) -> Result<()> {
        self.conn().execute(
            "DELETE FROM album_objects WHERE album_id = ?1 AND key = ?2",
            params![album, key],
        )?;
        Ok(())
    }
}

fn touch(tx: &rusqlite::Transaction, album: i64) -> Result<()> {
    tx.execute(
        "UPDATE albums SET updated_at = ?2 WHERE id = ?1",
        params![album, now_ms()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
