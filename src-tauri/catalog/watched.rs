//! Watched folders (`watched_folders`), the files last seen in them (`watched_files`) and what
//! the watcher did (`watch_events`). The watcher in `crate::watch` is the only writer of files
//! and events; folder options are written by `vitrine watch …` and the app's settings.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use std::collections::HashMap;

use super::Catalog;
use crate::error::{Error, Result};
use crate::model::{now_ms, FolderStatus, OnDelete, Visibility};

/// What one change in a watched folder was: the `kind` of watch events (`vitrine watch log
/// --json`) and of the watcher's change notices (`vitrine watch run --json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new image.
    Added,
    /// The content was already in the library (from elsewhere): tags and source merged.
    Duplicate,
    /// The same content at a new path: the image follows it.
    Moved,
    /// New content at a known path: a new image.
    Edited,
    /// The file is gone; its image stays in the library (rule `keep`).
    Deleted,
    /// The file is gone and so is its image (rules `remove` and `remove-remote`).
    Removed,
    Failed,
    /// The folder cannot be read (unplugged, unmounted, permissions): nothing is deleted.
    Offline,
    /// The folder is back.
    Online,
}

impl ChangeKind {
    /// Whether this change altered the catalog (a failure or a folder going offline or
    /// coming back did not).
    pub fn changes_catalog(self) -> bool {
        !matches!(
            self,
            ChangeKind::Failed | ChangeKind::Offline | ChangeKind::Online
        )
    }

    pub const ALL: &'static [ChangeKind] = &[
        ChangeKind::Added,
        ChangeKind::Duplicate,
        ChangeKind::Moved,
        ChangeKind::Edited,
        ChangeKind::Deleted,
        ChangeKind::Removed,
        ChangeKind::Failed,
        ChangeKind::Offline,
        ChangeKind::Online,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Duplicate => "duplicate",
            ChangeKind::Moved => "moved",
            ChangeKind::Edited => "edited",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Removed => "removed",
            ChangeKind::Failed => "failed",
            ChangeKind::Offline => "offline",
            ChangeKind::Online => "online",
        }
    }

    /// The kind stored as `text`, if this build knows it.
    pub fn parse(text: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.iter().copied().find(|k| k.as_str() == text)
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so `{kind:<9}` lines up log lines.
        f.pad(self.as_str())
    }
}

/// Tests and callers that hold the word (`"added"`) compare without parsing it.
impl PartialEq<str> for ChangeKind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// How far a scan of a folder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct ScanProgress {
    /// Files listed so far (while `total` is unknown), else changed files imported so far.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub done: u64,
    /// How many changed files this scan imports; `null` while the folder is still listed.
    #[cfg_attr(feature = "gui", ts(type = "number | null"))]
    pub total: Option<u64>,
}

impl ScanProgress {
    /// The words shown in a folder's `detail` (for people; the numbers are the fields).
    pub fn words(&self) -> String {
        match self.total {
            None => format!("scanning: {} files", self.done),
            Some(total) => format!("scanning {}/{total}", self.done),
        }
    }
}

/// How a folder is watched: set when it is added, changed by adding it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct FolderOptions {
    pub recursive: bool,
    /// Only files matching one of these patterns (empty: every image).
    pub include: Vec<String>,
    /// Files matching these are skipped (on top of the built-in temp/hidden rules).
    pub exclude: Vec<String>,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    /// Copy files into the library instead of referencing them where they are.
    pub copy: bool,
    pub on_delete: OnDelete,
    /// Rescan on a timer instead of trusting filesystem events (network filesystems).
    pub poll: bool,
}

impl Default for FolderOptions {
    fn default() -> Self {
        FolderOptions {
            recursive: false,
            include: Vec::new(),
            exclude: Vec::new(),
            tags: Vec::new(),
            visibility: Visibility::Private,
            copy: false,
            on_delete: OnDelete::Keep,
            poll: false,
        }
    }
}

/// One watched folder with its live status (one element of `vitrine watch list --json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct WatchedFolder {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub id: i64,
    pub path: String,
    #[serde(flatten)]
    #[cfg_attr(feature = "gui", ts(flatten))]
    pub options: FolderOptions,
    pub paused: bool,
    /// `stopped` when no process is watching it (run `vitrine watch run` or open the app).
    pub status: FolderStatus,
    /// e.g. "scanning 1200/5000" or why it is offline (words for people).
    pub detail: Option<String>,
    /// While it is being scanned: how far (the numbers behind "scanning 1200/5000").
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "gui", ts(optional))]
    pub progress: Option<ScanProgress>,
    pub last_error: Option<String>,
    /// Files cataloged from this folder.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub files: u64,
    /// Files that could not be imported (each with its reason in `watch_events`).
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub errors: u64,
    pub scanned_at: Option<String>,
    pub added_at: String,
    #[serde(skip)]
    pub owner: Option<String>,
    #[serde(skip)]
    pub device: Option<u64>,
}

/// What was last seen at one path of a watched folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub size: u64,
    pub mtime_ns: i64,
    /// The content last cataloged from it (`None` when it failed to import).
    pub sha256: Option<String>,
    pub error: Option<String>,
}

/// One thing the watcher did (`vitrine watch list --json` shows the latest per folder).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct WatchEvent {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "gui", ts(type = "number | null"))]
    pub folder_id: Option<i64>,
    pub at: String,
    pub kind: ChangeKind,
    pub path: String,
    pub image_id: Option<String>,
    /// What happened, for people (e.g. "moved from …", a failure's reason).
    pub detail: Option<String>,
    /// `moved`: the path it was at.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "gui", ts(optional))]
    pub moved_from: Option<String>,
    /// `edited`: the image of the previous content.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "gui", ts(optional))]
    pub previous_id: Option<String>,
    /// `edited` (to the previous image), `deleted` and `removed`: the folder's deletion rule
    /// that applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "gui", ts(optional))]
    pub rule: Option<OnDelete>,
}

/// What a change was beyond its kind, as fields (its `detail` says it in words, for people).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeFacts {
    /// A move's old path.
    pub moved_from: Option<String>,
    /// The image an edit replaced.
    pub previous_id: Option<String>,
    /// The deletion rule that applied (to an edit's previous image, or a deleted file's).
    pub rule: Option<OnDelete>,
}

/// Events kept in the catalog; older ones are trimmed.
const EVENTS_KEPT: i64 = 2000;

const FOLDER_COLUMNS: &str =
    "f.id, f.path, f.recursive, f.include, f.exclude, f.tags, f.visibility,
    f.copy, f.on_delete, f.poll, f.paused, f.status, f.detail, f.last_error, f.scanned_at,
    f.added_at, f.owner, f.device,
    (SELECT count(*) FROM watched_files w WHERE w.folder_id = f.id AND w.sha256 IS NOT NULL),
    (SELECT count(*) FROM watched_files w WHERE w.folder_id = f.id AND w.error IS NOT NULL),
    f.scan_done, f.scan_total";

fn json_list(text: String) -> Vec<String> {
    serde_json::from_str(&text).unwrap_or_default()
}

fn parse<T: std::str::FromStr + Default>(text: String) -> T {
    text.parse().unwrap_or_default()
}

fn folder(r: &Row<'_>) -> rusqlite::Result<WatchedFolder> {
    let visibility: String = r.get(6)?;
    let on_delete: String = r.get(8)?;
    let status: String = r.get(11)?;
    Ok(WatchedFolder {
        id: r.get(0)?,
        path: r.get(1)?,
        options: FolderOptions {
            recursive: r.get(2)?,
            include: json_list(r.get(3)?),
            exclude: json_list(r.get(4)?),
            tags: json_list(r.get(5)?),
            visibility: visibility.parse().unwrap_or(Visibility::Private),
            copy: r.get(7)?,
            on_delete: parse(on_delete),
            poll: r.get(9)?,
        },
        paused: r.get(10)?,
        status: status.parse().unwrap_or(FolderStatus::Stopped),
        detail: r.get(12)?,
        progress: match r.get::<_, Option<i64>>(20)? {
            Some(done) => Some(ScanProgress {
                done: done as u64,
                total: r.get::<_, Option<i64>>(21)?.map(|t| t as u64),
            }),
            None => None,
        },
        last_error: r.get(13)?,
        scanned_at: r.get::<_, Option<i64>>(14)?.map(crate::model::rfc3339),
        added_at: crate::model::rfc3339(r.get(15)?),
        owner: r.get(16)?,
        device: r.get::<_, Option<i64>>(17)?.map(|d| d as u64),
        files: r.get::<_, i64>(18)? as u64,
        errors: r.get::<_, i64>(19)? as u64,
    })
}

impl Catalog {
    /// Adds a folder, or replaces the options of one already watched. Returns it and whether
    /// it is new.
    pub fn add_watched(
        &mut self,
        path: &str,
        device: Option<u64>,
        opts: &FolderOptions,
    ) -> Result<(WatchedFolder, bool)> {
        let tags = super::normalize_tags(&opts.tags)?;
        let tx = self.write()?;
        let existed: bool = tx
            .query_row(
                "SELECT 1 FROM watched_folders WHERE path = ?1",
                [path],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        let list = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO watched_folders (path, recursive, include, exclude, tags, visibility, copy,
                on_delete, poll, device, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (path) DO UPDATE SET recursive = excluded.recursive,
                include = excluded.include, exclude = excluded.exclude, tags = excluded.tags,
                visibility = excluded.visibility, copy = excluded.copy,
                on_delete = excluded.on_delete, poll = excluded.poll,
                device = coalesce(device, excluded.device)",
            params![
                path,
                opts.recursive,
                list(&opts.include),
                list(&opts.exclude),
                list(&tags),
                opts.visibility.as_str(),
                opts.copy,
                opts.on_delete.as_str(),
                opts.poll,
                device.map(|d| d as i64),
                now_ms()
            ],
        )?;
        tx.commit()?;
        let f = self
            .watched_folder(path)?
            .ok_or_else(|| Error::NotFound(format!("watched folder {path}")))?;
        Ok((f, !existed))
    }

    pub fn watched_folders(&self) -> Result<Vec<WatchedFolder>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {FOLDER_COLUMNS} FROM watched_folders f ORDER BY f.path"
        ))?;
        let rows = stmt.query_map([], folder)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn watched_folder(&self, path: &str) -> Result<Option<WatchedFolder>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {FOLDER_COLUMNS} FROM watched_folders f WHERE f.path = ?1"),
                [path],
                folder,
            )
            .optional()?)
    }

    /// A cheap fingerprint of every folder's options, to notice changes from other processes.
    pub fn watched_config_version(&self) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT coalesce(group_concat(id || recursive || include || exclude || tags || visibility
                || copy || on_delete || poll || paused || coalesce(device, ''), '|'), '')
             FROM (SELECT * FROM watched_folders ORDER BY id)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Stops watching a folder; its images stay in the library.
    pub fn remove_watched(&mut self, id: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM watched_folders WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn set_watched_paused(&mut self, id: i64, paused: bool) -> Result<()> {
        self.conn.execute(
            "UPDATE watched_folders SET paused = ?2 WHERE id = ?1",
            params![id, paused],
        )?;
        Ok(())
    }

    /// Records the device the folder is on now (first seen online, or the same disk back
    /// under another device number).
    pub fn set_watched_device(&mut self, id: i64, device: u64) -> Result<()> {
        self.conn.execute(
            "UPDATE watched_folders SET device = ?2 WHERE id = ?1",
            params![id, device as i64],
        )?;
        Ok(())
    }

    /// Publishes what the watcher is doing with a folder. `scanned` stamps a finished scan.
    /// Any scan progress is cleared.
    pub fn set_watch_status(
        &self,
        id: i64,
        status: FolderStatus,
        detail: Option<&str>,
        last_error: Option<&str>,
        owner: Option<&str>,
        scanned: bool,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE watched_folders SET status = ?2, detail = ?3, last_error = ?4, owner = ?5,
                scanned_at = CASE WHEN ?6 THEN ?7 ELSE scanned_at END,
                scan_done = NULL, scan_total = NULL
             WHERE id = ?1",
            params![
                id,
                status.as_str(),
                detail,
                last_error,
                owner,
                scanned,
                now_ms()
            ],
        )?;
        Ok(())
    }

    /// Scan progress (the numbers, and their words in `detail`: "scanning 1200/5000"),
    /// leaving the rest of the status as it is.
    pub fn set_watch_progress(&self, id: i64, progress: ScanProgress, owner: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE watched_folders SET status = 'scanning', detail = ?2, owner = ?3,
                scan_done = ?4, scan_total = ?5
             WHERE id = ?1",
            params![
                id,
                progress.words(),
                owner,
                progress.done as i64,
                progress.total.map(|t| t as i64)
            ],
        )?;
        Ok(())
    }

    /// Everything last seen in a folder, by path.
    pub fn watched_files(&self, folder_id: i64) -> Result<HashMap<String, FileEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, size, mtime_ns, sha256, error FROM watched_files WHERE folder_id = ?1",
        )?;
        let rows = stmt.query_map([folder_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                FileEntry {
                    size: r.get::<_, i64>(1)? as u64,
                    mtime_ns: r.get(2)?,
                    sha256: r.get(3)?,
                    error: r.get(4)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

    pub fn watched_file(&self, folder_id: i64, path: &str) -> Result<Option<FileEntry>> {
        Ok(self
            .conn
            .query_row(
                "SELECT size, mtime_ns, sha256, error FROM watched_files
                 WHERE folder_id = ?1 AND path = ?2",
                params![folder_id, path],
                |r| {
                    Ok(FileEntry {
                        size: r.get::<_, i64>(0)? as u64,
                        mtime_ns: r.get(1)?,
                        sha256: r.get(2)?,
                        error: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn watched_file_count(&self, folder_id: i64) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM watched_files WHERE folder_id = ?1",
            [folder_id],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Up to `n` cataloged files of a folder with their size and mtime (is this the same disk?).
    pub fn watched_sample(&self, folder_id: i64, n: u32) -> Result<Vec<(String, u64, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT path, size, mtime_ns FROM watched_files
             WHERE folder_id = ?1 AND sha256 IS NOT NULL LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![folder_id, n], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Paths of a folder's entries at `dir` or under it (a directory renamed or deleted).
    pub fn watched_files_under(&self, folder_id: i64, dir: &str) -> Result<Vec<String>> {
        // A range on the primary key: everything from "dir/" up to "dir0" ('0' follows '/').
        let base = dir.trim_end_matches('/');
        let (from, to) = (format!("{base}/"), format!("{base}0"));
        let mut stmt = self.conn.prepare_cached(
            "SELECT path FROM watched_files WHERE folder_id = ?1
                AND (path = ?2 OR (path >= ?3 AND path < ?4))",
        )?;
        let rows = stmt.query_map(params![folder_id, dir, from, to], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn put_watched_file(
        &mut self,
        folder_id: i64,
        path: &str,
        entry: &FileEntry,
        code: Option<&str>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO watched_files (folder_id, path, size, mtime_ns, sha256, error, code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (folder_id, path) DO UPDATE SET size = excluded.size,
                    mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,
                    error = excluded.error, code = excluded.code",
            )?
            .execute(params![
                folder_id,
                path,
                entry.size as i64,
                entry.mtime_ns,
                entry.sha256,
                entry.error,
                code
            ])?;
        Ok(())
    }

    pub fn delete_watched_file(&mut self, folder_id: i64, path: &str) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM watched_files WHERE folder_id = ?1 AND path = ?2")?
            .execute(params![folder_id, path])?;
        Ok(())
    }

    /// Another watched path last seen with this content (a move's new place), if any.
    pub fn watched_path_with_sha(&self, sha256: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path FROM watched_files WHERE sha256 = ?1 ORDER BY path")?;
        let rows = stmt.query_map([sha256], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn add_watch_event(
        &mut self,
        folder_id: Option<i64>,
        kind: ChangeKind,
        path: &str,
        image_id: Option<&str>,
        detail: Option<&str>,
        facts: &ChangeFacts,
    ) -> Result<()> {
        let id = self
            .conn
            .prepare_cached(
                "INSERT INTO watch_events (folder_id, at, kind, path, image_id, detail,
                    moved_from, previous_id, rule)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
            )?
            .query_row(
                params![
                    folder_id,
                    now_ms(),
                    kind.as_str(),
                    path,
                    image_id,
                    detail,
                    facts.moved_from,
                    facts.previous_id,
                    facts.rule.map(OnDelete::as_str)
                ],
                |r| r.get::<_, i64>(0),
            )?;
        if id % 100 == 0 {
            self.conn.execute(
                "DELETE FROM watch_events WHERE id <= ?1",
                [id - EVENTS_KEPT],
            )?;
        }
        Ok(())
    }

    /// The latest events, newest first; `folder_id` narrows to one folder. Events of a kind
    /// this build does not know (written by a newer one) are left out.
    pub fn watch_events(&self, folder_id: Option<i64>, limit: u32) -> Result<Vec<WatchEvent>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, folder_id, at, kind, path, image_id, detail, moved_from, previous_id, rule
             FROM watch_events
             WHERE ?1 IS NULL OR folder_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![folder_id, limit], |r| {
            let kind: String = r.get(3)?;
            let Some(kind) = ChangeKind::parse(&kind) else {
                return Ok(None);
            };
            Ok(Some(WatchEvent {
                id: r.get(0)?,
                folder_id: r.get(1)?,
                at: crate::model::rfc3339(r.get(2)?),
                kind,
                path: r.get(4)?,
                image_id: r.get(5)?,
                detail: r.get(6)?,
                moved_from: r.get(7)?,
                previous_id: r.get(8)?,
                rule: r
                    .get::<_, Option<String>>(9)?
                    .and_then(|t| t.parse::<OnDelete>().ok()),
            }))
        })?;
        let mut out = Vec::new();
        for row in rows {
            out.extend(row?);
        }
        Ok(out)
    }

    /// Points an image at the file's new place (a rename or move in a watched folder).
    /// `from` (the old path) leaves the image's sources; the new path joins them.
    pub fn move_image(
        &mut self,
        id: &str,
        path: &str,
        filename: &str,
        from: Option<&str>,
    ) -> Result<()> {
        let tx = self.write()?;
        let seq: i64 = tx.query_row("SELECT seq FROM images WHERE id = ?1", [id], |r| r.get(0))?;
        if let Some(from) = from {
            tx.execute(
                "DELETE FROM image_sources WHERE image_seq = ?1 AND kind = 'watch' AND source = ?2",
                params![seq, from],
            )?;
        }
        tx.execute(
            "INSERT OR IGNORE INTO image_sources (image_seq, kind, source, added_at)
             VALUES (?1, 'watch', ?2, ?3)",
            params![seq, path, now_ms()],
        )?;
        tx.execute(
            "UPDATE images SET path = CASE WHEN storage = 'referenced' THEN ?1 ELSE path END,
                filename = ?2, source = CASE WHEN source_kind = 'watch' THEN ?1 ELSE source END,
                updated_at = ?3
             WHERE seq = ?4",
            params![path, filename, now_ms(), seq],
        )?;
        super::images::refresh_fts_with(&tx, seq, None)?;
        tx.commit()?;
        Ok(())
    }

    /// A referenced image whose file is gone for good becomes a managed image without its
    /// original on disk: the app and `fsck --repair` fetch it back from the bucket.
    pub fn detach_original(&mut self, id: &str) -> Result<()> {
        let (sha, ext): (String, String) =
            self.conn
                .query_row("SELECT sha256, ext FROM images WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        self.conn.execute(
            "UPDATE images SET storage = 'managed', path = ?2, updated_at = ?3
             WHERE id = ?1 AND storage = 'referenced'",
            params![id, crate::originals::relative_path(&sha, &ext), now_ms()],
        )?;
        Ok(())
    }
}
