//! What the app was asked to open and what it should tell the user at start: files given on the
//! command line or by a second instance ("Open with Vitrine"), crash reports not yet seen, and
//! Settings → About (version, library, log folder).

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use super::commands::Cmd;
use super::AppState;
use crate::error::{ErrorCode, ErrorInfo};

/// The channel on which the app says "files were given to open": the UI then calls
/// `take_open_requests` (so none is lost if the event comes before the UI listens).
pub const OPEN_REQUESTED: &str = "open-requested";

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct About {
    pub version: String,
    pub library: String,
    /// Where the log files and crash reports are (`None`: no log, e.g. no home directory).
    pub log_folder: Option<String>,
    pub os: String,
}

#[tauri::command]
pub fn about(state: State<'_, AppState>) -> About {
    About {
        version: env!("CARGO_PKG_VERSION").to_string(),
        library: state.lib().root().display().to_string(),
        log_folder: crate::logging::log_dir().map(|d| d.display().to_string()),
        os: format!(
            "{} ({})",
            crate::logging::os_description(),
            std::env::consts::ARCH
        ),
    }
}

/// Opens the log folder in the file manager (created if missing, so there is always one).
#[tauri::command]
pub fn open_log_folder<R: Runtime>(app: AppHandle<R>) -> Cmd<()> {
    use tauri::Manager;
    let dir = crate::logging::log_dir().ok_or_else(|| {
        ErrorInfo::new(
            ErrorCode::RevealFailed,
            "There is no log folder: the home directory is unknown.".to_string(),
        )
    })?;
    let _ = std::fs::create_dir_all(&dir);
    // The opener plugin is always there in the app (a test's mock app has none: it gets this
    // error instead of a file manager opening).
    let opener = app
        .try_state::<tauri_plugin_opener::Opener<R>>()
        .ok_or_else(|| {
            ErrorInfo::new(
                ErrorCode::RevealFailed,
                "Cannot open the file manager here.".to_string(),
            )
        })?;
    opener
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| {
            ErrorInfo::new(
                ErrorCode::RevealFailed,
                format!("Cannot open the file manager at {}: {e}", dir.display()),
            )
        })
}

/// Files, folders and URLs the app was asked to open since the last call, in order.
#[tauri::command]
pub fn take_open_requests(state: State<'_, AppState>) -> Vec<String> {
    state.take_open_requests()
}

/// Crash reports written since the user was last told (each is returned once).
#[tauri::command]
pub fn take_crash_reports() -> Vec<String> {
    match crate::logging::log_dir() {
        Some(dir) => crate::crash_report::take_unreported(&dir)
            .into_iter()
            .map(|p| p.display().to_string())
            .collect(),
        None => Vec::new(),
    }
}
