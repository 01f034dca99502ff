//! The bucket through the service: its settings as front ends show them, saving them
//! (credentials into the keychain first, never plain text), removing them, and "Test bucket".
//! Each change pauses the sync engine while the settings change and is announced.

use super::Vitrine;
use crate::error::{Error, ErrorCode, Result};
use crate::events::ChangeReason;
use crate::remote::{self, Provider, RemoteSpec, RemoteView};
use crate::secrets::{Credentials, Secret};
use crate::sync::probe::{self, ProbeReport};

/// Credentials as typed in a form: both or neither (keep the saved ones).
pub fn credentials_given(
    id: Option<String>,
    secret: Option<String>,
) -> Result<Option<Credentials>> {
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
        _ => Err(Error::remote(
            ErrorCode::InvalidInput,
            "enter both the access key ID and the secret access key (or neither, to keep the saved ones)",
        )),
    }
}

impl Vitrine {
    /// The active remote as front ends show it: its settings and where its credentials come
    /// from, never them. `None` without a remote.
    pub fn remote_view(&self) -> Result<Option<RemoteView>> {
        let cat = self.lib.catalog_connection()?;
        Ok(cat
            .active_remote()?
            .map(|row| RemoteView::of(&cat, row, self.secrets())))
    }

    /// "Test bucket" for the active remote (see [`probe::run_active`]); the fixes are worded
    /// for `audience`. When every check passes, a halted sync starts again.
    pub fn test_remote(&self, audience: probe::Audience) -> Result<ProbeReport> {
        let cat = self.lib.catalog_connection()?;
        let report = probe::run_active(&cat, self.secrets(), audience)?;
        if report.ok {
            self.sync.retry();
        }
        Ok(report)
    }

    /// Saves the remote: credentials (when given) into the keychain first, then the settings;
    /// the background sync starts over with them. No keychain, no save: never plain text.
    /// Without credentials typed, the saved ones (or the environment's) must exist.
    pub fn save_remote(
        &self,
        mut spec: RemoteSpec,
        creds: Option<Credentials>,
    ) -> Result<RemoteView> {
        let current = self.library().catalog_connection()?.active_remote()?;
        if spec.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            // Unnamed: the current remote's name, else `main`.
            spec.name = Some(current.as_ref().map_or("main", |c| &c.name).to_string());
        }
        let row = spec.resolve()?;
        if let Some(cur) = current.as_ref().filter(|c| c.name != row.name) {
            return Err(Error::remote(
                ErrorCode::InvalidInput,
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
            let cat = self.library().catalog_connection()?;
            let account = remote::account(&cat, &row)?;
            match creds {
                Some(c) => self.secret_store()?.set(&account, &c)?,
                None => {
                    // Nothing typed: keep what the keychain (or the environment) has, if anything.
                    remote::credentials(&cat, &row, self.secrets()).map_err(|e| match e {
                        remote::CredentialsError::Missing(_) => Error::remote(
                            ErrorCode::CredentialsMissing,
                            "enter the access key ID and secret access key of this bucket",
                        ),
                        other => other.into(),
                    })?;
                }
            }
        }
        {
            let _paused = self.sync().pause();
            self.library().catalog().add_remote(&row)?;
        }
        self.announce(ChangeReason::Edit);
        let cat = self.library().catalog_connection()?;
        Ok(RemoteView::of(&cat, row, self.secrets()))
    }

    /// Stops syncing to the remote `name` and deletes its keychain entry; the bucket is left
    /// as it is. `Some(why)` when the remote is gone but its keychain entry could not be
    /// deleted (the front end says so).
    pub fn remove_remote(&self, name: &str) -> Result<Option<String>> {
        let row = self.lib.catalog().remote(name)?.ok_or_else(|| {
            Error::remote(
                ErrorCode::NoRemote,
                format!("there is no remote named {name:?}"),
            )
        })?;
        let account = remote::account(&self.lib.catalog_connection()?, &row)?;
        {
            let _paused = self.sync.pause();
            self.lib.catalog().remove_remote(name)?;
        }
        self.announce(ChangeReason::Edit);
        if row.provider == Provider::Folder {
            return Ok(None);
        }
        Ok(self
            .secret_store()
            .and_then(|k| k.delete(&account))
            .err()
            .map(|e| e.to_string()))
    }
}
