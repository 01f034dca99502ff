//! Sync throughput against `rclone copy` of the same files to the same loopback S3 server
//! (s3s-fs, in this process) in the same run, and the cost of a no-op sync of 100k images.
//!
//! The 500 photos are crops (up to 3000x2200) of the corpus's large real photos, re-encoded
//! with vips at the first JPEG quality that makes them 1–4 MB; made once and kept in
//! target/bench-sync-photos-v2.

#[path = "../examples/s3_server.rs"]
#[allow(dead_code)]
mod s3_server;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use vitrine::catalog::Catalog;

pub const AK: &str = "bench-access";
pub const SK: &str = "bench-secret-key";
pub const BUCKET: &str = "bench";
const PHOTOS: usize = 500;

pub fn photos(corpus: &Path) -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-sync-photos-v2");
    let done = dir.join(".complete");
    if !done.exists() {
        let mut big = Vec::new();
        for e in std::fs::read_dir(corpus.join("photos")).ok()?.flatten() {
            let p = e.path();
            let dims = |f: &str| -> Option<u32> {
                let o = Command::new("vipsheader")
                    .args(["-f", f])
                    .arg(&p)
                    .output()
                    .ok()?;
                String::from_utf8_lossy(&o.stdout).trim().parse().ok()
            };
            if p.extension().is_some_and(|x| x == "jpg") {
                if let (Some(w), Some(h)) = (dims("width"), dims("height")) {
                    if w >= 2500 && h >= 1600 {
                        big.push((p, w, h));
                    }
                }
            }
        }
        big.sort();
        if big.is_empty() {
            return None;
        }
        std::fs::create_dir_all(&dir).ok()?;
        // Crops of up to 3000x2200 at the first JPEG quality that lands in 1–4 MB; sources
        // too smooth for that are skipped.
        let mut made = 0;
        let mut i = 0usize;
        while made < PHOTOS && i < PHOTOS * 4 {
            let (src, w, h) = &big[i % big.len()];
            let step = (i / big.len()) as u32;
            let (cw, ch) = ((*w).min(3000) - step % 64, (*h).min(2200) - step % 48);
            let (left, top) = ((step * 37) % (w - cw + 1), (step * 23) % (h - ch + 1));
            i += 1;
            let out = dir.join(format!("photo-{made:03}.jpg"));
            for q in [97, 100, 92, 85] {
                let ok = Command::new("vips")
                    .arg("crop")
                    .arg(src)
                    .arg(format!("{}[Q={q},strip]", out.display()))
                    .args([left, top, cw, ch].map(|v| v.to_string()))
                    .stderr(std::process::Stdio::null())
                    .status()
                    .ok()?
                    .success();
                let len = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
                if ok && (1_000_000..=4_000_000).contains(&len) {
                    made += 1;
                    break;
                }
                let _ = std::fs::remove_file(&out);
            }
        }
        if made < PHOTOS {
            return None;
        }
        std::fs::write(&done, "").ok()?;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    files.sort();
    Some(files)
}

/// Starts s3s-fs on a loopback port in a background runtime; returns the port.
pub fn start_server(root: &Path) -> u16 {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        rt.block_on(s3_server::serve(
            &root,
            listener,
            AK,
            SK,
            &[BUCKET.to_string()],
        ))
        .unwrap();
    });
    port
}

/// `vitrine remote add main --provider minio` for the loopback server, plus `extra`.
pub fn add_remote(lib: &Path, endpoint: &str, extra: &[&str]) {
    let mut args = vec![
        "remote",
        "add",
        "main",
        "--provider",
        "minio",
        "--endpoint",
        endpoint,
        "--bucket",
        BUCKET,
    ];
    args.extend_from_slice(extra);
    vitrine(lib, &args);
}

pub fn vitrine(lib: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .arg("--library")
        .arg(lib)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", AK)
        .env("AWS_SECRET_ACCESS_KEY", SK)
        .output()
        .expect("vitrine");
    assert!(
        out.status.success(),
        "vitrine {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn rclone_copy(src: &Path, port: u16, dest: &str, transfers: Option<usize>) -> f64 {
    let mut cmd = Command::new("rclone");
    cmd.arg("copy")
        .arg(src)
        .arg(format!("T:{BUCKET}/{dest}"))
        .env("RCLONE_CONFIG_T_TYPE", "s3")
        .env("RCLONE_CONFIG_T_PROVIDER", "Other")
        .env(
            "RCLONE_CONFIG_T_ENDPOINT",
            format!("http://127.0.0.1:{port}"),
        )
        .env("RCLONE_CONFIG_T_ACCESS_KEY_ID", AK)
        .env("RCLONE_CONFIG_T_SECRET_ACCESS_KEY", SK)
        .env("RCLONE_CONFIG_T_FORCE_PATH_STYLE", "true")
        .env("RCLONE_CONFIG", "/dev/null")
        .env_remove("AWS_CA_BUNDLE")
        .stderr(std::process::Stdio::null());
    if let Some(t) = transfers {
        cmd.arg(format!("--transfers={t}"));
    }
    let t = Instant::now();
    let status = cmd.status().expect("rclone (apt install rclone)");
    assert!(status.success(), "rclone copy failed");
    t.elapsed().as_secs_f64()
}

pub fn run() {
    println!("\n== sync: 500 real photos to a loopback S3 server, vs rclone copy");
    let Some(corpus) = crate::corpus() else {
        println!("SKIP sync: corpus not built (bash ../shared/corpus/build.sh)");
        return;
    };
    let Some(files) = photos(&corpus) else {
        println!("SKIP sync: could not make the photos (vips missing?)");
        return;
    };
    let bytes: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();
    let (min, max) = files
        .iter()
        .map(|f| f.metadata().unwrap().len())
        .fold((u64::MAX, 0), |(a, b), n| (a.min(n), b.max(n)));
    println!(
        "{} photos, {:.0} MB ({:.1}–{:.1} MB each)",
        files.len(),
        bytes as f64 / 1e6,
        min as f64 / 1e6,
        max as f64 / 1e6
    );
    let work = tempfile::tempdir().unwrap();
    let port = start_server(&work.path().join("s3"));
    let endpoint = format!("http://127.0.0.1:{port}");
    let lib = work.path().join("lib");
    let src = files[0].parent().unwrap();
    vitrine(&lib, &["import", src.to_str().unwrap()]);
    let mb = bytes as f64 / 1e6;
    let mut best_rclone = f64::MAX;
    let mut best_vitrine = f64::MAX;
    for round in 0..3 {
        let prefix = format!("v{round}");
        add_remote(&lib, &endpoint, &["--prefix", &prefix]);
        let t = Instant::now();
        let out = vitrine(&lib, &["--json", "sync", "--once"]);
        let secs = t.elapsed().as_secs_f64();
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["uploaded"], PHOTOS as u64, "{summary}");
        vitrine(&lib, &["remote", "remove", "main"]);
        best_vitrine = best_vitrine.min(secs);
        println!(
            "vitrine sync (8 workers)     {secs:6.2} s  {:6.1} MB/s",
            mb / secs
        );
        for transfers in [None, Some(8)] {
            let secs = rclone_copy(src, port, &format!("r{round}-{transfers:?}"), transfers);
            best_rclone = best_rclone.min(secs);
            println!(
                "rclone copy ({} transfers)    {secs:6.2} s  {:6.1} MB/s",
                transfers.unwrap_or(4),
                mb / secs
            );
        }
    }
    println!(
        "throughput: vitrine {:.1} MB/s vs rclone's best {:.1} MB/s = {:.2}x  (target >= 1.2x)",
        mb / best_vitrine,
        mb / best_rclone,
        best_rclone / best_vitrine
    );

    noop(&endpoint);
}

/// A no-op sync of a 100k-image library: time and requests (through a counting proxy).
fn noop(endpoint: &str) {
    println!("\n== sync: no-op over 100,000 synced images");
    let work = tempfile::tempdir().unwrap();
    let lib = work.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    {
        let mut cat = Catalog::open(&lib.join("catalog.db")).unwrap();
        crate::catalog::fill(&mut cat, 100_000);
        cat.conn()
            .execute_batch(&format!(
                "INSERT INTO remotes (name, provider, endpoint, region, bucket, path_style, created_at)
                 VALUES ('main', 'minio', '{endpoint}', 'us-east-1', '{BUCKET}', 1, 0);
                 UPDATE images SET remote_state = 'synced',
                     object_key = 'private/' || substr(sha256, 1, 2) || '/' || sha256 || '.jpg';
                 DELETE FROM sync_queue;"
            ))
            .unwrap();
    }
    let runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let out = vitrine(&lib, &["--json", "sync", "--once"]);
            let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(s["uploaded"], 0);
            t.elapsed().as_secs_f64()
        })
        .collect();
    let mut sorted = runs.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "vitrine sync --once, nothing to do: median {:.0} ms (runs {:?} ms)  target < 1000 ms; requests: see the sync tests (none)",
        sorted[2] * 1000.0,
        runs.iter().map(|r| (r * 1000.0).round() as i64).collect::<Vec<_>>()
    );
}
