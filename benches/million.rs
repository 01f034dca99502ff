//! A million rows (issue 15): the catalog bench's queries and counts on 1,000,000 synthetic
//! images, catalog and `thumbs.db` bytes per image, and the import rate of real photos into
//! that catalog against the rate into an empty library, in the same run.
//!
//! The 1M catalog takes a while to build; it is kept in `VITRINE_BENCH_FIXTURES` (default
//! `$CARGO_TARGET_DIR/bench-fixtures`, else `target/bench-fixtures`) and reused, grown to
//! size if a run was cut short. `thumbs.db` holds real grid thumbnails (the corpus photos'
//! own, as the import made them) for a sample of 100,000 images: a million would be ~15 GB,
//! and a thumbnail's cost does not depend on how many others there are.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use vitrine::thumbs::{Thumb, ThumbCache, ThumbSize};

use super::catalog::{build, file_bytes, measure};
use super::corpus;

const ROWS: usize = 1_000_000;
const THUMB_SAMPLE: usize = 100_000;
/// Imports into each library, alternated.
const IMPORT_RUNS: usize = 4;

/// Where cached bench fixtures live.
pub fn fixtures() -> PathBuf {
    std::env::var_os("VITRINE_BENCH_FIXTURES")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("bench-fixtures"))
        })
        .unwrap_or_else(|| PathBuf::from("target/bench-fixtures"))
}

pub fn run() {
    let dir = fixtures().join("million");
    std::fs::create_dir_all(&dir).expect("fixtures dir");
    let catalog = dir.join("catalog.db");
    {
        let cat = build(&catalog, ROWS);
        // What measure() reads: the app's connection, its cache size included.
        measure(&cat, ROWS);
    } // the last connection closes: the WAL is checkpointed into catalog.db
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(corpus) = corpus() else {
        println!("thumbs.db and import: skipped, no corpus (run ../shared/corpus/build.sh)");
        return;
    };
    let photos = photos(&corpus, &tmp.path().join("photos"));
    let empty = tmp.path().join("empty");
    let big = tmp.path().join("big");
    // The empty library's first import gives the real grid thumbnails for the sample.
    import(&photos, &empty);
    thumbs(&dir.join("thumbs.db"), &empty.join("thumbs.db"), &catalog);

    println!(
        "\n== import of {} photos: empty library vs the {ROWS}-image catalog (alternated)",
        count_files(&photos)
    );
    let mut ratios = Vec::new();
    for run in 0..IMPORT_RUNS {
        // Alternate which goes first, so that neither always follows the other's writes.
        let order = if run % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        let mut rate = [0.0; 2];
        for into_big in order {
            let lib = if into_big { &big } else { &empty };
            let _ = std::fs::remove_dir_all(lib);
            if into_big {
                std::fs::create_dir_all(lib).expect("mkdir");
                std::fs::copy(&catalog, lib.join("catalog.db")).expect("copy catalog");
                // Written out before the clock starts: else the import's first checkpoint
                // (its first fsync of catalog.db) waits for the copy's 1.3 GB to reach the
                // disk, the copy's cost counted as the import's (docs/BENCHMARKS.md).
                std::fs::File::open(lib.join("catalog.db"))
                    .and_then(|f| f.sync_all())
                    .expect("sync the copy");
            }
            let (took, n) = import(&photos, lib);
            rate[into_big as usize] = n as f64 / took.as_secs_f64();
        }
        let ratio = rate[1] / rate[0];
        ratios.push(ratio);
        println!(
            "run {}: empty {:6.1} images/s   1M catalog {:6.1} images/s   1M / empty {:.3}",
            run + 1,
            rate[0],
            rate[1],
            ratio
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "import rate into the 1M catalog / into an empty one: {:.3}-{:.3} (median {:.3})  target >= 0.90",
        ratios[0],
        ratios[ratios.len() - 1],
        ratios[ratios.len() / 2]
    );
}

/// The corpus's photos copied into `dir` (what the import bench imports as baseline JPEG, and
/// the progressive ones).
fn photos(corpus: &Path, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    for e in std::fs::read_dir(corpus.join("photos"))
        .expect("photos")
        .flatten()
    {
        std::fs::copy(e.path(), dir.join(e.file_name())).expect("copy");
    }
    dir.to_path_buf()
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// `vitrine --library LIB import DIR`: how long it took and how many images the library holds
/// afterwards that it did not before.
fn import(photos: &Path, lib: &Path) -> (Duration, usize) {
    let before = images(lib);
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .arg("--library")
        .arg(lib)
        .arg("import")
        .arg(photos)
        .output()
        .expect("vitrine import");
    let took = start.elapsed();
    assert!(out.status.success(), "import failed: {out:?}");
    (took, images(lib) - before)
}

fn images(lib: &Path) -> usize {
    let db = lib.join("catalog.db");
    if !db.exists() {
        return 0;
    }
    let c = rusqlite::Connection::open(db).expect("open");
    c.query_row("SELECT count(*) FROM images", [], |r| r.get::<_, i64>(0))
        .expect("count") as usize
}

/// Fills `db` with the grid thumbnails of the catalog's first [`THUMB_SAMPLE`] images, cycling
/// through the real ones in `real` (each stored whole: SQLite keeps every copy), and prints the
/// bytes per image.
fn thumbs(db: &Path, real: &Path, catalog: &Path) {
    let source: Vec<Thumb> = {
        let c = rusqlite::Connection::open(real).expect("open thumbs");
        let mut stmt = c
            .prepare("SELECT width, height, data FROM thumbs WHERE key & 3 = ?1")
            .expect("prepare");
        stmt.query_map([ThumbSize::Grid.bit()], |r| {
            Ok(Thumb {
                mime: "image/jpeg",
                width: r.get(0)?,
                height: r.get(1)?,
                data: r.get(2)?,
            })
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("thumbs")
    };
    let cache = ThumbCache::open(db).expect("thumbs.db");
    let have = cache.keys().expect("keys").len();
    if have < THUMB_SAMPLE {
        let c = rusqlite::Connection::open(catalog).expect("open catalog");
        let shas: Vec<String> = c
            .prepare("SELECT sha256 FROM images ORDER BY seq LIMIT ?1")
            .expect("prepare")
            .query_map([THUMB_SAMPLE as i64], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("shas");
        let t = Instant::now();
        for (n, chunk) in shas.chunks(1000).enumerate() {
            let batch: Vec<(String, Thumb)> = chunk
                .iter()
                .enumerate()
                // The synthetic hashes share their first digits (zeros), which the cache keys
                // on: hash them again for a key per image, as real content gives.
                .map(|(i, sha)| {
                    (
                        vitrine::import::sha256_hex(sha.as_bytes()),
                        source[(n * 1000 + i) % source.len()].clone(),
                    )
                })
                .collect();
            cache.put_many(ThumbSize::Grid, &batch).expect("put");
        }
        println!(
            "thumbs.db   {} grid thumbnails written in {:.1} s",
            shas.len(),
            t.elapsed().as_secs_f64()
        );
    }
    let n = cache.keys().expect("keys").len();
    drop(cache);
    let mean = source.iter().map(|t| t.data.len()).sum::<usize>() as f64 / source.len() as f64;
    println!(
        "thumbs.db   {:.0} bytes per image over a sample of {n} ({:.1} MiB; the {} real grid thumbnails average {mean:.0} bytes)",
        file_bytes(db) as f64 / n as f64,
        file_bytes(db) as f64 / (1024.0 * 1024.0),
        source.len()
    );
}
