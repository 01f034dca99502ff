//! `images.local`: which originals are on this computer. The queries behind `offload` and
//! `fetch` (see `crate::offload`): candidates in least-recently-viewed order, the bytes the
//! local managed originals take, and the flag itself.

use rusqlite::{params, Row};

use super::Catalog;
use crate::error::Result;
use crate::model::{RemoteState, Storage};

/// What offload and fetch need to know about one image.
#[derive(Debug, Clone)]
pub struct Holding {
    pub id: String,
    pub sha256: String,
    pub ext: String,
    pub bytes: u64,
    pub storage: Storage,
    pub local: bool,
    pub remote_state: RemoteState,
    pub object_key: Option<String>,
    /// Last viewed (`accessed_at`), else added (`created_at`), in ms.
    pub viewed_ms: i64,
}

const COLUMNS: &str = "id, sha256, ext, bytes, storage, local, remote_state, object_key, \
     coalesce(accessed_at, created_at)";

fn holding(r: &Row) -> rusqlite::Result<Holding> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    Ok(Holding {
        id: r.get(0)?,
        sha256: r.get(1)?,
        ext: r.get(2)?,
        bytes: r.get::<_, i64>(3)?.max(0) as u64,
        storage: text(4)?.parse().unwrap_or(Storage::Referenced),
        local: r.get(5)?,
        remote_state: text(6)?.parse().unwrap_or(RemoteState::Local),
        object_key: r.get(7)?,
        viewed_ms: r.get(8)?,
    })
}

impl Catalog {
    /// One image's holding; `None` when there is no such id.
    pub fn holding(&self, id: &str) -> Result<Option<Holding>> {
        use rusqlite::OptionalExtension;
        let sql = format!("SELECT {COLUMNS} FROM images WHERE id = ?1");
        Ok(self
            .conn
            .query_row(&sql, [id.trim().to_ascii_uppercase()], holding)
            .optional()?)
    }

    /// Every image whose original is on this computer (`local = true`) or not, least recently
    /// viewed first.
    pub fn holdings(&self, local: bool) -> Result<Vec<Holding>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM images WHERE local = ?1
             ORDER BY coalesce(accessed_at, created_at), seq"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([local], holding)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Bytes of the managed originals on this computer.
    pub fn local_managed_bytes(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT coalesce(sum(bytes), 0) FROM images WHERE local = 1 AND storage = 'managed'",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Marks an original offloaded, only while the image is still as verified: managed, local,
    /// synced at `object_key`. False when it changed meanwhile (nothing written).
    pub fn mark_offloaded(&self, id: &str, object_key: &str) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE images SET local = 0
             WHERE id = ?1 AND local = 1 AND storage = 'managed' AND remote_state = 'synced'
               AND object_key = ?2",
            params![id, object_key],
        )?;
        Ok(n == 1)
    }

    /// Sets `local` (an original fetched back, or an offload undone).
    pub fn set_local(&self, id: &str, local: bool) -> Result<()> {
        self.conn.execute(
            "UPDATE images SET local = ?2 WHERE id = ?1",
            params![id, local],
        )?;
        Ok(())
    }
}
