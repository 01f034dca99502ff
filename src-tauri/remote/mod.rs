//! The bucket (or folder) a library syncs to: provider presets (`providers`), the settings as
//! given and checked (`spec`), credentials and where they come from (`credentials`), the view
//! front ends show (`view`), and opening the backend (here).

mod credentials;
mod providers;
mod spec;
mod view;

use std::sync::Arc;

pub use credentials::{account, credentials, CredentialSource, CredentialsError};
pub use providers::{EndpointRule, PathStyle, Provider, ProviderPreset, PRESETS};
pub use spec::RemoteSpec;
pub use view::RemoteView;

use crate::catalog::{Catalog, RemoteRow};
use crate::error::{Error, Result};
use crate::secrets::{Credentials, SecretStore};
use crate::storage::folder::FolderStorage;
use crate::storage::Storage;

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
    open(catalog, active(catalog)?, store)
}

/// Opens a remote with its credentials.
pub fn open(
    catalog: &Catalog,
    row: RemoteRow,
    store: Option<&dyn SecretStore>,
) -> Result<crate::sync::Remote> {
    let creds = if row.provider == Provider::Folder {
        None
    } else {
        Some(credentials(catalog, &row, store)?)
    };
    let storage = open_storage(&row, creds.as_ref())?;
    Ok(crate::sync::Remote::new(row, storage))
}
