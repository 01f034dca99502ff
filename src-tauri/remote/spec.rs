//! A remote's settings as given (`remote add`, the settings form), checked and completed by
//! its provider's preset into the [`RemoteRow`] the catalog keeps.

use serde::Deserialize;

use super::providers::{EndpointRule, PathStyle, Provider};
use crate::catalog::RemoteRow;
use crate::error::{Error, Result};
use crate::storage::KeyLayout;

/// What `remote add` and the settings form (`set_remote`) give. Empty strings count as not
/// given; the provider's preset fills the rest ([`RemoteSpec::resolve`]).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct RemoteSpec {
    /// The settings form may leave it out: the current remote's name, else `main`.
    pub name: Option<String>,
    pub provider: Provider,
    pub endpoint: Option<String>,
    pub bucket: Option<String>,
    pub region: Option<String>,
    /// Key prefix inside the bucket (or folder).
    pub prefix: Option<String>,
    pub path_style: bool,
    /// The folder of a `folder` remote.
    pub path: Option<String>,
    pub public_url: Option<String>,
    /// Remove GPS and camera serial numbers from public/unlisted copies.
    pub strip_location: bool,
}

impl RemoteSpec {
    /// A remote of `provider` named `name`, with nothing else given (location stripped).
    pub fn new(name: &str, provider: Provider) -> Self {
        RemoteSpec {
            name: Some(name.to_string()),
            provider,
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

/// A given text, trimmed, unless it is empty.
fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl RemoteSpec {
    /// Applies the provider's preset and checks the settings.
    pub fn resolve(&self) -> Result<RemoteRow> {
        let name = self.name.as_deref().unwrap_or("").trim();
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            return Err(invalid(
                "remote name",
                self.name.as_deref().unwrap_or(""),
                "letters, digits, '-', '_' or '.', at most 64",
            ));
        }
        let provider = self.provider;
        let preset = provider.preset();
        let public_url = match given(&self.public_url) {
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
            provider,
            endpoint: String::new(),
            region: String::new(),
            bucket: String::new(),
            prefix,
            path_style: self.path_style,
            path: None,
            public_url,
            strip_location: self.strip_location,
        };
        if provider == Provider::Folder {
            let path = given(&self.path).ok_or_else(|| invalid("folder", "", "pass --path DIR"))?;
            let abs =
                std::path::absolute(path).map_err(|e| Error::io(format!("resolving {path}"), e))?;
            row.path = Some(abs.to_string_lossy().into_owned());
            return Ok(row);
        }
        row.bucket = given(&self.bucket)
            .ok_or_else(|| invalid("bucket", "", "pass --bucket NAME"))?
            .to_string();
        row.endpoint = match (given(&self.endpoint), preset.default_endpoint) {
            (Some(e), _) => check_url("endpoint", e)?,
            (None, Some(default)) => default.to_string(),
            (None, None) if preset.endpoint == EndpointRule::Required => {
                return Err(invalid(
                    "endpoint",
                    "",
                    "pass --endpoint URL (the S3 API URL of your service)",
                ))
            }
            (None, None) => String::new(),
        };
        row.path_style = self.path_style || preset.path_style == PathStyle::Forced;
        row.region = match given(&self.region) {
            Some(r) => r.to_string(),
            None if provider == Provider::B2 => b2_region(&row.endpoint).ok_or_else(|| {
                invalid(
                    "region",
                    "",
                    "pass --region (e.g. us-west-004, from your B2 endpoint)",
                )
            })?,
            None => preset.region.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(provider: &str) -> RemoteSpec {
        RemoteSpec {
            bucket: Some("pics".into()),
            ..RemoteSpec::new("main", provider.parse().unwrap())
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
        assert!(
            spec("aws").resolve().unwrap().strip_location,
            "stripped by default"
        );
    }

    #[test]
    fn bad_settings_are_refused_with_a_hint() {
        // An unknown provider is refused as it is read (`providers::tests`).
        let s = spec("folder");
        assert!(s.resolve().unwrap_err().to_string().contains("--path"));
        let mut s = spec("aws");
        s.public_url = Some("cdn.example.com".into());
        assert!(s.resolve().unwrap_err().to_string().contains("http"));
        let mut s = spec("aws");
        s.name = Some("a b".into());
        assert!(s.resolve().is_err());
        s.name = None;
        assert!(s.resolve().is_err(), "a name is needed by then");
    }
}
