//! What one change in a watched folder does to the library: a file that appeared or changed
//! is imported (in place, or copied in), a file that moved keeps its image, an edited file
//! becomes a new version, and a file that is gone follows the folder's deletion rule.

use std::path::Path;

use super::scan;
use crate::catalog::{ChangeFacts, ChangeKind, FileEntry, WatchedFolder};
use crate::error::Result;
use crate::import::{ImportError, ImportOptions, Status, Worker};
use crate::library::Library;
use crate::model::{now_ms, OnDelete, SourceKind, Storage};
use crate::thumbs::DecodeError;

/// A file that fails to import while it was written this recently is treated as still being
/// written (retried), not reported as broken.
pub const SETTLE_NS: i64 = 10_000_000_000;

/// What happened to one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Same size and mtime as last time: nothing read.
    Unchanged,
    /// Not an image, or filtered out.
    Skipped,
    Added {
        id: String,
    },
    /// The content was already in the library (from elsewhere): tags and source merged.
    Duplicate {
        id: String,
    },
    /// The same content at a new path (`to`): the image now points there.
    Moved {
        id: String,
        from: String,
        to: String,
    },
    /// New content at a known path: a new image; the old one followed the deletion rule.
    Edited {
        id: String,
        old: Option<String>,
    },
    /// Looks incomplete (still being written): try again later.
    Waiting {
        reason: String,
    },
    Failed {
        code: crate::error::ErrorCode,
        message: String,
    },
    /// The file is gone: what the folder's rule did.
    Gone {
        id: Option<String>,
        kept: bool,
    },
}

impl Change {
    /// The kind it is logged and reported as; `None` for what the user does not hear about
    /// (unchanged, skipped, still being written).
    pub fn kind(&self) -> Option<ChangeKind> {
        match self {
            Change::Unchanged | Change::Skipped | Change::Waiting { .. } => None,
            Change::Added { .. } => Some(ChangeKind::Added),
            Change::Duplicate { .. } => Some(ChangeKind::Duplicate),
            Change::Moved { .. } => Some(ChangeKind::Moved),
            Change::Edited { .. } => Some(ChangeKind::Edited),
            Change::Failed { .. } => Some(ChangeKind::Failed),
            Change::Gone { kept: true, .. } => Some(ChangeKind::Deleted),
            Change::Gone { kept: false, .. } => Some(ChangeKind::Removed),
        }
    }

    /// The path a change is reported under: a move's new place, else the path handled.
    pub fn path<'a>(&'a self, handled: &'a str) -> &'a str {
        match self {
            Change::Moved { to, .. } => to,
            _ => handled,
        }
    }

    pub fn image_id(&self) -> Option<&str> {
        match self {
            Change::Added { id }
            | Change::Duplicate { id }
            | Change::Moved { id, .. }
            | Change::Edited { id, .. } => Some(id),
            Change::Gone { id, .. } => id.as_deref(),
            _ => None,
        }
    }

    /// What it was beyond its kind, as fields; `rule` is the folder's deletion rule.
    pub fn facts(&self, rule: OnDelete) -> ChangeFacts {
        match self {
            Change::Moved { from, .. } => ChangeFacts {
                moved_from: Some(from.clone()),
                ..ChangeFacts::default()
            },
            Change::Edited { old: Some(old), .. } => ChangeFacts {
                previous_id: Some(old.clone()),
                rule: Some(rule),
                ..ChangeFacts::default()
            },
            Change::Gone { .. } => ChangeFacts {
                rule: Some(rule),
                ..ChangeFacts::default()
            },
            _ => ChangeFacts::default(),
        }
    }

    /// Whether the user should hear about it (and it is logged).
    pub fn notable(&self) -> bool {
        self.kind().is_some()
    }
}

/// The import settings a folder implies.
pub fn import_options(folder: &WatchedFolder) -> ImportOptions {
    ImportOptions {
        tags: folder.options.tags.clone(),
        visibility: folder.options.visibility,
        source_kind: SourceKind::Watch,
        in_place: !folder.options.copy,
        threads: 1,
        ..ImportOptions::default()
    }
}

/// Per-thread state for applying changes of one folder.
pub struct Applier<'a> {
    pub lib: &'a Library,
    pub folder: &'a WatchedFolder,
    worker: Worker<'a>,
}

impl<'a> Applier<'a> {
    pub fn new(
        lib: &'a Library,
        folder: &'a WatchedFolder,
        opts: &'a ImportOptions,
    ) -> Result<Self> {
        Ok(Applier {
            lib,
            folder,
            worker: Worker::new(lib, opts, &folder.options.tags)?,
        })
    }

    /// Brings the catalog in line with the file at `path` (which exists). `seen` is its size
    /// and mtime when known (a scan), else it is read now.
    pub fn file(&mut self, path: &Path, seen: Option<(u64, i64)>) -> Result<Change> {
        let Some((size, mtime_ns)) = seen.or_else(|| scan::stat(path)) else {
            return Ok(Change::Skipped);
        };
        let key = path_text(path);
        let entry = self.worker.catalog.watched_file(self.folder.id, &key)?;
        if let Some(e) = &entry {
            if e.size == size && e.mtime_ns == mtime_ns {
                return Ok(Change::Unchanged);
            }
        }
        if !scan::is_image(path) {
            return Ok(Change::Skipped);
        }
        let old_sha = entry.as_ref().and_then(|e| e.sha256.clone());
        match self.worker.file(path) {
            Ok((status, id)) => {
                let record = self.worker.catalog.get(&id)?;
                let sha = record.sha256.clone();
                self.remember(&key, (size, mtime_ns), Some(sha.clone()), None)?;
                if let Some(old) = old_sha.filter(|o| *o != sha) {
                    let gone = self.content_gone(&old, &key)?;
                    return Ok(Change::Edited {
                        id,
                        old: gone.image_id().map(str::to_string),
                    });
                }
                if status == Status::Imported {
                    return Ok(Change::Added { id });
                }
                // Already cataloged: a move if the image's file is no longer where it was.
                let here = canonical_text(path);
                let moved_from = match record.storage {
                    Storage::Referenced if record.path != here => Some(record.path.clone()),
                    Storage::Managed
                        if record.source == SourceKind::Watch
                            && record.source_path.as_deref() != Some(key.as_str()) =>
                    {
                        record.source_path.clone()
                    }
                    _ => None,
                }
                .filter(|from| !Path::new(from).exists());
                if let Some(from) = moved_from {
                    self.worker
                        .catalog
                        .move_image(&id, &here, &file_name(path), Some(&from))?;
                    return Ok(Change::Moved { id, from, to: key });
                }
                if entry.is_some() {
                    return Ok(Change::Unchanged);
                }
                Ok(Change::Duplicate { id })
            }
            Err(e) => {
                if maybe_incomplete(&e) && is_fresh(mtime_ns) {
                    return Ok(Change::Waiting {
                        reason: e.to_string(),
                    });
                }
                if !about_the_bytes(&e) {
                    // Permission, I/O, disk full, a busy catalog: nothing is recorded, so the
                    // next event or scan tries again; the old content is not declared gone.
                    return Ok(Change::Failed {
                        code: e.code(),
                        message: e.to_string(),
                    });
                }
                self.remember(&key, (size, mtime_ns), None, Some(&e))?;
                if let Some(old) = old_sha {
                    // Overwritten by something unreadable: the old content is gone from here.
                    self.content_gone(&old, &key)?;
                }
                Ok(Change::Failed {
                    code: e.code(),
                    message: e.to_string(),
                })
            }
        }
    }

    /// What was seen at `key`: its content, or the failure that belongs to its bytes.
    fn remember(
        &mut self,
        key: &str,
        (size, mtime_ns): (u64, i64),
        sha256: Option<String>,
        error: Option<&ImportError>,
    ) -> Result<()> {
        self.worker.catalog.put_watched_file(
            self.folder.id,
            key,
            &FileEntry {
                size,
                mtime_ns,
                sha256,
                error: error.map(ToString::to_string),
            },
            error.map(|e| e.code().as_str()),
        )
    }

    /// The file at `path` is gone (checked by the caller): forgets it and applies the
    /// folder's deletion rule to its image, unless the content lives on at another watched
    /// path (a move).
    pub fn gone(&mut self, path: &str) -> Result<Change> {
        let Some(entry) = self.worker.catalog.watched_file(self.folder.id, path)? else {
            return Ok(Change::Skipped);
        };
        self.worker
            .catalog
            .delete_watched_file(self.folder.id, path)?;
        match entry.sha256 {
            Some(sha) => self.content_gone(&sha, path),
            None => Ok(Change::Skipped),
        }
    }

    /// Content `sha` is no longer at `path`. If it is still at another watched path, the
    /// image follows it there; otherwise the deletion rule applies to an image that lived
    /// here (never to one that came from elsewhere, e.g. dropped into the app).
    fn content_gone(&mut self, sha: &str, path: &str) -> Result<Change> {
        let cat = &mut self.worker.catalog;
        let Some(id) = cat.id_by_sha(sha)? else {
            return Ok(Change::Skipped);
        };
        let record = cat.get(&id)?;
        // Its file was here (edited over or deleted) or is gone from wherever it was.
        let lost_file = record.storage == Storage::Referenced
            && (same_place(&record.path, path) || !Path::new(&record.path).exists());
        for other in cat.watched_path_with_sha(sha)? {
            if other != path && Path::new(&other).is_file() {
                if lost_file {
                    let to = canonical_text(Path::new(&other));
                    cat.move_image(&id, &to, &file_name(Path::new(&other)), Some(path))?;
                    return Ok(Change::Moved {
                        id,
                        from: path.to_string(),
                        to: other,
                    });
                }
                return Ok(Change::Skipped);
            }
        }
        // Only an image that came from this watched path follows the folder's rule: never
        // one dropped into the app or imported from elsewhere that merely has the same bytes.
        let lived_here = record.source == SourceKind::Watch
            && match record.storage {
                Storage::Referenced => same_place(&record.path, path),
                Storage::Managed => record.source_path.as_deref() == Some(path),
            };
        if !lived_here {
            return Ok(Change::Skipped);
        }
        match self.folder.options.on_delete {
            OnDelete::Keep => {
                if record.storage == Storage::Referenced {
                    // Its bytes are gone from disk: it becomes a managed image whose original
                    // comes back from the bucket (fsck --repair, or on first view).
                    cat.detach_original(&id)?;
                }
                Ok(Change::Gone {
                    id: Some(id),
                    kept: true,
                })
            }
            OnDelete::Remove => {
                self.lib.forget(&id)?;
                Ok(Change::Gone {
                    id: Some(id),
                    kept: false,
                })
            }
            OnDelete::RemoveRemote => {
                self.lib.remove(&id)?;
                Ok(Change::Gone {
                    id: Some(id),
                    kept: false,
                })
            }
        }
    }

    /// Logs a notable change for the user.
    pub fn record(&mut self, path: &str, change: &Change) -> Result<()> {
        let Some(kind) = change.kind() else {
            return Ok(());
        };
        let rule = self.folder.options.on_delete;
        self.worker.catalog.add_watch_event(
            Some(self.folder.id),
            kind,
            change.path(path),
            change.image_id(),
            describe(change, rule).as_deref(),
            &change.facts(rule),
        )
    }
}

/// A human line about a change (beside its path).
pub fn describe(change: &Change, rule: OnDelete) -> Option<String> {
    match change {
        Change::Moved { from, .. } => Some(format!("moved from {from}")),
        Change::Edited { old: Some(old), .. } => Some(format!(
            "new version; the previous one ({old}) {}",
            match rule {
                OnDelete::Keep => "stays in the library",
                OnDelete::Remove => "was removed from the library (kept in the bucket)",
                OnDelete::RemoveRemote => "was removed from the library and the bucket",
            }
        )),
        Change::Edited { old: None, .. } => Some("new version".into()),
        Change::Failed { message, .. } => Some(message.clone()),
        Change::Duplicate { .. } => Some("already in the library".into()),
        Change::Gone { kept: true, .. } => {
            Some("file deleted; the image stays in the library".into())
        }
        Change::Gone { kept: false, .. } => Some(match rule {
            OnDelete::RemoveRemote => {
                "file deleted; removed from the library and the bucket".into()
            }
            _ => "file deleted; removed from the library (kept in the bucket)".into(),
        }),
        _ => None,
    }
}

/// Whether a file's mtime is recent enough that it may still be being written. A time in
/// the future (a camera or FAT clock off) counts as old.
fn is_fresh(mtime_ns: i64) -> bool {
    let age = now_ms().saturating_mul(1_000_000) - mtime_ns;
    (0..SETTLE_NS).contains(&age)
}

/// Failures that belong to the file's content (recorded, not retried until it changes).
fn about_the_bytes(e: &ImportError) -> bool {
    matches!(
        e,
        ImportError::Empty
            | ImportError::TooLarge { .. }
            | ImportError::NotAnImage(_)
            | ImportError::Unsupported(_)
            | ImportError::Decode(_)
    )
}

/// Whether a cataloged path (canonical) is this watched path (maybe through a symlink).
fn same_place(cataloged: &str, path: &str) -> bool {
    cataloged == path || canonical_text(Path::new(path)) == cataloged
}

/// Errors a half-written file produces.
fn maybe_incomplete(e: &ImportError) -> bool {
    matches!(
        e,
        ImportError::Empty
            | ImportError::NotFound
            | ImportError::Unreadable(_)
            | ImportError::NotAnImage(_)
            | ImportError::Decode(DecodeError::Corrupt { .. })
    )
}

pub fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn canonical_text(path: &Path) -> String {
    std::fs::canonicalize(path)
        .map(|p| path_text(&p))
        .unwrap_or_else(|_| path_text(path))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".into())
}
