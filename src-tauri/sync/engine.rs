//! Bucket sync in the background: one thread drains the durable queue (`sync::run`) into the
//! active remote whenever there is work, and reports what happens as [`Event`]s through an
//! injected sink (decoupled from any window, so tests collect them in a Vec). The app, `vitrine
//! sync --watch` and `vitrine watch run` all run this engine, started by the core's service
//! ([`crate::service::Vitrine`]).
//!
//! Work is signalled, not polled: the core kicks the engine after an import, an edit, a delete
//! or a watched-folder change, and the change monitor kicks it when another process committed.
//! A kick with nothing queued costs one count query; every sync interval (30 s) the engine
//! pulls what other computers wrote to the library's log (`replica`) and checks anyway.
//! Errors that retrying at once cannot fix (credentials, keychain) halt the engine until the
//! user retries, saves new settings, or [`HALT_RETRY`] passes. A mass delete halts until the user
//! confirms it (`retry_allowing_deletes`): the next drain alone may then delete, later ones
//! check again (unless the engine was started with `allow_mass_delete`).

use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::catalog::Catalog;
use crate::error::{ErrorCode, ErrorInfo};
use crate::events::{Event, EventSink};
use crate::library::Library;
use crate::model::{now_ms, rfc3339, RemoteState};
use crate::secrets::SecretStore;
use crate::sync::{self, Remote, Summary, SyncError, SyncEvent, SyncOptions};

/// What the UI shows about sync as a whole (the `sync-status` event and `sync_status`).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct SyncStatus {
    /// The active remote's name; `null` when no bucket is set up.
    pub remote: Option<String>,
    /// A drain is in progress.
    pub running: bool,
    /// Jobs waiting or in progress.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub queued: u64,
    /// Jobs quarantined after repeated failures ("Retry failed").
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub failed: u64,
    /// Images synced by the current (or last) drain.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub done: u64,
    /// What the last finished drain did.
    pub last: Option<Summary>,
    /// When the last drain ended (RFC 3339).
    pub last_run_at: Option<String>,
    /// Why sync stopped (credentials, keychain, a mass delete): nothing runs until "Retry"
    /// or new settings.
    pub error: Option<ErrorInfo>,
    /// With a `mass_delete` error: what the stopped sync would delete. Nothing is deleted
    /// until the user confirms (`sync_allow_deletes`).
    pub mass_delete: Option<MassDelete>,
}

/// A sync stopped before deleting a large share of the bucket: `deletes` of the `total` files
/// the bucket holds for this library belong to images removed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct MassDelete {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub deletes: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub total: u64,
}

impl SyncStatus {
    fn clear_error(&mut self) {
        self.error = None;
        self.mass_delete = None;
    }
}

/// Checks the queue even without a kick this often (work from a process that died), and
/// pulls what other computers changed: see [`sync_interval`].
fn idle_check() -> Duration {
    sync_interval()
}

/// How often the library's log is pulled when nothing else happens (`VITRINE_SYNC_INTERVAL`
/// seconds; 30 by default): a change made on another computer shows here within it.
pub fn sync_interval() -> Duration {
    std::env::var("VITRINE_SYNC_INTERVAL")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.clamp(0.2, 3600.0)))
        .unwrap_or(Duration::from_secs(30))
}
/// Live status updates during a drain, at most this often.
const STATUS_EVERY: Duration = Duration::from_millis(250);
/// A sync halted by credentials, the keychain or a mass delete checks again by itself after
/// this long (the user may fix the keys, or do the deletes, outside this process); a mass
/// delete still needs a confirmation to go ahead.
pub const HALT_RETRY: Duration = Duration::from_secs(30);

/// How an engine runs; the same rules for every front end.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Deletes are never held back as a mass delete (`--allow-deletes`).
    pub allow_mass_delete: bool,
    /// Parallel transfers (default: `SyncOptions::default()`).
    pub workers: Option<usize>,
}

#[derive(Default)]
struct Control {
    kick: bool,
    shutdown: bool,
    /// Settings are being changed: no drain starts.
    paused: u32,
    /// Open the remote again before the next drain (settings or credentials changed).
    reopen: bool,
    draining: bool,
    /// Stopped by an error that retrying blindly would not fix.
    halted: bool,
    /// The user confirmed the mass delete that halted sync: the next drain (only) may delete.
    allow_deletes_once: bool,
    /// When a halt by credentials may be retried by itself (`None`: a mass delete waits for
    /// the user).
    retry_at: Option<Instant>,
}

impl Control {
    fn has_something_to_do(&self) -> bool {
        self.shutdown || (self.kick && self.paused == 0 && !self.halted)
    }

    /// A halt whose time to retry has come is lifted (the status keeps its error until the
    /// next drain says otherwise).
    fn lift_expired_halt(&mut self, now: Instant) {
        if self.halted && self.retry_at.is_some_and(|t| now >= t) {
            self.halted = false;
            self.retry_at = None;
            self.kick = true;
            self.reopen = true;
        }
    }
}

struct Shared {
    lib: Arc<Library>,
    secrets: Option<Arc<dyn SecretStore>>,
    opts: EngineOptions,
    control: Mutex<Control>,
    wake: Condvar,
    /// Stops the drain in progress (workers finish the job in hand).
    stop: Arc<AtomicBool>,
    status: Mutex<SyncStatus>,
    remote: Mutex<Option<Remote>>,
    sink: Mutex<EventSink>,
    /// What every drain since the start did, added up (`sync --watch` prints it on exit).
    totals: Mutex<Summary>,
    /// When the library's log was last pulled (the background pull runs once an interval).
    pulled_at: Mutex<Option<Instant>>,
    /// Deletes done since the start or the last confirmed mass delete: they count toward the
    /// mass-delete limit of later drains, so deletes arriving a few at a time are held too.
    deleted: std::sync::atomic::AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The background sync of one library. Cheap to create; `start` spawns its thread.
pub struct SyncEngine {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// While held, no drain runs (the one in progress was stopped). Dropping it reopens the
/// remote, clears a halt (and a confirmed mass delete: it asks again) and looks for work.
pub struct Paused<'a> {
    engine: &'a SyncEngine,
}

impl Drop for Paused<'_> {
    fn drop(&mut self) {
        let s = &self.engine.shared;
        let mut c = lock(&s.control);
        c.paused = c.paused.saturating_sub(1);
        c.reopen = true;
        c.halted = false;
        c.retry_at = None;
        // New settings may mean another bucket: a confirmation given before them lapses.
        c.allow_deletes_once = false;
        c.kick = true;
        lock(&s.status).clear_error();
        s.wake.notify_all();
    }
}

impl SyncEngine {
    /// `secrets`: where credentials are read (`None`: the environment, then the OS keychain).
    pub fn new(
        lib: Arc<Library>,
        secrets: Option<Arc<dyn SecretStore>>,
        opts: EngineOptions,
    ) -> Self {
        SyncEngine {
            shared: Arc::new(Shared {
                lib,
                secrets,
                opts,
                control: Mutex::new(Control::default()),
                wake: Condvar::new(),
                stop: Arc::new(AtomicBool::new(false)),
                status: Mutex::new(SyncStatus::default()),
                remote: Mutex::new(None),
                sink: Mutex::new(Arc::new(|_| {})),
                totals: Mutex::new(Summary::default()),
                pulled_at: Mutex::new(None),
                deleted: std::sync::atomic::AtomicU64::new(0),
            }),
            thread: Mutex::new(None),
        }
    }

    /// Starts the background thread (once), reporting to `sink`.
    pub fn start(&self, sink: EventSink) {
        let mut thread = lock(&self.thread);
        if thread.is_some() {
            return;
        }
        *lock(&self.shared.sink) = sink;
        {
            let mut c = lock(&self.shared.control);
            // Started again after a shutdown (the app stops and restarts its jobs).
            c.shutdown = false;
            c.kick = true;
            c.reopen = true;
        }
        let shared = self.shared.clone();
        *thread = Some(
            std::thread::Builder::new()
                .name("vitrine-sync".into())
                .spawn(move || shared.run())
                .expect("spawn sync thread"),
        );
    }

    /// A drain is writing to the catalog right now.
    pub fn is_draining(&self) -> bool {
        lock(&self.shared.control).draining
    }

    /// There may be new work.
    pub fn kick(&self) {
        let mut c = lock(&self.shared.control);
        c.kick = true;
        self.shared.wake.notify_all();
    }

    /// Quarantined jobs were released, or the user fixed what halted sync: run again.
    pub fn retry(&self) {
        self.resume(false);
    }

    /// The user confirmed the deletes that halted sync (`mass_delete`): run again, and let
    /// the next drain go on with them. Only that drain: a later mass delete halts again.
    /// Without a mass-delete halt this is a plain `retry` (nothing was confirmed).
    pub fn retry_allowing_deletes(&self) {
        self.resume(true);
    }

    fn resume(&self, allow_deletes: bool) {
        let mut c = lock(&self.shared.control);
        let mut st = lock(&self.shared.status);
        if allow_deletes
            && st
                .error
                .as_ref()
                .is_some_and(|e| e.code == ErrorCode::MassDelete)
        {
            c.allow_deletes_once = true;
            self.shared.deleted.store(0, Ordering::SeqCst);
        }
        c.halted = false;
        c.retry_at = None;
        c.reopen = true;
        c.kick = true;
        st.clear_error();
        self.shared.wake.notify_all();
    }

    /// Stops the drain in progress and keeps new ones from starting until the guard drops.
    /// Blocks until the workers have finished the jobs in hand.
    pub fn pause(&self) -> Paused<'_> {
        let s = &self.shared;
        let mut c = lock(&s.control);
        c.paused += 1;
        s.stop.store(true, Ordering::SeqCst);
        while c.draining {
            c = s.wake.wait(c).unwrap_or_else(|p| p.into_inner());
        }
        drop(c);
        *lock(&s.remote) = None;
        Paused { engine: self }
    }

    /// Stops the thread; waits at most `timeout` for the jobs in hand (they are durable: an
    /// unfinished one runs again next time).
    pub fn shutdown(&self, timeout: Duration) {
        {
            let mut c = lock(&self.shared.control);
            c.shutdown = true;
            self.shared.stop.store(true, Ordering::SeqCst);
            self.shared.wake.notify_all();
        }
        let Some(handle) = lock(&self.thread).take() else {
            return;
        };
        let until = Instant::now() + timeout;
        while !handle.is_finished() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        if handle.is_finished() {
            let _ = handle.join();
        }
    }

    /// The status as last reported, with fresh queue counts (blocking: a catalog read).
    pub fn status(&self) -> crate::Result<SyncStatus> {
        let cat = self.shared.lib.catalog_connection()?;
        let remote = cat.active_remote()?.map(|r| r.name);
        let counts = cat.sync_counts()?;
        let mut st = lock(&self.shared.status);
        st.remote = remote;
        if st.remote.is_none() {
            st.clear_error();
        }
        st.queued = counts.queued + counts.running;
        st.failed = counts.failed;
        Ok(st.clone())
    }

    /// The active remote, opened (cached between calls; blocking).
    pub fn remote(&self, cat: &Catalog) -> crate::Result<Remote> {
        self.shared.open_remote(cat, false)
    }

    /// Stopped by an error, and why: a mass delete (waits for confirmation) or credentials
    /// (retried by itself after [`HALT_RETRY`]). `None` while running or idle.
    pub fn halted(&self) -> Option<ErrorInfo> {
        let halted = lock(&self.shared.control).halted;
        halted
            .then(|| lock(&self.shared.status).error.clone())
            .flatten()
    }

    /// What every drain since the start did, added up, with the jobs quarantined now.
    pub fn totals(&self) -> crate::Result<Summary> {
        let mut totals = lock(&self.shared.totals).clone();
        totals.errors = crate::sync::quarantined(&self.shared.lib.catalog_connection()?)?;
        totals.failed = totals.errors.len() as u64;
        Ok(totals)
    }
}

impl Drop for SyncEngine {
    fn drop(&mut self) {
        self.shutdown(Duration::from_secs(2));
    }
}

impl Shared {
    fn run(self: Arc<Self>) {
        let mut c = lock(&self.control);
        loop {
            loop {
                c.lift_expired_halt(Instant::now());
                if c.has_something_to_do() {
                    break;
                }
                let wait = c
                    .retry_at
                    .filter(|_| c.halted)
                    .map(|t| t.saturating_duration_since(Instant::now()))
                    .unwrap_or_else(idle_check)
                    .min(idle_check());
                let (g, waited) = self
                    .wake
                    .wait_timeout(c, wait)
                    .unwrap_or_else(|p| p.into_inner());
                c = g;
                if waited.timed_out() && !c.halted {
                    c.kick = true;
                }
            }
            if c.shutdown {
                return;
            }
            c.kick = false;
            c.draining = true;
            let reopen = std::mem::take(&mut c.reopen);
            let allow_deletes = std::mem::take(&mut c.allow_deletes_once);
            self.stop.store(false, Ordering::SeqCst);
            drop(c);
            let halt = self.drain(reopen, allow_deletes || self.opts.allow_mass_delete);
            c = lock(&self.control);
            c.draining = false;
            if let Some(retry) = halt.filter(|_| c.paused == 0) {
                c.halted = true;
                c.retry_at = retry.then(|| Instant::now() + HALT_RETRY);
            }
            self.wake.notify_all();
        }
    }

    fn emit(&self, event: Event) {
        let sink = lock(&self.sink).clone();
        sink(event);
    }

    fn emit_status(&self) {
        let st = lock(&self.status).clone();
        self.emit(Event::SyncStatus(st));
    }

    fn open_remote(&self, cat: &Catalog, reopen: bool) -> crate::Result<Remote> {
        let mut cached = lock(&self.remote);
        if let Some(r) = cached.as_ref().filter(|_| !reopen) {
            return Ok(r.clone());
        }
        *cached = None;
        let r = crate::remote::open_active(cat, self.secrets.as_deref())?;
        *cached = Some(r.clone());
        Ok(r)
    }

    /// One drain of the queue. Returns `Some(retry)` when sync must halt until Retry or new
    /// settings (`retry`: also by itself after [`HALT_RETRY`]). `allow_deletes`: the user
    /// confirmed a mass delete.
    fn drain(&self, reopen: bool, allow_deletes: bool) -> Option<bool> {
        let cat = match self.lib.catalog_connection() {
            Ok(c) => c,
            Err(e) => return self.failed(e.into(), None),
        };
        let row = match cat.active_remote() {
            Ok(r) => r,
            Err(e) => return self.failed(e.into(), None),
        };
        let Some(row) = row else {
            *lock(&self.remote) = None;
            *lock(&self.status) = SyncStatus::default();
            self.emit_status();
            return None;
        };
        // The remote's settings changed under us (e.g. `vitrine remote add` from a shell).
        let stale = lock(&self.remote).as_ref().is_some_and(|r| r.row != row);
        let remote = match self.open_remote(&cat, reopen || stale) {
            Ok(r) => r,
            Err(e) => {
                lock(&self.status).remote = Some(row.name.clone());
                return self.failed(e.into(), Some(true));
            }
        };
        let counts = match cat.sync_counts() {
            Ok(c) => c,
            Err(e) => return self.failed(e.into(), None),
        };
        {
            let mut st = lock(&self.status);
            st.remote = Some(row.name.clone());
            st.queued = counts.queued + counts.running;
            st.failed = counts.failed;
            st.clear_error();
            if st.queued > 0 {
                st.running = true;
                st.done = 0;
            }
        }
        self.emit_status();
        let pull_due = lock(&self.pulled_at).is_none_or(|t| t.elapsed() >= sync_interval());
        let outbox = cat
            .conn()
            .query_row("SELECT EXISTS (SELECT 1 FROM replica_dirty)", [], |r| {
                r.get::<_, bool>(0)
            })
            .unwrap_or(true);
        if counts.queued + counts.running == 0 && !pull_due && !outbox {
            return None;
        }
        *lock(&self.pulled_at) = Some(Instant::now());

        let mut opts = SyncOptions {
            allow_mass_delete: allow_deletes,
            stop: self.stop.clone(),
            ..SyncOptions::default()
        };
        if let Some(w) = self.opts.workers {
            opts.workers = w.clamp(1, 64);
        }
        opts.prior_deletes = self.deleted.load(Ordering::SeqCst);
        let live = LiveStatus {
            shared: self,
            cat: Mutex::new(cat),
            last: Mutex::new(Instant::now()),
        };
        let result = sync::run(&self.lib, &remote, &opts, &|e| live.event(e));
        let cat = live.cat.into_inner().unwrap_or_else(|p| p.into_inner());
        let halt = match result {
            Ok(summary) => {
                if allow_deletes {
                    // Confirmed deletes are settled: later drains count from here.
                    self.deleted.store(0, Ordering::SeqCst);
                } else {
                    self.deleted.fetch_add(summary.deleted, Ordering::SeqCst);
                }
                add_up(&mut lock(&self.totals), &summary);
                let pulled = summary.pulled;
                lock(&self.status).last = Some(summary);
                if pulled > 0 {
                    // Changes from another computer: every view refreshes.
                    self.emit(Event::LibraryChanged {
                        reason: crate::events::ChangeReason::Pull,
                    });
                }
                // Settings → Storage: offload what the policy does not keep.
                if crate::offload::apply_policy_after_sync(&self.lib, &remote) {
                    self.emit(Event::LibraryChanged {
                        reason: crate::events::ChangeReason::Edit,
                    });
                }
                None
            }
            Err(SyncError::MassDelete { deletes, total }) => {
                // The core's message names the CLI flag; the app asks with a button instead.
                let mut st = lock(&self.status);
                st.error = Some(ErrorInfo::new(
                    ErrorCode::MassDelete,
                    format!(
                        "stopped: this sync would delete {deletes} of {total} images' files \
                         from the bucket; nothing is deleted until you confirm"
                    ),
                ));
                st.mass_delete = Some(MassDelete { deletes, total });
                // Checked again now and then: the deletes may have been done meanwhile
                // (`vitrine sync --once --allow-deletes` in a shell), and uploads wait.
                Some(true)
            }
            Err(e) => {
                let code = e.code();
                lock(&self.status).error = Some(ErrorInfo::new(code, e.to_string()));
                (code == ErrorCode::RemoteAuth).then_some(true)
            }
        };
        {
            let mut st = lock(&self.status);
            if let Ok(c) = cat.sync_counts() {
                st.queued = c.queued + c.running;
                st.failed = c.failed;
            }
            st.running = false;
            st.last_run_at = Some(rfc3339(now_ms()));
        }
        self.emit_status();
        halt
    }

    fn failed(&self, e: ErrorInfo, halt: Option<bool>) -> Option<bool> {
        {
            let mut st = lock(&self.status);
            st.running = false;
            st.error = Some(e);
            st.mass_delete = None;
        }
        self.emit_status();
        halt
    }
}

/// Forwards the engine's events and keeps the status current during a drain.
struct LiveStatus<'a> {
    shared: &'a Shared,
    /// Its own connection: counts are read on the worker that reports, never on the shared one.
    cat: Mutex<Catalog>,
    last: Mutex<Instant>,
}

impl LiveStatus<'_> {
    fn event(&self, e: SyncEvent) {
        if let SyncEvent::Image {
            state: RemoteState::Synced,
            ..
        } = &e
        {
            lock(&self.shared.status).done += 1;
        }
        self.shared.emit(Event::Sync(e));
        {
            let mut last = lock(&self.last);
            if last.elapsed() < STATUS_EVERY {
                return;
            }
            *last = Instant::now();
        }
        if let Ok(c) = lock(&self.cat).sync_counts() {
            let mut st = lock(&self.shared.status);
            st.queued = c.queued + c.running;
            st.failed = c.failed;
        }
        self.shared.emit_status();
    }
}

/// Adds one drain's summary to the totals (errors: the latest drain's list).
fn add_up(totals: &mut Summary, s: &Summary) {
    totals.uploaded += s.uploaded;
    totals.deleted += s.deleted;
    totals.moved += s.moved;
    totals.retried += s.retried;
    totals.pulled += s.pulled;
    totals.pushed += s.pushed;
    totals.failed = s.failed;
    totals.errors = s.errors.clone();
}
