//! Bulk jobs in the background: the app's "select all + public" is recorded durably and its
//! first chunk (the newest images, what the gallery shows first) applied before the call
//! returns, so the answer comes at once however large the selection; a runner thread applies
//! the rest chunk by chunk (`catalog::bulk_jobs`), reporting each job's progress
//! ([`Event::BulkJob`]), letting the sync engine start on the moves as they are queued, and
//! announcing the change once a job ends. A job left running by a killed process is resumed
//! by [`Vitrine::resume_bulk_jobs`] when the next one starts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Vitrine;
use crate::catalog::{BulkJob, BulkJobState, Catalog, Selection};
use crate::error::Result;
use crate::events::{ChangeReason, Event, EventSink};
use crate::library::Library;
use crate::model::Visibility;
use crate::sync::SyncEngine;

/// At most this often a running job's progress is reported (and the sync engine kicked).
const REPORT_EVERY: Duration = Duration::from_millis(200);

/// What the runner thread needs: cloned out of the service, so the thread owns it.
#[derive(Clone)]
pub(super) struct BulkRunner {
    pub(super) lib: Arc<Library>,
    pub(super) sink: EventSink,
    pub(super) sync: Arc<SyncEngine>,
    pub(super) chunk: usize,
    /// A runner thread is at work (at most one per service).
    pub(super) busy: Arc<AtomicBool>,
}

impl BulkRunner {
    /// One chunk of job `id`; the job afterwards. A catalog failure marks the job failed
    /// (what it changed stays) so that it is not retried forever.
    fn step(&self, cat: &mut Catalog, id: i64) -> Result<BulkJob> {
        match cat.bulk_job_step(id, self.chunk) {
            Ok(job) => Ok(job),
            Err(e) => {
                log::warn!("bulk job {id} failed: {e}");
                cat.fail_bulk_job(id, &e.to_string())?;
                cat.bulk_job(id)
            }
        }
    }

    /// Runs every running job to its end, oldest first, on its own catalog connection (the
    /// shared one stays free for the front end's reads), reporting progress.
    fn run_all(&self) -> Result<()> {
        let mut cat = self.lib.catalog_connection()?;
        loop {
            let ids = cat.running_bulk_jobs()?;
            let Some(&id) = ids.first() else {
                return Ok(());
            };
            let mut reported = Instant::now();
            let job = loop {
                let job = self.step(&mut cat, id)?;
                if job.state != BulkJobState::Running {
                    break job;
                }
                if reported.elapsed() >= REPORT_EVERY {
                    reported = Instant::now();
                    self.sync.kick();
                    (self.sink)(Event::BulkJob(job));
                }
            };
            self.finished(job);
        }
    }

    fn finished(&self, job: BulkJob) {
        log::info!(
            "bulk job {} ended {:?}: {} changed, {} failed",
            job.id,
            job.state,
            job.changed,
            job.failed
        );
        (self.sink)(Event::BulkJob(job));
        self.sync.kick();
        (self.sink)(Event::LibraryChanged {
            reason: ChangeReason::Edit,
        });
    }

    /// Starts the runner thread unless one is at work (which takes new jobs as it goes).
    fn spawn(&self) {
        if self.busy.swap(true, Ordering::SeqCst) {
            return;
        }
        let me = self.clone();
        std::thread::Builder::new()
            .name("bulk-jobs".into())
            .spawn(move || loop {
                if let Err(e) = me.run_all() {
                    log::warn!("bulk jobs stopped: {e}");
                }
                me.busy.store(false, Ordering::SeqCst);
                // A job recorded between the last look and the flag going down is taken now.
                let more = me
                    .lib
                    .catalog()
                    .running_bulk_jobs()
                    .map(|j| !j.is_empty())
                    .unwrap_or(false);
                if !more || me.busy.swap(true, Ordering::SeqCst) {
                    return;
                }
            })
            .map(drop)
            .unwrap_or_else(|e| {
                log::warn!("cannot start the bulk job runner: {e}");
                self.busy.store(false, Ordering::SeqCst);
            });
    }
}

impl Vitrine {
    fn bulk_runner(&self) -> BulkRunner {
        BulkRunner {
            lib: self.lib.clone(),
            sink: self.sink.clone(),
            sync: self.sync.clone(),
            chunk: self.chunk,
            busy: self.bulk_busy.clone(),
        }
    }

    /// Sets `visibility` on every image `sel` names, as a durable job: recorded, its first
    /// chunk applied, the rest in the background (progress as [`Event::BulkJob`], the end
    /// announced). Returns the job as it stands after its first chunk.
    pub fn start_visibility_job(&self, sel: &Selection, visibility: Visibility) -> Result<BulkJob> {
        let id = self
            .lib
            .catalog()
            .create_visibility_job(sel, visibility)?
            .id;
        self.first_chunk_then_background(id)
    }

    /// Undoes job `id` (stopping it if it still runs): a job that puts each image it changed
    /// back, where nothing changed it since. Returns the undo job after its first chunk.
    pub fn undo_bulk_job(&self, id: i64) -> Result<BulkJob> {
        let id = self.lib.catalog().create_revert_job(id)?.id;
        self.first_chunk_then_background(id)
    }

    fn first_chunk_then_background(&self, id: i64) -> Result<BulkJob> {
        let runner = self.bulk_runner();
        let job = runner.step(&mut self.lib.catalog(), id)?;
        self.sync.kick();
        if job.state == BulkJobState::Running {
            runner.spawn();
        } else {
            runner.finished(job.clone());
        }
        Ok(job)
    }

    /// Resumes, in the background, the jobs a killed process left running.
    pub fn resume_bulk_jobs(&self) -> Result<usize> {
        let n = self.lib.catalog().running_bulk_jobs()?.len();
        if n > 0 {
            log::info!("resuming {n} bulk job(s)");
            self.bulk_runner().spawn();
        }
        Ok(n)
    }

    /// Runs every running job to its end in this thread (tests, and a front end that waits).
    pub fn finish_bulk_jobs(&self) -> Result<()> {
        self.bulk_runner().run_all()
    }

    /// One job as it stands.
    pub fn bulk_job(&self, id: i64) -> Result<BulkJob> {
        self.lib.catalog().bulk_job(id)
    }
}
