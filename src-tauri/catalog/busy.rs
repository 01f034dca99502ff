//! Waiting for another connection's write lock: short sleeps, growing slowly, for up to
//! [`BUSY_TIMEOUT`] in all.
//!
//! SQLite's own handler (`busy_timeout`) sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries.
//! Writers here hold the lock for a millisecond or a few (one image's row, its indexes and its
//! search entry), so a writer that just missed the lock slept up to 10 ms while the lock sat
//! free: an import into a large catalog, whose transactions are longer, lost a third of its
//! rate that way (docs/BENCHMARKS.md, issue 15). This handler tries again after 50 µs, then
//! after 25 % longer each time, never more than 2 ms apart.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// How long a writer waits for another connection's write transaction.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const FIRST: Duration = Duration::from_micros(50);
const LONGEST: Duration = Duration::from_millis(2);

thread_local! {
    /// When the current wait began (SQLite calls the handler on the waiting thread, with a
    /// count that starts at 0 for each wait).
    static SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Installs the handler on `conn` (in place of any `busy_timeout`).
pub fn install(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.busy_handler(Some(wait))
}

/// The sleep before try `count + 1`.
pub(crate) fn delay(count: i32) -> Duration {
    let grown = FIRST.as_secs_f64() * 1.25f64.powi(count.clamp(0, 64));
    Duration::from_secs_f64(grown).min(LONGEST)
}

/// SQLite's busy callback: `true` to try again, `false` to give up (the statement then fails
/// with `SQLITE_BUSY`).
fn wait(count: i32) -> bool {
    let now = Instant::now();
    let since = SINCE.with(|s| {
        if count == 0 || s.get().is_none() {
            s.set(Some(now));
        }
        s.get().unwrap_or(now)
    });
    if now.duration_since(since) >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(delay(count));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_short_and_grow_to_a_cap() {
        assert_eq!(delay(0), FIRST);
        assert!(delay(1) > delay(0) && delay(1) < Duration::from_micros(100));
        assert_eq!(delay(40), LONGEST);
        assert_eq!(delay(i32::MAX), LONGEST, "no overflow");
        let to_cap: Duration = (0..20).map(delay).sum();
        assert!(
            to_cap < Duration::from_millis(20),
            "the first 20 tries come within SQLite's first few sleeps: {to_cap:?}"
        );
    }

    /// A writer waits for another connection's transaction, and gets the lock once it ends.
    #[test]
    fn a_writer_waits_for_the_lock_and_gets_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let a = rusqlite::Connection::open(&path).unwrap();
        a.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x)")
            .unwrap();
        a.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
            .unwrap();
        let waiter = std::thread::spawn({
            let path = path.clone();
            move || {
                let b = rusqlite::Connection::open(&path).unwrap();
                install(&b).unwrap();
                b.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT")
            }
        });
        std::thread::sleep(Duration::from_millis(30));
        a.execute_batch("COMMIT").unwrap();
        waiter.join().unwrap().expect("the waiter got the lock");
        let n: i64 = a
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }
}
