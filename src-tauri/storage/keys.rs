//! The bucket's key layout. Keys are content-addressed, so uploads are idempotent and two
//! copies of one image cost one object:
//!
//! ```text
//! <prefix>/private/ab/<sha256>.<ext>    originals of private images (presigned links only)
//! <prefix>/public/ab/<sha256>.<ext>     unlisted and public images (served by the public URL)
//! <prefix>/public/thumbs/ab/<sha256>  thumbnails of public images (for the feed)
//! <prefix>/public/feed.json             the feed of public images, and index.html
//! <prefix>/public/albums/<slug>/        a published album: index.html, album.json,
//!                                       images/<id>.<ext> (stripped copies), thumbs/<id>.<jpg|webp>
//! <prefix>/private/thumbs/ab/<sha256>   grid thumbnails, for every computer on the library
//! <prefix>/private/library/log/…        the replicated catalog (see `replica/`)
//! <prefix>/trash/<area>/ab/<sha256>.<ext> deleted objects, purged after 30 days
//! ```
//! Only `<prefix>/public/` needs to be readable without credentials.

use crate::model::Visibility;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Private,
    Public,
}

impl Area {
    pub fn of(visibility: Visibility) -> Area {
        match visibility {
            Visibility::Private => Area::Private,
            Visibility::Unlisted | Visibility::Public => Area::Public,
        }
    }
    fn dir(self) -> &'static str {
        match self {
            Area::Private => "private",
            Area::Public => "public",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyLayout {
    /// Empty, or ends with `/`.
    prefix: String,
}

impl KeyLayout {
    pub fn new(prefix: &str) -> Self {
        let p = prefix.trim_matches('/');
        KeyLayout {
            prefix: if p.is_empty() {
                String::new()
            } else {
                format!("{p}/")
            },
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn original(&self, area: Area, sha256: &str, ext: &str) -> String {
        format!(
            "{}{}/{}/{sha256}.{ext}",
            self.prefix,
            area.dir(),
            &sha256[..2]
        )
    }

    /// No extension: the thumbnail may be JPEG or WebP; its Content-Type says which.
    pub fn thumbnail(&self, sha256: &str) -> String {
        format!("{}public/thumbs/{}/{sha256}", self.prefix, &sha256[..2])
    }

    /// The grid thumbnail every computer attached to the library shows before (or without)
    /// downloading the original. Private: presigned or credentialed reads only.
    pub fn private_thumbnail(&self, sha256: &str) -> String {
        format!("{}private/thumbs/{}/{sha256}", self.prefix, &sha256[..2])
    }

    /// Where the replicated catalog lives: segments of changes and snapshots (`replica/`).
    pub fn replica_log(&self) -> String {
        format!("{}private/library/log/", self.prefix)
    }

    pub fn feed(&self) -> String {
        format!("{}public/feed.json", self.prefix)
    }

    pub fn feed_page(&self) -> String {
        format!("{}public/index.html", self.prefix)
    }

    /// The folder of an album published under `slug` (its page, JSON, copies and thumbnails).
    pub fn album_dir(&self, slug: &str) -> String {
        format!("{}public/albums/{slug}/", self.prefix)
    }

    /// Where a deleted object is kept for 30 days.
    pub fn trash(&self, key: &str) -> String {
        let rest = key.strip_prefix(&self.prefix).unwrap_or(key);
        format!("{}trash/{rest}", self.prefix)
    }

    pub fn trash_prefix(&self) -> String {
        format!("{}trash/", self.prefix)
    }

    /// The area a key of this layout lies in, if it is an original's key.
    pub fn area_of(&self, key: &str) -> Option<Area> {
        let rest = key.strip_prefix(&self.prefix)?;
        if rest.starts_with("public/thumbs/")
            || rest.starts_with("public/albums/")
            || rest.starts_with("private/thumbs/")
            || rest.starts_with("private/library/")
        {
            None
        } else if rest.starts_with("public/") {
            Some(Area::Public)
        } else if rest.starts_with("private/") {
            Some(Area::Private)
        } else {
            None
        }
    }
}

/// Percent-encodes a key for a URL path or `x-amz-copy-source` (keeps `/`).
pub fn url_encode(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Refuses keys that could escape a folder or confuse a server.
pub fn validate(key: &str) -> Result<(), String> {
    if key.is_empty()
        || key.starts_with('/')
        || key.ends_with('/')
        || key.contains('\\')
        || key.contains('\0')
        || key
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(format!("invalid object key {key:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "ab12000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn layout_with_and_without_prefix() {
        let l = KeyLayout::new("/photos/2026/");
        assert_eq!(
            l.original(Area::Private, SHA, "jpg"),
            format!("photos/2026/private/ab/{SHA}.jpg")
        );
        let k = l.original(Area::Public, SHA, "png");
        assert_eq!(k, format!("photos/2026/public/ab/{SHA}.png"));
        assert_eq!(
            l.trash(&k),
            format!("photos/2026/trash/public/ab/{SHA}.png")
        );
        assert_eq!(l.area_of(&k), Some(Area::Public));
        assert_eq!(l.area_of(&l.thumbnail(SHA)), None);
        let bare = KeyLayout::new("");
        assert_eq!(bare.feed(), "public/feed.json");
        assert_eq!(
            bare.original(Area::of(Visibility::Unlisted), SHA, "gif"),
            format!("public/ab/{SHA}.gif")
        );
    }

    #[test]
    fn keys_are_url_encoded_keeping_slashes() {
        assert_eq!(url_encode("a b/ü+x.jpg"), "a%20b/%C3%BC%2Bx.jpg");
    }

    #[test]
    fn validate_refuses_escapes() {
        for bad in ["", "/a", "a/", "a//b", "a/../b", "..", "a\\b", "./a"] {
            assert!(validate(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(validate("p/private/ab/x.jpg").is_ok());
    }
}
