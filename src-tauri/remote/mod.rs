//! The bucket (or folder) a library syncs to: provider presets (`providers`), the settings as
//! given and checked (`spec`), credentials, and opening the backend.

mod providers;
mod spec;

use std::sync::Arc;

pub use providers::{EndpointRule, PathStyle, Provider, ProviderPreset, PRESETS};
pub use spec::RemoteSpec;

use crate::catalog::{Catalog, RemoteRow};
use crate::error::{Error, Result};
use crate::secrets::{Credentials, Keychain, SecretStore, SecretsError};
use crate::storage::folder::FolderStorage;
use crate::storage::Storage;

/// The keychain account of a remote: unique per library.
pub fn account(catalog: &Catalog, remote: &RemoteRow) -> Result<String> {
    Ok(format!("{}/{}", catalog.library_id()?, remote.name))
}

/// Why credentials could not be had.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("no credentials for remote {0:?}: run `vitrine remote add` again, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")]
    Missing(String),
    #[error(transparent)]
    Keychain(#[from] SecretsError),
}

/// Credentials for an S3 remote: the standard `AWS_*` environment variables when set (for
/// headless use), else the keychain.
pub fn credentials(
    catalog: &Catalog,
    remote: &RemoteRow,
    store: Option<&dyn SecretStore>,
) -> std::result::Result<Credentials, CredentialsError> {
    if let Some(c) = Credentials::from_env() {
        return Ok(c);
    }
    let account = account(catalog, remote)
        .map_err(|e| CredentialsError::Keychain(SecretsError::Other(e.to_string())))?;
    let found = match store {
        Some(s) => s.get(&account)?,
        None => Keychain::open()?.get(&account)?,
    };
    found.ok_or_else(|| CredentialsError::Missing(remote.name.clone()))
}

/// The backend for a remote.
pub fn open_storage(
    remote: &RemoteRow,
    credentials: Option<&Credentials>,
) -> std::result::Result<Arc<dyn Storage>, crate::storage::StorageError> {
    if remote.provider == Provider::Folder {
        let path = remote.path.clone().unwrap_or_default();
        return Ok(Arc::new(FolderStorage::new(path)));
    }
    #[cfg(feature = "s3")]
    {
        let creds = credentials.ok_or_else(|| {
            crate::storage::StorageError::new(
                crate::storage::ErrorKind::Auth,
                "no credentials for this bucket",
            )
        })?;
        let location = crate::storage::s3::S3Location {
            endpoint: remote.endpoint.clone(),
            region: remote.region.clone(),
            bucket: remote.bucket.clone(),
            path_style: remote.path_style,
        };
        Ok(Arc::new(crate::storage::s3::S3Storage::new(
            location, creds,
        )?))
    }
    #[cfg(not(feature = "s3"))]
    {
        let _ = credentials;
        Err(crate::storage::StorageError::permanent(
            "this build of Vitrine has no S3 support (feature `s3`)",
        ))
    }
}

impl From<CredentialsError> for Error {
    fn from(e: CredentialsError) -> Self {
        match e {
            CredentialsError::Missing(_) => {
                Error::remote(crate::error::ErrorCode::CredentialsMissing, e.to_string())
            }
            CredentialsError::Keychain(k) => k.into(),
        }
    }
}

impl From<SecretsError> for Error {
    fn from(e: SecretsError) -> Self {
        Error::remote(e.code(), e.to_string())
    }
}

impl From<crate::storage::StorageError> for Error {
    fn from(e: crate::storage::StorageError) -> Self {
        let code = match e.kind {
            crate::storage::ErrorKind::Auth => crate::error::ErrorCode::RemoteAuth,
            crate::storage::ErrorKind::NotFound => crate::error::ErrorCode::RemoteNotFound,
            crate::storage::ErrorKind::Transient => crate::error::ErrorCode::RemoteUnreachable,
            crate::storage::ErrorKind::Permanent => crate::error::ErrorCode::Remote,
        };
        Error::remote(code, e.message)
    }
}

/// The active remote's settings, or an error that says how to add one.
pub fn active(catalog: &Catalog) -> Result<RemoteRow> {
    catalog.active_remote()?.ok_or_else(|| {
        Error::remote(crate::error::ErrorCode::NoRemote,
            "no remote is set up for this library: add one with `vitrine remote add NAME --provider …` (or in the app's settings)",
        )
    })
}

/// Opens the active remote with its credentials.
pub fn open_active(
    catalog: &Catalog,
    store: Option<&dyn SecretStore>,
) -> Result<crate::sync::Remote> {
    let row = active(catalog)?;
    let creds = if row.provider == Provider::Folder {
        None
    } else {
        Some(credentials(catalog, &row, store)?)
    };
    let storage = open_storage(&row, creds.as_ref())?;
    Ok(crate::sync::Remote::new(row, storage))
}

/// Where a remote's credentials come from, without reading them out.
pub fn credentials_source(
    catalog: &Catalog,
    remote: &RemoteRow,
    store: Option<&dyn SecretStore>,
) -> String {
    if remote.provider == Provider::Folder {
        return "not needed".into();
    }
    if Credentials::from_env().is_some() {
        return "environment".into();
    }
    match credentials(catalog, remote, store) {
        Ok(_) => "keychain".into(),
        Err(CredentialsError::Missing(_)) => "missing".into(),
        Err(CredentialsError::Keychain(e)) => format!("unavailable ({e})"),
    }
}
