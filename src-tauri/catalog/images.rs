//! The `images` table: insert, read, update and remove rows, keeping the FTS index in step.

use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};
use serde::Serialize;

use super::Catalog;
use crate::error::{Error, Result};
use crate::import::ai::AiParams;
use crate::model::{now_ms, rfc3339, RemoteState, SourceKind, Storage, Visibility};

/// Everything the import pipeline knows about a new image.
#[derive(Debug, Clone)]
pub struct NewImage {
    pub id: String,
    pub sha256: String,
    pub filename: String,
    pub format: String,
    pub mime: String,
    pub ext: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub orientation: u8,
    pub storage: Storage,
    pub path: String,
    pub source_kind: SourceKind,
    pub source: Option<String>,
    pub fetched_at: Option<i64>,
    pub taken_at: Option<String>,
    pub camera_make: Option<String>,
    pub camera_model: Option<String>,
    pub gps: Option<(f64, f64, Option<f64>)>,
    pub has_serial: bool,
    pub exif_json: Option<String>,
    pub icc: bool,
    pub ai: Option<AiParams>,
    pub ai_search: String,
    pub visibility: Visibility,
    pub created_at: i64,
}

/// One image as `ls`, `search` and the gallery see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct ImageRecord {
    pub id: String,
    pub sha256: String,
    pub filename: String,
    pub format: String,
    pub mime: String,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub orientation: u8,
    pub visibility: Visibility,
    pub tags: Vec<String>,
    pub source: SourceKind,
    pub source_path: Option<String>,
    pub source_url: Option<String>,
    pub fetched_at: Option<String>,
    pub storage: Storage,
    /// The original is on this computer (false: pulled from another computer, or offloaded;
    /// it is fetched from the bucket when needed).
    pub local: bool,
    pub taken_at: Option<String>,
    pub camera_make: Option<String>,
    pub camera_model: Option<String>,
    pub has_gps: bool,
    pub remote_state: RemoteState,
    pub remote_error: Option<String>,
    pub remote_attempts: u32,
    pub object_key: Option<String>,
    pub generator: Option<String>,
    pub prompt: Option<String>,
    pub negative_prompt: Option<String>,
    pub model: Option<String>,
    #[cfg_attr(feature = "gui", ts(type = "number | null"))]
    pub seed: Option<serde_json::Value>,
    pub steps: Option<u32>,
    pub sampler: Option<String>,
    pub cfg: Option<f64>,
    pub created_at: String,
    pub updated_at: String,
    pub expires_at: Option<String>,
    #[serde(skip)]
    pub seq: i64,
    #[serde(skip)]
    pub created_ms: i64,
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    pub ext: String,
}

/// `show`: the record plus EXIF, raw AI parameters and every source.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct ImageDetail {
    #[serde(flatten)]
    pub record: ImageRecord,
    pub gps: Option<serde_json::Value>,
    pub exif: Option<serde_json::Value>,
    pub ai_raw: Option<serde_json::Value>,
    pub sources: Vec<SourceEntry>,
    pub accessed_at: Option<String>,
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct SourceEntry {
    pub kind: String,
    pub source: String,
    pub fetched_at: Option<String>,
    pub added_at: String,
}

/// Where one image's bytes are.
#[derive(Debug, Clone)]
pub struct FileRow {
    pub seq: i64,
    pub id: String,
    pub sha256: String,
    pub storage: Storage,
    pub path: String,
    pub bytes: u64,
    /// The original is on this computer (false: offloaded, or pulled from another computer).
    pub local: bool,
}

/// What stays behind after `rm`, for the sync engine.
#[derive(Debug, Clone, Serialize)]
pub struct Tombstone {
    pub id: String,
    pub sha256: String,
    pub ext: String,
    pub visibility: String,
    pub object_key: Option<String>,
    pub remote_state: String,
    pub deleted_at: i64,
}

pub(super) const RECORD_COLUMNS: &str = "images.seq, images.id, images.sha256, images.filename, \
    images.format, images.mime, images.bytes, images.width, images.height, images.orientation, \
    images.visibility, images.source_kind, images.source, images.fetched_at, images.storage, \
    images.taken_at, images.camera_make, images.camera_model, images.has_gps, images.remote_state, \
    images.remote_error, images.remote_attempts, images.object_key, images.generator, images.prompt, \
    images.negative_prompt, images.model, images.seed, images.steps, images.sampler, images.cfg, \
    images.created_at, images.updated_at, images.expires_at, images.path, images.ext, \
    (SELECT group_concat(t.name, char(31)) FROM image_tags it JOIN tags t ON t.id = it.tag_id \
     WHERE it.image_seq = images.seq) AS tag_list, images.local";

pub(super) fn parse_enum<T: std::str::FromStr>(row: &Row, idx: usize) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unexpected value {s:?}").into(),
        )
    })
}

pub(super) fn record_from_row(row: &Row) -> rusqlite::Result<ImageRecord> {
    let source_kind: SourceKind = parse_enum(row, 11)?;
    let source: Option<String> = row.get(12)?;
    let (source_path, source_url) = match source_kind {
        SourceKind::Url => (None, source),
        _ => (source, None),
    };
    let seed: Option<String> = row.get(27)?;
    let mut tags: Vec<String> = row
        .get::<_, Option<String>>(36)?
        .map(|s| s.split('\u{1f}').map(str::to_string).collect())
        .unwrap_or_default();
    tags.sort_by_key(|t| t.to_lowercase());
    let created_ms: i64 = row.get(31)?;
    Ok(ImageRecord {
        seq: row.get(0)?,
        id: row.get(1)?,
        sha256: row.get(2)?,
        filename: row.get(3)?,
        format: row.get(4)?,
        mime: row.get(5)?,
        bytes: row.get::<_, i64>(6)? as u64,
        width: row.get(7)?,
        height: row.get(8)?,
        orientation: row.get(9)?,
        visibility: parse_enum(row, 10)?,
        source: source_kind,
        source_path,
        source_url,
        fetched_at: row.get::<_, Option<i64>>(13)?.map(rfc3339),
        storage: parse_enum(row, 14)?,
        local: row.get(37)?,
        taken_at: row.get(15)?,
        camera_make: row.get(16)?,
        camera_model: row.get(17)?,
        has_gps: row.get(18)?,
        remote_state: parse_enum(row, 19)?,
        remote_error: row.get(20)?,
        remote_attempts: row.get(21)?,
        object_key: row.get(22)?,
        generator: row.get(23)?,
        prompt: row.get(24)?,
        negative_prompt: row.get(25)?,
        model: row.get(26)?,
        seed: seed.and_then(|s| s.parse::<u64>().ok()).map(Into::into),
        steps: row.get(28)?,
        sampler: row.get(29)?,
        cfg: row.get(30)?,
        created_ms,
        created_at: rfc3339(created_ms),
        updated_at: rfc3339(row.get(32)?),
        expires_at: row.get::<_, Option<i64>>(33)?.map(rfc3339),
        path: row.get(34)?,
        ext: row.get(35)?,
        tags,
    })
}

/// The outcome of trying to add an image row.
pub enum Inserted {
    New {
        seq: i64,
        /// The id the image got: the one this content had before here or in the bucket's
        /// log (a file imported again after a delete, or first seen on another computer),
        /// else the import's new one.
        id: String,
    },
    /// Same content already cataloged: its id; the new tags and source were merged.
    Duplicate { id: String },
}

impl Catalog {
    /// Starts a write transaction that takes the write lock at once (no upgrade deadlocks).
    pub fn write(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// The id of the image with this content, if any.
    pub fn id_by_sha(&self, sha256: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT id FROM images WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Merges tags and a source into an existing image (a duplicate import).
    pub fn merge_duplicate(
        &mut self,
        sha256: &str,
        tags: &[String],
        kind: SourceKind,
        source: Option<&str>,
        fetched_at: Option<i64>,
    ) -> Result<Option<String>> {
        let tx = self.write()?;
        let found: Option<(i64, String)> = tx
            .prepare_cached("SELECT seq, id FROM images WHERE sha256 = ?1")?
            .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((seq, id)) = found else {
            return Ok(None);
        };
        merge_into(&tx, seq, tags, kind, source, fetched_at)?;
        tx.commit()?;
        Ok(Some(id))
    }

    /// Inserts the row, its tags, source, FTS entry and thumbnail job in one transaction.
    /// When the content is already cataloged (a concurrent import won), merges instead.
    pub fn insert_image(
        &mut self,
        img: &NewImage,
        tags: &[String],
        thumb_sizes: u8,
        owner: &str,
        original_tmp: Option<&str>,
    ) -> Result<Inserted> {
        let tx = self.write()?;
        let now = now_ms();
        let ai = img.ai.as_ref();
        let id: String = tx
            .prepare_cached("SELECT id FROM replica_items WHERE sha256 = ?1")?
            .query_row([&img.sha256], |r| r.get(0))
            .optional()?
            .unwrap_or_else(|| img.id.clone());
        // Cached statements: an import prepares each once per worker, triggers included.
        let changed = tx
            .prepare_cached(
                "INSERT INTO images (id, sha256, filename, format, mime, ext, bytes, width, height,
                orientation, storage, path, source_kind, source, fetched_at, taken_at, camera_make,
                camera_model, has_gps, gps_lat, gps_lon, gps_alt, has_serial, exif_json, icc,
                generator, prompt, negative_prompt, model, seed, steps, sampler, cfg, ai_raw,
                visibility, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33,
                ?34, ?35, ?36, ?37)
             ON CONFLICT (sha256) DO NOTHING",
            )?
            .execute(params![
                id,
                img.sha256,
                img.filename,
                img.format,
                img.mime,
                img.ext,
                img.bytes as i64,
                img.width,
                img.height,
                img.orientation,
                img.storage.as_str(),
                img.path,
                img.source_kind.as_str(),
                img.source,
                img.fetched_at,
                img.taken_at,
                img.camera_make,
                img.camera_model,
                img.gps.is_some(),
                img.gps.map(|g| g.0),
                img.gps.map(|g| g.1),
                img.gps.and_then(|g| g.2),
                img.has_serial,
                img.exif_json,
                img.icc,
                ai.map(|a| a.generator.as_str()),
                ai.and_then(|a| a.prompt.clone()),
                ai.and_then(|a| a.negative_prompt.clone()),
                ai.and_then(|a| a.model.clone()),
                ai.and_then(|a| a.seed).map(|s| s.to_string()),
                ai.and_then(|a| a.steps),
                ai.and_then(|a| a.sampler.clone()),
                ai.and_then(|a| a.cfg),
                ai.map(|a| serde_json::to_string(&a.raw).unwrap_or_default()),
                img.visibility.as_str(),
                img.created_at,
                now,
            ])?;
        if changed == 0 {
            let (seq, id): (i64, String) = tx.query_row(
                "SELECT seq, id FROM images WHERE sha256 = ?1",
                [&img.sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            merge_into(
                &tx,
                seq,
                tags,
                img.source_kind,
                img.source.as_deref(),
                img.fetched_at,
            )?;
            tx.commit()?;
            return Ok(Inserted::Duplicate { id });
        }
        let seq = tx.last_insert_rowid();
        if let Some(source) = &img.source {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO image_sources (image_seq, kind, source, fetched_at, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![seq, img.source_kind.as_str(), source, img.fetched_at, now])?;
        }
        super::tags::attach(&tx, seq, tags)?;
        if thumb_sizes != 0 {
            tx.prepare_cached(
                "INSERT INTO thumb_jobs (image_seq, sizes, owner, original_tmp, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![seq, thumb_sizes, owner, original_tmp, now])?;
        }
        refresh_fts_with(&tx, seq, Some(&img.ai_search))?;
        tx.commit()?;
        Ok(Inserted::New { seq, id })
    }

    /// Looks an image up by id (case-insensitive).
    pub fn get(&self, id: &str) -> Result<ImageRecord> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM images WHERE id = ?1");
        self.conn
            .query_row(&sql, [id.trim().to_ascii_uppercase()], record_from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(id.to_string()))
    }

    pub fn get_by_seq(&self, seq: i64) -> Result<ImageRecord> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM images WHERE seq = ?1");
        self.conn
            .query_row(&sql, [seq], record_from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("#{seq}")))
    }

    /// Everything about one image.
    pub fn detail(&self, id: &str) -> Result<ImageDetail> {
        let record = self.get(id)?;
        struct Extra {
            exif: Option<String>,
            ai_raw: Option<String>,
            lat: Option<f64>,
            lon: Option<f64>,
            alt: Option<f64>,
            accessed: Option<i64>,
            path: String,
        }
        let x = self.conn.query_row(
            "SELECT exif_json, ai_raw, gps_lat, gps_lon, gps_alt, accessed_at, path
             FROM images WHERE seq = ?1",
            [record.seq],
            |r| {
                Ok(Extra {
                    exif: r.get(0)?,
                    ai_raw: r.get(1)?,
                    lat: r.get(2)?,
                    lon: r.get(3)?,
                    alt: r.get(4)?,
                    accessed: r.get(5)?,
                    path: r.get(6)?,
                })
            },
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT kind, source, fetched_at, added_at FROM image_sources
             WHERE image_seq = ?1 ORDER BY added_at, source",
        )?;
        let sources = stmt
            .query_map([record.seq], |r| {
                Ok(SourceEntry {
                    kind: r.get(0)?,
                    source: r.get(1)?,
                    fetched_at: r.get::<_, Option<i64>>(2)?.map(rfc3339),
                    added_at: rfc3339(r.get(3)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        let gps = match (x.lat, x.lon) {
            (Some(lat), Some(lon)) => {
                Some(serde_json::json!({"latitude": lat, "longitude": lon, "altitude": x.alt}))
            }
            _ => None,
        };
        Ok(ImageDetail {
            record,
            gps,
            exif: json(x.exif),
            ai_raw: json(x.ai_raw),
            sources,
            accessed_at: x.accessed.map(rfc3339),
            path: x.path,
        })
    }

    /// Sets one image's visibility: the one-id case of [`Catalog::set_visibility_chunk`].
    pub fn set_visibility(&mut self, id: &str, visibility: Visibility) -> Result<ImageRecord> {
        let sel = super::Selection::ids(&[id]);
        let mut items = self
            .set_visibility_chunk(&sel, &mut Default::default(), 1, visibility)?
            .unwrap_or_default();
        let (id, edit) = items.pop().ok_or_else(|| Error::NotFound(id.to_string()))?;
        edit?;
        self.get(&id)
    }

    /// Renames an image: the file name it is shown, searched and exported under (the original
    /// keeps its content-addressed path). The name is trimmed; a path or control characters are
    /// refused.
    pub fn rename(&mut self, id: &str, name: &str) -> Result<ImageRecord> {
        let name = valid_file_name(name)?;
        let rec = self.get(id)?;
        if rec.filename != name {
            let tx = self.write()?;
            tx.execute(
                "UPDATE images SET filename = ?1, updated_at = ?2 WHERE seq = ?3",
                params![name, now_ms(), rec.seq],
            )?;
            refresh_fts_with(&tx, rec.seq, None)?;
            tx.commit()?;
        }
        self.get(&rec.id)
    }

    pub fn touch_accessed(&self, seq: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE images SET accessed_at = ?1 WHERE seq = ?2",
            params![now_ms(), seq],
        )?;
        Ok(())
    }

    /// Removes the row (tags, sources and jobs cascade) and leaves a tombstone.
    pub fn remove(&mut self, id: &str) -> Result<ImageRecord> {
        self.remove_with(id, true)
    }

    /// Removes the row like [`Catalog::remove`] but leaves its objects in the bucket (a watched
    /// folder set to "remove from library"): no delete is queued for them.
    pub fn forget(&mut self, id: &str) -> Result<ImageRecord> {
        self.remove_with(id, false)
    }

    fn remove_with(&mut self, id: &str, delete_remote: bool) -> Result<ImageRecord> {
        let record = self.get(id)?;
        let tx = self.write()?;
        super::bulk::remove_row(&tx, &record, delete_remote)?;
        tx.commit()?;
        Ok(record)
    }

    /// Takes back a row whose import could not be finished (no tombstone: it never landed).
    pub fn withdraw(&mut self, seq: i64) -> Result<()> {
        let tx = self.write()?;
        tx.execute("DELETE FROM images_fts WHERE rowid = ?1", [seq])?;
        tx.execute("DELETE FROM images WHERE seq = ?1", [seq])?;
        tx.execute(
            "DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM image_tags WHERE tag_id = tags.id)",
            [],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn tombstones(&self) -> Result<Vec<Tombstone>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, sha256, ext, visibility, object_key, remote_state, deleted_at
             FROM tombstones ORDER BY deleted_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Tombstone {
                id: r.get(0)?,
                sha256: r.get(1)?,
                ext: r.get(2)?,
                visibility: r.get(3)?,
                object_key: r.get(4)?,
                remote_state: r.get(5)?,
                deleted_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Where every image's bytes are, for fsck and thumbnail scans.
    pub fn all_files(&self) -> Result<Vec<FileRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, id, sha256, storage, path, bytes, local FROM images ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(FileRow {
                seq: r.get(0)?,
                id: r.get(1)?,
                sha256: r.get(2)?,
                storage: parse_enum(r, 3)?,
                path: r.get(4)?,
                bytes: r.get::<_, i64>(5)? as u64,
                local: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Rebuilds every FTS row from the catalog (fsck --repair).
    pub fn rebuild_fts(&mut self) -> Result<usize> {
        let tx = self.write()?;
        tx.execute("DELETE FROM images_fts", [])?;
        let seqs: Vec<i64> = {
            let mut stmt = tx.prepare("SELECT seq FROM images")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        for &seq in &seqs {
            refresh_fts_with(&tx, seq, None)?;
        }
        tx.commit()?;
        Ok(seqs.len())
    }

    /// Images whose FTS row is missing or extra: (catalog rows, fts rows).
    pub fn fts_counts(&self) -> Result<(i64, i64)> {
        let images: i64 = self
            .conn
            .query_row("SELECT count(*) FROM images", [], |r| r.get(0))?;
        let fts: i64 = self
            .conn
            .query_row("SELECT count(*) FROM images_fts", [], |r| r.get(0))?;
        Ok((images, fts))
    }
}

/// A file name as a person may give it: 1 to 255 characters, not a path, no control characters.
pub fn valid_file_name(name: &str) -> Result<String> {
    let n = name.trim();
    let ok = !n.is_empty()
        && n.chars().count() <= 255
        && n != "."
        && n != ".."
        && !n.contains(['/', '\\'])
        && !n.chars().any(char::is_control);
    if !ok {
        return Err(Error::Invalid {
            what: "file name",
            value: name.to_string(),
            hint: "a file name is 1 to 255 characters, without / or \\ or control characters",
        });
    }
    Ok(n.to_string())
}

fn merge_into(
    tx: &Transaction,
    seq: i64,
    tags: &[String],
    kind: SourceKind,
    source: Option<&str>,
    fetched_at: Option<i64>,
) -> Result<()> {
    let now = now_ms();
    if let Some(source) = source {
        tx.execute(
            "INSERT OR IGNORE INTO image_sources (image_seq, kind, source, fetched_at, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![seq, kind.as_str(), source, fetched_at, now],
        )?;
    }
    if !tags.is_empty() {
        super::tags::attach(tx, seq, tags)?;
        refresh_fts_with(tx, seq, None)?;
    }
    tx.execute(
        "UPDATE images SET updated_at = ?1 WHERE seq = ?2",
        params![now, seq],
    )?;
    Ok(())
}

/// Rewrites the FTS row of one image from its catalog row and tags. `extra` is the AI search
/// text; when `None` the previous FTS value is kept (or rebuilt from `ai_raw`).
pub(super) fn refresh_fts_with(tx: &Transaction, seq: i64, extra: Option<&str>) -> Result<()> {
    let extra: String = match extra {
        Some(e) => e.to_string(),
        None => {
            let old: Option<String> = tx
                .query_row(
                    "SELECT extra FROM images_fts WHERE rowid = ?1",
                    [seq],
                    |r| r.get(0),
                )
                .optional()?;
            match old {
                Some(old) => old,
                None => {
                    let raw: Option<String> =
                        tx.query_row("SELECT ai_raw FROM images WHERE seq = ?1", [seq], |r| {
                            r.get(0)
                        })?;
                    raw_search_text(raw.as_deref())
                }
            }
        }
    };
    tx.prepare_cached("DELETE FROM images_fts WHERE rowid = ?1")?
        .execute([seq])?;
    tx.prepare_cached(
        "INSERT INTO images_fts (rowid, filename, prompt, negative_prompt, model, tags, extra)
         SELECT seq, filename, coalesce(prompt, ''), coalesce(negative_prompt, ''),
                coalesce(model, ''),
                coalesce((SELECT group_concat(t.name, ' ') FROM image_tags it
                          JOIN tags t ON t.id = it.tag_id WHERE it.image_seq = images.seq), ''),
                ?2
         FROM images WHERE seq = ?1",
    )?
    .execute(params![seq, extra])?;
    Ok(())
}

/// Search text rebuilt from the stored raw AI texts (keyword -> text), capped like the import's.
fn raw_search_text(raw: Option<&str>) -> String {
    let Some(map) = raw
        .and_then(|r| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(r).ok())
    else {
        return String::new();
    };
    let mut out = String::new();
    for (key, value) in map {
        if key == "workflow" {
            continue;
        }
        if let Some(text) = value.as_str() {
            out.push_str(text);
            out.push('\n');
        }
    }
    crate::model::truncate_utf8(&mut out, 16 * 1024);
    out
}
