//! Watched folders in the app: the core's watcher service on a background thread (when no
//! other process watches this library), its reports as `watch-notice` events, and thin
//! commands for the settings section and the sidebar.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::{Emitter, Runtime, State};

use super::commands::{blocking, Cmd};
use super::AppState;
use crate::catalog::{FolderOptions, WatchEvent, WatchedFolder};
use crate::library::Library;
use crate::watch::service::{self, Notice, ServiceOptions};
use crate::watch::{self as core, WatchLock};

/// The background watcher: started once, stopped on exit.
#[derive(Default)]
pub struct FolderWatcher {
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

pub type NoticeSink = Arc<dyn Fn(Notice) + Send + Sync>;

impl FolderWatcher {
    /// Watches the library's folders until [`FolderWatcher::shutdown`]. If another process
    /// (`vitrine watch run`) holds the library's watch lock, says so (every few seconds, so a
    /// late subscriber hears it) and retries, so the app takes over when that process ends.
    pub fn start(&self, lib: Arc<Library>, sink: NoticeSink) {
        let stop = self.stop.clone();
        let handle = std::thread::Builder::new()
            .name("vitrine-folders".into())
            .spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match WatchLock::try_take(&lib) {
                        Ok(Some(_lock)) => {
                            let s = sink.clone();
                            let notify = move |n: Notice| s(n);
                            if let Err(e) =
                                service::run(&lib, &ServiceOptions::default(), &notify, &stop)
                            {
                                eprintln!("watched folders: {e}");
                            }
                        }
                        // Repeated at every attempt: a webview that subscribes later still
                        // hears it within a few seconds.
                        Ok(None) => sink(Notice::WatchedElsewhere),
                        Err(e) => eprintln!("watched folders: {e}"),
                    }
                    for _ in 0..30 {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            })
            .expect("spawn folder watcher");
        *self.thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
    }

    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = h.join();
        }
    }
}

/// `watch-notice` events for the UI.
pub fn notices<R: Runtime>(app: tauri::AppHandle<R>) -> NoticeSink {
    Arc::new(move |n| {
        let _ = app.emit("watch-notice", n);
    })
}

#[tauri::command]
pub async fn watched_folders(state: State<'_, AppState>) -> Cmd<Vec<WatchedFolder>> {
    let lib = state.lib.clone();
    blocking(move || core::folders(&lib)).await
}

/// Adds a folder chosen in the folder picker (or updates its options); the watcher picks it
/// up within a second and imports what is there.
#[tauri::command]
pub async fn add_watched_folder(
    state: State<'_, AppState>,
    path: String,
    options: FolderOptions,
) -> Cmd<WatchedFolder> {
    let lib = state.lib.clone();
    blocking(move || Ok(core::add_folder(&lib, std::path::Path::new(&path), &options)?.0)).await
}

#[tauri::command]
pub async fn remove_watched_folder(state: State<'_, AppState>, id: i64) -> Cmd<()> {
    let lib = state.lib.clone();
    blocking(move || lib.catalog().remove_watched(id)).await
}

#[tauri::command]
pub async fn pause_watched_folder(state: State<'_, AppState>, id: i64, paused: bool) -> Cmd<()> {
    let lib = state.lib.clone();
    blocking(move || lib.catalog().set_watched_paused(id, paused)).await
}

/// What the watcher did recently (newest first), for one folder or all.
#[tauri::command]
pub async fn watch_events(
    state: State<'_, AppState>,
    folder_id: Option<i64>,
    limit: Option<u32>,
) -> Cmd<Vec<WatchEvent>> {
    let lib = state.lib.clone();
    blocking(move || {
        lib.catalog_connection()?
            .watch_events(folder_id, limit.unwrap_or(50).clamp(1, 500))
    })
    .await
}
