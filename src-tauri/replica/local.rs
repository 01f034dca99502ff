//! The replica's side in the catalog: reading this library's state of an image, and applying
//! a merged state to the catalog's rows (images, tags, sources, search) in one transaction.

use rusqlite::{params, OptionalExtension, Transaction};

use super::state::{Dot, ItemState, Lww, Meta, Source, Stamp};
use crate::error::Result;
use crate::model::{now_ms, Visibility};
use crate::storage::{Area, KeyLayout};

/// This library's id in the log and its clock.
pub struct Replica {
    pub device: String,
    pub clock: i64,
    pub remote: Option<String>,
    pub based: bool,
    pub watermark: i64,
    pub segment: u64,
    pub snapshot: u64,
}

pub fn replica(conn: &rusqlite::Connection) -> Result<Replica> {
    Ok(conn.query_row(
        "SELECT device, clock, remote, based, watermark, segment, snapshot FROM replica",
        [],
        |r| {
            Ok(Replica {
                device: r.get(0)?,
                clock: r.get(1)?,
                remote: r.get(2)?,
                based: r.get(3)?,
                watermark: r.get(4)?,
                segment: r.get::<_, i64>(5)? as u64,
                snapshot: r.get::<_, i64>(6)? as u64,
            })
        },
    )?)
}

/// The state this library holds of one content (None: never heard of it).
pub fn read(
    conn: &rusqlite::Connection,
    sha256: &str,
    with_meta: bool,
) -> Result<Option<ItemState>> {
    let row = conn
        .prepare_cached(
            "SELECT id, added, added_by, deleted, deleted_by, visibility, vis_at, vis_by,
                    filename, name_at, name_by
             FROM replica_items WHERE sha256 = ?1",
        )?
        .query_row([sha256], |r| {
            let vis: String = r.get(5)?;
            Ok(ItemState {
                sha256: sha256.to_string(),
                id: r.get(0)?,
                added: Stamp::new(r.get(1)?, &r.get::<_, String>(2)?),
                deleted: Stamp::new(r.get(3)?, &r.get::<_, String>(4)?),
                visibility: Lww {
                    value: vis.parse().unwrap_or(Visibility::Private),
                    stamp: Stamp::new(r.get(6)?, &r.get::<_, String>(7)?),
                },
                filename: Lww {
                    value: r.get(8)?,
                    stamp: Stamp::new(r.get(9)?, &r.get::<_, String>(10)?),
                },
                tags: Vec::new(),
                sources: Vec::new(),
                meta: None,
            })
        })
        .optional()?;
    let Some(mut item) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT tag, at, by, removed FROM replica_tags WHERE sha256 = ?1
         ORDER BY lower(tag), at, by",
    )?;
    item.tags = stmt
        .query_map([sha256], |r| {
            Ok(Dot {
                tag: r.get(0)?,
                at: r.get(1)?,
                by: r.get(2)?,
                removed: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.kind, s.source, s.fetched_at, s.added_at FROM image_sources s
         JOIN images i ON i.seq = s.image_seq WHERE i.sha256 = ?1 ORDER BY s.kind, s.source",
    )?;
    item.sources = stmt
        .query_map([sha256], |r| {
            Ok(Source {
                kind: r.get(0)?,
                source: r.get(1)?,
                fetched_at: r.get(2)?,
                added_at: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if with_meta {
        item.meta = meta(conn, sha256)?;
    }
    Ok(Some(item))
}

fn meta(conn: &rusqlite::Connection, sha256: &str) -> Result<Option<Meta>> {
    Ok(conn
        .prepare_cached(
            "SELECT format, mime, ext, bytes, width, height, orientation, source_kind, source,
                    fetched_at, taken_at, camera_make, camera_model, gps_lat, gps_lon, gps_alt,
                    has_serial, exif_json, icc, generator, prompt, negative_prompt, model, seed,
                    steps, sampler, cfg, ai_raw, created_at
             FROM images WHERE sha256 = ?1",
        )?
        .query_row([sha256], |r| {
            let lat: Option<f64> = r.get(13)?;
            let lon: Option<f64> = r.get(14)?;
            let alt: Option<f64> = r.get(15)?;
            Ok(Meta {
                format: r.get(0)?,
                mime: r.get(1)?,
                ext: r.get(2)?,
                bytes: r.get::<_, i64>(3)? as u64,
                width: r.get(4)?,
                height: r.get(5)?,
                orientation: r.get(6)?,
                source_kind: r.get(7)?,
                source: r.get(8)?,
                fetched_at: r.get(9)?,
                taken_at: r.get(10)?,
                camera_make: r.get(11)?,
                camera_model: r.get(12)?,
                gps: lat.zip(lon).map(|(a, b)| (a, b, alt)),
                has_serial: r.get(16)?,
                exif_json: r.get(17)?,
                icc: r.get(18)?,
                generator: r.get(19)?,
                prompt: r.get(20)?,
                negative_prompt: r.get(21)?,
                model: r.get(22)?,
                seed: r.get(23)?,
                steps: r.get(24)?,
                sampler: r.get(25)?,
                cfg: r.get(26)?,
                ai_raw: r.get(27)?,
                created_at: r.get(28)?,
            })
        })
        .optional()?)
}

/// What applying states changed in the catalog, for the caller to finish after commit.
#[derive(Default)]
pub struct Applied {
    /// States that changed something here.
    pub changed: u64,
    /// Images removed by a delete from another computer: their local files and thumbnails go.
    pub removed: Vec<crate::catalog::ImageRecord>,
    /// Images that appeared here (their grid thumbnail is fetched from the bucket).
    pub added: u64,
}

/// Merges `remote` into this library's state of the content and brings the catalog's rows
/// in line. Must run inside a transaction with `replica.applying` set.
pub fn apply(
    tx: &Transaction,
    remote: &ItemState,
    layout: &KeyLayout,
    out: &mut Applied,
) -> Result<()> {
    let mine = read(tx, &remote.sha256, false)?;
    let merged = match &mine {
        Some(m) => m.join(remote),
        None => remote.clone(),
    };
    write_state(tx, &merged)?;
    let row: Option<(i64, String, String, String, i64)> = tx
        .prepare_cached(
            "SELECT seq, id, visibility, filename, created_at FROM images WHERE sha256 = ?1",
        )?
        .query_row([&merged.sha256], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let mut changed_rows = false;
    match (merged.alive(), row) {
        (true, None) => {
            let meta = remote.meta.as_ref();
            if let Some(meta) = meta {
                insert(tx, &merged, meta, layout)?;
                out.added += 1;
                changed_rows = true;
            }
        }
        (true, Some((seq, id, vis, name, created))) => {
            if id != merged.id {
                rekey(tx, &id, &merged.id)?;
                changed_rows = true;
            }
            // Imported on two computers: the date added is the first import's.
            if let Some(first) = remote.meta.as_ref().filter(|m| m.created_at < created) {
                tx.execute(
                    "UPDATE images SET created_at = ?1 WHERE seq = ?2",
                    params![first.created_at, seq],
                )?;
                changed_rows = true;
            }
            let mut fts = false;
            if vis != merged.visibility.value.as_str() {
                tx.execute(
                    "UPDATE images SET visibility = ?1, updated_at = ?2 WHERE seq = ?3",
                    params![merged.visibility.value.as_str(), now_ms(), seq],
                )?;
                changed_rows = true;
            }
            if name != merged.filename.value {
                tx.execute(
                    "UPDATE images SET filename = ?1, updated_at = ?2 WHERE seq = ?3",
                    params![merged.filename.value, now_ms(), seq],
                )?;
                fts = true;
            }
            fts |= set_tags(tx, seq, &merged.tags())?;
            changed_rows |= add_sources(tx, seq, &merged.sources)?;
            if fts {
                crate::catalog::refresh_fts(tx, seq)?;
                changed_rows = true;
            }
        }
        (false, Some((seq, ..))) => {
            let record = crate::catalog::record_in(tx, seq)?;
            crate::catalog::remove_row_kept(tx, &record)?;
            out.removed.push(record);
            changed_rows = true;
        }
        (false, None) => {}
    }
    if changed_rows {
        out.changed += 1;
    }
    Ok(())
}

/// Stores the merged state (clocks, tag dots) of one content.
fn write_state(tx: &Transaction, s: &ItemState) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO replica_items (sha256, id, added, added_by, deleted, deleted_by, visibility,
                                    vis_at, vis_by, filename, name_at, name_by, published)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1)
         ON CONFLICT (sha256) DO UPDATE SET id = excluded.id, added = excluded.added,
            added_by = excluded.added_by, deleted = excluded.deleted,
            deleted_by = excluded.deleted_by, visibility = excluded.visibility,
            vis_at = excluded.vis_at, vis_by = excluded.vis_by, filename = excluded.filename,
            name_at = excluded.name_at, name_by = excluded.name_by",
    )?
    .execute(params![
        s.sha256,
        s.id,
        s.added.at,
        s.added.by,
        s.deleted.at,
        s.deleted.by,
        s.visibility.value.as_str(),
        s.visibility.stamp.at,
        s.visibility.stamp.by,
        s.filename.value,
        s.filename.stamp.at,
        s.filename.stamp.by,
    ])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO replica_tags (sha256, tag, at, by, removed) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sha256, tag, at, by) DO UPDATE SET removed = max(removed, excluded.removed)",
    )?;
    for d in &s.tags {
        stmt.execute(params![s.sha256, d.tag, d.at, d.by, d.removed])?;
    }
    Ok(())
}

/// A row for an image first seen in the bucket: its original stays there until needed.
fn insert(tx: &Transaction, s: &ItemState, m: &Meta, layout: &KeyLayout) -> Result<()> {
    let now = now_ms();
    let vis = s.visibility.value;
    let key = layout.original(Area::of(vis), &s.sha256, &m.ext);
    tx.prepare_cached(
        "INSERT INTO images (id, sha256, filename, format, mime, ext, bytes, width, height,
            orientation, storage, path, source_kind, source, fetched_at, taken_at, camera_make,
            camera_model, has_gps, gps_lat, gps_lon, gps_alt, has_serial, exif_json, icc,
            generator, prompt, negative_prompt, model, seed, steps, sampler, cfg, ai_raw,
            visibility, created_at, updated_at, local)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'managed', ?11, ?12, ?13, ?14, ?15,
            ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31,
            ?32, ?33, ?34, ?35, ?36, 0)",
    )?
    .execute(params![
        s.id,
        s.sha256,
        s.filename.value,
        m.format,
        m.mime,
        m.ext,
        m.bytes as i64,
        m.width,
        m.height,
        m.orientation,
        crate::originals::relative_path(&s.sha256, &m.ext),
        m.source_kind,
        m.source,
        m.fetched_at,
        m.taken_at,
        m.camera_make,
        m.camera_model,
        m.gps.is_some(),
        m.gps.map(|g| g.0),
        m.gps.map(|g| g.1),
        m.gps.and_then(|g| g.2),
        m.has_serial,
        m.exif_json,
        m.icc,
        m.generator,
        m.prompt,
        m.negative_prompt,
        m.model,
        m.seed,
        m.steps,
        m.sampler,
        m.cfg,
        m.ai_raw,
        vis.as_str(),
        m.created_at,
        now,
    ])?;
    let seq = tx.last_insert_rowid();
    // The computer that imported it uploads it: nothing to queue here.
    tx.prepare_cached("DELETE FROM sync_queue WHERE kind = 'image' AND image_id = ?1")?
        .execute([&s.id])?;
    tx.prepare_cached("UPDATE images SET remote_state = 'synced', object_key = ?1 WHERE seq = ?2")?
        .execute(params![key, seq])?;
    set_tags(tx, seq, &s.tags())?;
    add_sources(tx, seq, &s.sources)?;
    crate::catalog::refresh_fts(tx, seq)?;
    tx.prepare_cached("INSERT OR IGNORE INTO replica_thumbs (sha256) VALUES (?1)")?
        .execute([&s.sha256])?;
    Ok(())
}

/// Makes the image's tags exactly `want`; true when something changed.
fn set_tags(tx: &Transaction, seq: i64, want: &[String]) -> Result<bool> {
    let have: Vec<String> = tx
        .prepare_cached(
            "SELECT t.name FROM image_tags it JOIN tags t ON t.id = it.tag_id
             WHERE it.image_seq = ?1",
        )?
        .query_map([seq], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let lower = |v: &[String]| v.iter().map(|t| t.to_lowercase()).collect::<Vec<_>>();
    let (have_l, want_l) = (lower(&have), lower(want));
    let mut changed = false;
    for (t, l) in want.iter().zip(&want_l) {
        if !have_l.contains(l) {
            tx.prepare_cached("INSERT OR IGNORE INTO tags (name) VALUES (?1)")?
                .execute([t])?;
            tx.prepare_cached(
                "INSERT OR IGNORE INTO image_tags (tag_id, image_seq)
                 SELECT id, ?2 FROM tags WHERE name = ?1",
            )?
            .execute(params![t, seq])?;
            changed = true;
        }
    }
    for (t, l) in have.iter().zip(&have_l) {
        if !want_l.contains(l) {
            tx.prepare_cached(
                "DELETE FROM image_tags WHERE image_seq = ?1
                 AND tag_id = (SELECT id FROM tags WHERE name = ?2)",
            )?
            .execute(params![seq, t])?;
            changed = true;
        }
    }
    if changed {
        tx.prepare_cached(
            "DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM image_tags WHERE tag_id = tags.id)",
        )?
        .execute([])?;
    }
    Ok(changed)
}

fn add_sources(tx: &Transaction, seq: i64, sources: &[Source]) -> Result<bool> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO image_sources (image_seq, kind, source, fetched_at, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut changed = false;
    for s in sources {
        changed |= stmt.execute(params![seq, s.kind, s.source, s.fetched_at, s.added_at])? > 0;
    }
    Ok(changed)
}

/// Gives an image the id every computer agreed on (the same file imported on two computers).
fn rekey(tx: &Transaction, from: &str, to: &str) -> Result<()> {
    // A multipart upload in flight restarts under the new id.
    tx.execute("DELETE FROM sync_uploads WHERE image_id = ?1", [from])?;
    tx.execute("DELETE FROM sync_queue WHERE image_id = ?1 AND EXISTS (SELECT 1 FROM sync_queue WHERE image_id = ?2)", params![from, to])?;
    tx.execute(
        "UPDATE sync_queue SET image_id = ?2 WHERE image_id = ?1",
        params![from, to],
    )?;
    tx.execute(
        "UPDATE watch_events SET image_id = ?2 WHERE image_id = ?1",
        params![from, to],
    )?;
    tx.execute("UPDATE images SET id = ?2 WHERE id = ?1", params![from, to])?;
    Ok(())
}

/// The whole state of this library, content by content, for a snapshot.
pub fn all_shas(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare("SELECT sha256 FROM replica_items ORDER BY sha256")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}
