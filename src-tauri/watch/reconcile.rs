//! Reconciling a folder with the catalog: list it by size and mtime, import what is new or
//! changed, and say which known paths are gone (their deletion rule is applied later, by
//! [`super::vanish`], once every folder is scanned).

use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::apply::{self, Applier, Change};
use super::{filter_of, mode, scan};
use crate::catalog::{ScanProgress, WatchedFolder};
use crate::error::{Error, Result};
use crate::library::Library;

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
    /// Paths gone since the last scan, for [`super::apply_vanished`] once every folder is
    /// scanned.
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

    /// The first problem (and how many more), for a folder's `last_error`.
    pub fn problems_line(&self) -> Option<String> {
        self.problems.first().map(|first| {
            format!(
                "{}: {}{}",
                first.path,
                first.error,
                match self.problems.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                }
            )
        })
    }
}

/// Reconciles a folder with the catalog: new and changed files (by size and mtime) are
/// imported and moved ones keep their image. Paths gone are returned in
/// `report.vanished` for [`super::apply_vanished`]; files written in the last seconds are
/// left to the watcher's stability check (`report.retry`).
/// `progress` hears how far it is (files listed, then changed files imported); `on_change`
/// sees every notable change; `stop` ends it early (what is left is found by the next scan).
pub fn reconcile(
    lib: &Library,
    folder: &WatchedFolder,
    progress: &(dyn Fn(ScanProgress) + Sync),
    on_change: &(dyn Fn(&str, &Change) + Sync),
    stop: &AtomicBool,
) -> Result<ScanReport> {
    if let Some(why) = mode::offline_reason(&lib.catalog(), folder) {
        return Err(Error::io(
            format!("watched folder {}", folder.path),
            std::io::Error::other(why),
        ));
    }
    let root = Path::new(&folder.path);
    let listing = scan::list(root, &filter_of(folder), &|n| {
        progress(ScanProgress {
            done: n as u64,
            total: None,
        })
    })
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
    let total = changed.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let results = std::sync::Mutex::new(Vec::with_capacity(changed.len()));
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
            progress(ScanProgress {
                done: done.fetch_add(1, Ordering::Relaxed) + 1,
                total: Some(total),
            });
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
