//! A remote's credentials: the `AWS_*` environment variables, else the OS keychain. Front ends
//! learn only where they come from ([`CredentialSource`]), never what they are.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

use super::Provider;
use crate::catalog::{Catalog, RemoteRow};
use crate::error::{Error, Result};
use crate::secrets::{Credentials, Keychain, SecretStore, SecretsError};

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

/// Where a remote's credentials come from (`{"source": "keychain"}`), without reading them out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum CredentialSource {
    /// The OS keychain has them.
    Keychain,
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` are set; they win over the keychain.
    Environment,
    /// Neither has them: they must be given again.
    Missing,
    /// A folder needs none.
    NotNeeded,
    /// The keychain could not be asked; `reason` says why, for people.
    Unavailable { reason: String },
}

impl CredentialSource {
    /// Where the credentials of `remote` come from.
    pub fn of(catalog: &Catalog, remote: &RemoteRow, store: Option<&dyn SecretStore>) -> Self {
        if remote.provider == Provider::Folder {
            return CredentialSource::NotNeeded;
        }
        if Credentials::from_env().is_some() {
            return CredentialSource::Environment;
        }
        match credentials(catalog, remote, store) {
            Ok(_) => CredentialSource::Keychain,
            Err(CredentialsError::Missing(_)) => CredentialSource::Missing,
            Err(CredentialsError::Keychain(e)) => CredentialSource::Unavailable {
                reason: e.to_string(),
            },
        }
    }

    /// As `remote show` words it: `keychain`, `environment`, `missing`, `not needed` or
    /// `unavailable (why)`.
    pub fn label(&self) -> Cow<'static, str> {
        match self {
            CredentialSource::Keychain => "keychain".into(),
            CredentialSource::Environment => "environment".into(),
            CredentialSource::Missing => "missing".into(),
            CredentialSource::NotNeeded => "not needed".into(),
            CredentialSource::Unavailable { reason } => format!("unavailable ({reason})").into(),
        }
    }
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_tagged_for_the_ui_and_labelled_for_people() {
        let json = |s: &CredentialSource| serde_json::to_value(s).unwrap();
        assert_eq!(
            json(&CredentialSource::NotNeeded),
            serde_json::json!({"source": "not_needed"})
        );
        let why = CredentialSource::Unavailable {
            reason: "keychain not available: no Secret Service; start gnome-keyring".into(),
        };
        assert_eq!(
            json(&why),
            serde_json::json!({"source": "unavailable",
                "reason": "keychain not available: no Secret Service; start gnome-keyring"})
        );
        assert_eq!(CredentialSource::NotNeeded.to_string(), "not needed");
        assert_eq!(CredentialSource::Keychain.to_string(), "keychain");
        assert_eq!(
            why.to_string(),
            "unavailable (keychain not available: no Secret Service; start gnome-keyring)"
        );
    }
}
