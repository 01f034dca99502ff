//! Several processes on one library at once: two importers with overlapping inputs and a
//! reader listing in a loop. Everything lands exactly once and both databases stay sound.

use std::collections::{HashMap, HashSet};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::support::images::*;
use crate::support::{bin, sha256_hex, TestLib};

#[test]
fn two_importers_and_a_reader_share_one_library() {
    let lib = TestLib::new();
    // 30 images: 0..10 only for A, 10..20 for both, 20..30 only for B.
    let mut shas = HashSet::new();
    let mut a_paths = Vec::new();
    let mut b_paths = Vec::new();
    for i in 0..30u32 {
        let bytes = if i % 2 == 0 {
            jpeg(96 + i, 64, 1000 + i)
        } else {
            png_rgb8(64, 48 + i, 1000 + i)
        };
        shas.insert(sha256_hex(&bytes));
        let ext = if i % 2 == 0 { "jpg" } else { "png" };
        if i < 20 {
            a_paths.push(lib.input(&format!("a/img{i}.{ext}"), &bytes));
        }
        if i >= 10 {
            b_paths.push(lib.input(&format!("b/img{i}.{ext}"), &bytes));
        }
    }
    // Create the library first so both importers race on imports, not on creation.
    lib.stats();

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let root = lib.root.clone();
        std::thread::spawn(move || {
            let mut runs = 0;
            while !stop.load(Ordering::Relaxed) {
                let out = Command::new(bin())
                    .args(["--json", "--library", root.to_str().unwrap(), "ls"])
                    .env_remove("VITRINE_FAILPOINT")
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "ls during imports succeeds: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                    .expect("ls prints a whole JSON array while others write");
                assert!(v.as_array().unwrap().len() <= 30);
                runs += 1;
            }
            runs
        })
    };
    let spawn = |paths: &[std::path::PathBuf], tag: &str| {
        let mut cmd = Command::new(bin());
        cmd.args(["--json", "--library", lib.root.to_str().unwrap(), "import"])
            .args(["--tag", tag, "--threads", "2"])
            .args(paths)
            .env_remove("VITRINE_FAILPOINT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().unwrap()
    };
    let a = spawn(&a_paths, "from-a");
    let b = spawn(&b_paths, "from-b");
    let a = a.wait_with_output().unwrap();
    let b = b.wait_with_output().unwrap();
    stop.store(true, Ordering::Relaxed);
    let reads = reader.join().expect("reader thread");
    assert!(reads >= 1, "the reader ran");

    let mut by_sha_id: HashMap<String, String> = HashMap::new();
    for (name, out) in [("A", &a), ("B", &b)] {
        assert!(
            out.status.success(),
            "importer {name} exits cleanly: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 20, "importer {name}: one line per input");
        for l in &lines {
            assert!(
                l["status"] == "imported" || l["status"] == "duplicate",
                "{name}: {l}"
            );
            let path = l["input"].as_str().unwrap();
            let sha = sha256_hex(&std::fs::read(path).unwrap());
            let id = l["id"].as_str().unwrap().to_string();
            if let Some(prev) = by_sha_id.insert(sha, id.clone()) {
                assert_eq!(prev, id, "both importers agree on the id of shared content");
            }
        }
    }

    let records = lib.ls(&[]);
    assert_eq!(records.len(), 30, "30 distinct images");
    let listed: HashSet<String> = records
        .iter()
        .map(|r| r["sha256"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, shas, "each sha256 exactly once");
    assert_eq!(lib.originals().len(), 30, "one original per image");
    for r in &records {
        let tags: Vec<&str> = r["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(!tags.is_empty(), "every image has its importer's tag");
    }
    let shared_tagged = records
        .iter()
        .filter(|r| r["tags"].as_array().unwrap().len() == 2)
        .count();
    assert_eq!(shared_tagged, 10, "shared images carry both tags");
    for db in ["catalog.db", "thumbs.db"] {
        let conn = rusqlite::Connection::open(lib.root.join(db)).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "{db} integrity");
    }
    let fsck = lib.run(&["--json", "fsck"]);
    assert_eq!(fsck.json()["problems"], 0, "fsck is clean: {}", fsck.stdout);
    assert!(fsck.ok());
    assert_eq!(lib.stats()["thumbnails_pending"], 0);
}

#[test]
fn concurrent_first_open_creates_one_schema() {
    // Several processes creating the same library at the same moment all succeed (this
    // used to fail with "database is locked" or a swept, half-made workspace).
    for round in 0..3 {
        let lib = TestLib::new();
        let children: Vec<_> = (0..6)
            .map(|_| {
                Command::new(bin())
                    .args(["--json", "--library", lib.root.to_str().unwrap(), "stats"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: concurrent first open: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let v: i64 = lib
            .catalog()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, vitrine::catalog::migrations::LATEST);
    }
}
