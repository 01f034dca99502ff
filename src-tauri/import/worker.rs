//! One worker thread's side of the pipeline (see the module overview): its own catalog and
//! thumbnail-cache connections, and the steps that take one item from bytes to a landed image.

use std::path::Path;

use super::sniff::{self, Format, Sniffed};
use super::{
    ai, container, exif, url, walk, Blob, Destination, ImportError, ImportOptions, Status,
};
use crate::catalog::{Catalog, NewImage};
use crate::model::{now_ms, SourceKind, Storage};
use crate::thumbs::{self, DecodeError, ThumbCache, ThumbSize};

/// Per-thread connections and settings for processing items.
pub(crate) struct Worker<'a> {
    pub dest: &'a dyn Destination,
    pub catalog: Catalog,
    pub thumbs: ThumbCache,
    pub opts: &'a ImportOptions,
    pub tags: &'a [String],
}

/// Where one item's bytes came from, as the catalog records it.
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
        dest: &'a dyn Destination,
        opts: &'a ImportOptions,
        tags: &'a [String],
    ) -> crate::error::Result<Self> {
        Ok(Worker {
            dest,
            catalog: dest.catalog_connection()?,
            thumbs: dest.thumb_cache()?,
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
        let sha256 = super::sha256_hex(bytes);
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
        let mut meta = container::read(format, bytes);
        let exif_info = meta
            .exif
            .take()
            .and_then(exif::parse_owned)
            .unwrap_or_default();
        let user_comment = exif_info
            .user_comment
            .as_deref()
            .and_then(ai::decode_user_comment);
        let ai_params = ai::parse(&meta.texts, user_comment.as_deref());
        let ai_params = ai::c2pa::with_claim(ai_params, meta.c2pa.as_deref());
        let ai_search = ai_params.as_ref().map(ai::search_text).unwrap_or_default();
        // What the catalog records and every later rendering applies: none when the decoder
        // turned the pixels upright itself (HEIF's irot/imir, JPEG XL), though EXIF says more.
        let orientation = decoded.orientation(exif_info.orientation);
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
        let target = self.dest.originals().join(&path);
        let tmp = self.dest.workspace().temp_path(".original");
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
            .strip_prefix(self.dest.root())
            .unwrap_or(&tmp)
            .to_string_lossy()
            .into_owned();
        let inserted = self.catalog.insert_image(
            &new,
            self.tags,
            ThumbSize::Grid.bit(),
            self.dest.workspace().token(),
            (storage == Storage::Managed).then_some(tmp_rel.as_str()),
        );
        let (seq, id) = match inserted {
            Ok(crate::catalog::Inserted::New { seq, id }) => (seq, id),
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
