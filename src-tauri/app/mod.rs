//! The desktop shell (feature `gui`): Tauri over the core. Commands are thin adapters
//! (`commands.rs`), images reach the webview through `vitrine://` (`protocol.rs`), and a
//! watcher tells the UI when another process (the CLI) changed the library.

pub(crate) mod bucket;
pub(crate) mod commands;
pub mod error;
pub mod protocol;
pub mod rendering;
pub mod sync;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;
pub(crate) mod watch;
#[cfg(test)]
mod watch_tests;

pub use commands::{file_url, format_link, LinkFormat};
pub use sync::{SyncEngine, SyncStatus};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::{Emitter, Manager};

use crate::import::{DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS};
use crate::library::{default_root, Library, LIBRARY_ENV};
use crate::secrets::{Keychain, SecretStore, SecretsError};
use crate::thumbs::ThumbSize;

/// What the settings view shows and edits.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Settings {
    /// Read-only here: chosen with --library / VITRINE_LIBRARY.
    pub library_path: String,
    #[ts(type = "number")]
    pub max_file_size: u64,
    #[ts(type = "number")]
    pub max_pixels: u64,
    /// Read-only: fixed thumbnail sizes (long edge, px).
    pub grid_size: u32,
    pub preview_size: u32,
    /// Read-only: how the window paints (GPU, or CPU when there is no GPU) and why.
    #[serde(default)]
    pub rendering: String,
}

impl Settings {
    pub fn load(lib: &Library) -> crate::Result<Self> {
        let catalog = lib.catalog();
        let num = |key: &str, default: u64| -> crate::Result<u64> {
            Ok(catalog
                .setting(key)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(default))
        };
        Ok(Settings {
            library_path: lib.root().display().to_string(),
            max_file_size: num("import.max_file_size", DEFAULT_MAX_BYTES)?,
            max_pixels: num("import.max_pixels", DEFAULT_MAX_PIXELS)?,
            grid_size: ThumbSize::Grid.long_edge(),
            preview_size: ThumbSize::Preview.long_edge(),
            rendering: rendering::current()
                .map(|c| c.describe())
                .unwrap_or_else(|| "WebKit's default".into()),
        })
    }

    pub fn save(lib: &Library, s: &Settings) -> crate::Result<Self> {
        if s.max_file_size < 1024 || s.max_pixels < 1024 {
            return Err(crate::Error::Invalid {
                what: "import limit",
                value: format!("{} bytes / {} pixels", s.max_file_size, s.max_pixels),
                hint: "limits must be at least 1 KiB and 1024 pixels",
            });
        }
        {
            let catalog = lib.catalog();
            catalog.set_setting("import.max_file_size", &s.max_file_size.to_string())?;
            catalog.set_setting("import.max_pixels", &s.max_pixels.to_string())?;
        }
        Self::load(lib)
    }
}

/// Emitted as `library-changed` whenever images were added, edited or removed.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LibraryChanged {
    /// `import`, `edit`, `delete`, or `external` (another process, e.g. the CLI).
    pub reason: String,
}

impl LibraryChanged {
    pub fn new(reason: &str) -> Self {
        LibraryChanged {
            reason: reason.to_string(),
        }
    }
}

pub struct AppState {
    pub lib: Arc<Library>,
    pub settings: Mutex<Settings>,
    /// Where credentials are kept; `None`: the OS keychain (opened when first needed).
    pub secrets: Option<Arc<dyn SecretStore>>,
    /// Bucket sync in the background (started by `run`).
    pub sync: Arc<SyncEngine>,
    /// Watched folders in the background (started by `run`).
    pub folders: Arc<watch::FolderWatcher>,
}

/// What the bucket commands need, cheap to move onto the blocking pool.
#[derive(Clone)]
pub struct Bucket {
    pub lib: Arc<Library>,
    pub secrets: Option<Arc<dyn SecretStore>>,
    pub sync: Arc<SyncEngine>,
}

impl Bucket {
    /// The injected store, else the OS keychain; an error says why none is reachable.
    pub fn secret_store(&self) -> Result<Arc<dyn SecretStore>, SecretsError> {
        match &self.secrets {
            Some(s) => Ok(s.clone()),
            None => Ok(Arc::new(Keychain::open()?)),
        }
    }
}

impl AppState {
    pub fn new(lib: Library) -> crate::Result<Self> {
        Self::with_secrets(lib, None)
    }

    /// With credentials kept in `secrets` instead of the OS keychain (tests).
    pub fn with_secrets(
        lib: Library,
        secrets: Option<Arc<dyn SecretStore>>,
    ) -> crate::Result<Self> {
        let settings = Settings::load(&lib)?;
        let lib = Arc::new(lib);
        Ok(AppState {
            sync: Arc::new(SyncEngine::new(lib.clone(), secrets.clone())),
            lib,
            settings: Mutex::new(settings),
            secrets,
            folders: Arc::new(watch::FolderWatcher::default()),
        })
    }

    pub fn bucket(&self) -> Bucket {
        Bucket {
            lib: self.lib.clone(),
            secrets: self.secrets.clone(),
            sync: self.sync.clone(),
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// `--library DIR` / `--library=DIR`, else `VITRINE_LIBRARY`, else the OS data folder.
/// Other arguments (a WebDriver may add its own) are ignored.
fn library_arg() -> crate::Result<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--library" {
            if let Some(v) = args.next() {
                return Ok(PathBuf::from(v));
            }
        } else if let Some(v) = a.strip_prefix("--library=") {
            return Ok(PathBuf::from(v));
        }
    }
    match std::env::var_os(LIBRARY_ENV) {
        Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
        _ => default_root(),
    }
}

/// Polls SQLite's `data_version`, which moves when another connection commits, and tells the
/// UI (`library-changed` with reason `external`) and the sync engine (there may be work).
fn watch_external_changes(app: tauri::AppHandle, lib: Arc<Library>, sync: Arc<SyncEngine>) {
    std::thread::Builder::new()
        .name("vitrine-watch".into())
        .spawn(move || {
            let Ok(conn) = lib.catalog_connection() else {
                return;
            };
            let version = || -> Option<i64> {
                conn.conn()
                    .query_row("PRAGMA data_version", [], |r| r.get(0))
                    .ok()
            };
            let mut last = version();
            // The app's own sync drain commits for every image (its states reach the UI as
            // `sync-event`s): while it runs, refresh the gallery at most every few seconds.
            const DURING_SYNC: Duration = Duration::from_secs(5);
            let mut emitted = std::time::Instant::now();
            let mut pending = false;
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let now = version();
                if now != last {
                    last = now;
                    pending = true;
                    sync.kick();
                }
                if pending && (!sync.is_draining() || emitted.elapsed() >= DURING_SYNC) {
                    pending = false;
                    emitted = std::time::Instant::now();
                    let _ = app.emit("library-changed", LibraryChanged::new("external"));
                }
            }
        })
        .expect("spawn watcher");
}

/// The gallery shows thousands of thumbnails over a session; WebKit's default (web browser)
/// cache model keeps every decoded one in memory. The document-viewer model keeps only what is
/// on screen: thumbnails are re-read from `thumbs.db` in microseconds when they come back.
fn limit_webview_cache(app: &tauri::App) {
    #[cfg(target_os = "linux")]
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.with_webview(|webview| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

pub fn main() -> ExitCode {
    // Before anything starts a thread or GTK: WebKit's web process inherits the choice.
    rendering::apply();
    let root = match library_arg() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let state = match Library::open(&root).and_then(AppState::new) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match run(state) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

pub fn run(state: AppState) -> tauri::Result<()> {
    let pool = Arc::new(protocol::Pool::new(crate::parallel::threads(0)));
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .manage(state)
        .register_asynchronous_uri_scheme_protocol("vitrine", move |ctx, request, responder| {
            let state = ctx.app_handle().state::<AppState>();
            let (lib, sync) = (state.lib.clone(), state.sync.clone());
            pool.execute(move || {
                responder.respond(protocol::handle_with(&lib, Some(&sync), &request))
            });
        })
        .invoke_handler(tauri::generate_handler![
            commands::library_info,
            commands::list_images,
            commands::get_image,
            commands::import_inputs,
            commands::import_blob,
            commands::edit_tags,
            commands::set_visibility,
            commands::delete_images,
            commands::stats,
            commands::tag_counts,
            commands::reveal_image,
            commands::image_link,
            commands::get_settings,
            commands::set_settings,
            bucket::get_remote,
            bucket::set_remote,
            bucket::remove_remote,
            bucket::test_remote,
            bucket::sync_status,
            bucket::retry_failed_sync,
            bucket::sync_allow_deletes,
            watch::watched_folders,
            watch::add_watched_folder,
            watch::remove_watched_folder,
            watch::pause_watched_folder,
            watch::watch_events,
        ])
        .setup(|app| {
            limit_webview_cache(app);
            let state = app.state::<AppState>();
            state.sync.start(sync_events(app.handle().clone()));
            state
                .folders
                .start(state.lib.clone(), watch::notices(app.handle().clone()));
            watch_external_changes(app.handle().clone(), state.lib.clone(), state.sync.clone());
            Ok(())
        })
        .build(tauri::generate_context!())?
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Jobs in hand finish (or run again next time: they are durable).
                let state = app.state::<AppState>();
                state.folders.shutdown();
                state.sync.shutdown(Duration::from_secs(3));
            }
        });
    Ok(())
}

/// The sync engine's reports as events: `sync-event` (per image, retries, progress) and
/// `sync-status` (the whole).
fn sync_events<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> sync::Sink {
    Arc::new(move |report| {
        let _ = match report {
            sync::Report::Sync(e) => app.emit("sync-event", e),
            sync::Report::Status(s) => app.emit("sync-status", s),
        };
    })
}
