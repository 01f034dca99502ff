//! Watched folders, with the real `vitrine watch run` daemon:
//! - latency from a file closed in a watched folder to its object verified in the bucket
//!   (loopback S3 server), p50 and p95, against `rclone copyto` of the same file started the
//!   moment it is closed (what a script-based watcher would pay at best, detection aside);
//! - startup reconciliation of 100,000 unchanged files against `find -printf` of the same
//!   tree (a bare stat walk: the least any scan must do).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::sync::{add_remote, start_server, vitrine, AK, BUCKET, SK};

const FILES: usize = 40;
const UNCHANGED: usize = 100_000;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (percentile(&v, 0.5), percentile(&v, 0.95))
}

/// Photos of 1–4 MB: the sync benchmark's set when the corpus is there, else generated
/// noise JPEGs of the same size.
fn photos(work: &Path) -> Vec<PathBuf> {
    if let Some(set) = crate::corpus().and_then(|c| crate::sync::photos(&c)) {
        return set.into_iter().take(FILES).collect();
    }
    let dir = work.join("generated");
    std::fs::create_dir_all(&dir).unwrap();
    (0..FILES)
        .map(|i| {
            let mut seed = 0x9e37_79b9_u32.wrapping_mul(i as u32 + 1);
            let img = image::RgbImage::from_fn(1400, 1000, |_, _| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                image::Rgb([seed as u8, (seed >> 8) as u8, (seed >> 16) as u8])
            });
            let p = dir.join(format!("gen-{i:03}.jpg"));
            img.save(&p).unwrap();
            p
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    vitrine::import::sha256_hex(bytes)
}

pub fn run() {
    latency();
    reconcile();
}

fn latency() {
    println!("\n== watch: file closed in a watched folder -> object verified in the bucket");
    let work = tempfile::tempdir().unwrap();
    let s3_root = work.path().join("s3");
    let port = start_server(&s3_root);
    let endpoint = format!("http://127.0.0.1:{port}");
    let lib = work.path().join("lib");
    let folder = work.path().join("watched");
    std::fs::create_dir_all(&folder).unwrap();
    add_remote(&lib, &endpoint, &[]);
    vitrine(&lib, &["watch", "add", folder.to_str().unwrap()]);
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .arg("--library")
        .arg(&lib)
        .args(["watch", "run"])
        .env("AWS_ACCESS_KEY_ID", AK)
        .env("AWS_SECRET_ACCESS_KEY", SK)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let cat = rusqlite::Connection::open(lib.join("catalog.db")).unwrap();
    let status = || -> String {
        cat.query_row("SELECT status FROM watched_folders", [], |r| r.get(0))
            .unwrap_or_default()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while status() != "watching" {
        assert!(Instant::now() < deadline, "the watcher did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sources = photos(work.path());
    let mb: f64 = sources
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len() as f64)
        .sum::<f64>()
        / sources.len() as f64
        / 1e6;
    let mut ours = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let bytes = std::fs::read(src).unwrap();
        let sha = sha256_hex(&bytes);
        let dest = folder.join(format!("shot-{i:03}.jpg"));
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&dest).unwrap();
            f.write_all(&bytes).unwrap();
        } // closed here
        let t = Instant::now();
        let deadline = t + Duration::from_secs(60);
        loop {
            let key: Option<String> = cat
                .query_row(
                    "SELECT object_key FROM images WHERE sha256 = ?1 AND remote_state = 'synced'",
                    [&sha],
                    |r| r.get(0),
                )
                .ok()
                .flatten();
            // Verified: the engine HEAD-checks before marking it synced; the server's own
            // copy is checked here too.
            if let Some(k) = key {
                let obj = s3_root.join(BUCKET).join(&k);
                if std::fs::metadata(&obj).is_ok_and(|m| m.len() == bytes.len() as u64) {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "{} never landed", dest.display());
            std::thread::sleep(Duration::from_millis(5));
        }
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(200));
    }
    unsafe {
        libc::kill(daemon.id() as i32, libc::SIGTERM);
    }
    let _ = daemon.wait();

    // Anchor: rclone copyto of each file, started the moment it is closed.
    let mut anchor = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let t = Instant::now();
        let ok = Command::new("rclone")
            .arg("copyto")
            .arg(src)
            .arg(format!("T:{BUCKET}/anchor/shot-{i:03}.jpg"))
            .env("RCLONE_CONFIG_T_TYPE", "s3")
            .env("RCLONE_CONFIG_T_PROVIDER", "Other")
            .env("RCLONE_CONFIG_T_ENDPOINT", &endpoint)
            .env("RCLONE_CONFIG_T_ACCESS_KEY_ID", AK)
            .env("RCLONE_CONFIG_T_SECRET_ACCESS_KEY", SK)
            .env("RCLONE_CONFIG_T_FORCE_PATH_STYLE", "true")
            .env("RCLONE_CONFIG", "/dev/null")
            .env_remove("AWS_CA_BUNDLE")
            .output()
            .expect("rclone (apt install rclone)");
        assert!(
            ok.status.success(),
            "rclone copyto failed: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        anchor.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95) = summary(ours);
    let (a50, a95) = summary(anchor);
    println!("{FILES} photos, {mb:.1} MB on average, one at a time");
    println!("vitrine watch run   p50 {p50:7.0} ms  p95 {p95:7.0} ms  (target p50 < 1500 ms)");
    println!("rclone copyto       p50 {a50:7.0} ms  p95 {a95:7.0} ms");
    println!(
        "ratio vitrine/rclone: p50 {:.2}x, p95 {:.2}x (vitrine also detects, decodes, thumbnails and catalogs)",
        p50 / a50,
        p95 / a95
    );
}

fn reconcile() {
    println!("\n== watch: startup reconciliation of {UNCHANGED} unchanged files");
    let work = tempfile::tempdir().unwrap();
    let lib = work.path().join("lib");
    let folder = work.path().join("big");
    let png = std::fs::read(tiny_png(work.path())).unwrap();
    for i in 0..UNCHANGED {
        let p = folder.join(format!("d{:03}/img-{i:06}.png", i % 200));
        if i < 200 {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        }
        std::fs::write(p, &png).unwrap();
    }
    vitrine(
        &lib,
        &[
            "watch",
            "add",
            folder.to_str().unwrap(),
            "--recursive",
            "--no-scan",
        ],
    );
    // Synthetic catalog rows as a full first scan would leave them.
    {
        let root = std::fs::canonicalize(&folder).unwrap();
        let filter = vitrine::watch::Filter {
            recursive: true,
            ..Default::default()
        };
        let listing = vitrine::watch::scan::list(&root, &filter, &|_| {}).unwrap();
        assert_eq!(listing.files.len(), UNCHANGED);
        let mut cat = rusqlite::Connection::open(lib.join("catalog.db")).unwrap();
        let tx = cat.transaction().unwrap();
        {
            let mut ins = tx
                .prepare(
                    "INSERT INTO watched_files (folder_id, path, size, mtime_ns, sha256)
                     VALUES (1, ?1, ?2, ?3, ?4)",
                )
                .unwrap();
            for (i, f) in listing.files.iter().enumerate() {
                ins.execute(rusqlite::params![
                    f.path.to_string_lossy(),
                    f.size as i64,
                    f.mtime_ns,
                    format!("{i:064x}")
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let ours = crate::median(3, || {
        let out = vitrine(&lib, &["--json", "watch", "run", "--once"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["folders"][0]["unchanged"], UNCHANGED, "{v}");
        assert_eq!(v["folders"][0]["added"], 0, "{v}");
    });
    let anchor = crate::median(3, || {
        let ok = Command::new("find")
            .arg(&folder)
            .args(["-type", "f", "-printf", "%s %T@ %p\n"])
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok);
    });
    println!(
        "vitrine watch run --once (process start, scan, compare): {:.0} ms  (target < 5000 ms)",
        crate::ms(ours)
    );
    println!(
        "find -printf size+mtime of the same tree:              {:.0} ms",
        crate::ms(anchor)
    );
    println!(
        "ratio vitrine/find: {:.2}x",
        ours.as_secs_f64() / anchor.as_secs_f64()
    );
}

/// A small valid PNG to fill the tree with.
fn tiny_png(work: &Path) -> PathBuf {
    let p = work.join("tiny.png");
    image::RgbImage::from_fn(16, 12, |x, y| image::Rgb([x as u8 * 16, y as u8 * 20, 99]))
        .save(&p)
        .unwrap();
    p
}
