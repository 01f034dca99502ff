//! The thumbnail cache: one SQLite file with INTEGER keys and BLOB values, read through mmap.
//! Chosen over one file per thumbnail by measurement (see docs/BENCHMARKS.md).

use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

use super::ThumbSize;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct Thumb {
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

pub struct ThumbCache {
    conn: Connection,
}

/// Cache key: the first 62 bits of the content hash plus the size in the low bits. Keying by
/// content keeps thumbnails valid across catalog ids and lets duplicates share them.
pub fn key(sha256: &str, size: ThumbSize) -> i64 {
    let prefix = u64::from_str_radix(sha256.get(0..16).unwrap_or("0"), 16).unwrap_or(0);
    ((prefix & !0b11) | size.bit() as u64) as i64
}

fn mime_static(m: &str) -> &'static str {
    match m {
        "image/webp" => "image/webp",
        "image/png" => "image/png",
        _ => "image/jpeg",
    }
}

impl ThumbCache {
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(crate::catalog::BUSY_TIMEOUT)?;
        crate::catalog::enable_wal(&conn)?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA mmap_size = 1073741824;
             CREATE TABLE IF NOT EXISTS thumbs (
                 key    INTEGER PRIMARY KEY,
                 mime   TEXT NOT NULL,
                 width  INTEGER NOT NULL,
                 height INTEGER NOT NULL,
                 data   BLOB NOT NULL
             );",
        )?;
        Ok(ThumbCache { conn })
    }

    pub fn put(&self, sha256: &str, size: ThumbSize, thumb: &Thumb) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO thumbs (key, mime, width, height, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                key(sha256, size),
                thumb.mime,
                thumb.width,
                thumb.height,
                thumb.data
            ])?;
        Ok(())
    }

    /// Stores many thumbnails of one size in one transaction (one lock, one sync).
    pub fn put_many(&self, size: ThumbSize, thumbs: &[(String, Thumb)]) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        for (sha256, thumb) in thumbs {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO thumbs (key, mime, width, height, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                key(sha256, size),
                thumb.mime,
                thumb.width,
                thumb.height,
                thumb.data
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn get(&self, sha256: &str, size: ThumbSize) -> Result<Option<Thumb>> {
        Ok(self
            .conn
            .prepare_cached("SELECT mime, width, height, data FROM thumbs WHERE key = ?1")?
            .query_row([key(sha256, size)], |r| {
                Ok(Thumb {
                    mime: mime_static(&r.get::<_, String>(0)?),
                    width: r.get(1)?,
                    height: r.get(2)?,
                    data: r.get(3)?,
                })
            })
            .optional()?)
    }

    pub fn has(&self, sha256: &str, size: ThumbSize) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM thumbs WHERE key = ?1")?
            .query_row([key(sha256, size)], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub fn remove(&self, sha256: &str) -> Result<()> {
        for size in ThumbSize::ALL {
            self.conn
                .execute("DELETE FROM thumbs WHERE key = ?1", [key(sha256, size)])?;
        }
        Ok(())
    }

    /// Every key in the cache (for fsck).
    pub fn keys(&self) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare("SELECT key FROM thumbs")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn remove_keys(&self, keys: &[i64]) -> Result<()> {
        for k in keys {
            self.conn
                .execute("DELETE FROM thumbs WHERE key = ?1", [k])?;
        }
        Ok(())
    }

    pub fn quick_check(&self) -> Result<Vec<String>> {
        crate::catalog::quick_check(&self.conn)
    }
}
