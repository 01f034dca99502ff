//! Commands of the Albums section: one-line adapters over the service's albums
//! (`service/albums.rs`); the service announces each change (`library-changed`), so a gallery
//! filtered by an album refreshes by itself.

use tauri::State;

use super::commands::{blocking, Cmd};
use super::AppState;
use crate::albums::{Published, Unpublished};
use crate::catalog::{AlbumSummary, Selection};
use crate::service::{AlbumChange, AlbumDetail};

#[tauri::command]
pub async fn albums(state: State<'_, AppState>) -> Cmd<Vec<AlbumSummary>> {
    let core = state.core.clone();
    blocking(move || core.albums()).await
}

#[tauri::command]
pub async fn album(state: State<'_, AppState>, name: String) -> Cmd<AlbumDetail> {
    let core = state.core.clone();
    blocking(move || core.album(&name)).await
}

/// A new album with the selection's images (`null`: empty).
#[tauri::command]
pub async fn create_album(
    state: State<'_, AppState>,
    name: String,
    selection: Option<Selection>,
) -> Cmd<AlbumChange> {
    let core = state.core.clone();
    blocking(move || core.create_album(&name, selection.as_ref())).await
}

#[tauri::command]
pub async fn add_to_album(
    state: State<'_, AppState>,
    name: String,
    selection: Selection,
) -> Cmd<AlbumChange> {
    let core = state.core.clone();
    blocking(move || core.add_to_album(&name, &selection)).await
}

#[tauri::command]
pub async fn remove_from_album(
    state: State<'_, AppState>,
    name: String,
    selection: Selection,
) -> Cmd<AlbumChange> {
    let core = state.core.clone();
    blocking(move || core.remove_from_album(&name, &selection)).await
}

/// Deletes the album (its images stay); a published album is unpublished first.
#[tauri::command]
pub async fn delete_album(state: State<'_, AppState>, name: String) -> Cmd<()> {
    let core = state.core.clone();
    blocking(move || core.delete_album(&name)).await
}

#[tauri::command]
pub async fn rename_album(
    state: State<'_, AppState>,
    name: String,
    new_name: String,
) -> Cmd<AlbumSummary> {
    let core = state.core.clone();
    blocking(move || core.rename_album(&name, &new_name)).await
}

#[tauri::command]
pub async fn publish_album(
    state: State<'_, AppState>,
    name: String,
    keep_slug: bool,
) -> Cmd<Published> {
    let core = state.core.clone();
    blocking(move || core.publish_album(&name, keep_slug)).await
}

#[tauri::command]
pub async fn unpublish_album(state: State<'_, AppState>, name: String) -> Cmd<Unpublished> {
    let core = state.core.clone();
    blocking(move || core.unpublish_album(&name)).await
}
