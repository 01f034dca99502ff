//! The providers a remote can be, and each one's preset: what it needs, what it defaults to and
//! how the settings ask for it. Defined here once: [`RemoteSpec::resolve`](super::RemoteSpec)
//! applies it, and the app's settings read the same table (the `providers` command).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// Where a library's originals are synced: an S3-compatible service, or a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Aws,
    R2,
    B2,
    Tigris,
    Minio,
    Garage,
    /// Any other S3-compatible service.
    S3,
    /// A local or mounted folder with a bucket's layout.
    Folder,
}

/// Whether the settings ask for a provider's S3 endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum EndpointRule {
    /// It must be given (the account's or the server's own URL).
    Required,
    /// It has a default ([`ProviderPreset::default_endpoint`]); another may be given.
    Optional,
    /// Not asked: the SDK finds it (AWS), or there is none (a folder).
    Hidden,
}

/// How a provider addresses objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum PathStyle {
    /// Always path-style (`https://host/bucket/key`).
    Forced,
    /// The user's choice, offered in the settings (off by default).
    Choice,
    /// Virtual-hosted (`https://bucket.host/key`); `remote add --path-style` may still force
    /// path-style.
    Virtual,
}

/// What a provider needs and defaults to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct ProviderPreset {
    pub id: Provider,
    /// The name people know it by.
    pub label: &'static str,
    pub endpoint: EndpointRule,
    /// An example endpoint for the field's placeholder (`""` when it is not asked).
    pub endpoint_example: &'static str,
    /// The endpoint used when none is given.
    pub default_endpoint: Option<&'static str>,
    /// The region used when none is given (`""`: it must be given, or comes from the endpoint).
    pub region: &'static str,
    /// The region is asked for; `false` when the default is always right (`auto`).
    pub region_editable: bool,
    pub path_style: PathStyle,
    /// Needs an access key (everything but a folder).
    pub credentials: bool,
    /// Where to find the keys, shown under the credential fields (`""`: none needed).
    pub hint: &'static str,
}

/// Every provider's preset, in [`Provider`] order (the order the settings list them in).
pub const PRESETS: &[ProviderPreset] = &[
    ProviderPreset {
        id: Provider::Aws,
        label: "Amazon S3",
        endpoint: EndpointRule::Hidden,
        endpoint_example: "",
        default_endpoint: None,
        region: "us-east-1",
        region_editable: true,
        path_style: PathStyle::Virtual,
        credentials: true,
        hint: "An IAM access key with read/write access to this bucket.",
    },
    ProviderPreset {
        id: Provider::R2,
        label: "Cloudflare R2",
        endpoint: EndpointRule::Required,
        endpoint_example: "https://<account id>.r2.cloudflarestorage.com",
        default_endpoint: None,
        region: "auto",
        region_editable: false,
        path_style: PathStyle::Forced,
        credentials: true,
        hint: "An R2 API token (Object Read & Write); its access key ID and secret.",
    },
    ProviderPreset {
        id: Provider::B2,
        label: "Backblaze B2",
        endpoint: EndpointRule::Required,
        endpoint_example: "https://s3.us-west-004.backblazeb2.com",
        default_endpoint: None,
        region: "",
        region_editable: true,
        path_style: PathStyle::Virtual,
        credentials: true,
        hint: "An application key: keyID and applicationKey. The region comes from the endpoint.",
    },
    ProviderPreset {
        id: Provider::Tigris,
        label: "Tigris",
        endpoint: EndpointRule::Optional,
        endpoint_example: "https://t3.storage.dev",
        default_endpoint: Some("https://t3.storage.dev"),
        region: "auto",
        region_editable: false,
        path_style: PathStyle::Virtual,
        credentials: true,
        hint: "An access key from the Tigris console.",
    },
    ProviderPreset {
        id: Provider::Minio,
        label: "MinIO",
        endpoint: EndpointRule::Required,
        endpoint_example: "http://127.0.0.1:9000",
        default_endpoint: None,
        region: "us-east-1",
        region_editable: true,
        path_style: PathStyle::Forced,
        credentials: true,
        hint: "A MinIO access key with read/write access to this bucket.",
    },
    ProviderPreset {
        id: Provider::Garage,
        label: "Garage",
        endpoint: EndpointRule::Required,
        endpoint_example: "http://127.0.0.1:3900",
        default_endpoint: None,
        region: "garage",
        region_editable: true,
        path_style: PathStyle::Forced,
        credentials: true,
        hint: "A Garage key allowed on this bucket (garage key create, garage bucket allow).",
    },
    ProviderPreset {
        id: Provider::S3,
        label: "Other S3-compatible",
        endpoint: EndpointRule::Required,
        endpoint_example: "https://s3.example.com",
        default_endpoint: None,
        region: "us-east-1",
        region_editable: true,
        path_style: PathStyle::Choice,
        credentials: true,
        hint: "The access key of your S3-compatible service.",
    },
    ProviderPreset {
        id: Provider::Folder,
        label: "Folder (disk, NAS)",
        endpoint: EndpointRule::Hidden,
        endpoint_example: "",
        default_endpoint: None,
        region: "",
        region_editable: false,
        path_style: PathStyle::Virtual,
        credentials: false,
        hint: "",
    },
];

/// What `--provider` accepts, for the error hint (a test keeps it in step with [`PRESETS`]).
const PROVIDER_HINT: &str = "one of aws, r2, b2, tigris, minio, garage, s3, folder";

impl Provider {
    /// The provider as settings and scripts spell it (`r2`).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::R2 => "r2",
            Provider::B2 => "b2",
            Provider::Tigris => "tigris",
            Provider::Minio => "minio",
            Provider::Garage => "garage",
            Provider::S3 => "s3",
            Provider::Folder => "folder",
        }
    }

    pub fn preset(self) -> &'static ProviderPreset {
        &PRESETS[self as usize]
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = Error;
    /// Case and surrounding spaces do not matter (`" R2 "`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = s.trim().to_ascii_lowercase();
        PRESETS
            .iter()
            .map(|p| p.id)
            .find(|id| id.as_str() == wanted)
            .ok_or_else(|| Error::Invalid {
                what: "provider",
                value: s.to_string(),
                hint: PROVIDER_HINT,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_preset_per_provider_in_order() {
        for (i, p) in PRESETS.iter().enumerate() {
            assert_eq!(p.id as usize, i, "{:?} is out of place", p.id);
            assert_eq!(p.id.preset(), p);
            assert_eq!(p.id.as_str().parse::<Provider>().unwrap(), p.id);
            assert!(!p.label.is_empty(), "{:?} has a label", p.id);
            assert_eq!(
                p.endpoint == EndpointRule::Optional,
                p.default_endpoint.is_some(),
                "an optional endpoint is one with a default: {:?}",
                p.id
            );
            assert_eq!(
                p.credentials,
                !p.hint.is_empty(),
                "{:?}: a key has a hint",
                p.id
            );
        }
        assert_eq!(PRESETS.len(), Provider::Folder as usize + 1);
        let ids: Vec<&str> = PRESETS.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(PROVIDER_HINT, format!("one of {}", ids.join(", ")));
    }

    /// The UI's mock backend answers `providers` with this table, generated here (as ts-rs
    /// writes the types) so the UI's tests see the core's presets, not a copy.
    #[cfg(feature = "gui")]
    #[test]
    fn the_ui_mock_answers_with_this_table() {
        let ts = format!(
            "// This file was generated from PRESETS in src-tauri/remote/providers.rs by its tests. Do not edit this file manually.\n\
             // The mock backend answers `providers` with it; the app asks the core.\n\
             import type {{ ProviderPreset }} from './ProviderPreset';\n\n\
             export const PROVIDER_PRESETS: ProviderPreset[] = {};\n",
            serde_json::to_string_pretty(PRESETS).unwrap()
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("ui/src/lib/ipc/bindings/providerPresets.ts");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(ts.as_str()) {
            std::fs::write(&path, ts).expect("write providerPresets.ts");
        }
    }

    #[test]
    fn a_provider_is_read_as_typed_and_serialized_as_spelled() {
        assert_eq!(" R2 ".parse::<Provider>().unwrap(), Provider::R2);
        let e = "ftp".parse::<Provider>().unwrap_err().to_string();
        assert!(e.contains("one of aws"), "{e}");
        assert_eq!(serde_json::to_value(Provider::Minio).unwrap(), "minio");
        let r2 = serde_json::to_value(Provider::R2.preset()).unwrap();
        assert_eq!(r2["id"], "r2");
        assert_eq!(r2["endpoint"], "required");
        assert_eq!(r2["path_style"], "forced");
        assert_eq!(r2["default_endpoint"], serde_json::Value::Null);
    }
}
