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
    /// Why a watcher that does not wait for the lock ended (`None`: stopped, or told of
    /// another process).
    failure: Arc<std::sync::Mutex<Option<crate::error::Error>>>,
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
        let failure = Arc::new(std::sync::Mutex::new(None));
        let (flag, failed) = (stop.clone(), failure.clone());
        let thread = std::thread::Builder::new()
            .name("vitrine-folders".into())
            .spawn(move || {
                if let Err(e) = supervise(&lib, &opts, wait_for_lock, &*sink, &flag) {
                    *failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                }
            })
            .expect("spawn folder watcher");
        FolderWatcher {
            stop,
            thread: Some(thread),
            failure,
        }
    }

    /// Why the watcher ended on its own, if it failed (only a watcher that does not wait for
    /// the lock ends on an error: one that waits reports it and tries again).
    pub fn take_failure(&self) -> Option<crate::error::Error> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
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
) -> crate::error::Result<()> {
    while !stop.load(Ordering::SeqCst) {
        let result = match WatchLock::try_take(lib) {
            Ok(Some(_lock)) => service::run(lib, opts, &|n| sink(n), stop),
            // Repeated at every attempt: a webview that subscribes later still hears it.
            Ok(None) => {
                sink(Notice::WatchedElsewhere);
                Ok(())
            }
            Err(e) => Err(e),
        };
        if !wait_for_lock {
            return result;
        }
        if let Err(e) = result {
            eprintln!("watched folders: {e} (trying again)");
        }
        let mut waited = Duration::ZERO;
        while waited < TAKE_OVER_EVERY {
            if stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
            waited += Duration::from_millis(100);
        }
    }
    Ok(())
}
