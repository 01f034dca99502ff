//! The long-running watcher behind `vitrine watch run` and the app: the event loop that ties
//! the pieces together.
//!
//! notify events → a bounded channel → [`debounce`](super::debounce) decides when a path is
//! looked at; a file is imported once complete (closed after writing or renamed into place,
//! or the same size and mtime across a quiet period, and it decodes; one that does not decode
//! while freshly written is retried). Vanished paths wait for a grace period and for pending
//! appearances, so a move is seen as a move, then [`vanish`](super::vanish) applies (or holds
//! back) their deletion rule. A full channel or a kernel queue overflow means a rescan of the
//! folder, so no change is lost. How each folder is watched (events, polling, offline,
//! paused) is [`mode`](super::mode)'s. Decoupled from the app: everything is reported
//! through a sink.

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::EventKind;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::apply;
use super::debounce::{Debouncer, Timing};
use super::mode::{Mode, Msg};
use super::{filter_of, Filter};
use crate::catalog::{Catalog, WatchedFolder};
use crate::error::Result;
use crate::library::Library;
use crate::model::FolderStatus;

pub use super::notice::Notice;

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
        let timing = Timing::default();
        ServiceOptions {
            quiet: timing.quiet,
            settled: timing.settled,
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

/// One watched folder as the service holds it.
pub(super) struct Folder {
    pub(super) folder: WatchedFolder,
    pub(super) filter: Filter,
    pub(super) watcher: Option<notify::RecommendedWatcher>,
    pub(super) mode: Mode,
    pub(super) next_scan: Option<Instant>,
    pub(super) next_check: Instant,
    pub(super) last_scan_took: Duration,
    /// The last scan's (or held deletion's) problem, for `last_error`.
    pub(super) problems: Option<String>,
}

/// A complete file: its path and (size, mtime).
pub(super) type Ready = (PathBuf, (u64, i64));

/// Runs until `stop`. The caller holds the library's [`super::WatchLock`].
pub fn run(
    lib: &Library,
    opts: &ServiceOptions,
    sink: &(dyn Fn(Notice) + Sync),
    stop: &AtomicBool,
) -> Result<()> {
    let (tx, rx) = sync_channel::<Msg>(opts.queue.max(1));
    let mut svc = Service {
        lib,
        opts,
        sink,
        cat: lib.catalog_connection()?,
        folders: HashMap::new(),
        debounce: Debouncer::new(Timing {
            quiet: opts.quiet,
            settled: opts.settled,
            ..Timing::default()
        }),
        overflow: Arc::new(AtomicBool::new(false)),
        tx,
        config: None,
    };
    let result = svc.main_loop(&rx, stop);
    svc.shutdown();
    result
}

pub(super) struct Service<'a> {
    pub(super) lib: &'a Library,
    pub(super) opts: &'a ServiceOptions,
    pub(super) sink: &'a (dyn Fn(Notice) + Sync),
    pub(super) cat: Catalog,
    pub(super) folders: HashMap<i64, Folder>,
    /// When pending paths are looked at and vanished ones count as gone.
    pub(super) debounce: Debouncer,
    pub(super) overflow: Arc<AtomicBool>,
    pub(super) tx: SyncSender<Msg>,
    /// The folders' configuration last loaded (`None`: reload).
    pub(super) config: Option<String>,
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
                    if f.mode.active() {
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
        (self.sink)(Notice::failure(0, String::new(), e));
        std::thread::sleep(Duration::from_millis(500));
    }

    fn next_wakeup(&self, next_config: Instant) -> Instant {
        let scans = self.folders.values().filter_map(|f| f.next_scan);
        self.debounce
            .next_due()
            .into_iter()
            .chain(scans)
            .fold(next_config, Instant::min)
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
        self.debounce.retain_folders(|id| ids.contains(&id));
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
            self.debounce.forget_folder(id);
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

    pub(super) fn publish(
        &mut self,
        f: &Folder,
        status: FolderStatus,
        detail: Option<&str>,
        scanned: bool,
    ) {
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
            (self.sink)(Notice::Folder {
                folder: Box::new(folder),
            });
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
                if f.mode.active() {
                    f.next_scan = Some(Instant::now());
                }
            }
            return;
        }
        if matches!(
            event.kind,
            EventKind::Access(
                AccessKind::Open(_) | AccessKind::Read | AccessKind::Close(AccessMode::Read)
            )
        ) {
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
            if self.debounce.pending_len() >= self.opts.max_pending
                && !self.debounce.is_pending(&path)
            {
                if let Some(f) = self.folders.get_mut(&id) {
                    f.next_scan = Some(now);
                }
                continue;
            }
            self.debounce.event(id, path, settled, now);
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
                self.check(&mut f);
            }
            if f.next_scan.is_some_and(|t| t <= now) && !stop.load(Ordering::Relaxed) {
                self.scan(&mut f, stop)?;
            }
            self.folders.insert(id, f);
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
