//! The sync engine under abuse: `kill -9` at random points of a 200-file sync (including in
//! the middle of multipart uploads), and a fault-injecting proxy (resets, lost replies, 503
//! SlowDown, latency) between Vitrine and the server. Afterwards: 0 lost, 0 duplicated, 0
//! orphaned objects, everything synced and byte-identical.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::images;
use crate::support::s3::{S3Server, BUCKET};
use crate::support::{bin, TestLib};

fn sha_file(p: &Path) -> String {
    vitrine::import::sha256_hex(&std::fs::read(p).unwrap())
}

fn spawn_sync(lib: &TestLib, env: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(bin());
    cmd.args([
        "--library",
        lib.root.to_str().unwrap(),
        "--json",
        "sync",
        "--once",
    ])
    .env_remove("AWS_SESSION_TOKEN")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn vitrine sync")
}

/// Every object must be where the catalog says, with the original's bytes; nothing else.
fn assert_bucket_matches_catalog(lib: &TestLib, s3: &S3Server, expected: usize) {
    let conn = lib.catalog();
    let mut stmt = conn
        .prepare("SELECT sha256, object_key, remote_state, bytes FROM images")
        .unwrap();
    let rows: Vec<(String, Option<String>, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), expected, "0 lost in the catalog");
    let mut wanted: Vec<String> = Vec::new();
    for (sha, key, state, bytes) in &rows {
        assert_eq!(state, "synced", "{sha} is {state}");
        let key = key.clone().expect("synced images have a key");
        let path = s3.object_path(&key);
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            *bytes as u64,
            "{key}"
        );
        assert_eq!(&sha_file(&path), sha, "{key} holds the original's bytes");
        wanted.push(key);
    }
    wanted.sort();
    let keys: Vec<String> = s3
        .keys()
        .into_iter()
        .filter(|k| !crate::support::s3::is_library_key(k))
        .collect();
    assert_eq!(
        keys, wanted,
        "exactly one object per image: 0 duplicated, 0 orphaned"
    );
    let files: Vec<String> = std::fs::read_dir(&s3.root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".upload-") || n.contains(".upload-"))
        .collect();
    assert_eq!(
        s3.pending_uploads(),
        0,
        "no multipart upload left open on the server: {files:?}"
    );
    assert_eq!(
        lib.count("SELECT count(*) FROM sync_queue"),
        0,
        "queue drained"
    );
    assert_eq!(
        lib.count("SELECT count(*) FROM sync_uploads"),
        0,
        "no upload state left"
    );
}

#[test]
fn kill_dash_nine_at_random_points_loses_and_duplicates_nothing() {
    let lib = TestLib::new();
    let s3 = S3Server::start();
    // 194 small JPEGs and 6 multipart-sized PNGs (5 MiB parts).
    for i in 0..194u32 {
        let side = 64 + (i % 7) * 48;
        lib.input(
            &format!("small/{i:03}.jpg"),
            &images::jpeg(side, side, 5000 + i),
        );
    }
    for i in 0..6u64 {
        lib.input(
            &format!("big/{i}.png"),
            &images::noise_png(1500, 1400, 77 + i),
        );
    }
    let (run, lines) = lib.import(&[&lib.inputs], &[]);
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(lines.len(), 200);
    let images = lines.iter().filter(|l| l["status"] == "imported").count();
    assert!(images >= 195, "{images} distinct images");
    let mut args = vec!["--library".to_string(), lib.root.display().to_string()];
    args.extend(s3.remote_args(None));
    crate::support::run_cli(&args, &s3.env()).expect_ok("remote add");

    let mut env: Vec<(&str, String)> = s3
        .env()
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    env.push(("VITRINE_MULTIPART_THRESHOLD", (5 << 20).to_string()));
    env.push(("VITRINE_PART_SIZE", (5 << 20).to_string()));
    env.push(("VITRINE_SYNC_WORKERS", "4".into()));

    // First kill: right in the middle of a multipart upload (parts persisted, not complete).
    let mut child = spawn_sync(&lib, &env);
    let start = Instant::now();
    loop {
        let parts = lib.count("SELECT count(*) FROM sync_parts");
        if parts > 0 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "sync finished before any multipart part"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no multipart part within 60 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        lib.count("SELECT count(*) FROM sync_uploads WHERE upload_id IS NOT NULL") > 0,
        "killed with a multipart upload in flight"
    );
    let synced_after_first = lib.count("SELECT count(*) FROM images WHERE remote_state = 'synced'");

    // Then kill -9 at pseudo-random moments until a run gets to finish by itself.
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut kills = 1;
    let mut finished = false;
    for _ in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wait = Duration::from_millis(40 + seed % 400);
        let mut child = spawn_sync(&lib, &env);
        let t = Instant::now();
        while t.elapsed() < wait && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(2));
        }
        if child.try_wait().unwrap().is_some() {
            finished = true;
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
    }
    println!(
        "{kills} kills; {synced_after_first} synced after the first; finished early: {finished}"
    );
    assert!(kills >= 3, "the test must really kill the sync a few times");

    // A last run to completion.
    let child = spawn_sync(&lib, &env);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_bucket_matches_catalog(&lib, &s3, images);
}

struct Proxy {
    child: Child,
    port: u16,
}

impl Proxy {
    fn start(upstream: u16, p: f64, seed: u64) -> Proxy {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/faultproxy.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args([
                "--upstream",
                &format!("127.0.0.1:{upstream}"),
                "--port",
                "0",
            ])
            .args(["--p", &p.to_string(), "--seed", &seed.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 faultproxy.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("faultproxy said {line:?}"));
        Proxy { child, port }
    }

    /// Makes the proxy the library's remote endpoint.
    fn remote_add(&self, lib: &TestLib, s3: &S3Server) {
        let endpoint = format!("http://127.0.0.1:{}", self.port);
        let args = [
            "remote",
            "add",
            "main",
            "--provider",
            "minio",
            "--endpoint",
            &endpoint,
        ];
        lib.run_env(&[&args[..], &["--bucket", BUCKET]].concat(), &s3.env())
            .expect_ok("remote add through the proxy");
    }

    /// Stops the proxy; returns its `{"requests", "faults"}` summary.
    fn stop(mut self) -> serde_json::Value {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        self.child.wait().unwrap();
        let last = err
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .unwrap_or("{}");
        serde_json::from_str(last).unwrap_or_else(|_| panic!("proxy summary in {err}"))
    }
}

#[test]
fn faults_between_vitrine_and_the_server_are_retried_until_everything_lands() {
    let lib = TestLib::new();
    let s3 = S3Server::start();
    for i in 0..40u32 {
        lib.input(
            &format!("f/{i:02}.jpg"),
            &images::jpeg(96 + i, 80, 9000 + i),
        );
    }
    assert!(lib.import(&[&lib.inputs], &[]).0.ok());
    let proxy = Proxy::start(s3.port, 0.2, 7);
    proxy.remote_add(&lib, &s3);
    // One SDK attempt per request, so every fault reaches the engine's own retry queue.
    let mut env = s3.env();
    env.extend_from_slice(&[
        ("VITRINE_S3_ATTEMPTS", "1"),
        ("VITRINE_SYNC_BACKOFF_MS", "20"),
        ("VITRINE_SYNC_ATTEMPTS", "30"),
    ]);
    let run = lib.run_env(&["--json", "sync", "--once"], &env);
    let faults = proxy.stop();
    assert!(run.ok(), "{}\n{}", run.stdout, run.stderr);
    let summary = run.json();
    println!("summary {summary}\nproxy {faults}");
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["uploaded"], 40);
    assert!(
        summary["retried"].as_u64().unwrap() > 0,
        "retries are visible: {summary}"
    );
    let injected: u64 = faults["faults"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(injected >= 5, "the proxy really injected faults: {faults}");
    assert_bucket_matches_catalog(&lib, &s3, 40);
}

#[test]
fn a_sync_with_nothing_to_do_sends_one_list_of_the_log() {
    let lib = TestLib::new();
    let s3 = S3Server::start();
    lib.add("a.jpg", &images::jpeg(64, 64, 1));
    let proxy = Proxy::start(s3.port, 0.0, 1);
    proxy.remote_add(&lib, &s3);
    lib.run_env(&["sync", "--once"], &s3.env())
        .expect_ok("first sync");
    let counted = proxy.stop();
    assert!(counted["requests"].as_u64().unwrap() >= 2, "{counted}");
    // Nothing is queued now: each next sync is one LIST of the library's log (what other
    // computers changed), nothing else (no HEAD, no LIST of the bucket).
    let proxy = Proxy::start(s3.port, 0.0, 1);
    let endpoint = format!("http://127.0.0.1:{}", proxy.port);
    let conn = lib.catalog();
    conn.execute("UPDATE remotes SET endpoint = ?1", [&endpoint])
        .unwrap();
    drop(conn);
    for _ in 0..3 {
        let v = lib
            .run_env(&["--json", "sync", "--once"], &s3.env())
            .expect_ok("no-op")
            .json();
        assert_eq!(v["uploaded"], 0);
    }
    let counted = proxy.stop();
    assert_eq!(
        counted["requests"], 3,
        "a no-op sync sends one request: {counted}"
    );
}
