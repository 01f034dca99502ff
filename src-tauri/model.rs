//! Small value types shared by the catalog, the import pipeline and the CLI.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::Error;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, $hint:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(Error::Invalid { what: $what, value: s.to_string(), hint: $hint }),
                }
            }
        }
    };
}

text_enum!(
    /// Who can see an image once it is in the bucket.
    Visibility, "visibility", "use private, unlisted or public" {
        Private => "private",
        Unlisted => "unlisted",
        Public => "public",
    }
);

text_enum!(
    /// Where the original stands relative to the user's bucket.
    RemoteState, "remote state", "use local, pending, synced or failed" {
        Local => "local",
        Pending => "pending",
        Synced => "synced",
        Failed => "failed",
    }
);

text_enum!(
    /// How an image entered the library.
    SourceKind, "source", "use file, drop, paste, url or watch" {
        File => "file",
        Drop => "drop",
        Paste => "paste",
        Url => "url",
        Watch => "watch",
    }
);

text_enum!(
    /// List order.
    Sort, "sort", "use newest, oldest, taken, name or size" {
        Newest => "newest",
        Oldest => "oldest",
        Taken => "taken",
        Name => "name",
        Size => "size",
    }
);

text_enum!(
    /// Whether the original is a copy owned by the library or a file referenced in place.
    Storage, "storage", "use managed or referenced" {
        Managed => "managed",
        Referenced => "referenced",
    }
);

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// RFC 3339 UTC text for a Unix time in milliseconds.
pub fn rfc3339(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

/// Cuts `s` to at most `max` bytes at a character boundary.
pub fn truncate_utf8(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

text_enum!(
    /// What a watched folder is doing, as written by the process watching it.
    FolderStatus, "folder status", "use stopped, scanning, watching, polling, offline, paused or error" {
        Stopped => "stopped",
        Scanning => "scanning",
        Watching => "watching",
        Polling => "polling",
        Offline => "offline",
        Paused => "paused",
        Error => "error",
    }
);

/// What a file deleted from a watched folder means for its image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum OnDelete {
    /// The image stays in the library (and in the bucket).
    #[default]
    Keep,
    /// The image leaves the library; its object stays in the bucket.
    Remove,
    /// The image leaves the library and its object leaves the bucket (to `trash/`).
    RemoveRemote,
}

impl OnDelete {
    pub fn as_str(self) -> &'static str {
        match self {
            OnDelete::Keep => "keep",
            OnDelete::Remove => "remove",
            OnDelete::RemoveRemote => "remove-remote",
        }
    }
}

impl fmt::Display for OnDelete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OnDelete {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "keep" => Ok(OnDelete::Keep),
            "remove" => Ok(OnDelete::Remove),
            "remove-remote" => Ok(OnDelete::RemoveRemote),
            _ => Err(Error::Invalid {
                what: "--on-delete",
                value: s.to_string(),
                hint: "use keep, remove or remove-remote",
            }),
        }
    }
}
