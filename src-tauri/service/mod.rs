//! `Vitrine`: the service every front end drives. It owns the library, the background jobs
//! (sync engine, watched folders, change monitor) and the event sink given at construction,
//! and it announces every change it makes, so the app, the CLI and the watcher need no
//! choreography ("change → kick the sync → tell the UI" lives here, once).
//!
//! The bucket's settings, its test and its credentials are in `remote.rs`.
//!
//! Jobs are handles: dropping one stops it cleanly (the work in hand is durable and finishes
//! or runs again next time).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod albums;
mod bulk;
mod bulk_jobs;
mod originals;
mod remote;

pub use albums::{AlbumChange, AlbumDetail};
pub use bulk::{BulkTally, ItemResult, ItemStatus, OnChunk, CHUNK};
pub use remote::credentials_given;

use crate::error::Result;
use crate::events::{ChangeReason, Event, EventSink, Progress};
use crate::import::{Blob, ImportEvent, ImportOptions, Outcome, Status};
use crate::library::Library;
use crate::secrets::{Keychain, SecretStore, SecretsError};
use crate::sync::{EngineOptions, SyncEngine};
use crate::watch::service::{Notice, ServiceOptions};
use crate::watch::supervisor::FolderWatcher;

/// At most this many "library changed" events a second while a batch lands (one at the end).
const IMPORT_REFRESH: Duration = Duration::from_millis(250);

pub struct Vitrine {
    lib: Arc<Library>,
    secrets: Option<Arc<dyn SecretStore>>,
    sink: EventSink,
    sync: Arc<SyncEngine>,
    /// Images per transaction of a bulk action ([`CHUNK`]).
    chunk: usize,
    /// The bulk job runner thread is at work (`bulk_jobs.rs`).
    bulk_busy: Arc<AtomicBool>,
}

impl Vitrine {
    /// `secrets`: where credentials live (`None`: the environment, then the OS keychain).
    pub fn new(
        lib: Arc<Library>,
        secrets: Option<Arc<dyn SecretStore>>,
        sink: EventSink,
        sync: EngineOptions,
    ) -> Self {
        let sync = Arc::new(SyncEngine::new(lib.clone(), secrets.clone(), sync));
        // Originals that are only in the bucket are fetched through the engine's remote.
        lib.set_original_fetcher(Arc::new(crate::offload::EngineFetcher(Arc::downgrade(
            &sync,
        ))));
        Vitrine {
            sync,
            lib,
            secrets,
            sink,
            chunk: CHUNK,
            bulk_busy: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Another chunk size for bulk actions (tests exercise chunking on a few images).
    pub fn with_chunk_size(mut self, n: usize) -> Self {
        self.chunk = n.max(1);
        self
    }

    pub fn library(&self) -> &Arc<Library> {
        &self.lib
    }

    /// The sync engine (status, retry, pause for settings changes).
    pub fn sync(&self) -> &Arc<SyncEngine> {
        &self.sync
    }

    /// The injected secret store, else the OS keychain; an error says why none is reachable.
    pub fn secret_store(&self) -> std::result::Result<Arc<dyn SecretStore>, SecretsError> {
        match &self.secrets {
            Some(s) => Ok(s.clone()),
            None => Ok(Arc::new(Keychain::open()?)),
        }
    }

    /// The store credentials are read from (`None`: environment, then the OS keychain).
    pub fn secrets(&self) -> Option<&dyn SecretStore> {
        self.secrets.as_deref()
    }

    pub fn emit(&self, event: Event) {
        (self.sink)(event);
    }

    /// The library changed: tell the front ends, and let the sync engine look for work.
    pub fn announce(&self, reason: ChangeReason) {
        self.sync.kick();
        self.emit(Event::LibraryChanged { reason });
    }

    // --- background jobs -------------------------------------------------------------------

    /// Starts bucket sync in the background; it runs until the handle is dropped.
    pub fn start_sync(&self) -> SyncJob {
        let sink = self.sink.clone();
        self.sync.start(sink);
        SyncJob {
            engine: self.sync.clone(),
        }
    }

    /// Watches the library's folders in the background until the handle is dropped. Each
    /// change is announced (`LibraryChanged { Watch }`, and the sync engine looks for work).
    /// `wait_for_lock`: when another process watches, wait and take over when it ends.
    pub fn start_watcher(&self, opts: ServiceOptions, wait_for_lock: bool) -> FolderWatcher {
        let sink = self.sink.clone();
        let sync = self.sync.clone();
        FolderWatcher::start(
            self.lib.clone(),
            opts,
            wait_for_lock,
            Arc::new(move |n: Notice| {
                let changed = matches!(&n, Notice::Change { kind, .. } if kind.changes_catalog());
                log_notice(&n);
                sink(Event::Watch(n));
                if changed {
                    sync.kick();
                    sink(Event::LibraryChanged {
                        reason: ChangeReason::Watch,
                    });
                }
            }),
        )
    }

    /// Notices commits by other processes (the CLI, a script) and announces them as
    /// `LibraryChanged { External }`; the sync engine looks for work they queued.
    pub fn start_change_monitor(&self) -> Result<ChangeMonitor> {
        ChangeMonitor::start(&self.lib, self.sink.clone(), self.sync.clone())
    }

    // --- operations ------------------------------------------------------------------------

    /// Imports files, folders and URLs; `on_event` sees each outcome as it lands. The
    /// library announces the new images a few times a second while the batch lands.
    pub fn import(
        &self,
        inputs: &[String],
        opts: &ImportOptions,
        on_event: &(dyn Fn(ImportEvent) + Sync),
    ) -> Result<Vec<Outcome>> {
        let announce = self.import_announcer(on_event);
        let outcomes = self.lib.import(inputs, opts, &announce);
        self.sync.kick();
        outcomes
    }

    /// Imports in-memory images (paste, dropped image data).
    pub fn import_blobs(
        &self,
        blobs: &[Blob],
        opts: &ImportOptions,
        on_event: &(dyn Fn(ImportEvent) + Sync),
    ) -> Result<Vec<Outcome>> {
        let announce = self.import_announcer(on_event);
        let outcomes = self.lib.import_blobs(blobs, opts, &announce);
        self.sync.kick();
        outcomes
    }

    fn import_announcer<'a>(
        &'a self,
        on_event: &'a (dyn Fn(ImportEvent) + Sync),
    ) -> impl Fn(ImportEvent) + Sync + 'a {
        let last = Mutex::new(None::<Instant>);
        move |event: ImportEvent| {
            let (landed, finished, progress) = match &event {
                ImportEvent::Item {
                    outcome,
                    done,
                    total,
                } => (
                    outcome.status == Status::Imported,
                    false,
                    Some(Progress {
                        done: *done as u64,
                        total: *total as u64,
                    }),
                ),
                // A duplicate merges tags and sources into its image: that is a change too.
                ImportEvent::Finished {
                    imported,
                    duplicates,
                    failed,
                    ..
                } => {
                    let n = (*imported + *duplicates + *failed) as u64;
                    (
                        *imported + *duplicates > 0,
                        true,
                        Some(Progress { done: n, total: n }),
                    )
                }
                ImportEvent::Started { .. } => (false, false, None),
            };
            on_event(event);
            let announce = {
                let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
                let due = last.is_none_or(|t| t.elapsed() >= IMPORT_REFRESH);
                if finished || due {
                    *last = Some(Instant::now());
                }
                finished || due
            };
            if !announce {
                return;
            }
            if let Some(p) = progress {
                self.emit(Event::ImportProgress(p));
            }
            if landed {
                self.emit(Event::LibraryChanged {
                    reason: ChangeReason::Import,
                });
            }
        }
    }

    /// Gives quarantined sync jobs another try and restarts a halted sync.
    pub fn retry_failed_sync(&self) -> Result<usize> {
        let n = self.lib.catalog().retry_failed_sync()?;
        self.sync.retry();
        self.announce(ChangeReason::Edit);
        Ok(n)
    }
}

/// Background sync, running until dropped (jobs in hand get a few seconds to finish; they
/// are durable, so an unfinished one runs again next time).
pub struct SyncJob {
    engine: Arc<SyncEngine>,
}

impl Drop for SyncJob {
    fn drop(&mut self) {
        self.engine.shutdown(Duration::from_secs(3));
    }
}

/// Polls SQLite's `data_version`, which moves when another connection commits.
pub struct ChangeMonitor {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How often the monitor looks.
const MONITOR_EVERY: Duration = Duration::from_millis(500);
/// While this process's own sync drain commits for every image (its states reach the front
/// ends as sync events), external changes are announced at most this often.
const DURING_SYNC: Duration = Duration::from_secs(5);

impl ChangeMonitor {
    fn start(lib: &Arc<Library>, sink: EventSink, sync: Arc<SyncEngine>) -> Result<Self> {
        let conn = lib.catalog_connection()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("vitrine-changes".into())
            .spawn(move || {
                let version = || -> Option<i64> {
                    conn.conn()
                        .query_row("PRAGMA data_version", [], |r| r.get(0))
                        .ok()
                };
                let mut last = version();
                let mut announced = Instant::now();
                let mut pending = false;
                while !flag.load(Ordering::SeqCst) {
                    std::thread::sleep(MONITOR_EVERY);
                    let now = version();
                    if now != last {
                        last = now;
                        pending = true;
                        sync.kick();
                    }
                    if pending && (!sync.is_draining() || announced.elapsed() >= DURING_SYNC) {
                        pending = false;
                        announced = Instant::now();
                        sink(Event::LibraryChanged {
                            reason: ChangeReason::External,
                        });
                    }
                }
            })
            .map_err(|e| crate::error::Error::io("starting the change monitor", e))?;
        Ok(ChangeMonitor {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for ChangeMonitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests;

/// The watcher's changes and folder states, in the log.
fn log_notice(n: &Notice) {
    match n {
        Notice::Change {
            path, kind, detail, ..
        } => {
            let detail = detail
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            if *kind == crate::catalog::ChangeKind::Failed {
                log::warn!("watched folder: {path} failed{detail}");
            } else {
                log::info!("watched folder: {path} {}{detail}", kind.as_str());
            }
        }
        Notice::Folder { folder } => {
            log::debug!("watched folder {}: {:?}", folder.path, folder.status)
        }
        Notice::WatchedElsewhere => {
            log::info!("another process watches this library's folders; waiting for it to end")
        }
    }
}
