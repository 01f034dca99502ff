//! The watcher as a background job of the core: watches the library's folders on its own
//! thread while this process holds the library's watch lock. If another process (the app or
//! `vitrine watch run`) holds it, says so (every few seconds, so a late subscriber hears it)
//! and tries again, so this one takes over when that process ends. Stopped by dropping the
//! handle (or [`FolderWatcher::stop`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::service::{self, Notice, ServiceOptions};
use super::WatchLock;
use crate::library::Library;

/// How often a process without the lock tries to take it.
const TAKE_OVER_EVERY: Duration = Duration::from_secs(3);

/// The running watcher. Dropping it stops it (the file in hand is finished first).
pub struct FolderWatcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FolderWatcher {
    /// Starts watching. `wait_for_lock`: when another process watches, wait and take over
    /// when it ends (the app); otherwise report [`Notice::WatchedElsewhere`] and stop.
    pub fn start(
        lib: Arc<Library>,
        opts: ServiceOptions,
        wait_for_lock: bool,
        sink: Arc<dyn Fn(Notice) + Send + Sync>,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("vitrine-folders".into())
            .spawn(move || supervise(&lib, &opts, wait_for_lock, &*sink, &flag))
            .expect("spawn folder watcher");
        FolderWatcher {
            stop,
            thread: Some(thread),
        }
    }

    /// The flag that stops the watcher (shared with a signal handler, for instance).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Whether the watcher thread has ended (stopped, or gave up on the lock).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Stops the watcher and waits for it.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        self.stop();
    }
}

fn supervise(
    lib: &Library,
    opts: &ServiceOptions,
    wait_for_lock: bool,
    sink: &(dyn Fn(Notice) + Send + Sync),
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::SeqCst) {
        match WatchLock::try_take(lib) {
            Ok(Some(_lock)) => {
                if let Err(e) = service::run(lib, opts, &|n| sink(n), stop) {
                    eprintln!("watched folders: {e}");
                }
            }
            // Repeated at every attempt: a webview that subscribes later still hears it.
            Ok(None) => sink(Notice::WatchedElsewhere),
            Err(e) => eprintln!("watched folders: {e}"),
        }
        if !wait_for_lock {
            return;
        }
        let mut waited = Duration::ZERO;
        while waited < TAKE_OVER_EVERY {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
            waited += Duration::from_millis(100);
        }
    }
}
