//! The remote as front ends show it: its settings and where its credentials come from. The
//! app's settings (`get_remote`, `set_remote`) and `vitrine remote show` present this one type.

use serde::Serialize;

use super::CredentialSource;
use crate::catalog::{Catalog, RemoteRow};
use crate::secrets::SecretStore;

/// The remote's settings (flattened: `name`, `provider`, `endpoint`, …, `strip_location`) and
/// `credentials`, which says only where they come from. Never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct RemoteView {
    #[serde(flatten)]
    pub remote: RemoteRow,
    pub credentials: CredentialSource,
}

impl RemoteView {
    pub fn of(catalog: &Catalog, remote: RemoteRow, store: Option<&dyn SecretStore>) -> Self {
        RemoteView {
            credentials: CredentialSource::of(catalog, &remote, store),
            remote,
        }
    }
}
