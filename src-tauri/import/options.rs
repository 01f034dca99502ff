//! What a caller asks of an import: tags, visibility, limits, threads, HTTP settings, and
//! whether files stay where they are.

use super::HttpOptions;
use crate::model::{SourceKind, Visibility};

/// Default cap on one file's size.
pub const DEFAULT_MAX_BYTES: u64 = 100 * 1024 * 1024;
/// Default cap on an image's pixel count (decompression bombs).
pub const DEFAULT_MAX_PIXELS: u64 = 100_000_000;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub tags: Vec<String>,
    pub visibility: Visibility,
    /// How files given by path arrived (`file` from the CLI, `drop`/`paste` from the app).
    pub source_kind: SourceKind,
    pub max_bytes: u64,
    pub max_pixels: u64,
    /// Worker threads; 0 = automatic (one per core, plus one).
    pub threads: usize,
    pub http: HttpOptions,
    /// Leave files where they are (`storage = referenced`) instead of copying them into the
    /// library. URLs and pasted data are always copied.
    pub in_place: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            tags: Vec::new(),
            visibility: Visibility::Private,
            source_kind: SourceKind::File,
            max_bytes: DEFAULT_MAX_BYTES,
            max_pixels: DEFAULT_MAX_PIXELS,
            threads: 0,
            http: HttpOptions::default(),
            in_place: false,
        }
    }
}
