//! The desktop shell (feature `gui`): Tauri over the core. Commands are thin adapters
//! (`commands.rs`, `bucket.rs`, `watch.rs`), images reach the webview through `vitrine://`
//! (`protocol.rs`), and the core's events (its background jobs' and its changes') are
//! forwarded to the webview (`forward_events`).

pub(crate) mod about;
pub(crate) mod albums;
#[cfg(test)]
mod albums_tests;
pub mod args;
pub(crate) mod bucket;
pub(crate) mod bulk;
#[cfg(all(test, feature = "tauri-test"))]
mod bulk_tests;
mod command_names;
pub(crate) mod commands;
mod drag_out;
pub(crate) mod originals;
pub mod protocol;
pub mod rendering;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;
pub(crate) mod watch;
#[cfg(test)]
mod watch_tests;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use tauri::{Emitter, Manager};

use crate::events::{Event, EventSink};
use crate::library::{default_root, Library, LIBRARY_ENV};
use crate::secrets::SecretStore;
use crate::service::Vitrine;
use crate::sync::EngineOptions;
use crate::watch::service::ServiceOptions;

pub use crate::settings::Settings;

/// How the window paints, as Settings → Display shows it.
fn rendering_text() -> String {
    rendering::current()
        .map(|c| c.describe())
        .unwrap_or_else(|| "WebKit's default".into())
}

pub struct AppState {
    /// The core: library, background jobs, and the events they report.
    pub core: Arc<Vitrine>,
    pub settings: Mutex<Settings>,
    /// Background jobs started by `run`, stopped (dropped) on exit.
    jobs: Mutex<Vec<Box<dyn Send>>>,
    /// Files, folders and URLs given to open (command line, second instance), not yet taken
    /// by the UI.
    open_requests: Mutex<Vec<String>>,
}

/// Forwards the core's events to every webview, each on its channel.
pub fn forward_events<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> EventSink {
    Arc::new(move |e: Event| {
        let _ = app.emit(e.channel(), e.data());
    })
}

impl AppState {
    /// The core reports to `sink` (the webview, once the app runs: see [`forward_events`]).
    /// `secrets`: where credentials are kept (`None`: the OS keychain, opened when needed).
    pub fn new(
        lib: Library,
        secrets: Option<Arc<dyn SecretStore>>,
        sink: EventSink,
    ) -> crate::Result<Self> {
        let settings = Settings::load(&lib, rendering_text())?;
        let core = Vitrine::new(Arc::new(lib), secrets, sink, EngineOptions::default());
        Ok(AppState {
            core: Arc::new(core),
            settings: Mutex::new(settings),
            jobs: Mutex::new(Vec::new()),
            open_requests: Mutex::new(Vec::new()),
        })
    }

    /// Queues inputs to open; the UI takes them ([`AppState::take_open_requests`]).
    pub fn request_open(&self, inputs: Vec<String>) {
        if inputs.is_empty() {
            return;
        }
        log::info!("asked to open {} item(s)", inputs.len());
        self.open_requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(inputs);
    }

    pub fn take_open_requests(&self) -> Vec<String> {
        std::mem::take(&mut *self.open_requests.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn lib(&self) -> &Arc<Library> {
        self.core.library()
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Starts the core's background jobs: sync, watched folders (taking over from `vitrine
    /// watch run` when it ends), and the monitor of other processes' changes.
    pub fn start_jobs(&self) -> crate::Result<()> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if !jobs.is_empty() {
            return Ok(());
        }
        jobs.push(Box::new(self.core.start_sync()));
        jobs.push(Box::new(
            self.core.start_watcher(ServiceOptions::default(), true),
        ));
        jobs.push(Box::new(self.core.start_change_monitor()?));
        // A bulk job a killed app left running goes on where it was.
        self.core.resume_bulk_jobs()?;
        Ok(())
    }

    /// Stops the background jobs (the work in hand finishes or runs again next time).
    pub fn stop_jobs(&self) {
        let jobs = std::mem::take(&mut *self.jobs.lock().unwrap_or_else(|p| p.into_inner()));
        drop(jobs);
    }
}

/// `--library DIR`, else `VITRINE_LIBRARY`, else the OS data folder.
fn library_root(given: Option<PathBuf>) -> crate::Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p);
    }
    match std::env::var_os(LIBRARY_ENV) {
        Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
        _ => default_root(),
    }
}

pub use command_names::COMMANDS;

/// The handler of every command in [`COMMANDS`] (a test checks that they are the same).
pub fn handlers<R: tauri::Runtime>(
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::library_info,
        commands::list_images,
        commands::list_grid,
        commands::count_images,
        commands::facets,
        commands::get_image,
        commands::import_inputs,
        commands::import_blob,
        commands::edit_tags,
        commands::set_visibility,
        commands::rename_image,
        commands::delete_images,
        bulk::resolve_selection,
        bulk::bulk_visibility,
        bulk::undo_bulk_job,
        bulk::bulk_tags,
        bulk::bulk_links,
        bulk::export_images,
        drag_out::drag_out,
        commands::stats,
        commands::tag_counts,
        commands::reveal_image,
        commands::image_link,
        commands::get_settings,
        commands::set_settings,
        originals::offload_images,
        originals::fetch_originals,
        bucket::providers,
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
        about::about,
        about::open_log_folder,
        about::take_open_requests,
        about::take_crash_reports,
        albums::albums,
        albums::album,
        albums::create_album,
        albums::add_to_album,
        albums::remove_from_album,
        albums::delete_album,
        albums::rename_album,
        albums::publish_album,
        albums::unpublish_album,
    ]
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
    let cwd = std::env::current_dir().unwrap_or_default();
    let launch = args::parse(std::env::args_os().skip(1), &cwd);
    if launch.version {
        println!("vitrine-app {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if launch.help {
        print!("{}", args::USAGE);
        return ExitCode::SUCCESS;
    }
    if let Err(e) = crate::logging::init(crate::logging::Component::App) {
        crate::logging::warn_unavailable(&e);
    }
    crate::crash_report::install(crate::logging::Component::App);
    if !launch.ignored.is_empty() {
        log::info!("ignored arguments: {:?}", launch.ignored);
    }
    // Before anything starts a thread or GTK: WebKit's web process inherits the choice.
    rendering::apply();
    let root = match library_root(launch.library) {
        Ok(r) => r,
        Err(e) => {
            log::error!("no library folder: {}", crate::logging::error_chain(&e));
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    // The sink is set once the app runs (events before that have no window to go to).
    let sink: Arc<Mutex<Option<EventSink>>> = Arc::new(Mutex::new(None));
    let late = sink.clone();
    let forward: EventSink = Arc::new(move |e| {
        let s = late.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(s) = s {
            s(e);
        }
    });
    let state = match Library::open(&root).and_then(|lib| AppState::new(lib, None, forward)) {
        Ok(s) => s,
        Err(e) => {
            log::error!(
                "cannot open the library at {}: {}",
                root.display(),
                crate::logging::error_chain(&e)
            );
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    state.request_open(launch.inputs);
    let result = run(state, sink);
    match result {
        Ok(()) => {
            log::info!("the app quit");
            ExitCode::SUCCESS
        }
        Err(e) => {
            log::error!("the app failed: {}", crate::logging::error_chain(&e));
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Runs the app; `sink` is where the core's events go once the app handle exists.
pub fn run(state: AppState, sink: Arc<Mutex<Option<EventSink>>>) -> tauri::Result<()> {
    let pool = Arc::new(protocol::Pool::new(crate::parallel::threads(0)));
    tauri::Builder::default()
        // A second `vitrine-app FILE…` (e.g. "Open with Vitrine" while it runs) hands its
        // files to this window and exits.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            let launch = args::parse(argv.into_iter().skip(1), std::path::Path::new(&cwd));
            if !launch.inputs.is_empty() {
                app.state::<AppState>().request_open(launch.inputs);
                let _ = app.emit(about::OPEN_REQUESTED, ());
            }
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
            let lib = state.lib().clone();
            pool.execute(move || responder.respond(protocol::handle(&lib, &request)));
        })
        .invoke_handler(handlers())
        .setup(move |app| {
            limit_webview_cache(app);
            *sink.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(forward_events(app.handle().clone()));
            app.state::<AppState>().start_jobs()?;
            Ok(())
        })
        .build(tauri::generate_context!())?
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Jobs in hand finish (or run again next time: they are durable).
                app.state::<AppState>().stop_jobs();
            }
        });
    Ok(())
}
