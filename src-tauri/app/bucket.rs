//! Commands for the bucket: the provider presets, its settings (credentials go to the OS
//! keychain and never come back), "Test bucket", and the background sync's status.

use tauri::State;

use super::commands::{blocking, Cmd};
use super::AppState;
use crate::remote::{self, ProviderPreset, RemoteSpec, RemoteView};
use crate::service::credentials_given;
use crate::sync::probe::{Audience, ProbeReport};
use crate::sync::SyncStatus;

/// Every provider's preset: what the settings ask for and what the core fills in. The UI reads
/// this table instead of keeping its own.
#[tauri::command]
pub fn providers() -> Vec<ProviderPreset> {
    remote::PRESETS.to_vec()
}

#[tauri::command]
pub async fn get_remote(state: State<'_, AppState>) -> Cmd<Option<RemoteView>> {
    let state = state.core.clone();
    blocking(move || state.remote_view()).await
}

/// Saves the remote: credentials (when given) into the OS keychain first, then the settings;
/// the background sync starts over with them. No keychain, no save: never plain text.
#[tauri::command]
pub async fn set_remote(
    state: State<'_, AppState>,
    remote: RemoteSpec,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
) -> Cmd<RemoteView> {
    let core = state.core.clone();
    blocking(move || {
        let creds = credentials_given(access_key_id, secret_access_key)?;
        core.save_remote(remote, creds)
    })
    .await
}

/// Stops syncing to the remote and deletes its keychain entry; the bucket is left as it is.
#[tauri::command]
pub async fn remove_remote(state: State<'_, AppState>, name: String) -> Cmd<()> {
    let core = state.core.clone();
    blocking(move || match core.remove_remote(&name)? {
        None => Ok(()),
        Some(why) => Err(crate::Error::remote(
            crate::error::ErrorCode::Keychain,
            format!("the remote is removed, but its keychain entry could not be: {why}"),
        )),
    })
    .await
}

/// "Test bucket": credentials, bucket, write/read, presigning, multipart, delete, public URL.
/// When every check passes, a halted sync starts again.
#[tauri::command]
pub async fn test_remote(state: State<'_, AppState>) -> Cmd<ProbeReport> {
    let state = state.core.clone();
    blocking(move || state.test_remote(Audience::App)).await
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Cmd<SyncStatus> {
    let state = state.core.clone();
    blocking(move || state.sync().status()).await
}

/// Gives quarantined items another try and restarts a halted sync.
#[tauri::command]
pub async fn retry_failed_sync(state: State<'_, AppState>) -> Cmd<SyncStatus> {
    let state = state.core.clone();
    blocking(move || {
        state.retry_failed_sync()?;
        state.sync().status()
    })
    .await
}

/// "Delete from bucket": the user confirmed the deletes that stopped sync (`mass_delete`).
/// The next run goes on with them; the one after checks again. Without such a stop it is a
/// plain restart and allows nothing.
#[tauri::command]
pub async fn sync_allow_deletes(state: State<'_, AppState>) -> Cmd<SyncStatus> {
    let state = state.core.clone();
    blocking(move || {
        state.sync().retry_allowing_deletes();
        state.sync().status()
    })
    .await
}
