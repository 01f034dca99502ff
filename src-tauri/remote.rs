//! Remote settings: provider presets, validation, credentials and opening the backend.

use std::sync::Arc;

use crate::catalog::{Catalog, RemoteRow};
use crate::error::{Error, Result};
use crate::secrets::{Credentials, Keychain, SecretStore, SecretsError};
use crate::storage::folder::FolderStorage;
use crate::storage::{KeyLayout, Storage};

/// What `remote add` was given.
#[derive(Debug, Clone)]
pub struct RemoteSpec {
    pub name: String,
    pub provider: String,
    pub endpoint: Option<String>,
    pub bucket: Option<String>,
    pub region: Option<String>,
    pub prefix: Option<String>,
    pub path_style: bool,
    pub path: Option<String>,
    pub public_url: Option<String>,
    /// Remove GPS and camera serials from public/unlisted copies (the default).
    pub strip_location: bool,
}

impl Default for RemoteSpec {
    fn default() -> Self {
        RemoteSpec {
            name: String::new(),
            provider: String::new(),
            endpoint: None,
            bucket: None,
            region: None,
            prefix: None,
            path_style: false,
            path: None,
            public_url: None,
            strip_location: true,
        }
    }
}

pub const PROVIDERS: &[&str] = &[
    "aws", "r2", "b2", "tigris", "minio", "garage", "s3", "folder",
];

fn invalid(what: &'static str, value: &str, hint: &'static str) -> Error {
    Error::Invalid {
        what,
        value: value.to_string(),
        hint,
    }
}

fn check_url(what: &'static str, url: &str) -> Result<String> {
    let u = url.trim().trim_end_matches('/');
    if !(u.starts_with("http://") || u.starts_with("https://")) || u.len() < 10 {
        return Err(invalid(what, url, "an http:// or https:// URL"));
    }
    Ok(u.to_string())
}

impl RemoteSpec {
    /// Applies the provider's defaults and checks the settings.
    pub fn resolve(&self) -> Result<RemoteRow> {
        let name = self.name.trim();
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            return Err(invalid(
                "remote name",
                &self.name,
                "letters, digits, '-', '_' or '.', at most 64",
            ));
        }
        let provider = self.provider.trim().to_ascii_lowercase();
        if !PROVIDERS.contains(&provider.as_str()) {
            return Err(invalid(
                "provider",
                &self.provider,
                "one of aws, r2, b2, tigris, minio, garage, s3, folder",
            ));
        }
        let public_url = match self.public_url.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(u) => Some(check_url("public URL", u)?),
            None => None,
        };
        let prefix = KeyLayout::new(self.prefix.as_deref().unwrap_or(""))
            .prefix()
            .trim_end_matches('/')
            .to_string();
        if prefix.split('/').any(|c| c == "." || c == "..") && !prefix.is_empty() {
            return Err(invalid("prefix", &prefix, "a plain folder-like prefix"));
        }
        let mut row = RemoteRow {
            name: name.to_string(),
            provider: provider.clone(),
            endpoint: String::new(),
            region: String::new(),
            bucket: String::new(),
            prefix,
            path_style: self.path_style,
            path: None,
            public_url,
            strip_location: self.strip_location,
        };
        if provider == "folder" {
            let path = self
                .path
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .ok_or_else(|| invalid("folder", "", "pass --path DIR"))?;
            let abs =
                std::path::absolute(path).map_err(|e| Error::io(format!("resolving {path}"), e))?;
            row.path = Some(abs.to_string_lossy().into_owned());
            return Ok(row);
        }
        row.bucket = self
            .bucket
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .ok_or_else(|| invalid("bucket", "", "pass --bucket NAME"))?
            .to_string();
        let endpoint = self
            .endpoint
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        let (default_region, path_style, needs_endpoint) = match provider.as_str() {
            "aws" => ("us-east-1", false, false),
            "r2" => ("auto", true, true),
            "b2" => ("", false, true),
            "tigris" => ("auto", false, false),
            "minio" => ("us-east-1", true, true),
            "garage" => ("garage", true, true),
            _ => ("us-east-1", self.path_style, true),
        };
        row.endpoint = match (endpoint, provider.as_str()) {
            (Some(e), _) => check_url("endpoint", e)?,
            (None, "tigris") => "https://t3.storage.dev".to_string(),
            (None, _) if needs_endpoint => {
                return Err(invalid(
                    "endpoint",
                    "",
                    "pass --endpoint URL (the S3 API URL of your service)",
                ))
            }
            (None, _) => String::new(),
        };
        row.path_style = self.path_style || path_style;
        row.region = match self
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            Some(r) => r.to_string(),
            None if provider == "b2" => b2_region(&row.endpoint).ok_or_else(|| {
                invalid(
                    "region",
                    "",
                    "pass --region (e.g. us-west-004, from your B2 endpoint)",
                )
            })?,
            None => default_region.to_string(),
        };
        Ok(row)
    }
}

/// `https://s3.us-west-004.backblazeb2.com` → `us-west-004`.
fn b2_region(endpoint: &str) -> Option<String> {
    let host = endpoint.split("://").nth(1)?.split('/').next()?;
    let rest = host.strip_prefix("s3.")?;
    let region = rest.split(".backblazeb2.com").next()?;
    (!region.is_empty() && region != rest).then(|| region.to_string())
}

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
    if remote.provider == "folder" {
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
    let creds = if row.provider == "folder" {
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
    if remote.provider == "folder" {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(provider: &str) -> RemoteSpec {
        RemoteSpec {
            name: "main".into(),
            provider: provider.into(),
            bucket: Some("pics".into()),
            ..Default::default()
        }
    }

    #[test]
    fn presets_fill_defaults() {
        let mut r2 = spec("r2");
        assert!(r2.resolve().is_err(), "r2 needs an endpoint");
        r2.endpoint = Some("https://acct.r2.cloudflarestorage.com/".into());
        let row = r2.resolve().unwrap();
        assert_eq!(row.region, "auto");
        assert!(row.path_style);
        assert_eq!(row.endpoint, "https://acct.r2.cloudflarestorage.com");

        let mut minio = spec("minio");
        minio.endpoint = Some("http://127.0.0.1:9000".into());
        let row = minio.resolve().unwrap();
        assert!(row.path_style);
        assert_eq!(row.region, "us-east-1");

        let mut b2 = spec("b2");
        b2.endpoint = Some("https://s3.us-west-004.backblazeb2.com".into());
        assert_eq!(b2.resolve().unwrap().region, "us-west-004");

        let aws = spec("aws").resolve().unwrap();
        assert_eq!(aws.endpoint, "");
        assert!(!aws.path_style);
        assert_eq!(
            spec("tigris").resolve().unwrap().endpoint,
            "https://t3.storage.dev"
        );
    }

    #[test]
    fn bad_settings_are_refused_with_a_hint() {
        let mut s = spec("ftp");
        assert!(s.resolve().unwrap_err().to_string().contains("one of aws"));
        s.provider = "folder".into();
        assert!(s.resolve().unwrap_err().to_string().contains("--path"));
        let mut s = spec("aws");
        s.public_url = Some("cdn.example.com".into());
        assert!(s.resolve().unwrap_err().to_string().contains("http"));
        let mut s = spec("aws");
        s.name = "a b".into();
        assert!(s.resolve().is_err());
    }
}
