//! Watched folders: every image that appears in one is cataloged, thumbnailed and synced
//! without a click, across restarts, renames, edits and deletes.
//!
//! - [`filter`]: which files count (pure rules).
//! - [`scan`]: listing a folder by size and mtime, without reading files.
//! - [`apply`]: what one changed or vanished file does to the catalog.
//! - [`service`]: the long-running watcher (notify events, debouncing, stable-file checks,
//!   polling fallback, offline folders, periodic rescans), decoupled from the app by a sink.
//!
//! Folders and what was last seen in them live in the catalog (`watched_folders`,
//! `watched_files`), so a scan on start finds what changed while nothing was watching.
//! One process watches a library at a time (`<library>/watch.lock`).

pub mod apply;
pub mod debounce;
pub mod filter;
pub mod scan;
pub mod service;

use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::catalog::{Catalog, FolderOptions, WatchedFolder};
use crate::error::{Error, Result};
use crate::library::Library;
use crate::model::FolderStatus;
use apply::{Applier, Change};

pub use filter::{Filter, DEFAULT_EXCLUDES};

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

/// The result of reconciling one folder with the catalog.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ScanReport {
    pub path: String,
    pub files: usize,
    pub unchanged: usize,
    pub added: usize,
    pub duplicates: usize,
    pub moved: usize,
    pub edited: usize,
    pub deleted: usize,
    pub failed: usize,
    /// Files that looked incomplete (still being written): retried by the watcher.
    pub waiting: usize,
    /// Files gone whose deletion rule was held back: more than half of the folder vanished
    /// at once (an unmounted disk inside it?). Applied with `--allow-deletes`.
    pub held: usize,
    /// Places that could not be read (permission denied, symlink loops).
    pub problems: Vec<Problem>,
    #[serde(skip)]
    pub retry: Vec<PathBuf>,
    /// Paths gone since the last scan, for [`apply_vanished`] once every folder is scanned.
    #[serde(skip)]
    pub vanished: Vec<String>,
    /// How many files the catalog knew in this folder before the scan.
    #[serde(skip)]
    pub known: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub path: String,
    pub error: String,
}

impl ScanReport {
    fn count(&mut self, change: &Change) {
        match change {
            Change::Unchanged | Change::Skipped => self.unchanged += 1,
            Change::Added { .. } => self.added += 1,
            Change::Duplicate { .. } => self.duplicates += 1,
            Change::Moved { .. } => self.moved += 1,
            Change::Edited { .. } => self.edited += 1,
            Change::Waiting { .. } => self.waiting += 1,
            Change::Failed { .. } => self.failed += 1,
            Change::Gone { .. } => self.deleted += 1,
        }
    }
}

/// Why a folder cannot be scanned right now (nothing is deleted while it is offline).
pub fn offline_reason(cat: &Catalog, folder: &WatchedFolder) -> Option<String> {
    let root = Path::new(&folder.path);
    match std::fs::metadata(root) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Some("the watched path is no longer a folder".into()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Some("permission denied: Vitrine cannot read this folder".into())
        }
        Err(_) => {
            return Some(
                "folder not found: is its disk plugged in? Nothing is deleted while it is away"
                    .into(),
            )
        }
    }
    // A disk unmounted leaves its mount point behind, empty, on another device; another disk
    // may be mounted there, even under the same device number. Either way none of the files
    // the catalog knows are there.
    let here = scan::device(root);
    let moved = folder.device.is_some() && here.is_some() && folder.device != here;
    let mount_point = root
        .parent()
        .is_some_and(|p| here.is_some() && scan::device(p) != here);
    if (moved || mount_point) && !known_files_here(cat, folder) {
        return Some(format!(
            "its disk is not mounted ({}none of its files are here); nothing is deleted while it is away. If this is the right disk and its files were deleted, remove the folder and add it again",
            if moved { "another device is at this path, and " } else { "" }
        ));
    }
    if std::fs::read_dir(root).is_err() {
        return Some("permission denied: Vitrine cannot read this folder".into());
    }
    None
}

/// After a remount the same disk may get another device number (network filesystems, FUSE,
/// a USB disk on another port): it is the same disk if files the catalog knows are there,
/// unchanged. A folder with no known file has nothing to lose.
fn known_files_here(cat: &Catalog, folder: &WatchedFolder) -> bool {
    let sample = cat.watched_sample(folder.id, 20).unwrap_or_default();
    sample.is_empty()
        || sample
            .iter()
            .any(|(p, size, mtime)| scan::stat(Path::new(p)) == Some((*size, *mtime)))
}

/// Whether applying these deletions at once looks like a disk gone rather than files deleted:
/// more than 20 and more than half of what the folder held.
pub fn looks_unmounted(vanished: usize, known: usize) -> bool {
    vanished > 20 && vanished * 2 > known
}

/// Applies the folder's deletion rule to paths a scan found gone (after every folder was
/// scanned, so a move between folders is seen as a move). Returns (applied, held).
pub fn apply_vanished(
    lib: &Library,
    folder: &WatchedFolder,
    report: &mut ScanReport,
    allow_mass: bool,
    on_change: &(dyn Fn(&str, &Change) + Sync),
) -> Result<()> {
    let vanished = std::mem::take(&mut report.vanished);
    if vanished.is_empty() {
        return Ok(());
    }
    let rule = folder.options.on_delete;
    if rule != crate::model::OnDelete::Keep
        && !allow_mass
        && looks_unmounted(vanished.len(), report.known)
    {
        report.held = vanished.len();
        report.problems.push(Problem {
            path: folder.path.clone(),
            error: format!(
                "{} of {} files vanished at once (a disk unmounted inside the folder?): nothing removed; if they were deleted, run `vitrine watch run --once --allow-deletes`",
                vanished.len(),
                report.known
            ),
        });
        return Ok(());
    }
    let opts = apply::import_options(folder);
    let mut applier = Applier::new(lib, folder, &opts)?;
    for path in &vanished {
        if Path::new(path).exists() {
            continue;
        }
        let change = applier.gone(path)?;
        applier.record(path, &change)?;
        on_change(change.path(path), &change);
        match change {
            Change::Skipped => {}
            Change::Moved { .. } => report.moved += 1,
            _ => report.deleted += 1,
        }
    }
    Ok(())
}

/// Reconciles a folder with the catalog: new and changed files (by size and mtime) are
/// imported and moved ones keep their image. Paths gone are returned in
/// `report.vanished` for [`apply_vanished`]; files written in the last seconds are left to the
/// watcher's stability check (`report.retry`).
/// `progress(done, total)`; `on_change` sees every notable change; `stop` ends it early
/// (what is left is found by the next scan).
pub fn reconcile(
    lib: &Library,
    folder: &WatchedFolder,
    progress: &(dyn Fn(usize, usize) + Sync),
    on_change: &(dyn Fn(&str, &Change) + Sync),
    stop: &AtomicBool,
) -> Result<ScanReport> {
    if let Some(why) = offline_reason(&lib.catalog(), folder) {
        return Err(Error::io(
            format!("watched folder {}", folder.path),
            std::io::Error::other(why),
        ));
    }
    let root = Path::new(&folder.path);
    let listing = scan::list(root, &filter_of(folder), &|n| progress(0, n))
        .map_err(|e| Error::io(format!("listing {}", folder.path), e))?;
    let entries = lib.catalog().watched_files(folder.id)?;
    let mut report = ScanReport {
        path: folder.path.clone(),
        files: listing.files.len(),
        problems: listing
            .problems
            .iter()
            .map(|(p, e)| Problem {
                path: p.clone(),
                error: e.clone(),
            })
            .collect(),
        ..ScanReport::default()
    };
    let mut present = std::collections::HashSet::with_capacity(listing.files.len());
    let mut changed = Vec::new();
    let mut fresh = Vec::new();
    let now_ns = crate::model::now_ms().saturating_mul(1_000_000);
    for f in &listing.files {
        let key = apply::path_text(&f.path);
        match entries.get(&key) {
            Some(e) if e.size == f.size && e.mtime_ns == f.mtime_ns => report.unchanged += 1,
            // Written in the last two seconds: maybe still being written.
            _ if (0..2_000_000_000).contains(&(now_ns - f.mtime_ns)) => fresh.push(f.clone()),
            _ => changed.push(f.clone()),
        }
        present.insert(key);
    }
    // Fresh files count as complete only if they stay the same across a quiet moment;
    // others are left to the watcher's stability check.
    if !fresh.is_empty() {
        std::thread::sleep(std::time::Duration::from_millis(300));
        for f in fresh {
            if scan::stat(&f.path) == Some((f.size, f.mtime_ns)) {
                changed.push(f);
            } else {
                report.waiting += 1;
                report.retry.push(f.path);
            }
        }
    }
    report.known = entries.len();
    report.vanished = entries
        .keys()
        .filter(|p| {
            !present.contains(*p) && !listing.is_blind(Path::new(p)) && !Path::new(p).exists()
        })
        .cloned()
        .collect();

    let opts = apply::import_options(folder);
    let total = changed.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::with_capacity(total));
    crate::parallel::for_each(
        &changed,
        crate::parallel::threads(0),
        || Applier::new(lib, folder, &opts),
        |applier, seen| {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let key = apply::path_text(&seen.path);
            let change = applier
                .file(&seen.path, Some((seen.size, seen.mtime_ns)))
                .unwrap_or_else(|e| Change::Failed {
                    code: e.code(),
                    message: e.to_string(),
                });
            let _ = applier.record(&key, &change);
            on_change(&key, &change);
            results
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((seen.path.clone(), change));
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        },
    )?;
    for (path, change) in results.into_inner().unwrap_or_else(|p| p.into_inner()) {
        if matches!(change, Change::Waiting { .. }) {
            report.retry.push(path);
        }
        report.count(&change);
    }
    if stop.load(Ordering::Relaxed) {
        report.vanished.clear();
    }
    Ok(report)
}

/// Only one process watches a library at a time: the app or `vitrine watch run`.
pub struct WatchLock {
    _file: std::fs::File,
}

impl WatchLock {
    /// Takes the lock, or returns `None` when another live process holds it.
    pub fn try_take(lib: &Library) -> Result<Option<WatchLock>> {
        let path = lib.root().join("watch.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: flock on a descriptor we own; released when the file is closed.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                return Ok(None);
            }
        }
        Ok(Some(WatchLock { _file: file }))
    }
}
