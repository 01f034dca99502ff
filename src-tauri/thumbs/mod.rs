//! Thumbnails: decoding at reduced scale, rendering (resize, orientation, colour), and the
//! SQLite-backed cache (`thumbs.db`).

mod cache;
pub(crate) mod heif;
pub(crate) mod jxl;
pub mod progressive;
pub mod raw;
pub mod render;
pub mod turbo;
pub(crate) mod webp;

pub use cache::{key as cache_key, Thumb, ThumbCache};
pub use render::{decode, render, DecodeError, Decoded, Limits};

use serde::Serialize;

/// The two sizes Vitrine keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThumbSize {
    /// Gallery grid, made at import.
    Grid,
    /// Detail view, made on first view (or by `vitrine thumbs --all`).
    Preview,
}

impl ThumbSize {
    pub const ALL: [ThumbSize; 2] = [ThumbSize::Grid, ThumbSize::Preview];

    /// Long edge in pixels.
    pub fn long_edge(self) -> u32 {
        match self {
            ThumbSize::Grid => 320,
            ThumbSize::Preview => 1280,
        }
    }

    /// Bit in a job's `sizes` mask and low bits of the cache key.
    pub fn bit(self) -> u8 {
        match self {
            ThumbSize::Grid => 1,
            ThumbSize::Preview => 2,
        }
    }

    pub fn quality(self) -> u8 {
        match self {
            ThumbSize::Grid => 80,
            ThumbSize::Preview => 85,
        }
    }

    pub fn in_mask(mask: u8) -> impl Iterator<Item = ThumbSize> {
        Self::ALL.into_iter().filter(move |s| mask & s.bit() != 0)
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "grid" => Some(ThumbSize::Grid),
            "preview" => Some(ThumbSize::Preview),
            _ => None,
        }
    }
}
