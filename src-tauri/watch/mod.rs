//! Watched folders: every image that appears in one is cataloged, thumbnailed and synced
//! without a click, across restarts, renames, edits and deletes.
//!
//! - [`filter`]: which files count (pure rules).
//! - [`scan`]: listing a folder by size and mtime, without reading files.
//! - [`apply`]: what one changed or vanished file does to the catalog.
//! - [`reconcile`]: a folder against the catalog (what changed while nothing watched).
//! - [`vanish`]: files gone: grace for moves, deletion rules, mass deletes held back.
//! - [`once`]: one-off work for front ends: add a folder and import it, scan every folder.
//! - [`service`]: the long-running watcher, decoupled from the app by a sink ([`notice`]);
//!   [`debounce`] (a pure state machine) says when a changed path is looked at, [`settle`]
//!   looks and imports, [`mode`] says how each folder is watched (events, polling, offline,
//!   paused) and [`rescan`] runs its scans.
//!
//! Folders and what was last seen in them live in the catalog (`watched_folders`,
//! `watched_files`), so a scan on start finds what changed while nothing was watching.
//! One process watches a library at a time (`<library>/watch.lock`).

pub mod apply;
pub mod debounce;
pub mod filter;
pub mod mode;
pub mod notice;
pub mod once;
pub mod reconcile;
mod rescan;
pub mod scan;
pub mod service;
mod settle;
pub mod supervisor;
pub mod vanish;

use std::path::Path;

use crate::catalog::{FolderOptions, WatchedFolder};
use crate::error::{Error, Result};
use crate::library::Library;
use crate::model::FolderStatus;

pub use filter::{Filter, DEFAULT_EXCLUDES};
pub use mode::offline_reason;
pub use notice::Notice;
pub use once::{add_and_scan, scan_all, Added, FirstScan, FolderScan, ScanSink};
pub use reconcile::{reconcile, Problem, ScanReport};
pub use vanish::{apply_vanished, looks_unmounted};

/// The filter a folder's options imply.
pub fn filter_of(folder: &WatchedFolder) -> Filter {
    Filter {
        recursive: folder.options.recursive,
        include: folder.options.include.clone(),
        exclude: folder.options.exclude.clone(),
    }
}

fn invalid(what: &'static str, value: &Path, hint: &'static str) -> Error {
    Error::Invalid {
        what,
        value: value.display().to_string(),
        hint,
    }
}

/// Adds a folder (or updates the options of one already watched). Refuses what cannot work:
/// a missing folder, the library itself, a folder inside or around another recursive one.
pub fn add_folder(
    lib: &Library,
    dir: &Path,
    opts: &FolderOptions,
) -> Result<(WatchedFolder, bool)> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(format!("{}", dir.display()), e))?;
    if !meta.is_dir() {
        return Err(invalid("folder", dir, "pass a folder, not a file"));
    }
    let path =
        std::fs::canonicalize(dir).map_err(|e| Error::io(format!("{}", dir.display()), e))?;
    let text = path.to_str().ok_or_else(|| {
        invalid(
            "folder",
            dir,
            "a watched folder needs a UTF-8 path; rename or move it",
        )
    })?;
    let library = std::fs::canonicalize(lib.root()).unwrap_or(lib.root().to_path_buf());
    if path.starts_with(&library) || library.starts_with(&path) {
        return Err(invalid(
            "folder",
            dir,
            "this folder holds (or is inside) the library itself; watch another folder",
        ));
    }
    for f in lib.catalog().watched_folders()? {
        let other = Path::new(&f.path);
        if other == path {
            continue;
        }
        let overlaps = (path.starts_with(other) && f.options.recursive)
            || (other.starts_with(&path) && opts.recursive);
        if overlaps {
            return Err(Error::Invalid {
                what: "folder",
                value: dir.display().to_string(),
                hint: "it overlaps a folder already watched recursively; remove that one first (vitrine watch list)",
            });
        }
    }
    for p in opts.include.iter().chain(&opts.exclude) {
        if p.trim().is_empty() {
            return Err(invalid("pattern", Path::new(p), "patterns cannot be empty"));
        }
    }
    lib.catalog().add_watched(text, scan::device(&path), opts)
}

/// Finds a watched folder by the path the user typed (it may be offline, so it need not exist).
pub fn find_folder(lib: &Library, dir: &Path) -> Result<WatchedFolder> {
    let mut candidates = vec![std::path::absolute(dir).unwrap_or(dir.to_path_buf())];
    if let Ok(c) = std::fs::canonicalize(dir) {
        candidates.insert(0, c);
    }
    let cat = lib.catalog();
    for c in &candidates {
        let text = c.to_string_lossy();
        if let Some(f) = cat.watched_folder(text.trim_end_matches('/'))? {
            return Ok(f);
        }
    }
    Err(Error::NotFound(format!(
        "watched folder {} (see `vitrine watch list`)",
        dir.display()
    )))
}

/// Every watched folder, with the status of folders whose watcher died shown as `stopped`.
pub fn folders(lib: &Library) -> Result<Vec<WatchedFolder>> {
    let mut all = lib.catalog().watched_folders()?;
    for f in &mut all {
        let alive = f
            .owner
            .as_deref()
            .is_some_and(|o| lib.workspace().is_alive(o));
        if f.paused {
            f.status = FolderStatus::Paused;
        } else if !alive {
            f.status = FolderStatus::Stopped;
            f.detail = Some("not watched: open the app or run `vitrine watch run`".into());
        }
    }
    Ok(all)
}

/// Only one process watches a library at a time: the app or `vitrine watch run`.
pub struct WatchLock {
    _file: std::fs::File,
}

impl WatchLock {
    /// Takes the lock, or returns `None` when another live process holds it. The lock is
    /// the OS's (flock on Unix, LockFileEx on Windows): it goes when the process does.
    pub fn try_take(lib: &Library) -> Result<Option<WatchLock>> {
        let path = lib.root().join("watch.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(WatchLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(Error::io(format!("locking {}", path.display()), e))
            }
        }
    }
}
