//! A folder's scan inside the service (on start, after an overflow, on the polling or safety
//! timer): [`reconcile`](super::reconcile) with its progress published as the folder's
//! status, files still being written and vanished paths handed back to the debouncer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::apply::Change;
use super::mode::{offline_reason, Mode};
use super::reconcile::reconcile;
use super::service::{Folder, Notice, Service};
use crate::catalog::ScanProgress;
use crate::error::Result;
use crate::model::FolderStatus;

/// Progress is published at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

impl Service<'_> {
    pub(super) fn scan(&mut self, f: &mut Folder, stop: &AtomicBool) -> Result<()> {
        if matches!(f.mode, Mode::Paused | Mode::Offline) {
            f.next_scan = None;
            return Ok(());
        }
        if let Some(why) = offline_reason(&self.cat, &f.folder) {
            self.go_offline(f, why);
            return Ok(());
        }
        let started = Instant::now();
        self.publish(f, FolderStatus::Scanning, Some("scanning"), false);
        let token = self.lib.workspace().token().to_string();
        let last = std::sync::Mutex::new(Instant::now());
        let progress_cat = std::sync::Mutex::new(self.lib.catalog_connection()?);
        let folder = f.folder.clone();
        let sink = self.sink;
        // A long scan stops early when asked to stop or when folders change (paused, removed,
        // options edited); the folder is set up again and rescanned.
        let cut = AtomicBool::new(false);
        let config = self.config.clone();
        let progress = |p: ScanProgress| {
            if stop.load(Ordering::Relaxed) {
                cut.store(true, Ordering::Relaxed);
            }
            let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
            if last.elapsed() < PROGRESS_EVERY {
                return;
            }
            *last = Instant::now();
            let cat = progress_cat.lock().unwrap_or_else(|p| p.into_inner());
            if cat.watched_config_version().ok() != config {
                cut.store(true, Ordering::Relaxed);
            }
            let _ = cat.set_watch_progress(folder.id, p, &token);
            if let Ok(Some(folder)) = cat.watched_folder(&folder.path) {
                sink(Notice::Folder {
                    folder: Box::new(folder),
                });
            }
        };
        let on_change = |path: &str, change: &Change| {
            if let Some(n) = Notice::change(folder.id, path, change, folder.options.on_delete) {
                sink(n);
            }
        };
        match reconcile(self.lib, &f.folder, &progress, &on_change, &cut) {
            Ok(mut report) => {
                self.scanned_vanished(f, &mut report);
                f.problems = report.problems_line();
                let now = Instant::now();
                for path in report.retry {
                    self.debounce.still_writing(f.folder.id, path, 0, now);
                }
            }
            Err(e) => {
                f.problems = Some(e.to_string());
            }
        }
        f.last_scan_took = started.elapsed();
        if cut.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
            // Folders changed meanwhile: the reload sets this one up again (and rescans it).
            self.config = None;
        }
        let next = match f.mode {
            Mode::Polling(_) => self.opts.poll_interval.max(f.last_scan_took * 4),
            _ => self.opts.rescan_interval,
        };
        f.next_scan = Some(Instant::now() + next);
        let (status, detail) = f.mode.settled_status();
        let detail = detail.map(str::to_string);
        self.publish(f, status, detail.as_deref(), true);
        Ok(())
    }
}
