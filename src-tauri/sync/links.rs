//! Share links: presigned for private images, `<public-url>/<key>` for unlisted and public.

use serde::Serialize;
use std::time::Duration;

use super::Remote;
use crate::catalog::{Catalog, ImageRecord};
use crate::error::{Error, Result};
use crate::model::{now_ms, rfc3339, RemoteState, Visibility};
use crate::storage::{Area, StorageError, MAX_PRESIGN};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkFormat {
    Url,
    Markdown,
    Html,
    Bbcode,
}

impl std::str::FromStr for LinkFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "url" => LinkFormat::Url,
            "markdown" | "md" => LinkFormat::Markdown,
            "html" => LinkFormat::Html,
            "bbcode" => LinkFormat::Bbcode,
            _ => {
                return Err(Error::Invalid {
                    what: "link format",
                    value: s.to_string(),
                    hint: "url, markdown, html or bbcode",
                })
            }
        })
    }
}

/// A link to one image.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Link {
    pub id: String,
    pub url: String,
    /// The formatted link (equal to `url` for the url format).
    pub text: String,
    pub visibility: Visibility,
    /// RFC 3339 expiry of a presigned link.
    pub expires_at: Option<String>,
    /// False while the object is not (yet) where this link points.
    pub ready: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Library(#[from] Error),
    #[error("{0}")]
    Remote(#[from] StorageError),
    #[error("{0}")]
    Unavailable(String),
}

impl LinkError {
    pub fn code(&self) -> crate::error::ErrorCode {
        match self {
            LinkError::Library(e) => e.code(),
            LinkError::Remote(_) => crate::error::ErrorCode::Remote,
            LinkError::Unavailable(_) => crate::error::ErrorCode::LinkUnavailable,
        }
    }
}

/// `30s`, `10m`, `1h`, `7d` (also combined, like `1h30m`); at most 7 days.
pub fn parse_expiry(s: &str) -> Result<Duration> {
    let invalid = || Error::Invalid {
        what: "expiry",
        value: s.to_string(),
        hint: "a duration like 30s, 10m, 1h or 7d, at most 7d",
    };
    let t = s.trim().to_ascii_lowercase();
    let mut total = 0u64;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().map_err(|_| invalid())?;
        num.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 7 * 86400,
            _ => return Err(invalid()),
        };
    }
    if !num.is_empty() {
        total += num.parse::<u64>().map_err(|_| invalid())?;
    }
    let d = Duration::from_secs(total);
    if d.is_zero() || d > MAX_PRESIGN {
        return Err(invalid());
    }
    Ok(d)
}

pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(24 * 3600);

pub fn format(url: &str, alt: &str, format: LinkFormat) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    match format {
        LinkFormat::Url => url.to_string(),
        LinkFormat::Markdown => {
            format!("![{}]({url})", alt.replace('[', "\\[").replace(']', "\\]"))
        }
        LinkFormat::Html => format!("<img src=\"{}\" alt=\"{}\">", esc(url), esc(alt)),
        LinkFormat::Bbcode => format!("[img]{url}[/img]"),
    }
}

/// The link for an image as it is now.
pub fn link(
    catalog: &Catalog,
    remote: &Remote,
    id: &str,
    expires: Option<Duration>,
    fmt: LinkFormat,
) -> std::result::Result<Link, LinkError> {
    let rec: ImageRecord = catalog.get(id)?;
    let layout = &remote.layout;
    let (url, expires_at, ready) = match rec.visibility {
        Visibility::Private => {
            let Some(key) = rec.object_key.clone() else {
                return Err(LinkError::Unavailable(format!(
                    "{id} is not in the bucket yet; run `vitrine sync --once` (or wait for the app to sync it)"
                )));
            };
            let d = expires.unwrap_or(DEFAULT_EXPIRY);
            let url = remote.storage.presign_get(&key, d)?;
            let at = now_ms() + d.as_millis() as i64;
            (url, Some(rfc3339(at)), true)
        }
        Visibility::Unlisted | Visibility::Public => {
            // An expiry asked for a stable link is moot (scripts may always pass one).
            let key = layout.original(Area::Public, &rec.sha256, &rec.ext);
            let url = remote.public_url(&key).ok_or_else(|| {
                LinkError::Unavailable(format!(
                    "remote {:?} has no public URL; add it again with --public-url URL (the address that serves the bucket)",
                    remote.row.name
                ))
            })?;
            let ready = rec.object_key.as_deref() == Some(key.as_str())
                && rec.remote_state == RemoteState::Synced;
            (url, None, ready)
        }
    };
    let alt = rec
        .prompt
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| rec.filename.clone());
    Ok(Link {
        id: rec.id,
        text: format(&url, &alt, fmt),
        url,
        visibility: rec.visibility,
        expires_at,
        ready,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_parses_and_caps() {
        assert_eq!(parse_expiry("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_expiry("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_expiry("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_expiry("7d").unwrap(), MAX_PRESIGN);
        for bad in ["8d", "0s", "", "5x", "h"] {
            assert!(parse_expiry(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats() {
        let u = "https://cdn.example/p/a.jpg";
        assert_eq!(
            format(u, "a [b]", LinkFormat::Markdown),
            "![a \\[b\\]](https://cdn.example/p/a.jpg)"
        );
        assert_eq!(
            format(u, "x\"y", LinkFormat::Html),
            "<img src=\"https://cdn.example/p/a.jpg\" alt=\"x&quot;y\">"
        );
        assert_eq!(
            format(u, "", LinkFormat::Bbcode),
            "[img]https://cdn.example/p/a.jpg[/img]"
        );
    }
}
