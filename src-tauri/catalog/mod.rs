//! The SQLite catalog: the truth the UI and CLI read.
//!
//! Who writes: every process (app, CLI, watcher) may write, but only inside short
//! `BEGIN IMMEDIATE` transactions, so SQLite's write lock serialises them and readers keep
//! reading the last committed state (WAL). No transaction spans file I/O or decoding.
//! File work that must outlive a transaction (thumbnail jobs, temp files) is owned by one
//! process at a time through [`crate::workspace`].

mod albums;
mod bulk;
mod bulk_jobs;
mod dimensions;
mod facets;
mod grid;
mod images;
pub mod migrations;
mod offload;
mod query;
mod remotes;
mod search;
pub(crate) mod selection;
mod stats;
mod sync_queue;
mod tags;
mod thumb_jobs;
mod watched;

pub use albums::{album_name, Album, AlbumObject, AlbumSummary};
pub use bulk::{ChunkItem, Edit, VisibilityChange};
pub use bulk_jobs::{BulkJob, BulkJobKind, BulkJobState};
pub use dimensions::{parse_orientation, parse_pixel_size, Orientation, SizeClass};
pub use facets::{FacetValue, Facets};
pub use grid::{GridEntry, PROMPT_START_CHARS};
pub use images::{FileRow, ImageDetail, ImageRecord, Inserted, NewImage, SourceEntry, Tombstone};
pub use offload::Holding;
pub use query::{parse_day, parse_format, parse_generator, ListQuery, DAY, DEFAULT_PAGE};
pub use remotes::{AddedRemote, RemoteRow};
pub use selection::{Cursor, Selection, Target};
pub use stats::{Bucket, FailedItem, Stats};
pub use sync_queue::{FailedJob, JobKind, QueueCounts, SyncJob, UploadState};
pub use tags::normalize as normalize_tags;

/// Rewrites one image's search entry from its row and tags (for the replica's merges).
pub fn refresh_fts(tx: &rusqlite::Transaction, seq: i64) -> crate::error::Result<()> {
    images::refresh_fts_with(tx, seq, None)
}

/// One image's record, read inside a transaction.
pub fn record_in(tx: &rusqlite::Transaction, seq: i64) -> crate::error::Result<ImageRecord> {
    use rusqlite::OptionalExtension;
    let sql = format!(
        "SELECT {} FROM images WHERE seq = ?1",
        images::RECORD_COLUMNS
    );
    tx.query_row(&sql, [seq], images::record_from_row)
        .optional()?
        .ok_or_else(|| crate::error::Error::NotFound(format!("#{seq}")))
}

/// Removes an image's row as a delete made on another computer: a tombstone stays, and its
/// objects in the bucket are left to the computer that deleted it.
pub fn remove_row_kept(
    tx: &rusqlite::Transaction,
    record: &ImageRecord,
) -> crate::error::Result<()> {
    bulk::remove_row(tx, record, false)
}
pub use thumb_jobs::ThumbJob;
pub use watched::{
    ChangeFacts, ChangeKind, FileEntry, FolderOptions, ScanProgress, WatchEvent, WatchedFolder,
};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

/// How long a writer waits for another process's write transaction.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// One connection to `catalog.db`. Cheap to open; use one per thread.
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
}

impl Catalog {
    /// Opens (creating if needed) and migrates the catalog.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Refuse a newer catalog before any pragma could change the file.
        migrations::refuse_newer(&conn, path)?;
        configure(&conn)?;
        migrations::migrate(&mut conn, path)?;
        Ok(Catalog {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens another connection to an already migrated catalog (for worker threads).
    pub fn reopen(&self) -> Result<Self> {
        let conn = Connection::open(&self.path)?;
        configure(&conn)?;
        let version = migrations::user_version(&conn)?;
        if version != migrations::LATEST {
            return Err(Error::NewerSchema {
                path: self.path.clone(),
                found: version,
                supported: migrations::LATEST,
            });
        }
        Ok(Catalog {
            conn,
            path: self.path.clone(),
        })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `PRAGMA quick_check`: the problems SQLite found (empty when healthy).
    pub fn quick_check(&self) -> Result<Vec<String>> {
        quick_check(&self.conn)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }
}

/// Switches a connection to WAL. SQLite may answer "database is locked" at once, without
/// calling the busy handler, when several processes open a new file together (the switch
/// needs an exclusive lock); retry for up to [`BUSY_TIMEOUT`] then.
pub(crate) fn enable_wal(conn: &Connection) -> rusqlite::Result<String> {
    let start = std::time::Instant::now();
    loop {
        // journal_mode answers with a row; WAL persists in the file once set.
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode = enable_wal(conn)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::io(
            "opening the catalog",
            std::io::Error::other(format!(
                "cannot switch to WAL mode (got {mode}); is the library on a network filesystem?"
            )),
        ));
    }
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;",
    )?;
    Ok(())
}

/// `PRAGMA quick_check` on any of the library's databases: the problems found, if any.
pub(crate) fn quick_check(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA quick_check")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|s| s != "ok")
        .collect())
}
