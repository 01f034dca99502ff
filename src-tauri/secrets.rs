//! Credentials for remotes, kept only in the OS keychain (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows) — never in the catalog, config files, logs or errors.
//!
//! [`Secret`] wraps every secret value: its `Debug` prints `<redacted>` and it has no
//! `Display`, so a secret cannot slip into a message by formatting. When no keychain is
//! reachable, [`SecretsError::Unavailable`] says why and how to fix it; there is no plain-text
//! fallback.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A secret string. `Debug` prints `<redacted>`; read it with [`Secret::expose`]. Every value
/// is remembered by the log's redaction, so it never reaches the log file even when a library
/// or a server quotes it back in a message.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Secret(String);

impl From<Secret> for String {
    fn from(value: Secret) -> Self {
        value.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        crate::logging::redact::remember(&value);
        Secret(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// S3 credentials. All three fields are secrets (the access key id too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub access_key_id: Secret,
    pub secret_access_key: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<Secret>,
}

impl Credentials {
    /// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), when both are set.
    pub fn from_env() -> Option<Credentials> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Some(Credentials {
            access_key_id: Secret::new(get("AWS_ACCESS_KEY_ID")?.trim()),
            secret_access_key: Secret::new(get("AWS_SECRET_ACCESS_KEY")?.trim()),
            session_token: get("AWS_SESSION_TOKEN").map(|t| Secret::new(t.trim())),
        })
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SecretsError {
    #[error("keychain not available: {reason}; {fix}")]
    Unavailable { reason: String, fix: String },
    #[error("the keychain refused access: {0}; unlock your keychain (log in again) and retry")]
    Locked(String),
    #[error("keychain error: {0}")]
    Other(String),
}

impl SecretsError {
    pub fn code(&self) -> crate::error::ErrorCode {
        match self {
            SecretsError::Unavailable { .. } => crate::error::ErrorCode::KeychainUnavailable,
            SecretsError::Locked(_) => crate::error::ErrorCode::KeychainLocked,
            SecretsError::Other(_) => crate::error::ErrorCode::Keychain,
        }
    }
}

/// Where secrets are kept. The app and CLI use [`Keychain`]; unit tests use [`MemoryStore`].
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<Credentials>, SecretsError>;
    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), SecretsError>;
    /// Deleting a missing entry succeeds.
    fn delete(&self, account: &str) -> Result<(), SecretsError>;
}

/// The keychain service name of every Vitrine entry (`secret-tool search service vitrine`).
pub const SERVICE: &str = "vitrine";

/// The OS keychain through `keyring-core` and the platform's store.
pub struct Keychain {
    store: Arc<keyring_core::CredentialStore>,
}

static KEYCHAIN: OnceLock<Mutex<Option<Arc<keyring_core::CredentialStore>>>> = OnceLock::new();

impl Keychain {
    /// Connects to the platform keychain (once per process; a failure is retried next call).
    pub fn open() -> Result<Keychain, SecretsError> {
        let cell = KEYCHAIN.get_or_init(|| Mutex::new(None));
        let mut guard = cell.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(store) = guard.as_ref() {
            return Ok(Keychain {
                store: store.clone(),
            });
        }
        let store = platform_store()?;
        *guard = Some(store.clone());
        Ok(Keychain { store })
    }

    fn entry(&self, account: &str) -> Result<keyring_core::Entry, SecretsError> {
        self.store.build(SERVICE, account, None).map_err(map_error)
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, SecretsError> {
    let store = zbus_secret_service_keyring_store::Store::new().map_err(|e| {
        let detail = error_detail(&e);
        let fix = if detail.contains("org.freedesktop.secrets") || detail.contains("ServiceUnknown") {
            "start a Secret Service provider (gnome-keyring or KeePassXC with Secret Service) in your session"
        } else {
            "run Vitrine inside a desktop session with a D-Bus session bus and a Secret Service (gnome-keyring, KWallet, KeePassXC); on a server, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead"
        };
        SecretsError::Unavailable {
            reason: format!("no Secret Service on the session bus ({})", short(&detail)),
            fix: fix.to_string(),
        }
    })?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, SecretsError> {
    Ok(
        apple_native_keyring_store::keychain::Store::new().map_err(|e| {
            SecretsError::Unavailable {
                reason: short(&error_detail(&e)),
                fix: "unlock the login keychain".into(),
            }
        })?,
    )
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, SecretsError> {
    Ok(
        windows_native_keyring_store::Store::new().map_err(|e| SecretsError::Unavailable {
            reason: short(&error_detail(&e)),
            fix: "check that the Credential Manager service is running".into(),
        })?,
    )
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, SecretsError> {
    Err(SecretsError::Unavailable {
        reason: "this platform has no supported keychain".into(),
        fix: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment".into(),
    })
}

fn error_detail(e: &keyring_core::Error) -> String {
    use std::error::Error as _;
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(cause) = src {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        src = cause.source();
    }
    s
}

fn short(s: &str) -> String {
    let mut s = s.to_string();
    crate::model::truncate_utf8(&mut s, 240);
    s
}

fn map_error(e: keyring_core::Error) -> SecretsError {
    use keyring_core::Error as K;
    match &e {
        K::NoStorageAccess(_) => SecretsError::Locked(short(&error_detail(&e))),
        K::NoDefaultStore | K::PlatformFailure(_) => SecretsError::Unavailable {
            reason: short(&error_detail(&e)),
            fix: "check that your keychain service is running and unlocked".into(),
        },
        // Never echo stored bytes (BadEncoding carries them).
        K::BadEncoding(_) | K::BadDataFormat(..) => {
            SecretsError::Other("a stored credential is not valid; add the remote again".into())
        }
        _ => SecretsError::Other(short(&error_detail(&e))),
    }
}

impl SecretStore for Keychain {
    fn get(&self, account: &str) -> Result<Option<Credentials>, SecretsError> {
        match self.entry(account)?.get_password() {
            Ok(json) => serde_json::from_str(&json).map(Some).map_err(|_| {
                SecretsError::Other("a stored credential is not valid; add the remote again".into())
            }),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), SecretsError> {
        let json = serde_json::to_string(credentials).expect("credentials serialize");
        self.entry(account)?.set_password(&json).map_err(map_error)
    }

    fn delete(&self, account: &str) -> Result<(), SecretsError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

/// An in-memory store for unit tests and for a process that was handed credentials.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Credentials>>,
}

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<Credentials>, SecretsError> {
        Ok(self.entries.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), SecretsError> {
        self.entries
            .lock()
            .unwrap()
            .insert(account.to_string(), credentials.clone());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), SecretsError> {
        self.entries.lock().unwrap().remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_secret() {
        let c = Credentials {
            access_key_id: Secret::new("AKIAEXAMPLEKEYID"),
            secret_access_key: Secret::new("very-secret-value"),
            session_token: Some(Secret::new("token-value")),
        };
        let shown = format!("{c:?} {:#?}", c);
        for s in ["AKIAEXAMPLEKEYID", "very-secret-value", "token-value"] {
            assert!(!shown.contains(s), "{s} leaked in {shown}");
        }
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn memory_store_round_trips() {
        let m = MemoryStore::default();
        let c = Credentials {
            access_key_id: Secret::new("a"),
            secret_access_key: Secret::new("b"),
            session_token: None,
        };
        assert_eq!(m.get("x").unwrap(), None);
        m.set("x", &c).unwrap();
        assert_eq!(m.get("x").unwrap(), Some(c));
        m.delete("x").unwrap();
        m.delete("x").unwrap();
        assert_eq!(m.get("x").unwrap(), None);
    }
}
