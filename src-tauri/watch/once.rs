//! One-off work on watched folders, for `vitrine watch add` and `vitrine watch run --once`
//! (and any front end): scans that run to the end and return reports, with what happens on
//! the way told to a [`ScanSink`].

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::apply::Change;
use super::reconcile::{reconcile, ScanReport};
use super::{add_folder, apply_vanished, folders, WatchLock};
use crate::catalog::{FolderOptions, ScanProgress, WatchedFolder};
use crate::error::Result;
use crate::library::Library;

/// Hears what a one-off scan does while it runs. Every method does nothing by default.
pub trait ScanSink: Sync {
    /// A folder was added (`created`) or its options updated, before anything is scanned.
    fn added(&self, _folder: &WatchedFolder, _created: bool) {}
    /// A folder's scan starts.
    fn started(&self, _folder: &WatchedFolder) {}
    fn progress(&self, _folder: &WatchedFolder, _progress: ScanProgress) {}
    /// A file changed (every change, notable or not; see [`Change::notable`]).
    fn change(&self, _folder: &WatchedFolder, _path: &str, _change: &Change) {}
    /// A folder's scan ended (done, failed or stopped).
    fn finished(&self, _folder: &WatchedFolder) {}
}

/// A sink that hears nothing.
pub struct Quiet;
impl ScanSink for Quiet {}

/// What became of the files already in a folder just added.
#[derive(Debug)]
pub enum FirstScan {
    /// Imported now.
    Done(ScanReport),
    /// Not asked for: the watcher imports them when it picks the folder up.
    Skipped,
    /// Another process watches the library (the app, `vitrine watch run`): it imports them.
    ByWatcher,
}

/// What [`add_and_scan`] did.
#[derive(Debug)]
pub struct Added {
    pub folder: WatchedFolder,
    /// A new folder (else the options of one already watched were updated).
    pub created: bool,
    pub scan: FirstScan,
}

/// Watches a folder (see [`add_folder`]) and, if `scan`, imports what is in it now, unless
/// a running watcher holds the library's lock (it picks the folder up within a second and
/// imports it itself). Deletions found are applied, never en masse.
pub fn add_and_scan(
    lib: &Library,
    dir: &Path,
    opts: &FolderOptions,
    scan: bool,
    sink: &dyn ScanSink,
) -> Result<Added> {
    let (folder, created) = add_folder(lib, dir, opts)?;
    sink.added(&folder, created);
    let lock = if scan {
        WatchLock::try_take(lib)?
    } else {
        None
    };
    let scan = match lock {
        None if !scan => FirstScan::Skipped,
        None => FirstScan::ByWatcher,
        Some(_lock) => {
            let mut report = scan_one(lib, &folder, &AtomicBool::new(false), sink)?;
            apply_vanished(lib, &folder, &mut report, false, &|_, _| {})?;
            FirstScan::Done(report)
        }
    };
    Ok(Added {
        folder,
        created,
        scan,
    })
}

/// One folder's outcome in [`scan_all`].
#[derive(Debug)]
pub struct FolderScan {
    pub folder: WatchedFolder,
    /// The report, or why the folder could not be scanned (offline, unreadable).
    pub result: Result<ScanReport>,
}

/// Scans every folder that is not paused, then applies the deletion rules of what vanished
/// once all are scanned, so a file moved between two folders while nothing watched is found
/// at its new place first. Held back deletions (see [`super::vanish`]) apply with
/// `allow_mass_deletes`. After `stop` no deletion rule is applied. The lock proves no other
/// process watches the library meanwhile.
pub fn scan_all(
    lib: &Library,
    _lock: &WatchLock,
    allow_mass_deletes: bool,
    stop: &AtomicBool,
    sink: &dyn ScanSink,
) -> Result<Vec<FolderScan>> {
    let mut out = Vec::new();
    for folder in folders(lib)? {
        if folder.paused {
            continue;
        }
        let result = scan_one(lib, &folder, stop, sink);
        out.push(FolderScan { folder, result });
    }
    for scanned in &mut out {
        if let Ok(report) = &mut scanned.result {
            if !stop.load(Ordering::SeqCst) {
                apply_vanished(lib, &scanned.folder, report, allow_mass_deletes, &|_, _| {})?;
            }
        }
    }
    Ok(out)
}

fn scan_one(
    lib: &Library,
    folder: &WatchedFolder,
    stop: &AtomicBool,
    sink: &dyn ScanSink,
) -> Result<ScanReport> {
    sink.started(folder);
    let report = reconcile(
        lib,
        folder,
        &|p| sink.progress(folder, p),
        &|path, change| sink.change(folder, path, change),
        stop,
    );
    sink.finished(folder);
    report
}
