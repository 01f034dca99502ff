//! The long-running watcher behind `vitrine watch run` and the app.
//!
//! notify events → a bounded channel → per-path debouncing: a file is imported once it is
//! complete (closed after writing or renamed into place, or the same size and mtime across a
//! quiet period, and it decodes; one that does not decode while freshly written is retried).
//! Vanished paths wait for a short grace period and for pending appearances, so a move is
//! seen as a move. A full channel or a kernel queue overflow means a rescan of the folder, so
//! no change is lost. Folders on network filesystems (or whose events cannot be set up) are
//! polled by rescans; a folder that disappears is offline until it comes back (nothing is
//! deleted meanwhile). Decoupled from the app: everything is reported through a sink.

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::apply::{self, Applier, Change};
use super::{filter_of, offline_reason, reconcile, scan, Filter};
use crate::catalog::{Catalog, WatchedFolder};
use crate::error::Result;
use crate::library::Library;
use crate::model::FolderStatus;

#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// Quiet time after the last event before a file's size and mtime are checked.
    pub quiet: Duration,
    /// Quiet time after a close-after-write or a rename (the file is complete).
    pub settled: Duration,
    /// How long a vanished path waits for its move partner.
    pub grace: Duration,
    /// Rescan period of polled folders (at least 4× the last scan's duration).
    pub poll_interval: Duration,
    /// Safety rescan period of folders with working events.
    pub rescan_interval: Duration,
    /// How often an offline folder is checked for its return.
    pub offline_check: Duration,
    /// Paths waiting for stability at once; beyond it the folder is rescanned instead.
    pub max_pending: usize,
    /// Raw events buffered between notify and the watcher; when full, folders are rescanned.
    pub queue: usize,
    /// Poll every folder (as if no filesystem events existed).
    pub force_poll: bool,
    /// Apply deletion rules even when most of a folder vanishes at once.
    pub allow_mass_deletes: bool,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            quiet: Duration::from_millis(250),
            settled: Duration::from_millis(40),
            grace: Duration::from_millis(800),
            poll_interval: Duration::from_secs(5),
            rescan_interval: Duration::from_secs(600),
            offline_check: Duration::from_secs(2),
            max_pending: env_usize("VITRINE_WATCH_MAX_PENDING").unwrap_or(50_000),
            queue: env_usize("VITRINE_WATCH_QUEUE").unwrap_or(65_536),
            force_poll: std::env::var_os("VITRINE_WATCH_POLL").is_some_and(|v| v != "0"),
            allow_mass_deletes: false,
        }
    }
}

/// A size from the environment (tests shrink the queues to exercise overflow rescans).
fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.parse().ok()
}

/// What the watcher reports.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Notice {
    /// A folder's status changed (watching, scanning n/N, polling, offline, …).
    Folder { folder: WatchedFolder },
    /// A file was added, moved, edited, deleted or failed.
    Change {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        folder_id: i64,
        path: String,
        kind: String,
        image_id: Option<String>,
        detail: Option<String>,
    },
    /// Another process (the app or `vitrine watch run`) watches this library.
    WatchedElsewhere,
}

enum Mode {
    Events,
    Polling(String),
    Offline,
    Paused,
}

struct Folder {
    folder: WatchedFolder,
    filter: Filter,
    watcher: Option<notify::RecommendedWatcher>,
    mode: Mode,
    next_scan: Option<Instant>,
    next_check: Instant,
    last_scan_took: Duration,
    problems: Option<String>,
}

struct Pending {
    folder_id: i64,
    due: Instant,
    stat: Option<(u64, i64)>,
    /// Closed after writing or renamed into place: complete once it stops changing.
    settled: bool,
    attempts: u32,
}

type Msg = (i64, notify::Result<notify::Event>);

/// The longest a vanished path waits for pending appearances (its possible move partner).
const GONE_MAX_WAIT: Duration = Duration::from_secs(10);
/// A complete file: its path and (size, mtime).
type Ready = (PathBuf, (u64, i64));

/// Runs until `stop`. The caller holds the library's [`super::WatchLock`].
pub fn run(
    lib: &Library,
    opts: &ServiceOptions,
    sink: &(dyn Fn(Notice) + Sync),
    stop: &AtomicBool,
) -> Result<()> {
    let mut svc = Service {
        lib,
        opts,
        sink,
        cat: lib.catalog_connection()?,
        folders: HashMap::new(),
        pending: HashMap::new(),
        gone: HashMap::new(),
        overflow: Arc::new(AtomicBool::new(false)),
        tx: None,
        config: None,
    };
    let (tx, rx) = sync_channel::<Msg>(opts.queue.max(1));
    svc.tx = Some(tx);
    let result = svc.main_loop(&rx, stop);
    svc.shutdown();
    result
}

struct Service<'a> {
    lib: &'a Library,
    opts: &'a ServiceOptions,
    sink: &'a (dyn Fn(Notice) + Sync),
    cat: Catalog,
    folders: HashMap<i64, Folder>,
    pending: HashMap<PathBuf, Pending>,
    /// Vanished paths: folder and when the rule may apply.
    gone: HashMap<String, (i64, Instant)>,
    overflow: Arc<AtomicBool>,
    tx: Option<SyncSender<Msg>>,
    config: Option<String>,
}

impl Service<'_> {
    fn main_loop(&mut self, rx: &Receiver<Msg>, stop: &AtomicBool) -> Result<()> {
        let mut next_config = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            if now >= next_config {
                next_config = now + Duration::from_millis(500);
                if let Err(e) = self.reload() {
                    self.trouble(&e);
                    continue;
                }
            }
            let wait = self.next_wakeup(next_config).saturating_duration_since(now);
            if let Ok(msg) = rx.recv_timeout(wait.min(Duration::from_millis(200))) {
                self.on_event(msg);
                for msg in rx.try_iter().take(100_000) {
                    self.on_event(msg);
                }
            }
            if self.overflow.swap(false, Ordering::SeqCst) {
                for f in self.folders.values_mut() {
                    if matches!(f.mode, Mode::Events | Mode::Polling(_)) {
                        f.next_scan = Some(Instant::now());
                    }
                }
            }
            // One path's trouble (a busy catalog, a file that cannot be removed) is reported
            // and retried later; it never ends the watcher.
            let step = self
                .timers(stop)
                .and_then(|()| self.settle())
                .and_then(|()| self.apply_gone());
            if let Err(e) = step {
                self.trouble(&e);
            }
        }
        Ok(())
    }

    fn trouble(&mut self, e: &crate::error::Error) {
        (self.sink)(Notice::Change {
            folder_id: 0,
            path: String::new(),
            kind: "failed".into(),
            image_id: None,
            detail: Some(e.to_string()),
        });
        std::thread::sleep(Duration::from_millis(500));
    }

    /// How long a vanished path waits for its move partner: long enough for a polled folder
    /// to notice the other half.
    fn grace(&self) -> Duration {
        let polled = self
            .folders
            .values()
            .filter(|f| matches!(f.mode, Mode::Polling(_)))
            .map(|f| self.opts.poll_interval.max(f.last_scan_took * 4) * 2)
            .max();
        polled.map_or(self.opts.grace, |p| p.max(self.opts.grace))
    }

    fn next_wakeup(&self, next_config: Instant) -> Instant {
        let mut at = next_config;
        for p in self.pending.values() {
            at = at.min(p.due);
        }
        // While files are pending, vanished paths wait for them (see apply_gone).
        let wait = if self.pending.is_empty() {
            Duration::ZERO
        } else {
            GONE_MAX_WAIT
        };
        for (_, due) in self.gone.values() {
            at = at.min(*due + wait);
        }
        for f in self.folders.values() {
            if let Some(s) = f.next_scan {
                at = at.min(s);
            }
        }
        at
    }

    /// Picks up folders added, removed, paused or changed by any process.
    fn reload(&mut self) -> Result<()> {
        let version = self.cat.watched_config_version()?;
        if self.config.as_deref() == Some(version.as_str()) {
            return Ok(());
        }
        self.config = Some(version);
        let current = self.cat.watched_folders()?;
        let ids: std::collections::HashSet<i64> = current.iter().map(|f| f.id).collect();
        self.folders.retain(|id, _| ids.contains(id));
        self.pending.retain(|_, p| ids.contains(&p.folder_id));
        self.gone.retain(|_, (id, _)| ids.contains(id));
        for folder in current {
            let unchanged = self.folders.get(&folder.id).is_some_and(|f| {
                f.folder.options == folder.options
                    && f.folder.paused == folder.paused
                    && f.folder.device == folder.device
            });
            if unchanged {
                continue;
            }
            let id = folder.id;
            self.pending.retain(|_, p| p.folder_id != id);
            self.gone.retain(|_, (fid, _)| *fid != id);
            let mut f = Folder {
                filter: filter_of(&folder),
                folder,
                watcher: None,
                mode: Mode::Paused,
                next_scan: None,
                next_check: Instant::now(),
                last_scan_took: Duration::ZERO,
                problems: None,
            };
            self.start(&mut f);
            self.folders.insert(id, f);
        }
        Ok(())
    }

    /// Sets a folder up: paused, offline, or watched by events (falling back to polling).
    fn start(&mut self, f: &mut Folder) {
        f.watcher = None;
        f.next_scan = None;
        if f.folder.paused {
            f.mode = Mode::Paused;
            self.publish(f, FolderStatus::Paused, None, false);
            return;
        }
        if let Some(why) = offline_reason(&self.cat, &f.folder) {
            self.go_offline(f, why);
            return;
        }
        // Online: record the device it is on now (first time, or the same disk back under
        // another device number, as offline_reason checked).
        if let Some(d) = scan::device(Path::new(&f.folder.path)) {
            if f.folder.device != Some(d) {
                let _ = self.cat.set_watched_device(f.folder.id, d);
                f.folder.device = Some(d);
            }
        }
        f.mode = match self.events_for(&f.folder) {
            Ok(w) => {
                f.watcher = Some(w);
                Mode::Events
            }
            Err(why) => Mode::Polling(why),
        };
        f.next_scan = Some(Instant::now());
    }

    fn events_for(
        &self,
        folder: &WatchedFolder,
    ) -> std::result::Result<notify::RecommendedWatcher, String> {
        if self.opts.force_poll || folder.options.poll {
            return Err("polling, as set for this folder".into());
        }
        if let Some(fs) = network_fs(Path::new(&folder.path)) {
            return Err(format!(
                "on a network filesystem ({fs}): checked by polling"
            ));
        }
        let tx = self.tx.clone().expect("channel set up");
        let overflow = self.overflow.clone();
        let id = folder.id;
        let mut w = notify::recommended_watcher(move |e| match tx.try_send((id, e)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => overflow.store(true, Ordering::SeqCst),
            Err(TrySendError::Disconnected(_)) => {}
        })
        .map_err(|e| format!("file events unavailable ({e}): checked by polling"))?;
        let mode = if folder.options.recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        w.watch(Path::new(&folder.path), mode)
            .map_err(|e| format!("file events unavailable ({e}): checked by polling"))?;
        Ok(w)
    }

    fn go_offline(&mut self, f: &mut Folder, why: String) {
        f.watcher = None;
        f.next_scan = None;
        f.next_check = Instant::now() + self.opts.offline_check;
        let id = f.folder.id;
        self.pending.retain(|_, p| p.folder_id != id);
        self.gone.retain(|_, (fid, _)| *fid != id);
        if !matches!(f.mode, Mode::Offline) {
            let _ = self
                .cat
                .add_watch_event(Some(id), "offline", &f.folder.path, None, Some(&why));
        }
        f.mode = Mode::Offline;
        self.publish(f, FolderStatus::Offline, Some(&why), false);
    }

    fn publish(&mut self, f: &Folder, status: FolderStatus, detail: Option<&str>, scanned: bool) {
        let token = self.lib.workspace().token().to_string();
        let _ = self.cat.set_watch_status(
            f.folder.id,
            status,
            detail,
            f.problems.as_deref(),
            Some(&token),
            scanned,
        );
        if let Ok(Some(folder)) = self.cat.watched_folder(&f.folder.path) {
            (self.sink)(Notice::Folder { folder });
        }
    }

    fn on_event(&mut self, (id, event): Msg) {
        let Some((root, filter)) = self
            .folders
            .get(&id)
            .map(|f| (PathBuf::from(&f.folder.path), f.filter.clone()))
        else {
            return;
        };
        let event = match event {
            Ok(e) => e,
            Err(_) => {
                // The kernel dropped events or a watch broke: a rescan fills the gap.
                self.overflow.store(true, Ordering::SeqCst);
                return;
            }
        };
        if event.need_rescan() {
            if let Some(f) = self.folders.get_mut(&id) {
                if matches!(f.mode, Mode::Events | Mode::Polling(_)) {
                    f.next_scan = Some(Instant::now());
                }
            }
            return;
        }
        if matches!(event.kind, EventKind::Access(AccessKind::Open(_)))
            || matches!(event.kind, EventKind::Access(AccessKind::Read))
            || matches!(
                event.kind,
                EventKind::Access(AccessKind::Close(AccessMode::Read))
            )
        {
            return;
        }
        let settled = matches!(
            event.kind,
            EventKind::Access(AccessKind::Close(AccessMode::Write))
                | EventKind::Modify(ModifyKind::Name(_))
        );
        let now = Instant::now();
        for path in event.paths {
            let Ok(rel) = path.strip_prefix(&root) else {
                continue;
            };
            if rel.as_os_str().is_empty() {
                // The folder itself: deleted, moved away or unmounted?
                if let Some(f) = self.folders.get_mut(&id) {
                    f.next_check = now;
                }
                continue;
            }
            // A directory (created, moved in) is judged by whether it is walked; a file by
            // the filter; a path the catalog knows (renamed away, deleted) always counts.
            let considered = if path.is_dir() {
                filter.enters(rel)
            } else {
                filter.check(rel).is_ok()
            };
            if !considered && !self.known(id, &path) {
                continue;
            }
            if self.pending.len() >= self.opts.max_pending && !self.pending.contains_key(&path) {
                if let Some(f) = self.folders.get_mut(&id) {
                    f.next_scan = Some(now);
                }
                continue;
            }
            let quiet = if settled {
                self.opts.settled
            } else {
                self.opts.quiet
            };
            let p = self.pending.entry(path).or_insert(Pending {
                folder_id: id,
                due: now,
                stat: None,
                settled,
                attempts: 0,
            });
            p.due = now + quiet;
            // A write after the close means it is being written again.
            p.settled = settled;
            p.attempts = 0;
        }
    }

    /// Whether the catalog knows files at or under this path (a renamed or removed folder,
    /// or a file renamed to a name the filter skips).
    fn known(&self, id: i64, path: &Path) -> bool {
        self.cat
            .watched_files_under(id, &apply::path_text(path))
            .is_ok_and(|v| !v.is_empty())
    }

    /// Scans due folders and checks offline ones.
    fn timers(&mut self, stop: &AtomicBool) -> Result<()> {
        let now = Instant::now();
        let ids: Vec<i64> = self.folders.keys().copied().collect();
        for id in ids {
            let Some(mut f) = self.folders.remove(&id) else {
                continue;
            };
            if !matches!(f.mode, Mode::Paused) && f.next_check <= now {
                f.next_check = now + self.opts.offline_check;
                match (offline_reason(&self.cat, &f.folder), &f.mode) {
                    (Some(_), Mode::Offline) => {}
                    (Some(why), _) => self.go_offline(&mut f, why),
                    (None, Mode::Offline) => {
                        let _ = self.cat.add_watch_event(
                            Some(id),
                            "online",
                            &f.folder.path,
                            None,
                            Some("the folder is back: rescanning"),
                        );
                        self.start(&mut f);
                    }
                    (None, _) => {}
                }
            }
            if f.next_scan.is_some_and(|t| t <= now) && !stop.load(Ordering::Relaxed) {
                self.scan(&mut f, stop)?;
            }
            self.folders.insert(id, f);
        }
        Ok(())
    }

    fn scan(&mut self, f: &mut Folder, stop: &AtomicBool) -> Result<()> {
        if matches!(f.mode, Mode::Paused | Mode::Offline) {
            f.next_scan = None;
            return Ok(());
        }
        if let Some(why) = offline_reason(&self.cat, &f.folder) {
            self.go_offline(f, why);
            return Ok(());
        }
        let started = Instant::now();
        self.publish(f, FolderStatus::Scanning, Some("scanning"), false);
        let token = self.lib.workspace().token().to_string();
        let last = std::sync::Mutex::new(Instant::now());
        let progress_cat = std::sync::Mutex::new(self.lib.catalog_connection()?);
        let folder = f.folder.clone();
        let sink = self.sink;
        // A long scan stops early when asked to stop or when folders change (paused, removed,
        // options edited); the folder is set up again and rescanned.
        let cut = AtomicBool::new(false);
        let config = self.config.clone();
        let progress = |done: usize, total: usize| {
            if stop.load(Ordering::Relaxed) {
                cut.store(true, Ordering::Relaxed);
            }
            let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
            if last.elapsed() < Duration::from_millis(250) {
                return;
            }
            *last = Instant::now();
            let detail = if total == 0 {
                format!("scanning: {done} files")
            } else {
                format!("scanning {done}/{total}")
            };
            let cat = progress_cat.lock().unwrap_or_else(|p| p.into_inner());
            if cat.watched_config_version().ok() != config {
                cut.store(true, Ordering::Relaxed);
            }
            let _ = cat.set_watch_progress(folder.id, &detail, &token);
            if let Ok(Some(folder)) = cat.watched_folder(&folder.path) {
                sink(Notice::Folder { folder });
            }
        };
        let on_change = |path: &str, change: &Change| {
            notify_change(sink, folder.id, path, change, folder.options.on_delete)
        };
        let grace = self.grace();
        match reconcile(self.lib, &f.folder, &progress, &on_change, &cut) {
            Ok(mut report) => {
                let now = Instant::now();
                // Gone paths wait like an event's would, so a move to a folder scanned or
                // polled later is still seen as a move.
                let vanished = std::mem::take(&mut report.vanished);
                if f.folder.options.on_delete != crate::model::OnDelete::Keep
                    && !self.opts.allow_mass_deletes
                    && super::looks_unmounted(vanished.len(), report.known)
                {
                    report.problems.push(super::Problem {
                        path: f.folder.path.clone(),
                        error: held_message(vanished.len(), report.known),
                    });
                } else {
                    for path in vanished {
                        self.gone.entry(path).or_insert((f.folder.id, now + grace));
                    }
                }
                f.problems = report.problems.first().map(|first| {
                    format!(
                        "{}: {}{}",
                        first.path,
                        first.error,
                        match report.problems.len() {
                            1 => String::new(),
                            n => format!(" (and {} more)", n - 1),
                        }
                    )
                });
                for path in report.retry {
                    self.pending.insert(
                        path,
                        Pending {
                            folder_id: f.folder.id,
                            due: now + Duration::from_secs(1),
                            stat: None,
                            settled: false,
                            attempts: 1,
                        },
                    );
                }
            }
            Err(e) => {
                f.problems = Some(e.to_string());
            }
        }
        f.last_scan_took = started.elapsed();
        if cut.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
            // Folders changed meanwhile: the reload sets this one up again (and rescans it).
            self.config = None;
        }
        let (status, detail, next) = match &f.mode {
            Mode::Polling(why) => (
                FolderStatus::Polling,
                Some(why.clone()),
                self.opts.poll_interval.max(f.last_scan_took * 4),
            ),
            _ => (FolderStatus::Watching, None, self.opts.rescan_interval),
        };
        f.next_scan = Some(Instant::now() + next);
        self.publish(f, status, detail.as_deref(), true);
        Ok(())
    }

    /// Imports pending files that are complete.
    fn settle(&mut self) -> Result<()> {
        let now = Instant::now();
        let due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, p)| p.due <= now)
            .map(|(k, _)| k.clone())
            .collect();
        let mut ready: HashMap<i64, Vec<Ready>> = HashMap::new();
        let mut tries: HashMap<PathBuf, u32> = HashMap::new();
        for path in due {
            let Some(mut p) = self.pending.remove(&path) else {
                continue;
            };
            let Ok(meta) = std::fs::metadata(&path) else {
                self.vanished(p.folder_id, &path, now);
                continue;
            };
            if meta.is_dir() {
                self.expand_dir(p.folder_id, &path, now);
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            let st = (meta.len(), scan::mtime_ns(&meta));
            if p.settled || p.stat == Some(st) {
                tries.insert(path.clone(), p.attempts);
                ready.entry(p.folder_id).or_default().push((path, st));
            } else {
                p.stat = Some(st);
                p.due = now + self.opts.quiet;
                self.pending.insert(path, p);
            }
        }
        for (id, files) in ready {
            let Some(f) = self.folders.get(&id) else {
                continue;
            };
            if !matches!(f.mode, Mode::Events | Mode::Polling(_)) {
                continue;
            }
            let folder = f.folder.clone();
            let results = apply_files(self.lib, &folder, &files, self.sink);
            let now = Instant::now();
            for (path, change) in results {
                if let Change::Waiting { .. } = change {
                    let attempts = tries.get(&path).copied().unwrap_or(0) + 1;
                    let backoff = Duration::from_millis(500 * (1 << attempts.min(4)));
                    self.pending.insert(
                        path,
                        Pending {
                            folder_id: id,
                            due: now + backoff,
                            stat: None,
                            settled: false,
                            attempts,
                        },
                    );
                }
            }
        }
        Ok(())
    }

    /// A directory appeared (created, moved in, or renamed): everything in it is new here,
    /// and what the catalog knew under its old name is gone (handled by `vanished` events).
    fn expand_dir(&mut self, id: i64, dir: &Path, now: Instant) {
        let Some(f) = self.folders.get(&id) else {
            return;
        };
        let root = PathBuf::from(&f.folder.path);
        let filter = f.filter.clone();
        if !filter.recursive {
            return;
        }
        let Ok(rel) = dir.strip_prefix(&root) else {
            return;
        };
        if !filter.enters(rel) {
            return;
        }
        // List it as if it were the root, with paths relative to the real root.
        let sub = Filter {
            recursive: true,
            ..filter.clone()
        };
        if let Ok(listing) = scan::list(dir, &sub, &|_| {}) {
            for seen in listing.files {
                let rel = seen.path.strip_prefix(&root).unwrap_or(&seen.path);
                if filter.check(rel).is_ok() {
                    self.pending.entry(seen.path).or_insert(Pending {
                        folder_id: id,
                        due: now + self.opts.quiet,
                        stat: Some((seen.size, seen.mtime_ns)),
                        settled: false,
                        attempts: 0,
                    });
                }
            }
        }
        // What the catalog knew under it and is not there any more (the folder was replaced,
        // or a disk mounted on it went away) is gone.
        let grace = self.grace();
        if let Ok(known) = self.cat.watched_files_under(id, &apply::path_text(dir)) {
            for k in known {
                if !Path::new(&k).exists() {
                    self.gone.entry(k).or_insert((id, now + grace));
                }
            }
        }
    }

    /// A path is gone: every file the catalog knew at or under it waits out the grace period.
    fn vanished(&mut self, id: i64, path: &Path, now: Instant) {
        let Ok(known) = self.cat.watched_files_under(id, &apply::path_text(path)) else {
            return;
        };
        let grace = self.grace();
        for k in known {
            self.gone.entry(k).or_insert((id, now + grace));
        }
    }

    /// Applies deletion rules to vanished files once no appearance that could be their move
    /// is pending (or after a long wait).
    fn apply_gone(&mut self) -> Result<()> {
        if self.gone.is_empty() {
            return Ok(());
        }
        let now = Instant::now();
        let busy = !self.pending.is_empty();
        let due: Vec<(String, i64)> = self
            .gone
            .iter()
            .filter(|(_, (_, at))| *at <= now && (!busy || *at + GONE_MAX_WAIT <= now))
            .map(|(p, (id, _))| (p.clone(), *id))
            .collect();
        let mut per_folder: HashMap<i64, Vec<String>> = HashMap::new();
        for (path, id) in due {
            self.gone.remove(&path);
            per_folder.entry(id).or_default().push(path);
        }
        for (id, paths) in per_folder {
            let Some(mut f) = self.folders.remove(&id) else {
                continue;
            };
            let result = self.apply_gone_in(&mut f, &paths);
            self.folders.insert(id, f);
            result?;
        }
        Ok(())
    }

    /// One folder's due vanished paths: held back when they look like an unmounted disk
    /// inside it, nothing when the folder itself went away, else the deletion rule.
    fn apply_gone_in(&mut self, f: &mut Folder, paths: &[String]) -> Result<()> {
        let id = f.folder.id;
        let known = self.cat.watched_file_count(id).unwrap_or(0) as usize;
        if f.folder.options.on_delete != crate::model::OnDelete::Keep
            && !self.opts.allow_mass_deletes
            && super::looks_unmounted(paths.len(), known)
        {
            self.gone.retain(|_, (fid, _)| *fid != id);
            f.problems = Some(format!(
                "{}: {}",
                f.folder.path,
                held_message(paths.len(), known)
            ));
            let status = match f.mode {
                Mode::Polling(_) => FolderStatus::Polling,
                _ => FolderStatus::Watching,
            };
            self.publish(f, status, None, false);
            return Ok(());
        }
        let gone: Vec<&String> = paths.iter().filter(|p| !Path::new(p).exists()).collect();
        if gone.is_empty() || matches!(f.mode, Mode::Offline | Mode::Paused) {
            return Ok(());
        }
        if let Some(why) = offline_reason(&self.cat, &f.folder) {
            // Not deleted: the whole folder went away (unplugged, unmounted, renamed).
            self.go_offline(f, why);
            return Ok(());
        }
        let opts = apply::import_options(&f.folder);
        let mut applier = Applier::new(self.lib, &f.folder, &opts)?;
        for path in gone {
            let change = applier.gone(path)?;
            applier.record(path, &change)?;
            notify_change(self.sink, id, path, &change, f.folder.options.on_delete);
        }
        Ok(())
    }

    fn shutdown(&mut self) {
        for f in self.folders.values_mut() {
            f.watcher = None;
            let status = if f.folder.paused {
                FolderStatus::Paused
            } else {
                FolderStatus::Stopped
            };
            let _ = self.cat.set_watch_status(
                f.folder.id,
                status,
                None,
                f.problems.as_deref(),
                None,
                false,
            );
        }
    }
}

fn held_message(vanished: usize, known: usize) -> String {
    format!(
        "{vanished} of {known} files vanished at once (a disk unmounted inside the folder?): nothing removed; if they were deleted, stop the watcher and run `vitrine watch run --once --allow-deletes`"
    )
}

/// Imports complete files of one folder: in parallel for a burst, inline for a few.
fn apply_files(
    lib: &Library,
    folder: &WatchedFolder,
    files: &[Ready],
    sink: &(dyn Fn(Notice) + Sync),
) -> Vec<(PathBuf, Change)> {
    let opts = apply::import_options(folder);
    let out = std::sync::Mutex::new(Vec::with_capacity(files.len()));
    let threads = if files.len() > 4 {
        crate::parallel::threads(0)
    } else {
        1
    };
    let result = crate::parallel::for_each(
        files,
        threads,
        || Applier::new(lib, folder, &opts),
        |applier, (path, seen)| {
            let key = apply::path_text(path);
            let change = applier
                .file(path, Some(*seen))
                .unwrap_or_else(|e| Change::Failed {
                    code: e.code(),
                    message: e.to_string(),
                });
            let _ = applier.record(&key, &change);
            notify_change(sink, folder.id, &key, &change, folder.options.on_delete);
            out.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((path.clone(), change));
        },
    );
    if let Err(e) = result {
        (sink)(Notice::Change {
            folder_id: folder.id,
            path: folder.path.clone(),
            kind: "failed".into(),
            image_id: None,
            detail: Some(e.to_string()),
        });
    }
    out.into_inner().unwrap_or_else(|p| p.into_inner())
}

fn notify_change(
    sink: &(dyn Fn(Notice) + Sync),
    folder_id: i64,
    path: &str,
    change: &Change,
    rule: crate::model::OnDelete,
) {
    if change.notable() {
        sink(Notice::Change {
            folder_id,
            path: change.path(path).to_string(),
            kind: change.kind().into(),
            image_id: change.image_id().map(str::to_string),
            detail: apply::describe(change, rule),
        });
    }
}

/// The network filesystem a path is on, if any (events from other machines never arrive).
fn network_fs(path: &Path) -> Option<&'static str> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
        // SAFETY: statfs fills the zeroed struct for a NUL-terminated path.
        let mut s: libc::statfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statfs(c.as_ptr(), &mut s) } != 0 {
            return None;
        }
        #[allow(clippy::unnecessary_cast)]
        match s.f_type as i64 {
            0x6969 => Some("NFS"),
            0x517B => Some("SMB"),
            0xFF534D42 => Some("CIFS"),
            0xFE534D42 => Some("SMB2"),
            0x65735546 => Some("FUSE"),
            0x01021997 => Some("9P"),
            0x00C36400 => Some("Ceph"),
            0x5346414F => Some("AFS"),
            _ => None,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}
