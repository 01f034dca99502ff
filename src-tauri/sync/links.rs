//! Share links: presigned for private images, `<public-url>/<key>` for unlisted and public.

use serde::Serialize;
use std::time::Duration;

use super::Remote;
use crate::catalog::{Catalog, ImageRecord};
use crate::error::{Error, Result};
use crate::model::{now_ms, rfc3339, RemoteState, Visibility};
use crate::storage::{Area, StorageError, MAX_PRESIGN};

/// How a link is written: the bare URL, or ready to paste into Markdown, HTML or BBCode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
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

/// What kind of address a link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// The original's `file://` URL: no bucket is set up.
    Local,
    /// A private image's time-limited link.
    Presigned,
    /// `<public URL>/<key>` of an unlisted or public image: stable.
    Public,
}

/// A link to one image (`vitrine link --json`, the app's share panel).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct ImageLink {
    pub id: String,
    pub kind: LinkKind,
    pub url: String,
    /// The link in the format asked for (equal to `url` for the url format).
    pub text: String,
    pub visibility: Visibility,
    /// RFC 3339 expiry of a presigned link.
    pub expires_at: Option<String>,
    /// False while the object is not (yet) where this link points (sync pending).
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

/// The link in `format`, safe whatever the file is called: `alt` (the file name) loses its
/// line breaks and is escaped for the format (Markdown brackets and backslashes, HTML
/// entities); characters that would end the URL early in Markdown or BBCode are
/// percent-encoded (they mean the same in a URL).
pub fn format(url: &str, alt: &str, format: LinkFormat) -> String {
    let alt: String = alt
        .split(|c: char| c.is_control())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let url_escaped = |specials: &[char]| {
        let mut out = String::with_capacity(url.len());
        for c in url.chars() {
            if specials.contains(&c) || c.is_whitespace() || c.is_control() {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    let html = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    match format {
        LinkFormat::Url => url.to_string(),
        LinkFormat::Markdown => {
            let mut a = String::with_capacity(alt.len());
            for c in alt.chars() {
                if matches!(c, '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '>') {
                    a.push('\\');
                }
                a.push(c);
            }
            format!("![{a}]({})", url_escaped(&['(', ')', '<', '>']))
        }
        LinkFormat::Html => format!("<img src=\"{}\" alt=\"{}\">", html(url), html(&alt)),
        LinkFormat::Bbcode => format!("[img]{}[/img]", url_escaped(&['[', ']'])),
    }
}

/// `file://` URL of a local path (what a link is without a bucket).
pub fn file_url(path: &std::path::Path) -> String {
    match url::Url::from_file_path(path) {
        Ok(u) => u.to_string(),
        // A relative path (never for catalog paths): percent-encode it as it is.
        Err(()) => format!(
            "file://{}",
            crate::storage::keys::url_encode(&path.to_string_lossy())
        ),
    }
}

/// The link for an image as it is now: with a bucket (`remote`), presigned for a private
/// image (living `expires`, default a day, at most 7 days) or the stable public URL of an
/// unlisted/public one; without a bucket, the original's `file://` URL. The alt text is the
/// file name.
pub fn link(
    library: &crate::library::Library,
    catalog: &Catalog,
    remote: Option<&Remote>,
    id: &str,
    expires: Option<Duration>,
    fmt: LinkFormat,
) -> std::result::Result<ImageLink, LinkError> {
    let rec: ImageRecord = catalog.get(id)?;
    link_record(library, remote, &rec, expires, fmt)
}

/// [`link`] for an image already read from the catalog (a bulk "copy links").
pub fn link_record(
    library: &crate::library::Library,
    remote: Option<&Remote>,
    rec: &ImageRecord,
    expires: Option<Duration>,
    fmt: LinkFormat,
) -> std::result::Result<ImageLink, LinkError> {
    let id = &rec.id;
    let (kind, url, expires_at, ready) = match (remote, rec.visibility) {
        (None, _) => {
            let url = file_url(&library.original_path(rec));
            (LinkKind::Local, url, None, true)
        }
        (Some(remote), Visibility::Private) => {
            let d = expires.unwrap_or(DEFAULT_EXPIRY);
            if d.is_zero() || d > MAX_PRESIGN {
                return Err(LinkError::Library(Error::Invalid {
                    what: "link expiry",
                    value: format!("{} s", d.as_secs()),
                    hint: "from 1 second to 7 days",
                }));
            }
            let Some(key) = rec.object_key.clone() else {
                return Err(LinkError::Unavailable(format!(
                    "{id} is not in the bucket yet; run `vitrine sync --once` (or wait for the app to sync it)"
                )));
            };
            let url = remote.storage.presign_get(&key, d)?;
            let at = now_ms() + d.as_millis() as i64;
            (LinkKind::Presigned, url, Some(rfc3339(at)), true)
        }
        (Some(remote), Visibility::Unlisted | Visibility::Public) => {
            // An expiry asked for a stable link is moot (scripts may always pass one).
            let key = remote.layout.original(Area::Public, &rec.sha256, &rec.ext);
            let url = remote.public_url(&key).ok_or_else(|| {
                LinkError::Unavailable(format!(
                    "remote {:?} has no public URL; add it again with --public-url URL (the address that serves the bucket)",
                    remote.row.name
                ))
            })?;
            let ready = rec.object_key.as_deref() == Some(key.as_str())
                && rec.remote_state == RemoteState::Synced;
            (LinkKind::Public, url, None, ready)
        }
    };
    Ok(ImageLink {
        text: format(&url, &rec.filename, fmt),
        id: rec.id.clone(),
        kind,
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
        assert_eq!(format(u, "a b.jpg", LinkFormat::Url), u);
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

    /// File names are whatever people call their files: nothing in one may break out of the
    /// link's syntax in any format.
    #[test]
    fn hostile_file_names_stay_inside_the_link() {
        let u = "https://cdn.example/p/a(1) [x].jpg?X-Amz=a&b=c";
        let names = [
            "a](javascript:alert(1))",
            "x\"><script>alert(1)</script>",
            "it's \"quoted\"",
            "two\nlines\r\n.png",
            "back\\slash [nested [brackets]].jpg",
            "(parens).jpg",
        ];
        for name in names {
            let md = format(u, name, LinkFormat::Markdown);
            assert!(!md.contains('\n') && !md.contains('\r'), "{md}");
            // The alt ends at the first unescaped `]`, which must be the one before `(`.
            let alt_end = md
                .char_indices()
                .skip(2)
                .scan(false, |esc, (i, c)| {
                    let r = (!*esc && c == ']').then_some(i);
                    *esc = !*esc && c == '\\';
                    Some(r)
                })
                .flatten()
                .next()
                .unwrap();
            assert_eq!(&md[alt_end..alt_end + 2], "](", "{md}");
            let target = &md[alt_end + 2..md.len() - 1];
            assert!(
                md.ends_with(')') && !target.contains(['(', ')', ' ']),
                "{md}"
            );
            assert_eq!(
                target, "https://cdn.example/p/a%281%29%20[x].jpg?X-Amz=a&b=c",
                "the URL keeps its meaning"
            );

            let html = format(u, name, LinkFormat::Html);
            assert!(!html.contains("<script"), "{html}");
            assert_eq!(html.matches('"').count(), 4, "{html}");
            assert!(
                html.starts_with("<img src=\"") && html.ends_with("\">"),
                "{html}"
            );
            assert!(!html.contains('\n'), "{html}");

            let bb = format(u, name, LinkFormat::Bbcode);
            assert_eq!(
                bb,
                "[img]https://cdn.example/p/a(1)%20%5Bx%5D.jpg?X-Amz=a&b=c[/img]"
            );
        }
        assert_eq!(
            format(u, "x\"><script>", LinkFormat::Html),
            "<img src=\"https://cdn.example/p/a(1) [x].jpg?X-Amz=a&amp;b=c\" alt=\"x&quot;&gt;&lt;script&gt;\">"
        );
        assert_eq!(
            format(u, "two\nlines", LinkFormat::Markdown),
            "![two lines](https://cdn.example/p/a%281%29%20[x].jpg?X-Amz=a&b=c)"
        );
    }

    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(
            file_url(std::path::Path::new("/tmp/ünï name#1.jpg")),
            "file:///tmp/%C3%BCn%C3%AF%20name%231.jpg"
        );
    }
}
