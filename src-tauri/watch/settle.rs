//! Pending paths that are due, inside the service: looked at (a stat), then imported when
//! complete, handed to [`vanish`](super::vanish) when gone, or listed when a directory
//! appeared; files still being written go back to the debouncer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::apply::{self, Applier, Change};
use super::debounce::{Look, Verdict};
use super::service::{Notice, Ready, Service};
use super::{scan, Filter};
use crate::catalog::WatchedFolder;
use crate::error::Result;
use crate::library::Library;

impl Service<'_> {
    /// Imports pending files that are complete.
    pub(super) fn settle(&mut self) -> Result<()> {
        let now = Instant::now();
        let mut ready: HashMap<i64, Vec<Ready>> = HashMap::new();
        let mut tries: HashMap<PathBuf, u32> = HashMap::new();
        for path in self.debounce.due(now) {
            let look = match std::fs::metadata(&path) {
                Err(_) => Look::Missing,
                Ok(m) if m.is_dir() => Look::Dir,
                Ok(m) if m.is_file() => Look::File((m.len(), scan::mtime_ns(&m))),
                Ok(_) => Look::Other,
            };
            match self.debounce.observed(&path, look, now) {
                Verdict::Ready {
                    folder,
                    stat,
                    attempts,
                } => {
                    tries.insert(path.clone(), attempts);
                    ready.entry(folder).or_default().push((path, stat));
                }
                Verdict::Vanished { folder } => self.vanished(folder, &path, now),
                Verdict::Dir { folder } => self.expand_dir(folder, &path, now),
                Verdict::Wait | Verdict::Drop => {}
            }
        }
        for (id, files) in ready {
            let Some(f) = self.folders.get(&id) else {
                continue;
            };
            if !f.mode.active() {
                continue;
            }
            let folder = f.folder.clone();
            let results = apply_files(self.lib, &folder, &files, self.sink);
            let now = Instant::now();
            for (path, change) in results {
                if let Change::Waiting { .. } = change {
                    let attempts = tries.get(&path).copied().unwrap_or(0);
                    self.debounce.still_writing(id, path, attempts, now);
                }
            }
        }
        Ok(())
    }

    /// A directory appeared (created, moved in, or renamed): everything in it is new here,
    /// and what the catalog knew under its old name is gone (handled by `vanished` events).
    fn expand_dir(&mut self, id: i64, dir: &Path, now: Instant) {
        let Some(f) = self.folders.get(&id) else {
            return;
        };
        let root = PathBuf::from(&f.folder.path);
        let filter = f.filter.clone();
        if !filter.recursive {
            return;
        }
        let Ok(rel) = dir.strip_prefix(&root) else {
            return;
        };
        if !filter.enters(rel) {
            return;
        }
        // List it as if it were the root, with paths relative to the real root.
        let sub = Filter {
            recursive: true,
            ..filter.clone()
        };
        if let Ok(listing) = scan::list(dir, &sub, &|_| {}) {
            for seen in listing.files {
                let rel = seen.path.strip_prefix(&root).unwrap_or(&seen.path);
                if filter.check(rel).is_ok() {
                    self.debounce
                        .appeared(id, seen.path, (seen.size, seen.mtime_ns), now);
                }
            }
        }
        // What the catalog knew under it and is not there any more (the folder was replaced,
        // or a disk mounted on it went away) is gone.
        let grace = self.grace();
        if let Ok(known) = self.cat.watched_files_under(id, &apply::path_text(dir)) {
            for k in known {
                if !Path::new(&k).exists() {
                    self.debounce.vanished(id, k, grace, now);
                }
            }
        }
    }
}

/// Imports complete files of one folder: in parallel for a burst, inline for a few.
fn apply_files(
    lib: &Library,
    folder: &WatchedFolder,
    files: &[Ready],
    sink: &(dyn Fn(Notice) + Sync),
) -> Vec<(PathBuf, Change)> {
    let opts = apply::import_options(folder);
    let out = std::sync::Mutex::new(Vec::with_capacity(files.len()));
    let threads = if files.len() > 4 {
        crate::parallel::threads(0)
    } else {
        1
    };
    let result = crate::parallel::for_each(
        files,
        threads,
        || Applier::new(lib, folder, &opts),
        |applier, (path, seen)| {
            let key = apply::path_text(path);
            let change = applier
                .file(path, Some(*seen))
                .unwrap_or_else(|e| Change::Failed {
                    code: e.code(),
                    message: e.to_string(),
                });
            let _ = applier.record(&key, &change);
            if let Some(n) = Notice::change(folder.id, &key, &change, folder.options.on_delete) {
                sink(n);
            }
            out.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((path.clone(), change));
        },
    );
    if let Err(e) = result {
        sink(Notice::failure(folder.id, folder.path.clone(), &e));
    }
    out.into_inner().unwrap_or_else(|p| p.into_inner())
}
