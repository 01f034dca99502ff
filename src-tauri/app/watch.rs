//! Watched folders in the app: thin commands for the settings section and the sidebar (the
//! watcher itself is a job of the core, started with the app).

use tauri::State;

use super::commands::{blocking, Cmd};
use super::AppState;
use crate::catalog::{FolderOptions, WatchEvent, WatchedFolder};
use crate::watch as core;

#[tauri::command]
pub async fn watched_folders(state: State<'_, AppState>) -> Cmd<Vec<WatchedFolder>> {
    let lib = state.lib().clone();
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
    let lib = state.lib().clone();
    blocking(move || Ok(core::add_folder(&lib, std::path::Path::new(&path), &options)?.0)).await
}

#[tauri::command]
pub async fn remove_watched_folder(state: State<'_, AppState>, id: i64) -> Cmd<()> {
    let lib = state.lib().clone();
    blocking(move || lib.catalog().remove_watched(id)).await
}

#[tauri::command]
pub async fn pause_watched_folder(state: State<'_, AppState>, id: i64, paused: bool) -> Cmd<()> {
    let lib = state.lib().clone();
    blocking(move || lib.catalog().set_watched_paused(id, paused)).await
}

/// What the watcher did recently (newest first), for one folder or all.
#[tauri::command]
pub async fn watch_events(
    state: State<'_, AppState>,
    folder_id: Option<i64>,
    limit: Option<u32>,
) -> Cmd<Vec<WatchEvent>> {
    let lib = state.lib().clone();
    blocking(move || {
        lib.catalog_connection()?
            .watch_events(folder_id, limit.unwrap_or(50).clamp(1, 500))
    })
    .await
}
