//! Thumbnail cache layout: one SQLite file with INTEGER keys and BLOBs (what Vitrine uses)
//! against one file per thumbnail in sharded folders. Write 10k, read 10k at random.

use std::path::Path;
use std::time::Instant;

use vitrine::thumbs::{Thumb, ThumbCache, ThumbSize};

const N: usize = 10_000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn sha(i: usize) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(i.to_le_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn drop_caches() -> bool {
    unsafe { libc::sync() };
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

fn file_path(root: &Path, sha: &str) -> std::path::PathBuf {
    root.join(&sha[0..2])
        .join(&sha[2..4])
        .join(format!("{sha}.jpg"))
}

pub fn run() {
    println!("\n== thumbcache: {N} thumbnails, 6-24 KiB each");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let blobs: Vec<Vec<u8>> = (0..N)
        .map(|_| {
            let len = 6 * 1024 + (rng.next() % (18 * 1024)) as usize;
            (0..len).map(|_| rng.next() as u8).collect()
        })
        .collect();
    let shas: Vec<String> = (0..N).map(sha).collect();
    let order: Vec<usize> = (0..N).map(|_| (rng.next() % N as u64) as usize).collect();

    // SQLite
    let db = dir.path().join("thumbs.db");
    let cache = ThumbCache::open(&db).expect("open cache");
    let t = Instant::now();
    for (s, b) in shas.iter().zip(&blobs) {
        let thumb = Thumb {
            mime: "image/jpeg",
            width: 320,
            height: 213,
            data: b.clone(),
        };
        cache.put(s, ThumbSize::Grid, &thumb).expect("put");
    }
    let sqlite_write = t.elapsed();
    let read_sqlite = |cache: &ThumbCache| {
        let t = Instant::now();
        let mut bytes = 0;
        for &i in &order {
            bytes += cache
                .get(&shas[i], ThumbSize::Grid)
                .expect("get")
                .expect("present")
                .data
                .len();
        }
        (t.elapsed(), bytes)
    };
    let (sqlite_warm, _) = read_sqlite(&cache);

    // Sharded files
    let root = dir.path().join("files");
    let t = Instant::now();
    for (s, b) in shas.iter().zip(&blobs) {
        let p = file_path(&root, s);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        let tmp = p.with_extension("tmp");
        std::fs::write(&tmp, b).expect("write");
        std::fs::rename(&tmp, &p).expect("rename");
    }
    let files_write = t.elapsed();
    let read_files = || {
        let t = Instant::now();
        let mut bytes = 0;
        for &i in &order {
            bytes += std::fs::read(file_path(&root, &shas[i]))
                .expect("read")
                .len();
        }
        (t.elapsed(), bytes)
    };
    let (files_warm, _) = read_files();

    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / N as f64;
    println!(
        "write 10k   sqlite {:8.1} µs/thumb   files {:8.1} µs/thumb   files/sqlite = {:.2}x",
        per(sqlite_write),
        per(files_write),
        files_write.as_secs_f64() / sqlite_write.as_secs_f64()
    );
    println!(
        "read warm   sqlite {:8.1} µs/thumb   files {:8.1} µs/thumb   files/sqlite = {:.2}x",
        per(sqlite_warm),
        per(files_warm),
        files_warm.as_secs_f64() / sqlite_warm.as_secs_f64()
    );
    drop(cache);
    if drop_caches() {
        let cache = ThumbCache::open(&db).expect("reopen");
        let (sqlite_cold, _) = read_sqlite(&cache);
        drop_caches();
        let (files_cold, _) = read_files();
        println!(
            "read cold   sqlite {:8.1} µs/thumb   files {:8.1} µs/thumb   files/sqlite = {:.2}x",
            per(sqlite_cold),
            per(files_cold),
            files_cold.as_secs_f64() / sqlite_cold.as_secs_f64()
        );
    } else {
        println!("read cold   not measured (cannot drop the page cache here)");
    }
    let db_size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let files_size: u64 = walkdir::WalkDir::new(&root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.metadata()
                .map(|m| m.len().div_ceil(4096) * 4096)
                .unwrap_or(0)
        })
        .sum();
    println!(
        "disk        sqlite {:.1} MiB   files {:.1} MiB (4 KiB blocks)",
        db_size as f64 / 1048576.0,
        files_size as f64 / 1048576.0
    );
}
