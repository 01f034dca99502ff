//! Durable bulk jobs: a visibility change on a whole selection ("select all + public" on
//! 100,000 images) is recorded at once — one row naming the selection, the visibility and the
//! newest image it may reach — and applied afterwards in chunks of one write transaction each,
//! newest images first (the gallery's order), each chunk advancing the job's cursor in the
//! same transaction. A process killed half-way leaves a `running` job that the next one
//! resumes from its cursor (re-applying a chunk is harmless: an image already so is left
//! alone). Each image a job changed is kept with the visibility it had, so that undo (a
//! `revert` job) puts back exactly those still as the job left them.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::bulk::set_visibility;
use super::selection::{Cursor, Selection, Target};
use super::Catalog;
use crate::error::{Error, Result};
use crate::model::{now_ms, Visibility};

/// Finished jobs (and what they changed, for undo) are forgotten after this long.
const KEEP_FINISHED_MS: i64 = 24 * 3600 * 1000;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum BulkJobKind {
    /// Sets the selection's visibility.
    Visibility { visibility: Visibility },
    /// Puts back what job `reverts` changed (its undo).
    Revert {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        reverts: i64,
    },
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum BulkJobState {
    Running,
    Done,
    /// Stopped by its undo before it finished.
    Cancelled,
    /// The catalog failed under it (`error` says how); what it changed stays.
    Failed,
}

/// A bulk job and its progress: `done` of `total` images walked, `changed` of them changed,
/// `failed` unknown ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct BulkJob {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub id: i64,
    #[serde(flatten)]
    pub kind: BulkJobKind,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub total: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub changed: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub failed: u64,
    pub state: BulkJobState,
    pub error: Option<String>,
}

const JOB_COLUMNS: &str =
    "id, kind, visibility, reverts, total, done, changed, failed, state, error";

fn job_from_row(r: &rusqlite::Row) -> rusqlite::Result<BulkJob> {
    let kind: String = r.get(1)?;
    let bad = |what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Text,
            format!("bulk job with {what}").into(),
        )
    };
    let kind = match kind.as_str() {
        "visibility" => BulkJobKind::Visibility {
            visibility: r
                .get::<_, String>(2)?
                .parse()
                .map_err(|_| bad("no visibility"))?,
        },
        _ => BulkJobKind::Revert {
            reverts: r.get::<_, Option<i64>>(3)?.ok_or_else(|| bad("no job"))?,
        },
    };
    let state = match r.get::<_, String>(8)?.as_str() {
        "running" => BulkJobState::Running,
        "done" => BulkJobState::Done,
        "cancelled" => BulkJobState::Cancelled,
        _ => BulkJobState::Failed,
    };
    Ok(BulkJob {
        id: r.get(0)?,
        kind,
        total: r.get::<_, i64>(4)? as u64,
        done: r.get::<_, i64>(5)? as u64,
        changed: r.get::<_, i64>(6)? as u64,
        failed: r.get::<_, i64>(7)? as u64,
        state,
        error: r.get(9)?,
    })
}

fn job_in(tx: &rusqlite::Connection, id: i64) -> Result<BulkJob> {
    tx.query_row(
        &format!("SELECT {JOB_COLUMNS} FROM bulk_jobs WHERE id = ?1"),
        [id],
        job_from_row,
    )
    .optional()?
    .ok_or_else(|| Error::Invalid {
        what: "bulk job",
        value: id.to_string(),
        hint: "no such job; finished jobs are kept for a day",
    })
}

impl Catalog {
    /// Records a job that sets `visibility` on every image `sel` names now (images imported
    /// after this are not reached). Nothing is changed yet: [`Catalog::bulk_job_step`] does it.
    pub fn create_visibility_job(
        &mut self,
        sel: &Selection,
        visibility: Visibility,
    ) -> Result<BulkJob> {
        let tx = self.write()?;
        let now = now_ms();
        tx.execute(
            "DELETE FROM bulk_jobs WHERE state <> 'running' AND finished_at < ?1",
            [now - KEEP_FINISHED_MS],
        )?;
        let total = sel.count(&tx)? as i64;
        let top: i64 = tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM images", [], |r| {
            r.get(0)
        })?;
        let selection = serde_json::to_string(sel)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        tx.execute(
            "INSERT INTO bulk_jobs (kind, selection, visibility, next_seq, total, created_at)
             VALUES ('visibility', ?1, ?2, ?3, ?4, ?5)",
            params![selection, visibility.as_str(), top, total, now],
        )?;
        let job = job_in(&tx, tx.last_insert_rowid())?;
        tx.commit()?;
        Ok(job)
    }

    /// Records the undo of job `id`: stops it if it is still running, then a job that puts
    /// back the visibility each image it changed had, where the image still has the visibility
    /// the job gave it (a later change is left alone).
    pub fn create_revert_job(&mut self, id: i64) -> Result<BulkJob> {
        let tx = self.write()?;
        let job = job_in(&tx, id)?;
        if !matches!(job.kind, BulkJobKind::Visibility { .. }) {
            return Err(Error::Invalid {
                what: "bulk job",
                value: id.to_string(),
                hint: "only a visibility change can be undone",
            });
        }
        tx.execute(
            "UPDATE bulk_jobs SET state = 'cancelled', finished_at = ?2
             WHERE id = ?1 AND state = 'running'",
            params![id, now_ms()],
        )?;
        let total: i64 = tx.query_row(
            "SELECT count(*) FROM bulk_job_changes WHERE job_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO bulk_jobs (kind, reverts, total, created_at)
             VALUES ('revert', ?1, ?2, ?3)",
            params![id, total, now_ms()],
        )?;
        let job = job_in(&tx, tx.last_insert_rowid())?;
        tx.commit()?;
        Ok(job)
    }

    /// One job as it stands.
    pub fn bulk_job(&self, id: i64) -> Result<BulkJob> {
        job_in(&self.conn, id)
    }

    /// The ids of the jobs still running (a killed process's included), oldest first.
    pub fn running_bulk_jobs(&self) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM bulk_jobs WHERE state = 'running' ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Applies the next chunk of at most `size` images of job `id` in one transaction, with its
    /// cursor; the job afterwards (`Done` once its selection is exhausted). A job that is not
    /// running is returned as it is.
    pub fn bulk_job_step(&mut self, id: i64, size: usize) -> Result<BulkJob> {
        let tx = self.write()?;
        let job = job_in(&tx, id)?;
        if job.state != BulkJobState::Running {
            return Ok(job);
        }
        let (walked, changed, failed) = match job.kind {
            BulkJobKind::Visibility { visibility } => {
                visibility_step(&tx, id, visibility, size.max(1))?
            }
            BulkJobKind::Revert { reverts } => revert_step(&tx, id, reverts, size.max(1))?,
        };
        tx.execute(
            "UPDATE bulk_jobs SET done = min(done + ?2, total), changed = changed + ?3,
                failed = failed + ?4
             WHERE id = ?1",
            params![id, walked as i64, changed as i64, failed as i64],
        )?;
        // A short chunk was the last one.
        if walked < size.max(1) {
            tx.execute(
                "UPDATE bulk_jobs SET state = 'done', finished_at = ?2, done = max(done, total)
                 WHERE id = ?1",
                params![id, now_ms()],
            )?;
        }
        let job = job_in(&tx, id)?;
        tx.commit()?;
        Ok(job)
    }

    /// Marks job `id` failed with `error` (what it changed stays, and can be undone).
    pub fn fail_bulk_job(&mut self, id: i64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE bulk_jobs SET state = 'failed', error = ?2, finished_at = ?3
             WHERE id = ?1 AND state = 'running'",
            params![id, error, now_ms()],
        )?;
        Ok(())
    }
}

/// One chunk of a visibility job: (images walked, changed, unknown ids).
fn visibility_step(
    tx: &Transaction,
    id: i64,
    visibility: Visibility,
    size: usize,
) -> Result<(usize, usize, usize)> {
    let (selection, next_index, next_seq): (String, i64, i64) = tx.query_row(
        "SELECT selection, next_index, next_seq FROM bulk_jobs WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let sel: Selection = serde_json::from_str(&selection).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let mut cursor = Cursor::below(next_seq, next_index as usize);
    let chunk = sel.next_chunk(tx, &mut cursor, size)?;
    let mut changed = Vec::new();
    let mut failed = 0;
    for target in &chunk {
        match target {
            Target::Missing(_) => failed += 1,
            Target::Found(rec) if rec.visibility != visibility => {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR IGNORE INTO bulk_job_changes (job_id, seq, previous)
                     VALUES (?1, ?2, ?3)",
                )?;
                stmt.execute(params![id, rec.seq, rec.visibility.as_str()])?;
                changed.push(rec.seq);
            }
            Target::Found(_) => {}
        }
    }
    set_visibility(tx, &changed, visibility)?;
    let (next_index, next_seq) = cursor.position();
    tx.execute(
        "UPDATE bulk_jobs SET next_index = ?2, next_seq = ?3 WHERE id = ?1",
        params![id, next_index as i64, next_seq],
    )?;
    Ok((chunk.len(), changed.len(), failed))
}

/// One chunk of a revert: the next images job `reverts` changed, each set back to the
/// visibility it had where it still has the one the job gave it.
fn revert_step(
    tx: &Transaction,
    id: i64,
    reverts: i64,
    size: usize,
) -> Result<(usize, usize, usize)> {
    let (after, target): (i64, String) = tx.query_row(
        "SELECT r.next_seq, j.visibility FROM bulk_jobs r JOIN bulk_jobs j ON j.id = r.reverts
         WHERE r.id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let rows: Vec<(i64, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT seq, previous FROM bulk_job_changes WHERE job_id = ?1 AND seq > ?2
             ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![reverts, after, size as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    let Some(&(last, _)) = rows.last() else {
        return Ok((0, 0, 0));
    };
    let mut changed = 0;
    for v in Visibility::ALL {
        let seqs: Vec<i64> = rows
            .iter()
            .filter(|(_, p)| p == v.as_str())
            .map(|(s, _)| *s)
            .collect();
        if seqs.is_empty() {
            continue;
        }
        // Only those still as the job left them.
        let still: Vec<i64> = {
            let list = serde_json::to_string(&seqs).unwrap_or_else(|_| "[]".into());
            let mut stmt = tx.prepare_cached(
                "SELECT seq FROM images WHERE seq IN (SELECT value FROM json_each(?1))
                 AND visibility = ?2",
            )?;
            let rows = stmt.query_map(params![list, target], |r| r.get(0))?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        changed += still.len();
        set_visibility(tx, &still, *v)?;
    }
    tx.execute(
        "UPDATE bulk_jobs SET next_seq = ?2 WHERE id = ?1",
        params![id, last],
    )?;
    Ok((rows.len(), changed, 0))
}

#[cfg(test)]
mod tests;
