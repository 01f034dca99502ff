//! The import pipeline: sniff → hash → dedup → decode (validates every byte) → metadata →
//! grid thumbnail → original to a temp file → one catalog transaction (row, tags, FTS,
//! thumbnail job) → original renamed into place → thumbnail cached → job done.
//!
//! An item either lands whole or leaves nothing: before the commit only temp files exist (swept
//! if the process dies); after it, the durable job finishes the rename and the thumbnail.

pub mod ai;
mod container;
pub mod exif;
pub mod sniff;
pub mod url;
pub mod walk;

use serde::Serialize;
use std::path::Path;

use crate::catalog::{Catalog, NewImage};
use crate::error::ErrorCode;
use crate::library::Library;
use crate::model::{now_ms, SourceKind, Storage, Visibility};
use crate::thumbs::{self, DecodeError, ThumbCache, ThumbSize};
use sniff::{Format, Sniffed};

pub use url::HttpOptions;

/// Default cap on one file's size.
pub const DEFAULT_MAX_BYTES: u64 = 100 * 1024 * 1024;
/// Default cap on an image's pixel count (decompression bombs).
pub const DEFAULT_MAX_PIXELS: u64 = 100_000_000;

/// Why one item was refused. Every message names the problem and, where useful, the fix.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ImportError {
    #[error("file not found")]
    NotFound,
    #[error("permission denied: Vitrine cannot read this file")]
    PermissionDenied,
    #[error("cannot read: {0}")]
    Unreadable(String),
    #[error("symlink loop: {0}")]
    SymlinkLoop(String),
    #[error("not a regular file")]
    NotAFile,
    #[error("empty file (0 bytes)")]
    Empty,
    #[error("file is {} MiB, over the {} MiB import limit", .bytes / (1024 * 1024), .cap / (1024 * 1024))]
    TooLarge { bytes: u64, cap: u64 },
    #[error("not an image (looks like {0})")]
    NotAnImage(&'static str),
    #[error("unsupported format: {0}")]
    Unsupported(String),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("link expired or not found (HTTP {0})")]
    LinkExpired(u16),
    #[error("download failed (HTTP {0})")]
    Http(u16),
    #[error("download failed: {0}")]
    Download(String),
    #[error("cannot store the image: {0}")]
    Storage(String),
    #[error("catalog error: {0}")]
    Catalog(String),
    #[error("injected failure at {0}")]
    Injected(&'static str),
}

impl ImportError {
    pub fn from_io(e: &std::io::Error) -> Self {
        use std::io::ErrorKind::*;
        match e.kind() {
            NotFound => ImportError::NotFound,
            PermissionDenied => ImportError::PermissionDenied,
            _ if e.raw_os_error() == Some(libc::ELOOP) => {
                ImportError::SymlinkLoop("too many levels of symbolic links".into())
            }
            _ => ImportError::Unreadable(e.to_string()),
        }
    }

    /// A short stable code for scripts and the UI.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::NotFound => ErrorCode::NotFound,
            ImportError::PermissionDenied => ErrorCode::PermissionDenied,
            ImportError::Unreadable(_) => ErrorCode::Unreadable,
            ImportError::SymlinkLoop(_) => ErrorCode::SymlinkLoop,
            ImportError::NotAFile => ErrorCode::NotAFile,
            ImportError::Empty => ErrorCode::Empty,
            ImportError::TooLarge { .. } => ErrorCode::TooLarge,
            ImportError::NotAnImage(_) => ErrorCode::NotAnImage,
            ImportError::Unsupported(_) => ErrorCode::UnsupportedFormat,
            ImportError::Decode(DecodeError::TooManyPixels { .. }) => ErrorCode::TooManyPixels,
            ImportError::Decode(DecodeError::Unsupported(_)) => ErrorCode::UnsupportedFormat,
            ImportError::Decode(DecodeError::Corrupt { .. }) => ErrorCode::Corrupt,
            ImportError::LinkExpired(_) => ErrorCode::LinkExpired,
            ImportError::Http(_) | ImportError::Download(_) => ErrorCode::DownloadFailed,
            ImportError::Storage(_) => ErrorCode::Storage,
            ImportError::Catalog(_) => ErrorCode::Catalog,
            ImportError::Injected(_) => ErrorCode::Injected,
        }
    }
}

impl From<crate::error::Error> for ImportError {
    fn from(e: crate::error::Error) -> Self {
        ImportError::Catalog(e.to_string())
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Imported,
    Duplicate,
    Error,
}

/// The result for one input item (one line of `vitrine import --json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Outcome {
    pub input: String,
    pub status: Status,
    pub id: Option<String>,
    pub error: Option<String>,
    /// Stable error code (`corrupt`, `too_many_pixels`, …) when `status` is `error`.
    pub code: Option<ErrorCode>,
}

impl Outcome {
    fn from_result(input: String, r: Result<(Status, String), ImportError>) -> Self {
        match r {
            Ok((status, id)) => Outcome {
                input,
                status,
                id: Some(id),
                error: None,
                code: None,
            },
            Err(e) => Outcome {
                input,
                status: Status::Error,
                id: None,
                error: Some(e.to_string()),
                code: Some(e.code()),
            },
        }
    }
}

/// How a batch went: one count per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub imported: usize,
    pub duplicates: usize,
    pub failed: usize,
}

impl Tally {
    pub fn of(outcomes: &[Outcome]) -> Self {
        let mut t = Tally::default();
        for o in outcomes {
            match o.status {
                Status::Imported => t.imported += 1,
                Status::Duplicate => t.duplicates += 1,
                Status::Error => t.failed += 1,
            }
        }
        t
    }
}

/// Progress of a batch, for progress bars and UI events.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ImportEvent {
    Started {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        total: usize,
    },
    Item {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        done: usize,
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        total: usize,
        outcome: Outcome,
    },
    Finished {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        imported: usize,
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        duplicates: usize,
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        failed: usize,
    },
}

/// Bytes from somewhere other than a path (paste, drop of image data).
pub struct Blob {
    pub name: String,
    pub bytes: Vec<u8>,
    pub kind: SourceKind,
}

/// Per-thread connections and settings for processing items.
pub(crate) struct Worker<'a> {
    pub lib: &'a Library,
    pub catalog: Catalog,
    pub thumbs: ThumbCache,
    pub opts: &'a ImportOptions,
    pub tags: &'a [String],
}

struct Source<'a> {
    name: &'a str,
    kind: SourceKind,
    reference: Option<String>,
    fetched_at: Option<i64>,
    /// Referenced in place at this (canonical) path rather than copied in.
    in_place: Option<String>,
}

impl<'a> Worker<'a> {
    /// A worker with its own connections (one per thread).
    pub(crate) fn new(
        lib: &'a Library,
        opts: &'a ImportOptions,
        tags: &'a [String],
    ) -> crate::error::Result<Self> {
        Ok(Worker {
            lib,
            catalog: lib.catalog_connection()?,
            thumbs: lib.thumb_cache()?,
            opts,
            tags,
        })
    }

    pub fn item(&mut self, item: &walk::Item) -> Result<(Status, String), ImportError> {
        match item {
            walk::Item::Broken(_, e) => Err(e.clone()),
            walk::Item::File(path) => self.file(path),
            walk::Item::Url(url) => {
                let fetched = url::fetch(url, self.opts.max_bytes, &self.opts.http)?;
                let fetched_at = now_ms();
                self.bytes(
                    &fetched.bytes,
                    Source {
                        name: &fetched.filename,
                        kind: SourceKind::Url,
                        reference: Some(url.clone()),
                        fetched_at: Some(fetched_at),
                        in_place: None,
                    },
                )
            }
        }
    }

    pub fn blob(&mut self, blob: &Blob) -> Result<(Status, String), ImportError> {
        self.bytes(
            &blob.bytes,
            Source {
                name: &blob.name,
                kind: blob.kind,
                reference: None,
                fetched_at: None,
                in_place: None,
            },
        )
    }

    pub(crate) fn file(&mut self, path: &Path) -> Result<(Status, String), ImportError> {
        let meta = std::fs::metadata(path).map_err(|e| ImportError::from_io(&e))?;
        if !meta.is_file() {
            return Err(ImportError::NotAFile);
        }
        if meta.len() == 0 {
            return Err(ImportError::Empty);
        }
        if meta.len() > self.opts.max_bytes {
            return Err(ImportError::TooLarge {
                bytes: meta.len(),
                cap: self.opts.max_bytes,
            });
        }
        let bytes = std::fs::read(path).map_err(|e| ImportError::from_io(&e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "image".into());
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let in_place = if self.opts.in_place {
            let canonical = std::fs::canonicalize(path).map_err(|e| ImportError::from_io(&e))?;
            Some(canonical.to_str().map(str::to_string).ok_or_else(|| {
                ImportError::Storage(format!(
                    "{}: a file kept in place needs a UTF-8 path; import it without --in-place",
                    path.display()
                ))
            })?)
        } else {
            None
        };
        self.bytes(
            &bytes,
            Source {
                name: &name,
                kind: self.opts.source_kind,
                reference: Some(absolute.to_string_lossy().into_owned()),
                fetched_at: None,
                in_place,
            },
        )
    }

    fn bytes(&mut self, bytes: &[u8], src: Source) -> Result<(Status, String), ImportError> {
        if bytes.is_empty() {
            return Err(ImportError::Empty);
        }
        if bytes.len() as u64 > self.opts.max_bytes {
            return Err(ImportError::TooLarge {
                bytes: bytes.len() as u64,
                cap: self.opts.max_bytes,
            });
        }
        let format = match sniff::sniff(bytes) {
            Sniffed::Image(f) => f,
            Sniffed::Unsupported(name) => return Err(ImportError::Unsupported(name.into())),
            Sniffed::NotImage(what) => return Err(ImportError::NotAnImage(what)),
        };
        let sha256 = sha256_hex(bytes);
        if let Some(id) = self.catalog.merge_duplicate(
            &sha256,
            self.tags,
            src.kind,
            src.reference.as_deref(),
            src.fetched_at,
        )? {
            return Ok((Status::Duplicate, id));
        }

        let limits = thumbs::Limits {
            max_pixels: self.opts.max_pixels,
        };
        let decoded = thumbs::decode(bytes, format, ThumbSize::Grid.long_edge(), &limits)?;
        let meta = container::read(format, bytes);
        let exif_info = meta
            .exif
            .as_deref()
            .and_then(exif::parse)
            .unwrap_or_default();
        let user_comment = exif_info
            .user_comment
            .as_deref()
            .and_then(ai::decode_user_comment);
        let ai_params = ai::parse(&meta.texts, user_comment.as_deref());
        let ai_search = ai_params.as_ref().map(ai::search_text).unwrap_or_default();
        let orientation = exif_info.orientation.max(1);
        let grid = thumbs::render(
            &decoded,
            ThumbSize::Grid.long_edge(),
            orientation,
            meta.icc.as_deref(),
            ThumbSize::Grid.quality(),
        )
        .map_err(|e| {
            ImportError::Decode(DecodeError::Corrupt {
                format: format.name(),
                reason: e,
            })
        })?;

        // A managed original is written to a temp file now and renamed into place after the
        // commit; a referenced one stays where it is.
        let (storage, path) = match &src.in_place {
            Some(p) => (Storage::Referenced, p.clone()),
            None => (
                Storage::Managed,
                crate::originals::relative_path(&sha256, format.ext()),
            ),
        };
        let target = self.lib.paths().originals.join(&path);
        let tmp = self.lib.workspace().temp_path(".original");
        if storage == Storage::Managed {
            crate::originals::write_temp(&tmp, bytes)
                .map_err(|e| ImportError::Storage(format!("{}: {e}", tmp.display())))?;
        }
        let cleanup = |tmp: &Path| {
            let _ = std::fs::remove_file(tmp);
        };
        if crate::failpoint::hit("import:before-commit") {
            cleanup(&tmp);
            return Err(ImportError::Injected("import:before-commit"));
        }

        let id = ulid::Ulid::new().to_string();
        let new = NewImage {
            id: id.clone(),
            sha256: sha256.clone(),
            filename: display_name(src.name, format),
            format: format.name().into(),
            mime: format.mime().into(),
            ext: format.ext().into(),
            bytes: bytes.len() as u64,
            width: decoded.full_width,
            height: decoded.full_height,
            orientation,
            storage,
            path,
            source_kind: src.kind,
            source: src.reference,
            fetched_at: src.fetched_at,
            taken_at: exif_info.taken_at,
            camera_make: exif_info.make,
            camera_model: exif_info.model,
            gps: exif_info.gps,
            has_serial: exif_info.has_serial,
            exif_json: exif_info.json,
            icc: meta.icc.is_some(),
            ai: ai_params,
            ai_search,
            visibility: self.opts.visibility,
            created_at: now_ms(),
        };
        let tmp_rel = tmp
            .strip_prefix(&self.lib.paths().root)
            .unwrap_or(&tmp)
            .to_string_lossy()
            .into_owned();
        let inserted = self.catalog.insert_image(
            &new,
            self.tags,
            ThumbSize::Grid.bit(),
            self.lib.workspace().token(),
            (storage == Storage::Managed).then_some(tmp_rel.as_str()),
        );
        let seq = match inserted {
            Ok(crate::catalog::Inserted::New { seq }) => seq,
            Ok(crate::catalog::Inserted::Duplicate { id }) => {
                cleanup(&tmp);
                return Ok((Status::Duplicate, id));
            }
            Err(e) => {
                cleanup(&tmp);
                return Err(e.into());
            }
        };
        // Committed: if we die from here on, the durable job finishes the work. If moving the
        // original into place fails while we live, the row is withdrawn again, so the item
        // leaves nothing (and a later import of the same bytes starts afresh).
        let placed = if crate::failpoint::hit("import:after-commit") {
            Err(std::io::Error::other(
                "injected failure at import:after-commit",
            ))
        } else if storage == Storage::Managed {
            crate::originals::commit_temp(&tmp, &target)
        } else {
            Ok(())
        };
        if let Err(e) = placed {
            cleanup(&tmp);
            self.catalog.withdraw(seq)?;
            return Err(ImportError::Storage(format!("{}: {e}", target.display())));
        }
        // A thumbnail that cannot be cached now stays queued (retried on the next open or by
        // `vitrine thumbs`); the image itself has landed.
        match self.thumbs.put(&sha256, ThumbSize::Grid, &grid) {
            Ok(()) => self.catalog.finish_thumb_job(seq)?,
            Err(e) => self.catalog.fail_thumb_job(seq, &e.to_string())?,
        }
        Ok((Status::Imported, id))
    }
}

/// The stored file name: the given one, or `image.<ext>` when none is known.
fn display_name(name: &str, format: Format) -> String {
    let name = name.trim();
    if name.is_empty() || name == "image" {
        format!("image.{}", format.ext())
    } else {
        name.to_string()
    }
}

/// The embedded ICC profile, if any.
pub fn icc_profile(format: Format, bytes: &[u8]) -> Option<Vec<u8>> {
    container::read(format, bytes).icc
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Runs `f` over `items` on the configured number of workers, calling `emit` with each
/// outcome as it lands.
pub(crate) fn run_parallel<T: Sync>(
    lib: &Library,
    items: &[T],
    opts: &ImportOptions,
    tags: &[String],
    label: impl Fn(&T) -> String + Sync,
    f: impl Fn(&mut Worker, &T) -> Result<(Status, String), ImportError> + Sync,
    emit: &(dyn Fn(Outcome) + Sync),
) -> crate::error::Result<()> {
    crate::parallel::for_each(
        items,
        crate::parallel::threads(opts.threads),
        || Worker::new(lib, opts, tags),
        |worker, item| {
            let result = f(worker, item);
            emit(Outcome::from_result(label(item), result));
        },
    )
}
