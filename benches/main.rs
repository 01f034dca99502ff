//! Vitrine benchmarks. Each prints its numbers next to an anchor measured in the same run.
//!
//!   cargo bench --bench vitrine                 # everything
//!   cargo bench --bench vitrine -- import       # import vs vipsthumbnail (needs the corpus)
//!   cargo bench --bench vitrine -- catalog      # 100k-row catalog: paging, filters, FTS, counts
//!   cargo bench --bench vitrine -- million      # the same on 1M rows, thumbs.db size, import rate
//!   cargo bench --bench vitrine -- bulk         # select all + public on 100k images vs per image
//!   cargo bench --bench vitrine -- thumbcache   # SQLite BLOBs vs sharded files
//!   cargo bench --bench vitrine -- sync         # upload vs rclone copy; no-op sync of 100k
//!   cargo bench --bench vitrine -- watch        # file closed -> in the bucket; 100k reconcile
//!   cargo bench --bench vitrine -- replica      # restore of 10k vs rclone; no-op at 100k; A -> B
//!
//! Results are recorded in docs/BENCHMARKS.md. Nothing here asserts a time.

mod bulk;
mod catalog;
mod import;
mod million;
mod replica;
mod sync;
mod thumbcache;
mod watch;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("VITRINE_CORPUS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/vitrine-corpus"))
        })?;
    dir.join(".corpus-version").exists().then_some(dir)
}

/// Median of `runs` timings of `f`.
pub fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; anything else selects benchmarks by name.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let run = |name: &str| wanted.is_empty() || wanted.iter().any(|w| name.contains(w.as_str()));
    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(
                |c| c.lines().find(|l| l.starts_with("model name")).map(|l| l
                    .split(':')
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .to_string())
            )
            .unwrap_or_default()
    );
    if run("thumbcache") {
        thumbcache::run();
    }
    if run("catalog") {
        catalog::run();
    }
    if run("million") {
        million::run();
    }
    if run("bulk") {
        bulk::run();
    }
    if run("sync") {
        sync::run();
    }
    if run("watch") {
        watch::run();
    }
    if run("replica") {
        replica::run();
    }
    if run("import") {
        import::run();
    }
}
