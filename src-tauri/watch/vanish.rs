//! Files gone from a watched folder: they wait a grace period (a move's other half may still
//! appear), then the folder's deletion rule applies to their images, unless most of the
//! folder vanished at once, which looks like a disk unmounted inside it: then nothing is
//! removed until the user says so (`--allow-deletes`). A folder that went away as a whole is
//! offline, not deleted.

use std::path::Path;
use std::time::{Duration, Instant};

use super::apply::{self, Applier, Change};
use super::mode::{offline_reason, Mode};
use super::reconcile::{Problem, ScanReport};
use super::service::{Folder, Notice, Service};
use crate::catalog::WatchedFolder;
use crate::error::Result;
use crate::library::Library;
use crate::model::OnDelete;

/// Whether applying these deletions at once looks like a disk gone rather than files deleted:
/// more than 20 and more than half of what the folder held.
pub fn looks_unmounted(vanished: usize, known: usize) -> bool {
    vanished > 20 && vanished * 2 > known
}

/// Whether `vanished` of `known` files gone from a folder with `rule` are held back.
fn held(rule: OnDelete, allow_mass: bool, vanished: usize, known: usize) -> bool {
    rule != OnDelete::Keep && !allow_mass && looks_unmounted(vanished, known)
}

/// What a held-back deletion tells the user; `how` is what to run if they were deleted.
fn held_message(vanished: usize, known: usize, how: &str) -> String {
    format!(
        "{vanished} of {known} files vanished at once (a disk unmounted inside the folder?): nothing removed; if they were deleted, {how}"
    )
}

const RUN_ONCE: &str = "run `vitrine watch run --once --allow-deletes`";
const STOP_AND_RUN_ONCE: &str =
    "stop the watcher and run `vitrine watch run --once --allow-deletes`";

/// How long a vanished path waits for its move partner: `base`, or long enough for a polled
/// folder (rescanned every `poll_interval`, or 4× its last scan's duration if longer) to
/// notice the other half.
pub fn grace(
    base: Duration,
    poll_interval: Duration,
    polled_scans_took: impl IntoIterator<Item = Duration>,
) -> Duration {
    polled_scans_took
        .into_iter()
        .map(|took| poll_interval.max(took * 4) * 2)
        .fold(base, Duration::max)
}

/// Applies the folder's deletion rule to paths a scan found gone (after every folder was
/// scanned, so a move between folders is seen as a move), or holds them back
/// (`report.held`) when they look like an unmounted disk, unless `allow_mass`.
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
    if held(
        folder.options.on_delete,
        allow_mass,
        vanished.len(),
        report.known,
    ) {
        report.held = vanished.len();
        report.problems.push(Problem {
            path: folder.path.clone(),
            error: held_message(vanished.len(), report.known, RUN_ONCE),
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

impl Service<'_> {
    /// How long vanished paths wait now (see [`grace`]).
    pub(super) fn grace(&self) -> Duration {
        let polled = self
            .folders
            .values()
            .filter(|f| matches!(f.mode, Mode::Polling(_)))
            .map(|f| f.last_scan_took);
        grace(self.opts.grace, self.opts.poll_interval, polled)
    }

    /// A path is gone: every file the catalog knew at or under it waits out the grace period.
    pub(super) fn vanished(&mut self, id: i64, path: &Path, now: Instant) {
        let Ok(known) = self.cat.watched_files_under(id, &apply::path_text(path)) else {
            return;
        };
        let grace = self.grace();
        for k in known {
            self.debounce.vanished(id, k, grace, now);
        }
    }

    /// Paths a scan found gone wait like an event's would (so a move to a folder scanned or
    /// polled later is still seen as a move), unless they look like an unmounted disk.
    pub(super) fn scanned_vanished(&mut self, f: &Folder, report: &mut ScanReport) {
        let vanished = std::mem::take(&mut report.vanished);
        if held(
            f.folder.options.on_delete,
            self.opts.allow_mass_deletes,
            vanished.len(),
            report.known,
        ) {
            report.problems.push(Problem {
                path: f.folder.path.clone(),
                error: held_message(vanished.len(), report.known, STOP_AND_RUN_ONCE),
            });
            return;
        }
        let (grace, now) = (self.grace(), Instant::now());
        for path in vanished {
            self.debounce.vanished(f.folder.id, path, grace, now);
        }
    }

    /// Applies deletion rules to vanished files once no appearance that could be their move
    /// is pending (or after a long wait).
    pub(super) fn apply_gone(&mut self) -> Result<()> {
        let mut per_folder: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for (path, id) in self.debounce.gone_due(Instant::now()) {
            per_folder.entry(id).or_default().push(path);
        }
        for (id, paths) in per_folder {
            let Some(mut f) = self.folders.remove(&id) else {
                continue;
            };
            let result = self.apply_gone_in(&mut f, &paths);
            self.folders.insert(id, f);
            result?;
        }
        Ok(())
    }

    /// One folder's due vanished paths: held back when they look like an unmounted disk
    /// inside it, nothing when the folder itself went away, else the deletion rule.
    fn apply_gone_in(&mut self, f: &mut Folder, paths: &[String]) -> Result<()> {
        let id = f.folder.id;
        let known = self.cat.watched_file_count(id).unwrap_or(0) as usize;
        let rule = f.folder.options.on_delete;
        if held(rule, self.opts.allow_mass_deletes, paths.len(), known) {
            self.debounce.forget_gone(id);
            f.problems = Some(format!(
                "{}: {}",
                f.folder.path,
                held_message(paths.len(), known, STOP_AND_RUN_ONCE)
            ));
            let (status, _) = f.mode.settled_status();
            self.publish(f, status, None, false);
            return Ok(());
        }
        let gone: Vec<&String> = paths.iter().filter(|p| !Path::new(p).exists()).collect();
        if gone.is_empty() || !f.mode.active() {
            return Ok(());
        }
        if let Some(why) = offline_reason(&self.cat, &f.folder) {
            // Not deleted: the whole folder went away (unplugged, unmounted, renamed).
            self.go_offline(f, why);
            return Ok(());
        }
        let opts = apply::import_options(&f.folder);
        let mut applier = Applier::new(self.lib, &f.folder, &opts)?;
        for path in gone {
            let change = applier.gone(path)?;
            applier.record(path, &change)?;
            if let Some(n) = Notice::change(id, path, &change, rule) {
                (self.sink)(n);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_of_a_folder_gone_at_once_looks_unmounted() {
        assert!(!looks_unmounted(20, 20), "20 or fewer: deleted by hand");
        assert!(looks_unmounted(21, 40));
        assert!(!looks_unmounted(21, 42), "half or less of the folder");
        assert!(held(OnDelete::Remove, false, 25, 26));
        assert!(!held(OnDelete::Keep, false, 25, 26), "keep removes nothing");
        assert!(!held(OnDelete::RemoveRemote, true, 25, 26), "allowed");
    }

    #[test]
    fn grace_covers_the_slowest_polled_folder() {
        let s = Duration::from_secs;
        let base = Duration::from_millis(800);
        assert_eq!(grace(base, s(5), []), base, "no polled folder");
        assert_eq!(grace(base, s(5), [s(1)]), s(10), "two poll intervals");
        assert_eq!(
            grace(base, s(5), [s(1), s(3)]),
            s(24),
            "a slow scan stretches its interval to 4× its duration"
        );
        assert_eq!(grace(s(30), s(5), [s(1)]), s(30), "never below the base");
    }
}
