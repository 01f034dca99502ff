//! Commands for the bucket: its settings (credentials go to the OS keychain and never come
//! back), "Test bucket", and the background sync's status.

use serde::{Deserialize, Serialize};
use tauri::State;

use super::commands::{blocking, Cmd};
use super::error::IpcError;
use super::AppState;
use crate::catalog::RemoteRow;
use crate::error::Error;
use crate::events::ChangeReason;
use crate::remote::{self, RemoteSpec};
use crate::secrets::{Credentials, Secret};
use crate::service::Vitrine;
use crate::sync::probe::{self, ProbeReport};
use crate::sync::SyncStatus;

/// The remote as the settings view shows it. Never a secret: `credentials` only says where
/// they come from.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RemoteView {
    pub name: String,
    pub provider: remote::Provider,
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub prefix: String,
    pub path_style: bool,
    /// The folder of a `folder` remote.
    pub path: Option<String>,
    pub public_url: Option<String>,
    /// GPS and camera serial numbers are removed from public/unlisted copies.
    pub strip_location: bool,
    /// `keychain`, `environment`, `missing`, `not needed` or `unavailable (why)`.
    pub credentials: String,
}

impl RemoteView {
    fn new(row: RemoteRow, credentials: String) -> Self {
        RemoteView {
            name: row.name,
            provider: row.provider,
            endpoint: row.endpoint,
            region: row.region,
            bucket: row.bucket,
            prefix: row.prefix,
            path_style: row.path_style,
            path: row.path,
            public_url: row.public_url,
            strip_location: row.strip_location,
            credentials,
        }
    }
}

/// The settings form (`set_remote`). Empty strings count as not given; the provider's preset
/// fills the rest (`RemoteSpec::resolve`).
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct RemoteForm {
    /// Defaults to the current remote's name, else `main`.
    pub name: Option<String>,
    pub provider: String,
    pub endpoint: Option<String>,
    pub bucket: Option<String>,
    pub region: Option<String>,
    pub prefix: Option<String>,
    pub path_style: bool,
    pub path: Option<String>,
    pub public_url: Option<String>,
    pub strip_location: bool,
}

fn view(state: &Vitrine, row: RemoteRow) -> crate::Result<RemoteView> {
    let cat = state.library().catalog_connection()?;
    let creds = remote::credentials_source(&cat, &row, state.secrets());
    Ok(RemoteView::new(row, creds))
}

#[tauri::command]
pub async fn get_remote(state: State<'_, AppState>) -> Cmd<Option<RemoteView>> {
    let state = state.core.clone();
    blocking(move || {
        let row = state.library().catalog_connection()?.active_remote()?;
        row.map(|r| view(&state, r)).transpose()
    })
    .await
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
    remote: RemoteForm,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
) -> Cmd<RemoteView> {
    let creds = credentials_given(access_key_id, secret_access_key)?;
    let state = state.core.clone();
    blocking(move || save(&state, remote, creds)).await
}

fn save(
    state: &Vitrine,
    form: RemoteForm,
    creds: Option<Credentials>,
) -> crate::Result<RemoteView> {
    let current = state.library().catalog_connection()?.active_remote()?;
    let name = form
        .name
        .filter(|n| !n.trim().is_empty())
        .or_else(|| current.as_ref().map(|c| c.name.clone()))
        .unwrap_or_else(|| "main".into());
    let row = RemoteSpec {
        name,
        provider: form.provider,
        endpoint: form.endpoint,
        bucket: form.bucket,
        region: form.region,
        prefix: form.prefix,
        path_style: form.path_style,
        path: form.path,
        public_url: form.public_url,
        strip_location: form.strip_location,
    }
    .resolve()?;
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
    view(state, row)
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
    blocking(move || {
        let cat = state.library().catalog_connection()?;
        let row = remote::active(&cat)?;
        let report = match remote::open_active(&cat, state.secrets()) {
            Ok(r) => {
                let note = match remote::credentials_source(&cat, &row, state.secrets()).as_str() {
                    "not needed" => "a folder needs no credentials".to_string(),
                    "keychain" => "found in the OS keychain".to_string(),
                    src => format!("found ({src})"),
                };
                probe::run(&r, &note)
            }
            Err(e) => probe::credentials_failed(
                &row.name,
                e.to_string(),
                "enter the access key ID and secret access key in Settings → Bucket and save"
                    .into(),
            ),
        };
        if report.ok {
            state.sync().retry();
        }
        Ok(report)
    })
    .await
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
