//! The sync engine: drains the durable queue in the catalog (see `catalog::sync_queue`) into
//! the active remote with a bounded pool of workers.
//!
//! Every job is idempotent and its progress is in SQLite, so a process killed at any point
//! loses nothing: the next run releases the dead process's jobs, resumes its multipart uploads
//! (or aborts them) and HEADs a key before writing it again. Transient errors back off
//! exponentially with jitter; after `max_attempts` a job is quarantined with its error
//! (`vitrine sync --retry-failed`). Credentials errors stop the run: nothing else would work.

pub mod engine;
#[cfg(test)]
pub(crate) mod engine_tests;
mod feed;
mod jobs;
pub mod links;
mod multipart;
pub mod probe;
mod restore;
pub mod strip;

pub use engine::{EngineOptions, MassDelete, SyncEngine, SyncStatus};
pub use restore::fetch_original;

use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::catalog::{JobKind, RemoteRow};
use crate::error::{Error, ErrorCode};
use crate::library::Library;
use crate::model::{now_ms, RemoteState};
use crate::storage::{ErrorKind, KeyLayout, Storage, StorageError};

/// The active remote, opened.
#[derive(Clone)]
pub struct Remote {
    pub row: RemoteRow,
    pub layout: KeyLayout,
    pub storage: Arc<dyn Storage>,
}

impl Remote {
    pub fn new(row: RemoteRow, storage: Arc<dyn Storage>) -> Self {
        Remote {
            layout: KeyLayout::new(&row.prefix),
            row,
            storage,
        }
    }

    /// `<public-url>/<key>`, when a public URL is set.
    pub fn public_url(&self, key: &str) -> Option<String> {
        self.row.public_url.as_deref().map(|base| {
            format!(
                "{}/{}",
                base.trim_end_matches('/'),
                crate::storage::keys::url_encode(key)
            )
        })
    }
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub workers: usize,
    /// Files larger than this go up in parts.
    pub multipart_threshold: u64,
    pub part_size: u64,
    /// Failed attempts before a job is quarantined.
    pub max_attempts: u32,
    /// First backoff; doubles per attempt (with jitter), at most a minute.
    pub backoff: Duration,
    /// Go on even if the deletes queued are a large share of the remote.
    pub allow_mass_delete: bool,
    /// Deletes earlier runs of the same session already did (the background engine drains
    /// many times): they count toward the mass-delete limit like this run's own.
    pub prior_deletes: u64,
    pub stop: Arc<AtomicBool>,
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            workers: env_u64("VITRINE_SYNC_WORKERS").unwrap_or(8).clamp(1, 64) as usize,
            multipart_threshold: env_u64("VITRINE_MULTIPART_THRESHOLD").unwrap_or(32 << 20),
            part_size: env_u64("VITRINE_PART_SIZE")
                .unwrap_or(16 << 20)
                .max(crate::storage::MIN_PART_SIZE),
            max_attempts: env_u64("VITRINE_SYNC_ATTEMPTS").unwrap_or(5).max(1) as u32,
            backoff: Duration::from_millis(env_u64("VITRINE_SYNC_BACKOFF_MS").unwrap_or(1000)),
            allow_mass_delete: false,
            prior_deletes: 0,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// One item that failed, as `sync --json` and the UI show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct ItemError {
    pub id: Option<String>,
    pub key: Option<String>,
    pub code: ErrorCode,
    pub message: String,
}

/// What a run did. `failed` counts jobs left quarantined (this run's or earlier ones).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Summary {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub uploaded: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub deleted: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub moved: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub failed: u64,
    /// Transient failures that were retried.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub retried: u64,
    /// Images changed here by other computers' changes, pulled from the bucket's log.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub pulled: u64,
    /// Images whose changes this sync sent to the bucket's log.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub pushed: u64,
    pub errors: Vec<ItemError>,
}

/// Progress for the UI and the CLI.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SyncEvent {
    /// An image's remote state changed.
    Image {
        id: String,
        state: RemoteState,
        error: Option<String>,
    },
    /// A transient failure that will be retried.
    Retry { what: String, message: String },
    Progress {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        done: u64,
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        queued: u64,
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        failed: u64,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Library(#[from] Error),
    #[error("{0}")]
    Remote(StorageError),
    #[error(
        "stopped: this sync would delete {deletes} of {total} objects in the bucket; if that is \
         what you want, run `vitrine sync --once --allow-deletes`"
    )]
    MassDelete { deletes: u64, total: u64 },
}

impl SyncError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SyncError::Library(e) => e.code(),
            SyncError::Remote(e) if e.kind == ErrorKind::Auth => ErrorCode::RemoteAuth,
            SyncError::Remote(_) => ErrorCode::Remote,
            SyncError::MassDelete { .. } => ErrorCode::MassDelete,
        }
    }
}

/// Counters shared by the workers of one run.
#[derive(Default)]
struct Tally {
    uploaded: AtomicU64,
    deleted: AtomicU64,
    moved: AtomicU64,
    retried: AtomicU64,
    done: AtomicU64,
}

/// What a job did, for the tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Did {
    Uploaded,
    Moved,
    Deleted,
    Nothing,
}

struct Run<'a> {
    library: &'a Library,
    remote: &'a Remote,
    opts: &'a SyncOptions,
    on_event: &'a (dyn Fn(SyncEvent) + Sync),
    tally: Tally,
    /// Set on an error no job can get past (credentials).
    fatal: Mutex<Option<StorageError>>,
    /// Set when deletes queued during the run became a large share of the bucket.
    mass_delete: Mutex<Option<SyncError>>,
}

/// Share of the remote a sync may delete without `--allow-deletes` (and at least this many).
const MASS_DELETE_SHARE: f64 = 0.25;
const MASS_DELETE_MIN: u64 = 20;

/// Drains the queue once (until it is empty or `opts.stop`); the background engine
/// (`engine.rs`) runs a drain whenever there is work.
pub fn run(
    library: &Library,
    remote: &Remote,
    opts: &SyncOptions,
    on_event: &(dyn Fn(SyncEvent) + Sync),
) -> Result<Summary, SyncError> {
    let name = &remote.row.name;
    let logged = |e: SyncEvent| {
        match &e {
            SyncEvent::Image {
                id,
                state: RemoteState::Failed,
                error,
            } => log::warn!(
                "sync to {name}: {id} failed: {}",
                error.as_deref().unwrap_or("unknown error")
            ),
            SyncEvent::Retry { what, message } => {
                log::info!("sync to {name}: retrying {what}: {message}")
            }
            _ => {}
        }
        on_event(e)
    };
    let result = replica_sync(library, remote, opts, &logged);
    match &result {
        Ok(s) if s.uploaded + s.deleted + s.moved + s.failed + s.pulled + s.pushed > 0 => {
            log::info!(
                "sync to {name}: {} uploaded, {} moved, {} deleted, {} failed, {} retried, \
                 {} pulled, {} pushed",
                s.uploaded,
                s.moved,
                s.deleted,
                s.failed,
                s.retried,
                s.pulled,
                s.pushed
            )
        }
        Ok(_) => log::debug!("sync to {name}: nothing to do"),
        Err(e) => log::error!("sync to {name} stopped: {}", crate::logging::error_chain(e)),
    }
    result
}

/// Pull what other computers changed, drain the queue (uploads, moves, deletes), then push
/// this library's changes to the log (after the originals they name went up).
fn replica_sync(
    library: &Library,
    remote: &Remote,
    opts: &SyncOptions,
    on_event: &(dyn Fn(SyncEvent) + Sync),
) -> Result<Summary, SyncError> {
    let pulled = crate::replica::pull(library, remote)?;
    let mut summary = drain(library, remote, opts, on_event)?;
    if !opts.stop.load(Ordering::Relaxed) {
        summary.pushed = crate::replica::push(library, remote)?;
        crate::replica::fetch_thumbnails(library, remote);
    }
    summary.pulled = pulled.applied;
    summary
        .errors
        .extend(pulled.refused.into_iter().map(|r| ItemError {
            id: None,
            key: Some(r.key),
            code: ErrorCode::LogRefused,
            message: r.reason,
        }));
    Ok(summary)
}

fn drain(
    library: &Library,
    remote: &Remote,
    opts: &SyncOptions,
    on_event: &(dyn Fn(SyncEvent) + Sync),
) -> Result<Summary, SyncError> {
    let me = library.workspace().token().to_string();
    let run = Run {
        library,
        remote,
        opts,
        on_event,
        tally: Tally::default(),
        fatal: Mutex::new(None),
        mass_delete: Mutex::new(None),
    };
    {
        let cat = library.catalog();
        cat.release_dead_sync_owners(|o| o == me || library.workspace().is_alive(o))?;
        // Nothing to do: no request at all (no LIST, no HEAD), whatever the library's size.
        let c = cat.sync_counts()?;
        if c.queued + c.running == 0 && cat.all_upload_states()?.is_empty() {
            drop(cat);
            return run.summary();
        }
    }
    // One cheap request before the work: a missing bucket or an unplugged folder stops the
    // run here instead of failing every item one by one. A refusal is not final: keys scoped
    // to objects may not see the bucket itself; the first item tells (and stops the run).
    let mut checked = remote.storage.check();
    for attempt in 1..opts.max_attempts {
        match &checked {
            Err(e) if e.kind == ErrorKind::Transient && !opts.stop.load(Ordering::Relaxed) => {
                std::thread::sleep(Duration::from_millis(backoff(opts.backoff, attempt) as u64));
                checked = remote.storage.check();
            }
            _ => break,
        }
    }
    if let Err(e) = checked {
        if e.kind != ErrorKind::Auth {
            return Err(SyncError::Remote(e));
        }
    }
    multipart::sweep(&run)?;
    run.check_mass_delete(&library.catalog())?;
    let workers = opts.workers.max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers).map(|_| s.spawn(|| run.worker(&me))).collect();
        let mut first_err = None;
        for h in handles {
            if let Err(e) = h.join().expect("sync worker panicked") {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    })?;
    if let Some(e) = run.fatal.lock().unwrap().take() {
        return Err(SyncError::Remote(e));
    }
    if let Some(e) = run.mass_delete.lock().unwrap().take() {
        return Err(e);
    }
    let _ = feed::purge_trash(&run);
    run.summary()
}

impl Run<'_> {
    fn stopped(&self) -> bool {
        self.opts.stop.load(Ordering::Relaxed)
            || self.fatal.lock().unwrap().is_some()
            || self.mass_delete.lock().unwrap().is_some()
    }

    fn check_mass_delete(&self, cat: &crate::catalog::Catalog) -> Result<(), SyncError> {
        if self.opts.allow_mass_delete {
            return Ok(());
        }
        let (deletes, synced): (i64, i64) = cat.conn().query_row(
            "SELECT (SELECT count(*) FROM sync_queue WHERE kind = 'delete' AND trash = 1 AND quarantined = 0),
                    (SELECT count(*) FROM images WHERE object_key IS NOT NULL)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ).map_err(Error::from)?;
        // Deletes this run (and earlier drains of the engine) already did count too.
        let done = self.tally.deleted.load(Ordering::Relaxed) + self.opts.prior_deletes;
        let (deletes, total) = (deletes as u64 + done, (deletes + synced) as u64 + done);
        if deletes > MASS_DELETE_MIN && deletes as f64 > MASS_DELETE_SHARE * total as f64 {
            return Err(SyncError::MassDelete { deletes, total });
        }
        Ok(())
    }

    fn worker(&self, me: &str) -> Result<(), SyncError> {
        let mut cat = self.library.catalog_connection()?;
        loop {
            if self.stopped() {
                return Ok(());
            }
            // Another process replaced the remote: stop rather than fill the old bucket.
            if cat.active_remote()?.as_ref() != Some(&self.remote.row) {
                let mut fatal = self.fatal.lock().unwrap();
                fatal.get_or_insert(StorageError::permanent(
                    "the remote's settings changed while syncing; sync again to use the new ones",
                ));
                return Ok(());
            }
            let Some(job) = cat.claim_sync_job(me)? else {
                // Jobs of a process that died meanwhile go back to the queue.
                cat.release_dead_sync_owners(|o| o == me || self.library.workspace().is_alive(o))?;
                // Nothing due now: wait for a backing-off job, for other workers (they may
                // queue more, e.g. the feed).
                let counts = cat.sync_counts()?;
                let waiting = cat.next_sync_due()?;
                if counts.running == 0 && waiting.is_none() {
                    return Ok(());
                }
                let wait = waiting
                    .map(|t| (t - now_ms()).clamp(20, 250) as u64)
                    .unwrap_or(50);
                std::thread::sleep(Duration::from_millis(wait));
                continue;
            };
            // Deletes queued while the run goes on (a bulk delete in the app, `sync --watch`)
            // are held to the same limit as the ones found at the start.
            if job.kind == JobKind::Delete && job.trash {
                if let Err(e) = self.check_mass_delete(&cat) {
                    cat.release_sync_job(&job)?;
                    self.mass_delete.lock().unwrap().get_or_insert(e);
                    return Ok(());
                }
            }
            let result = match job.kind {
                JobKind::Image => jobs::image(self, &mut cat, &job),
                JobKind::Delete => jobs::delete(self, &mut cat, &job),
                JobKind::Feed => feed::publish(self, &mut cat, &job),
            };
            match result {
                Ok(did) => {
                    match did {
                        Did::Uploaded => self.tally.uploaded.fetch_add(1, Ordering::Relaxed),
                        Did::Moved => self.tally.moved.fetch_add(1, Ordering::Relaxed),
                        Did::Deleted => self.tally.deleted.fetch_add(1, Ordering::Relaxed),
                        Did::Nothing => 0,
                    };
                    let done = self.tally.done.fetch_add(1, Ordering::Relaxed) + 1;
                    if done.is_multiple_of(16) {
                        self.progress(&cat)?;
                    }
                }
                Err(JobError::Library(Error::Db(e))) => {
                    // The catalog itself failed: give the job back, stop this worker.
                    let _ = cat.fail_sync_job(&job, &e.to_string(), Some(now_ms() + 1000));
                    return Err(Error::Db(e).into());
                }
                // This item's own trouble (its thumbnail, its file): fail the item, go on.
                Err(JobError::Library(e)) => {
                    self.failed(&mut cat, &job, StorageError::permanent(e.to_string()))?
                }
                Err(JobError::Storage(e)) => self.failed(&mut cat, &job, e)?,
            }
        }
    }

    fn failed(
        &self,
        cat: &mut crate::catalog::Catalog,
        job: &crate::catalog::SyncJob,
        e: StorageError,
    ) -> Result<(), SyncError> {
        let what = job
            .image_id
            .clone()
            .or_else(|| job.object_key.clone())
            .unwrap_or_else(|| "feed".into());
        if self.opts.stop.load(Ordering::Relaxed) {
            // Stopped mid-item (pause, quit): not the item's fault, no attempt counted.
            cat.release_sync_job(job)?;
            return Ok(());
        }
        let mut e = self.remote.storage.diagnose(e);
        if e.kind == ErrorKind::Auth && self.remote.storage.check().is_ok() {
            // The bucket answers these credentials: only this object is refused (a delete
            // permission, object lock, an archived object). Fail the item, not the run.
            e.kind = ErrorKind::Permanent;
        }
        if e.kind == ErrorKind::Auth {
            // Not this item's fault and not worth hammering: stop the run, keep the job.
            cat.fail_sync_job(job, &e.message, Some(now_ms()))?;
            let mut fatal = self.fatal.lock().unwrap();
            fatal.get_or_insert(e);
            return Ok(());
        }
        let attempt = job.attempts + 1;
        let next = (e.kind == ErrorKind::Transient && attempt < self.opts.max_attempts)
            .then(|| now_ms() + backoff(self.opts.backoff, attempt));
        cat.fail_sync_job(job, &e.message, next)?;
        if next.is_some() {
            self.tally.retried.fetch_add(1, Ordering::Relaxed);
            (self.on_event)(SyncEvent::Retry {
                what,
                message: e.message.clone(),
            });
        } else if let Some(id) = &job.image_id {
            (self.on_event)(SyncEvent::Image {
                id: id.clone(),
                state: RemoteState::Failed,
                error: Some(e.message.clone()),
            });
        }
        Ok(())
    }

    fn progress(&self, cat: &crate::catalog::Catalog) -> Result<(), SyncError> {
        let c = cat.sync_counts()?;
        (self.on_event)(SyncEvent::Progress {
            done: self.tally.done.load(Ordering::Relaxed),
            queued: c.queued + c.running,
            failed: c.failed,
        });
        Ok(())
    }

    fn summary(&self) -> Result<Summary, SyncError> {
        let cat = self.library.catalog();
        self.progress(&cat)?;
        let errors = quarantined(&cat)?;
        Ok(Summary {
            uploaded: self.tally.uploaded.load(Ordering::Relaxed),
            deleted: self.tally.deleted.load(Ordering::Relaxed),
            moved: self.tally.moved.load(Ordering::Relaxed),
            retried: self.tally.retried.load(Ordering::Relaxed),
            pulled: 0,
            pushed: 0,
            failed: errors.len() as u64,
            errors,
        })
    }
}

/// The jobs left quarantined after repeated failures, as `sync --json` lists them.
pub fn quarantined(cat: &crate::catalog::Catalog) -> Result<Vec<ItemError>, Error> {
    Ok(cat
        .failed_sync_jobs()?
        .into_iter()
        .map(|f| ItemError {
            id: f.image_id,
            key: f.object_key,
            code: match f.kind {
                JobKind::Image => ErrorCode::UploadFailed,
                JobKind::Delete => ErrorCode::DeleteFailed,
                JobKind::Feed => ErrorCode::FeedFailed,
            },
            message: f.error,
        })
        .collect())
}

/// Exponential backoff with jitter: base·2^(attempt-1), at most a minute, times 0.5–1.0.
fn backoff(base: Duration, attempt: u32) -> i64 {
    let exp = base.as_millis() as u64 * (1u64 << (attempt.saturating_sub(1)).min(16));
    let capped = exp.min(60_000);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    let jitter = 500 + (nanos.wrapping_mul(2654435761) % 501);
    (capped * jitter / 1000) as i64
}

/// Why one job failed.
enum JobError {
    Library(Error),
    Storage(StorageError),
}

impl From<Error> for JobError {
    fn from(e: Error) -> Self {
        JobError::Library(e)
    }
}

impl From<StorageError> for JobError {
    fn from(e: StorageError) -> Self {
        JobError::Storage(e)
    }
}

impl From<JobError> for SyncError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::Library(e) => SyncError::Library(e),
            JobError::Storage(e) => SyncError::Remote(e),
        }
    }
}

impl From<rusqlite::Error> for JobError {
    fn from(e: rusqlite::Error) -> Self {
        JobError::Library(e.into())
    }
}

impl From<crate::replica::ReplicaError> for SyncError {
    fn from(e: crate::replica::ReplicaError) -> Self {
        match e {
            crate::replica::ReplicaError::Library(e) => SyncError::Library(e),
            crate::replica::ReplicaError::Remote(e) => SyncError::Remote(e),
        }
    }
}

impl From<SyncError> for Error {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Library(e) => e,
            SyncError::Remote(s) => s.into(),
            other @ SyncError::MassDelete { .. } => {
                Error::remote(crate::error::ErrorCode::MassDelete, other.to_string())
            }
        }
    }
}

impl From<links::LinkError> for Error {
    fn from(e: links::LinkError) -> Self {
        match e {
            links::LinkError::Library(e) => e,
            links::LinkError::Remote(s) => s.into(),
            links::LinkError::Unavailable(m) => {
                Error::remote(crate::error::ErrorCode::LinkUnavailable, m)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        let base = Duration::from_millis(1000);
        for attempt in 1..6 {
            let b = backoff(base, attempt);
            let full = 1000i64 << (attempt - 1);
            assert!(b >= full / 2 && b <= full, "attempt {attempt}: {b}");
        }
        assert!(backoff(base, 30) <= 60_000);
    }
}
