//! The durable sync queue (see migration 2 for how rows get here). Workers claim one row at a
//! time; a claimed row names its owner process, and rows of a process that is gone are
//! released on the next start. Never two running jobs for one sha256 (one object key family).

use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};

use super::Catalog;
use crate::error::Result;
use crate::model::now_ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Image,
    Delete,
    Feed,
}

#[derive(Debug, Clone)]
pub struct SyncJob {
    pub id: i64,
    pub kind: JobKind,
    pub image_id: Option<String>,
    pub sha256: Option<String>,
    pub object_key: Option<String>,
    pub trash: bool,
    pub generation: i64,
    pub attempts: u32,
}

const JOB_COLUMNS: &str = "id, kind, image_id, sha256, object_key, trash, generation, attempts";

fn job(r: &Row<'_>) -> rusqlite::Result<SyncJob> {
    let kind: String = r.get(1)?;
    Ok(SyncJob {
        id: r.get(0)?,
        kind: match kind.as_str() {
            "image" => JobKind::Image,
            "delete" => JobKind::Delete,
            _ => JobKind::Feed,
        },
        image_id: r.get(2)?,
        sha256: r.get(3)?,
        object_key: r.get(4)?,
        trash: r.get(5)?,
        generation: r.get(6)?,
        attempts: r.get(7)?,
    })
}

/// Queue counts for status displays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub queued: u64,
    pub running: u64,
    pub failed: u64,
}

/// A quarantined job, for `sync` summaries and the UI.
#[derive(Debug, Clone)]
pub struct FailedJob {
    pub kind: JobKind,
    pub image_id: Option<String>,
    pub object_key: Option<String>,
    pub error: String,
}

/// A multipart upload in flight, as persisted.
#[derive(Debug, Clone)]
pub struct UploadState {
    /// When the intent was recorded (milliseconds since the epoch; 0 for a new state).
    pub created_at: i64,
    pub image_id: String,
    pub object_key: String,
    pub upload_id: Option<String>,
    pub part_size: u64,
    pub sha256: String,
}

impl Catalog {
    /// Releases jobs claimed by processes that are gone.
    pub fn release_dead_sync_owners(&self, alive: impl Fn(&str) -> bool) -> Result<usize> {
        let owners: Vec<String> = {
            let mut stmt = self
                .conn()
                .prepare("SELECT DISTINCT owner FROM sync_queue WHERE owner IS NOT NULL")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut n = 0;
        for o in owners.iter().filter(|o| !alive(o)) {
            n += self
                .conn()
                .execute("UPDATE sync_queue SET owner = NULL WHERE owner = ?1", [o])?;
        }
        Ok(n)
    }

    /// Claims the next job that is due. The feed job waits until no other job is due or
    /// running, so a batch publishes the feed once.
    pub fn claim_sync_job(&mut self, owner: &str) -> Result<Option<SyncJob>> {
        let now = now_ms();
        let tx = self
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = tx
            .query_row(
                &format!(
                    "SELECT {JOB_COLUMNS} FROM sync_queue q
                     WHERE quarantined = 0 AND owner IS NULL AND next_at <= ?1 AND kind <> 'feed'
                       AND NOT EXISTS (SELECT 1 FROM sync_queue r
                                       WHERE r.sha256 = q.sha256 AND r.owner IS NOT NULL)
                       -- an import still moving its original into place
                       AND NOT EXISTS (SELECT 1 FROM images i JOIN thumb_jobs t ON t.image_seq = i.seq
                                       WHERE i.id = q.image_id AND t.original_tmp IS NOT NULL)
                     ORDER BY id LIMIT 1"
                ),
                [now],
                job,
            )
            .optional()?;
        let found = match found {
            Some(j) => Some(j),
            None => tx
                .query_row(
                    &format!(
                        "SELECT {JOB_COLUMNS} FROM sync_queue
                         WHERE kind = 'feed' AND quarantined = 0 AND owner IS NULL AND next_at <= ?1
                           AND NOT EXISTS (SELECT 1 FROM sync_queue r WHERE r.kind <> 'feed'
                                           AND r.quarantined = 0
                                           AND (r.owner IS NOT NULL OR r.next_at <= ?1))"
                    ),
                    [now],
                    job,
                )
                .optional()?,
        };
        if let Some(j) = &found {
            tx.execute(
                "UPDATE sync_queue SET owner = ?1 WHERE id = ?2",
                params![owner, j.id],
            )?;
        }
        tx.commit()?;
        Ok(found)
    }

    /// Gives a job back untouched (the run was stopped): no attempt is counted.
    pub fn release_sync_job(&self, job: &SyncJob) -> Result<()> {
        self.conn()
            .execute("UPDATE sync_queue SET owner = NULL WHERE id = ?1", [job.id])?;
        Ok(())
    }

    /// When the next waiting (backing-off) job becomes due, if any job is waiting.
    pub fn next_sync_due(&self) -> Result<Option<i64>> {
        Ok(self.conn().query_row(
            "SELECT min(next_at) FROM sync_queue WHERE quarantined = 0 AND owner IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn sync_counts(&self) -> Result<QueueCounts> {
        Ok(self.conn().query_row(
            "SELECT count(*) FILTER (WHERE quarantined = 0 AND owner IS NULL),
                    count(*) FILTER (WHERE quarantined = 0 AND owner IS NOT NULL),
                    count(*) FILTER (WHERE quarantined = 1)
             FROM sync_queue",
            [],
            |r| {
                Ok(QueueCounts {
                    queued: r.get::<_, i64>(0)? as u64,
                    running: r.get::<_, i64>(1)? as u64,
                    failed: r.get::<_, i64>(2)? as u64,
                })
            },
        )?)
    }

    pub fn failed_sync_jobs(&self) -> Result<Vec<FailedJob>> {
        let mut stmt = self.conn().prepare(
            "SELECT kind, image_id, object_key, coalesce(last_error, '') FROM sync_queue
             WHERE quarantined = 1 ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let kind: String = r.get(0)?;
            Ok(FailedJob {
                kind: match kind.as_str() {
                    "image" => JobKind::Image,
                    "delete" => JobKind::Delete,
                    _ => JobKind::Feed,
                },
                image_id: r.get(1)?,
                object_key: r.get(2)?,
                error: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Gives quarantined jobs a fresh start. Returns how many.
    pub fn retry_failed_sync(&mut self) -> Result<usize> {
        let tx = self.write()?;
        let n = tx.execute(
            "UPDATE sync_queue SET quarantined = 0, attempts = 0, next_at = 0 WHERE quarantined = 1",
            [],
        )?;
        tx.execute(
            "UPDATE images SET remote_state = 'pending', remote_attempts = 0
             WHERE remote_state = 'failed'
               AND id IN (SELECT image_id FROM sync_queue WHERE image_id IS NOT NULL)",
            [],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// The job is done unless its image changed meanwhile (then it runs again).
    /// Returns true when the row was removed.
    pub fn finish_sync_job(&mut self, job: &SyncJob) -> Result<bool> {
        let tx = self.write()?;
        let done = tx.execute(
            "DELETE FROM sync_queue WHERE id = ?1 AND generation = ?2",
            params![job.id, job.generation],
        )? == 1;
        if !done {
            tx.execute("UPDATE sync_queue SET owner = NULL WHERE id = ?1", [job.id])?;
        }
        tx.commit()?;
        Ok(done)
    }

    /// Records a failed attempt: due again at `next_at`, or quarantined.
    pub fn fail_sync_job(
        &mut self,
        job: &SyncJob,
        error: &str,
        next_at: Option<i64>,
    ) -> Result<()> {
        let tx = self.write()?;
        let quarantine = next_at.is_none();
        // A job whose image changed meanwhile starts over instead of counting this failure.
        let changed = tx.execute(
            "UPDATE sync_queue SET owner = NULL WHERE id = ?1 AND generation <> ?2",
            params![job.id, job.generation],
        )? == 1;
        if !changed {
            tx.execute(
                "UPDATE sync_queue SET owner = NULL, attempts = attempts + 1, last_error = ?2,
                 next_at = ?3, quarantined = ?4 WHERE id = ?1",
                params![job.id, error, next_at.unwrap_or(0), quarantine],
            )?;
            if let Some(id) = &job.image_id {
                tx.execute(
                    "UPDATE images SET remote_error = ?2, remote_attempts = remote_attempts + 1,
                     remote_state = CASE WHEN ?3 THEN 'failed' ELSE remote_state END
                     WHERE id = ?1",
                    params![id, error, quarantine],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records where an image's object now is. When the job is finished (same generation),
    /// the image is synced; the copy it left behind (a move) is queued for deletion.
    /// Returns false when the image no longer exists.
    pub fn record_object(
        &mut self,
        job: &SyncJob,
        image_id: &str,
        key: &str,
        leftover: Option<&str>,
    ) -> Result<bool> {
        let tx = self.write()?;
        let exists = tx.execute(
            "UPDATE images SET object_key = ?2 WHERE id = ?1",
            params![image_id, key],
        )? == 1;
        if let Some(old) = leftover.filter(|old| *old != key) {
            tx.execute(
                "INSERT OR IGNORE INTO sync_queue (kind, sha256, object_key, trash, created_at)
                 VALUES ('delete', ?1, ?2, 0, ?3)",
                params![job.sha256, old, now_ms()],
            )?;
        }
        if !exists {
            // Removed while uploading: the object goes the way of the image.
            tx.execute(
                "INSERT OR IGNORE INTO sync_queue (kind, sha256, object_key, trash, created_at)
                 VALUES ('delete', ?1, ?2, 1, ?3)",
                params![job.sha256, key, now_ms()],
            )?;
        }
        let done = tx.execute(
            "DELETE FROM sync_queue WHERE id = ?1 AND generation = ?2",
            params![job.id, job.generation],
        )? == 1;
        if done {
            tx.execute(
                "UPDATE images SET remote_state = 'synced', remote_error = NULL, remote_attempts = 0
                 WHERE id = ?1",
                [image_id],
            )?;
        } else {
            tx.execute("UPDATE sync_queue SET owner = NULL WHERE id = ?1", [job.id])?;
        }
        tx.commit()?;
        Ok(exists)
    }

    /// True when a live image has, or wants, an object with this sha256 (so a delete of one
    /// of its keys must look closer).
    pub fn sha_in_use(&self, sha256: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row("SELECT 1 FROM images WHERE sha256 = ?1", [sha256], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    }

    // --- multipart state ---

    pub fn upload_state(&self, image_id: &str) -> Result<Option<UploadState>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT image_id, object_key, upload_id, part_size, sha256, created_at FROM sync_uploads
                 WHERE image_id = ?1",
                [image_id],
                |r| {
                    Ok(UploadState {
                        image_id: r.get(0)?,
                        object_key: r.get(1)?,
                        upload_id: r.get(2)?,
                        part_size: r.get::<_, i64>(3)? as u64,
                        sha256: r.get(4)?,
                        created_at: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn all_upload_states(&self) -> Result<Vec<UploadState>> {
        let mut stmt = self.conn().prepare(
            "SELECT image_id, object_key, upload_id, part_size, sha256, created_at FROM sync_uploads",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(UploadState {
                image_id: r.get(0)?,
                object_key: r.get(1)?,
                upload_id: r.get(2)?,
                part_size: r.get::<_, i64>(3)? as u64,
                sha256: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records the intent to start a multipart upload (before asking the server for an id).
    pub fn begin_upload_state(&self, s: &UploadState) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO sync_uploads (image_id, object_key, upload_id, part_size, sha256, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![s.image_id, s.object_key, s.upload_id, s.part_size as i64, s.sha256, now_ms()],
        )?;
        self.conn()
            .execute("DELETE FROM sync_parts WHERE image_id = ?1", [&s.image_id])?;
        Ok(())
    }

    pub fn set_upload_id(&self, image_id: &str, upload_id: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE sync_uploads SET upload_id = ?2 WHERE image_id = ?1",
            params![image_id, upload_id],
        )?;
        Ok(())
    }

    pub fn add_upload_part(&self, image_id: &str, number: u32, etag: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO sync_parts (image_id, number, etag) VALUES (?1, ?2, ?3)",
            params![image_id, number, etag],
        )?;
        Ok(())
    }

    pub fn upload_parts(&self, image_id: &str) -> Result<Vec<(u32, String)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT number, etag FROM sync_parts WHERE image_id = ?1 ORDER BY number")?;
        let rows = stmt.query_map([image_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn end_upload_state(&self, image_id: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM sync_uploads WHERE image_id = ?1", [image_id])?;
        Ok(())
    }

    /// Images still in the catalog, by id (to tell live uploads from orphans).
    pub fn image_exists(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row("SELECT 1 FROM images WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }
}
