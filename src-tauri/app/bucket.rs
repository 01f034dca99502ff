//! Commands for the bucket: the provider presets, its settings (credentials go to the OS
//! keychain and never come back), "Test bucket", and the background sync's status.

use tauri::State;

use super::commands::{blocking, Cmd};
use super::error::IpcError;
use super::AppState;
use crate::error::Error;
use crate::events::ChangeReason;
use crate::remote::{self, ProviderPreset, RemoteSpec, RemoteView};
use crate::secrets::{Credentials, Secret};
use crate::service::Vitrine;
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

fn credentials_given(
    id: Option<String>,
    secret: Option<String>,
) -> Result<Option<Credentials>, IpcError> {
    let id = id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let secret = secret
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    match (id, secret) {
        (Some(id), Some(secret)) => Ok(Some(Credentials {
            access_key_id: Secret::new(id),
            secret_access_key: Secret::new(secret),
            session_token: None,
        })),
        (None, None) => Ok(None),
        _ => Err(IpcError::new(
            crate::error::ErrorCode::InvalidInput,
            "enter both the access key ID and the secret access key (or neither, to keep the saved ones)",
        )),
    }
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
    let creds = credentials_given(access_key_id, secret_access_key)?;
    let state = state.core.clone();
    blocking(move || save(&state, remote, creds)).await
}

fn save(
    state: &Vitrine,
    mut spec: RemoteSpec,
    creds: Option<Credentials>,
) -> crate::Result<RemoteView> {
    let current = state.library().catalog_connection()?.active_remote()?;
    if spec.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        // Unnamed: the current remote's name, else `main`.
        spec.name = Some(current.as_ref().map_or("main", |c| &c.name).to_string());
    }
    let row = spec.resolve()?;
    if let Some(cur) = current.as_ref().filter(|c| c.name != row.name) {
        return Err(Error::remote(
            crate::error::ErrorCode::InvalidInput,
            format!(
                "this library already syncs to {:?}; remove it first",
                cur.name
            ),
        ));
    }
    if let Some(dir) = &row.path {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating the folder {dir}"), e))?;
    } else {
        let cat = state.library().catalog_connection()?;
        let account = remote::account(&cat, &row)?;
        match creds {
            Some(c) => state.secret_store()?.set(&account, &c)?,
            None => {
                // Nothing typed: keep what the keychain (or the environment) has, if anything.
                remote::credentials(&cat, &row, state.secrets()).map_err(|e| match e {
                    remote::CredentialsError::Missing(_) => Error::remote(
                        crate::error::ErrorCode::CredentialsMissing,
                        "enter the access key ID and secret access key of this bucket",
                    ),
                    other => other.into(),
                })?;
            }
        }
    }
    {
        let _paused = state.sync().pause();
        state.library().catalog().add_remote(&row)?;
    }
    state.announce(ChangeReason::Edit);
    let cat = state.library().catalog_connection()?;
    Ok(RemoteView::of(&cat, row, state.secrets()))
}

/// Stops syncing to the remote and deletes its keychain entry; the bucket is left as it is.
#[tauri::command]
pub async fn remove_remote(state: State<'_, AppState>, name: String) -> Cmd<()> {
    let state = state.core.clone();
    blocking(move || {
        let row = state.library().catalog().remote(&name)?.ok_or_else(|| {
            Error::remote(
                crate::error::ErrorCode::NoRemote,
                format!("there is no remote named {name:?}"),
            )
        })?;
        let account = remote::account(&state.library().catalog_connection()?, &row)?;
        {
            let _paused = state.sync().pause();
            state.library().catalog().remove_remote(&name)?;
        }
        if row.provider != remote::Provider::Folder {
            state.secret_store()?.delete(&account)?;
        }
        state.announce(ChangeReason::Edit);
        Ok(())
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
