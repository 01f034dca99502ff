//! The `remotes` table: where this library's originals are synced. One is active at a time.

use rusqlite::{params, OptionalExtension, Row};

use super::Catalog;
use crate::error::{Error, Result};
use crate::model::now_ms;
use crate::remote::Provider;

/// A remote's settings, as resolved from what was given (`RemoteSpec::resolve`) and kept.
/// Front ends show it inside `RemoteView` (whose TypeScript type has these fields inline, so
/// this one is not exported). Never a secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS))]
pub struct RemoteRow {
    pub name: String,
    pub provider: Provider,
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub prefix: String,
    pub path_style: bool,
    /// The folder of a `folder` remote.
    pub path: Option<String>,
    pub public_url: Option<String>,
    /// GPS and camera serial numbers are removed from public/unlisted copies.
    // The column is `strip_private`: see `COLUMNS`.
    pub strip_location: bool,
}

impl RemoteRow {
    /// Same bucket and prefix: objects already synced stay valid.
    fn same_place(&self, other: &RemoteRow) -> bool {
        self.provider == other.provider
            && self.endpoint == other.endpoint
            && self.bucket == other.bucket
            && self.prefix == other.prefix
            && self.path == other.path
    }
}

/// The columns of [`RemoteRow`], in its field order. `strip_private` is the SQL name of
/// `strip_location` (renaming the column would need a migration for nothing); this and [`row`]
/// are the only places that spell it.
const COLUMNS: &str =
    "name, provider, endpoint, region, bucket, prefix, path_style, path, public_url, strip_private";

fn row(r: &Row<'_>) -> rusqlite::Result<RemoteRow> {
    Ok(RemoteRow {
        name: r.get(0)?,
        provider: r.get::<_, String>(1)?.parse().map_err(|e: Error| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, e.into())
        })?,
        endpoint: r.get(2)?,
        region: r.get(3)?,
        bucket: r.get(4)?,
        prefix: r.get(5)?,
        path_style: r.get(6)?,
        path: r.get(7)?,
        public_url: r.get(8)?,
        strip_location: r.get(9)?,
    })
}

/// What adding a remote did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddedRemote {
    /// It replaced the settings of the same bucket: synced objects stay.
    pub updated: bool,
    /// Images queued for upload.
    pub queued: u64,
}

impl Catalog {
    pub fn active_remote(&self) -> Result<Option<RemoteRow>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM remotes WHERE active = 1"),
                [],
                row,
            )
            .optional()?)
    }

    pub fn remote(&self, name: &str) -> Result<Option<RemoteRow>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM remotes WHERE name = ?1"),
                [name],
                row,
            )
            .optional()?)
    }

    /// Adds the active remote, or updates it when it names the same bucket and prefix. A new
    /// remote queues every image for upload.
    pub fn add_remote(&mut self, remote: &RemoteRow) -> Result<AddedRemote> {
        let tx = self.write()?;
        let current: Option<RemoteRow> = tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM remotes WHERE active = 1"),
                [],
                row,
            )
            .optional()?;
        if let Some(cur) = &current {
            if cur.name != remote.name {
                return Err(Error::Invalid {
                    what: "remote",
                    value: remote.name.clone(),
                    hint: "a library has one remote for now; remove the current one first (vitrine remote remove NAME)",
                });
            }
        }
        let updated = current.as_ref().is_some_and(|c| c.same_place(remote));
        tx.execute("DELETE FROM remotes WHERE name = ?1", [&remote.name])?;
        tx.execute(
            &format!(
                "INSERT INTO remotes ({COLUMNS}, active, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11)"
            ),
            params![
                remote.name,
                remote.provider.as_str(),
                remote.endpoint,
                remote.region,
                remote.bucket,
                remote.prefix,
                remote.path_style,
                remote.path,
                remote.public_url,
                remote.strip_location,
                now_ms()
            ],
        )?;
        let mut queued = 0;
        if updated
            && current
                .as_ref()
                .is_some_and(|c| c.strip_location != remote.strip_location)
        {
            // What public copies carry changed: write them again.
            queued = tx.execute(
                "INSERT OR IGNORE INTO sync_queue (kind, image_id, sha256, created_at)
                 SELECT 'image', id, sha256, ?1 FROM images
                 WHERE visibility <> 'private' AND (has_gps OR has_serial)",
                [now_ms()],
            )? as u64;
            tx.execute(
                "UPDATE images SET remote_state = 'pending'
                 WHERE id IN (SELECT image_id FROM sync_queue WHERE image_id IS NOT NULL)",
                [],
            )?;
        }
        if !updated {
            // Everything goes to the new place; what was queued for an old one is moot.
            tx.execute("DELETE FROM sync_queue", [])?;
            tx.execute("DELETE FROM sync_uploads", [])?;
            tx.execute(
                "UPDATE images SET remote_state = 'pending', object_key = NULL, remote_error = NULL,
                 remote_attempts = 0",
                [],
            )?;
            queued = tx.execute(
                "INSERT OR IGNORE INTO sync_queue (kind, image_id, sha256, created_at)
                 SELECT 'image', id, sha256, ?1 FROM images",
                [now_ms()],
            )? as u64;
            tx.execute(
                "INSERT OR IGNORE INTO sync_queue (kind, created_at)
                 SELECT 'feed', ?1 WHERE EXISTS (SELECT 1 FROM images WHERE visibility = 'public')",
                [now_ms()],
            )?;
        }
        tx.commit()?;
        Ok(AddedRemote { updated, queued })
    }

    /// Forgets a remote; images become local-only again. Returns false if there was none.
    pub fn remove_remote(&mut self, name: &str) -> Result<bool> {
        let tx = self.write()?;
        let n = tx.execute("DELETE FROM remotes WHERE name = ?1", [name])?;
        if n > 0 {
            tx.execute("DELETE FROM sync_queue", [])?;
            tx.execute("DELETE FROM sync_uploads", [])?;
            tx.execute(
                "UPDATE images SET remote_state = 'local', object_key = NULL, remote_error = NULL,
                 remote_attempts = 0",
                [],
            )?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// A random id naming this library in the keychain (created on first use).
    pub fn library_id(&self) -> Result<String> {
        if let Some(id) = self.setting("library_id")? {
            return Ok(id);
        }
        let id = ulid::Ulid::new().to_string();
        self.conn().execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES ('library_id', ?1)",
            [&id],
        )?;
        Ok(self.setting("library_id")?.unwrap_or(id))
    }
}
