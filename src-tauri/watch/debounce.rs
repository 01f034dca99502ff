//! When a changed path is looked at, and when a vanished one counts as gone: a pure state
//! machine with the clock passed in (`now`), no I/O and no notify types.
//!
//! A path with an event waits for a quiet period, then the watcher looks at it
//! ([`Debouncer::due`]) and tells what it found ([`Debouncer::observed`]):
//! - a file closed after writing or renamed into place (`settled`) is complete once looked at;
//! - any other file is complete when a second look, a quiet period later, finds the same size
//!   and mtime (a different one waits another quiet period);
//! - another event on the path re-arms its wait;
//! - a file that was complete by size but does not decode yet (still being written) is looked
//!   at again later, backing off ([`Debouncer::still_writing`]).
//!
//! A vanished path waits out a grace period, and then for any pending appearance (its move's
//! other half) up to [`Timing::max_wait`], before its deletion rule may apply
//! ([`Debouncer::gone_due`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A watched folder's catalog id.
pub type FolderId = i64;
/// A file's size and mtime (ns since the epoch).
pub type Stat = (u64, i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Quiet time after the last event before a file's size and mtime are checked.
    pub quiet: Duration,
    /// Quiet time after a close-after-write or a rename (the file is complete).
    pub settled: Duration,
    /// The longest a vanished path waits for pending appearances (its possible move partner).
    pub max_wait: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            quiet: Duration::from_millis(250),
            settled: Duration::from_millis(40),
            max_wait: Duration::from_secs(10),
        }
    }
}

/// What the watcher found at a due path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Nothing there (deleted, or renamed away).
    Missing,
    Dir,
    File(Stat),
    /// A socket, a device, …: not for us.
    Other,
}

/// What to do with a due path, given what was found there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Complete: import it. `attempts` is how often it was found still being written before.
    Ready {
        folder: FolderId,
        stat: Stat,
        attempts: u32,
    },
    /// Gone: what the catalog knew at or under it waits for the grace period.
    Vanished { folder: FolderId },
    /// A directory appeared: what is in it is new.
    Dir { folder: FolderId },
    /// Still changing, or not looked at yet: waits another quiet period.
    Wait,
    /// Not a pending path, or nothing to do.
    Drop,
}

#[derive(Debug, Clone)]
struct Pending {
    folder: FolderId,
    due: Instant,
    stat: Option<Stat>,
    /// Closed after writing or renamed into place: complete once it stops changing.
    settled: bool,
    attempts: u32,
}

#[derive(Debug, Clone, Copy)]
struct Gone {
    folder: FolderId,
    /// When the folder's rule may apply (the grace period's end).
    at: Instant,
}

#[derive(Debug, Default)]
pub struct Debouncer {
    timing: Timing,
    pending: HashMap<PathBuf, Pending>,
    gone: HashMap<String, Gone>,
}

impl Debouncer {
    pub fn new(timing: Timing) -> Self {
        Debouncer {
            timing,
            ..Debouncer::default()
        }
    }

    /// An event on `path`: it is looked at once quiet for a while (shortly when `settled`).
    pub fn event(&mut self, folder: FolderId, path: PathBuf, settled: bool, now: Instant) {
        let quiet = if settled {
            self.timing.settled
        } else {
            self.timing.quiet
        };
        let p = self.pending.entry(path).or_insert(Pending {
            folder,
            due: now,
            stat: None,
            settled,
            attempts: 0,
        });
        p.due = now + quiet;
        // A write after the close means it is being written again.
        p.settled = settled;
        p.attempts = 0;
    }

    /// A file found by listing a directory that appeared: looked at after a quiet period
    /// (complete if it has not changed by then). A path already pending keeps its wait.
    pub fn appeared(&mut self, folder: FolderId, path: PathBuf, stat: Stat, now: Instant) {
        self.pending.entry(path).or_insert(Pending {
            folder,
            due: now + self.timing.quiet,
            stat: Some(stat),
            settled: false,
            attempts: 0,
        });
    }

    /// A file that looked complete but did not decode while freshly written (`attempts`
    /// times so far): looked at again after a backoff of 1 s, 2 s, 4 s, then 8 s.
    pub fn still_writing(&mut self, folder: FolderId, path: PathBuf, attempts: u32, now: Instant) {
        let attempts = attempts + 1;
        let backoff = Duration::from_millis(500 * (1 << attempts.min(4)));
        self.pending.insert(
            path,
            Pending {
                folder,
                due: now + backoff,
                stat: None,
                settled: false,
                attempts,
            },
        );
    }

    /// Pending paths whose wait is over, to be looked at and passed to [`Self::observed`].
    pub fn due(&self, now: Instant) -> Vec<PathBuf> {
        self.pending
            .iter()
            .filter(|(_, p)| p.due <= now)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// What was found at a due path decides what happens to it.
    pub fn observed(&mut self, path: &Path, look: Look, now: Instant) -> Verdict {
        let Some(mut p) = self.pending.remove(path) else {
            return Verdict::Drop;
        };
        match look {
            Look::Missing => Verdict::Vanished { folder: p.folder },
            Look::Dir => Verdict::Dir { folder: p.folder },
            Look::Other => Verdict::Drop,
            Look::File(stat) if p.settled || p.stat == Some(stat) => Verdict::Ready {
                folder: p.folder,
                stat,
                attempts: p.attempts,
            },
            Look::File(stat) => {
                p.stat = Some(stat);
                p.due = now + self.timing.quiet;
                self.pending.insert(path.to_path_buf(), p);
                Verdict::Wait
            }
        }
    }

    /// A path the catalog knew is gone: its rule may apply after `grace` (an earlier report
    /// of the same path keeps its time).
    pub fn vanished(&mut self, folder: FolderId, path: String, grace: Duration, now: Instant) {
        self.gone.entry(path).or_insert(Gone {
            folder,
            at: now + grace,
        });
    }

    /// Vanished paths whose rule applies now: past their grace period, and either nothing is
    /// pending (no appearance could be their move) or they waited [`Timing::max_wait`] more.
    /// They leave the machine.
    pub fn gone_due(&mut self, now: Instant) -> Vec<(String, FolderId)> {
        let wait = self.gone_wait();
        let due: Vec<(String, FolderId)> = self
            .gone
            .iter()
            .filter(|(_, g)| g.at + wait <= now)
            .map(|(p, g)| (p.clone(), g.folder))
            .collect();
        for (p, _) in &due {
            self.gone.remove(p);
        }
        due
    }

    /// How long vanished paths wait after their grace period: while files are pending, for
    /// them (see [`Self::gone_due`]).
    fn gone_wait(&self) -> Duration {
        if self.pending.is_empty() {
            Duration::ZERO
        } else {
            self.timing.max_wait
        }
    }

    /// When something is next due, if anything waits.
    pub fn next_due(&self) -> Option<Instant> {
        let wait = self.gone_wait();
        let pending = self.pending.values().map(|p| p.due);
        let gone = self.gone.values().map(|g| g.at + wait);
        pending.chain(gone).min()
    }

    /// Forgets a folder's paths (removed, paused, offline, or set up again).
    pub fn forget_folder(&mut self, folder: FolderId) {
        self.pending.retain(|_, p| p.folder != folder);
        self.forget_gone(folder);
    }

    /// Forgets a folder's vanished paths only (their deletions were held back).
    pub fn forget_gone(&mut self, folder: FolderId) {
        self.gone.retain(|_, g| g.folder != folder);
    }

    /// Keeps only the paths of folders for which `keep` holds.
    pub fn retain_folders(&mut self, keep: impl Fn(FolderId) -> bool) {
        self.pending.retain(|_, p| keep(p.folder));
        self.gone.retain(|_, g| keep(g.folder));
    }

    /// Paths waiting to be looked at.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_pending(&self, path: &Path) -> bool {
        self.pending.contains_key(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn machine() -> (Debouncer, Instant) {
        (Debouncer::new(Timing::default()), Instant::now())
    }

    fn p(name: &str) -> PathBuf {
        PathBuf::from(format!("/w/{name}"))
    }

    #[test]
    fn a_file_waits_for_the_quiet_period_then_for_an_unchanged_second_look() {
        let (mut d, t0) = machine();
        d.event(1, p("a.png"), false, t0);
        assert!(d.due(t0 + 249 * MS).is_empty(), "quiet for 250 ms first");
        assert_eq!(d.next_due(), Some(t0 + 250 * MS));
        let t1 = t0 + 250 * MS;
        assert_eq!(d.due(t1), vec![p("a.png")]);
        assert_eq!(
            d.observed(&p("a.png"), Look::File((10, 1)), t1),
            Verdict::Wait,
            "a first look only remembers size and mtime"
        );
        assert!(d.due(t1 + 249 * MS).is_empty());
        let t2 = t1 + 250 * MS;
        assert_eq!(
            d.observed(&p("a.png"), Look::File((10, 1)), t2),
            Verdict::Ready {
                folder: 1,
                stat: (10, 1),
                attempts: 0
            },
            "the same size and mtime a quiet period later: complete"
        );
        assert_eq!(d.pending_len(), 0);
        assert_eq!(d.next_due(), None);
    }

    #[test]
    fn a_file_still_growing_waits_again() {
        let (mut d, t0) = machine();
        d.event(1, p("a.png"), false, t0);
        let t1 = t0 + 250 * MS;
        assert_eq!(
            d.observed(&p("a.png"), Look::File((10, 1)), t1),
            Verdict::Wait
        );
        let t2 = t1 + 250 * MS;
        assert_eq!(
            d.observed(&p("a.png"), Look::File((20, 2)), t2),
            Verdict::Wait,
            "grew meanwhile"
        );
        assert_eq!(d.next_due(), Some(t2 + 250 * MS));
        assert!(matches!(
            d.observed(&p("a.png"), Look::File((20, 2)), t2 + 250 * MS),
            Verdict::Ready { stat: (20, 2), .. }
        ));
    }

    #[test]
    fn closed_after_writing_or_renamed_into_place_is_complete_at_first_look() {
        let (mut d, t0) = machine();
        d.event(1, p("a.png"), true, t0);
        assert_eq!(d.next_due(), Some(t0 + 40 * MS), "the settled fast path");
        assert_eq!(d.due(t0 + 40 * MS), vec![p("a.png")]);
        assert_eq!(
            d.observed(&p("a.png"), Look::File((10, 1)), t0 + 40 * MS),
            Verdict::Ready {
                folder: 1,
                stat: (10, 1),
                attempts: 0
            }
        );
    }

    #[test]
    fn another_event_rearms_the_wait_and_a_write_after_the_close_unsettles() {
        let (mut d, t0) = machine();
        d.event(1, p("a.png"), true, t0);
        d.event(1, p("a.png"), false, t0 + 30 * MS);
        assert!(
            d.due(t0 + 40 * MS).is_empty(),
            "the second event re-armed the wait"
        );
        let t1 = t0 + 280 * MS;
        assert_eq!(d.due(t1), vec![p("a.png")]);
        assert_eq!(
            d.observed(&p("a.png"), Look::File((10, 1)), t1),
            Verdict::Wait,
            "written again after the close: no longer known complete"
        );
        // And an event between two looks re-arms it too.
        d.event(1, p("a.png"), false, t1 + 100 * MS);
        assert!(d.due(t1 + 250 * MS).is_empty());
        assert_eq!(d.due(t1 + 350 * MS), vec![p("a.png")]);
    }

    #[test]
    fn a_file_still_being_written_is_retried_with_backoff() {
        let (mut d, t0) = machine();
        let mut attempts = 0;
        let mut now = t0;
        for backoff_ms in [1000, 2000, 4000, 8000, 8000] {
            d.still_writing(1, p("a.jpg"), attempts, now);
            assert_eq!(d.next_due(), Some(now + backoff_ms * MS));
            assert!(d.due(now + (backoff_ms - 1) * MS).is_empty());
            now += backoff_ms * MS;
            // Settled or not, an unchanged look after the backoff is ready again.
            d.observed(&p("a.jpg"), Look::File((5, 5)), now);
            let v = d.observed(&p("a.jpg"), Look::File((5, 5)), now + 250 * MS);
            let Verdict::Ready { attempts: a, .. } = v else {
                panic!("ready after a second look: {v:?}");
            };
            assert_eq!(a, attempts + 1, "attempts are counted");
            attempts = a;
        }
        // A new event starts over.
        d.still_writing(1, p("a.jpg"), attempts, now);
        d.event(1, p("a.jpg"), true, now);
        assert!(matches!(
            d.observed(&p("a.jpg"), Look::File((5, 5)), now + 40 * MS),
            Verdict::Ready { attempts: 0, .. }
        ));
    }

    #[test]
    fn a_file_listed_in_a_new_folder_is_complete_if_unchanged_after_a_quiet_period() {
        let (mut d, t0) = machine();
        d.appeared(2, p("new/a.png"), (7, 7), t0);
        assert_eq!(
            d.observed(&p("new/a.png"), Look::File((7, 7)), t0 + 250 * MS),
            Verdict::Ready {
                folder: 2,
                stat: (7, 7),
                attempts: 0
            }
        );
        // An event already pending keeps its own wait.
        d.event(2, p("new/b.png"), true, t0);
        d.appeared(2, p("new/b.png"), (1, 1), t0);
        assert_eq!(d.next_due(), Some(t0 + 40 * MS));
    }

    #[test]
    fn what_a_look_finds_decides() {
        let (mut d, t0) = machine();
        for name in ["gone", "dir", "fifo"] {
            d.event(3, p(name), false, t0);
        }
        let t1 = t0 + 250 * MS;
        assert_eq!(
            d.observed(&p("gone"), Look::Missing, t1),
            Verdict::Vanished { folder: 3 }
        );
        assert_eq!(
            d.observed(&p("dir"), Look::Dir, t1),
            Verdict::Dir { folder: 3 }
        );
        assert_eq!(d.observed(&p("fifo"), Look::Other, t1), Verdict::Drop);
        assert_eq!(
            d.observed(&p("never"), Look::File((1, 1)), t1),
            Verdict::Drop,
            "not pending"
        );
        assert_eq!(d.pending_len(), 0);
    }

    #[test]
    fn a_vanished_path_waits_for_its_grace_period() {
        let (mut d, t0) = machine();
        let grace = 800 * MS;
        d.vanished(1, "/w/a.png".into(), grace, t0);
        d.vanished(1, "/w/a.png".into(), grace, t0 + 500 * MS);
        assert_eq!(
            d.next_due(),
            Some(t0 + grace),
            "a second report keeps the first time"
        );
        assert!(d.gone_due(t0 + 799 * MS).is_empty());
        assert_eq!(d.gone_due(t0 + grace), vec![("/w/a.png".to_string(), 1)]);
        assert!(d.gone_due(t0 + 2 * grace).is_empty(), "handed out once");
    }

    #[test]
    fn a_vanished_path_waits_for_pending_appearances_that_may_be_its_move() {
        let (mut d, t0) = machine();
        let grace = 800 * MS;
        d.vanished(1, "/w/a.png".into(), grace, t0);
        // Its other half appears elsewhere and is still being looked at.
        d.event(2, p("other/a.png"), false, t0 + 100 * MS);
        d.observed(&p("other/a.png"), Look::File((1, 1)), t0 + 350 * MS);
        assert!(
            d.gone_due(t0 + grace).is_empty(),
            "not while an appearance is pending"
        );
        assert_eq!(
            d.next_due(),
            Some(t0 + 600 * MS),
            "the pending look comes first"
        );
        let ready = d.observed(&p("other/a.png"), Look::File((1, 1)), t0 + 600 * MS);
        assert!(matches!(ready, Verdict::Ready { folder: 2, .. }));
        assert_eq!(d.gone_due(t0 + grace), vec![("/w/a.png".to_string(), 1)]);
    }

    #[test]
    fn a_vanished_path_waits_at_most_max_wait_for_a_busy_folder() {
        let (mut d, t0) = machine();
        let grace = 800 * MS;
        d.vanished(1, "/w/a.png".into(), grace, t0);
        // Files keep being written for a long time.
        d.still_writing(1, p("slow.jpg"), 3, t0);
        assert!(d.gone_due(t0 + grace + 9_999 * MS).is_empty());
        assert_eq!(d.next_due(), Some(t0 + 8000 * MS));
        d.still_writing(1, p("slow.jpg"), 4, t0 + 8000 * MS);
        assert_eq!(
            d.gone_due(t0 + grace + 10_000 * MS),
            vec![("/w/a.png".to_string(), 1)],
            "applied after the longest wait all the same"
        );
    }

    #[test]
    fn a_folder_forgotten_takes_its_paths_along() {
        let (mut d, t0) = machine();
        d.event(1, p("a"), false, t0);
        d.event(2, p("b"), false, t0);
        d.vanished(1, "/w/c".into(), MS, t0);
        d.vanished(2, "/w/d".into(), MS, t0);
        d.forget_gone(2);
        assert!(
            d.is_pending(&p("b")),
            "a held deletion keeps the folder's pending files"
        );
        d.forget_folder(1);
        assert!(!d.is_pending(&p("a")));
        assert_eq!(d.pending_len(), 1);
        d.retain_folders(|id| id != 2);
        assert_eq!(d.pending_len(), 0);
        assert!(d.gone_due(t0 + Duration::from_secs(60)).is_empty());
        assert_eq!(d.next_due(), None);
    }
}
