//! Watched folders with real filesystem events in temp dirs and a real S3 server on loopback:
//! the CLI contract, live create / partial write / rename / move / edit / delete, temp files,
//! a corrupt file, restart with changes made while stopped, a bulk copy of 1,000 files, an
//! unplugged folder, symlink loops and polling.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::images;
use crate::support::s3::S3Server;
use crate::support::{sha256_hex, TestLib};

/// `vitrine watch run --json` in the background, stopped with SIGTERM on drop. Its output
/// goes to files (a pipe nobody reads would fill up and block it).
struct Daemon {
    child: Option<Child>,
    out: PathBuf,
    err: PathBuf,
}

impl Daemon {
    fn start(lib: &TestLib, env: &[(&str, &str)]) -> Daemon {
        let out = lib.dir.path().join("watch-run.out");
        let err = lib.dir.path().join("watch-run.err");
        let child = Command::new(crate::support::bin())
            .args(["--library", lib.root.to_str().unwrap()])
            .args(["watch", "run", "--json"])
            .env_remove("VITRINE_WATCH_POLL")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .expect("spawn watch run");
        Daemon {
            child: Some(child),
            out,
            err,
        }
    }

    /// SIGTERM; returns the exit status, stdout (JSON lines), stderr and how long it took.
    fn stop(mut self) -> (std::process::ExitStatus, String, String, Duration) {
        let mut child = self.child.take().unwrap();
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let t = Instant::now();
        let status = child.wait().unwrap();
        (
            status,
            std::fs::read_to_string(&self.out).unwrap_or_default(),
            std::fs::read_to_string(&self.err).unwrap_or_default(),
            t.elapsed(),
        )
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Writes into a staging file, then renames into place (how most apps save).
fn write_atomic(path: &Path, bytes: &[u8]) {
    let tmp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().unwrap().to_string_lossy()
    ));
    write(&tmp, bytes);
    std::fs::rename(&tmp, path).unwrap();
}

/// The image cataloged from this content, if any.
fn image_with(lib: &TestLib, bytes: &[u8]) -> Option<Value> {
    let sha = sha256_hex(bytes);
    lib.ls(&["--limit", "100000"])
        .into_iter()
        .find(|r| lib.show(r["id"].as_str().unwrap())["sha256"].as_str() == Some(sha.as_str()))
}

fn id_with(lib: &TestLib, bytes: &[u8]) -> Option<String> {
    let sha = sha256_hex(bytes);
    let conn = lib.catalog();
    conn.query_row("SELECT id FROM images WHERE sha256 = ?1", [sha], |r| {
        r.get(0)
    })
    .ok()
}

fn events(lib: &TestLib) -> Vec<Value> {
    lib.run(&["watch", "log", "--json", "--limit", "1000"])
        .expect_ok("watch log")
        .json_array()
}

fn has_event(lib: &TestLib, kind: &str, path: &Path) -> bool {
    let p = path.to_str().unwrap();
    events(lib)
        .iter()
        .any(|e| e["kind"] == kind && e["path"].as_str() == Some(p))
}

/// A library syncing to a fresh S3 server on loopback.
fn lib_with_bucket() -> (TestLib, S3Server) {
    let lib = TestLib::new();
    let s3 = S3Server::start();
    lib.run_env(&s3.remote_args(None), &s3.env())
        .expect_ok("remote add");
    (lib, s3)
}

fn folder_dir(lib: &TestLib, name: &str) -> PathBuf {
    let d = lib.dir.path().join(name);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::canonicalize(d).unwrap()
}

fn list(lib: &TestLib) -> Vec<Value> {
    lib.run(&["watch", "list", "--json"])
        .expect_ok("watch list")
        .json_array()
}

#[test]
fn watch_cli_add_list_pause_resume_remove() {
    let lib = TestLib::new();
    let dir = folder_dir(&lib, "Screenshots ünï");
    let a = images::jpeg(120, 90, 1);
    write(&dir.join("a.jpg"), &a);
    write(&dir.join("sub/deep.jpg"), &images::jpeg(120, 90, 2));
    write(&dir.join("notes.txt"), b"not an image");
    write(&dir.join("half.jpg.part"), &a[..100]);

    // Global options after the subcommand; the files already there are imported in place.
    let r = lib.run(&[
        "watch",
        "add",
        dir.to_str().unwrap(),
        "--tag",
        "shots",
        "--tag",
        "Screens",
        "--visibility",
        "unlisted",
        "--on-delete",
        "remove-remote",
        "--json",
    ]);
    assert!(r.ok(), "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["created"], true);
    assert_eq!(v["folder"]["path"], dir.to_str().unwrap());
    assert_eq!(v["scan"]["added"], 1, "top level only by default: {v}");
    assert_eq!(v["scan"]["failed"], 0, "{v}");
    let id = id_with(&lib, &a).expect("a.jpg cataloged");
    let rec = lib.show(&id);
    assert_eq!(rec["storage"], "referenced");
    assert_eq!(rec["source"], "watch");
    assert_eq!(rec["visibility"], "unlisted");
    assert_eq!(
        rec["tags"],
        serde_json::json!(["Screens", "shots"]),
        "tags as typed"
    );
    assert!(lib.originals().is_empty(), "referenced, not copied");

    // --library and --json after the subcommand work too.
    let folders = crate::support::run_cli(
        &[
            "watch",
            "list",
            "--library",
            lib.root.to_str().unwrap(),
            "--json",
        ],
        &[],
    )
    .expect_ok("options after the subcommand")
    .json_array();
    assert_eq!(folders.len(), 1);
    let f = &folders[0];
    for (k, want) in [
        ("recursive", Value::Bool(false)),
        ("copy", Value::Bool(false)),
        ("on_delete", "remove-remote".into()),
        ("visibility", "unlisted".into()),
        ("paused", Value::Bool(false)),
        ("status", "stopped".into()),
        ("files", 1.into()),
        ("errors", 0.into()),
    ] {
        assert_eq!(f[k], want, "{k} in {f}");
    }

    // Adding again updates the options (recursive now) and picks up the subfolder.
    let v = lib
        .run(&[
            "--json",
            "watch",
            "add",
            dir.to_str().unwrap(),
            "--recursive",
        ])
        .expect_ok("re-add")
        .json();
    assert_eq!(v["created"], false);
    assert_eq!(v["scan"]["added"], 1, "{v}");
    assert_eq!(v["scan"]["unchanged"], 1, "{v}");
    assert_eq!(list(&lib)[0]["on_delete"], "keep", "options replaced");

    // Pause / resume / remove by the path as typed (relative paths too).
    let rel = Command::new(crate::support::bin())
        .current_dir(lib.dir.path())
        .args([
            "--library",
            lib.root.to_str().unwrap(),
            "watch",
            "pause",
            "Screenshots ünï",
        ])
        .output()
        .unwrap();
    assert!(
        rel.status.success(),
        "{}",
        String::from_utf8_lossy(&rel.stderr)
    );
    assert_eq!(list(&lib)[0]["paused"], true);
    assert_eq!(list(&lib)[0]["status"], "paused");
    lib.run(&["watch", "resume", dir.to_str().unwrap()])
        .expect_ok("resume");
    assert_eq!(list(&lib)[0]["paused"], false);

    // Refusals: clear message, nothing added.
    let inside = dir.join("sub");
    let r = lib.run(&["watch", "add", inside.to_str().unwrap()]);
    assert!(!r.ok() && r.stderr.contains("overlaps"), "{}", r.stderr);
    let r = lib.run(&["watch", "add", lib.root.to_str().unwrap()]);
    assert!(!r.ok() && r.stderr.contains("library"), "{}", r.stderr);
    let r = lib.run(&["watch", "add", "/definitely/not/here"]);
    assert!(
        !r.ok() && r.stderr.contains("/definitely/not/here"),
        "{}",
        r.stderr
    );
    let r = lib.run(&[
        "watch",
        "add",
        dir.to_str().unwrap(),
        "--on-delete",
        "explode",
    ]);
    assert!(
        !r.ok() && r.stderr.contains("keep, remove or remove-remote"),
        "{}",
        r.stderr
    );
    let r = lib.run(&["watch", "pause", "/not/watched"]);
    assert!(!r.ok() && r.stderr.contains("watch list"), "{}", r.stderr);
    assert_eq!(list(&lib).len(), 1);

    lib.run(&["watch", "remove", dir.to_str().unwrap()])
        .expect_ok("remove");
    assert!(list(&lib).is_empty());
    assert_eq!(lib.ls(&[]).len(), 2, "images stay in the library");
    assert_eq!(lib.count("SELECT count(*) FROM watched_files"), 0);
}

#[test]
fn live_changes_reach_the_catalog_and_the_bucket() {
    let (lib, s3) = lib_with_bucket();
    let a_dir = folder_dir(&lib, "renders");
    let b_dir = folder_dir(&lib, "camera");
    lib.run(&[
        "watch",
        "add",
        a_dir.to_str().unwrap(),
        "--recursive",
        "--tag",
        "render",
        "--visibility",
        "public",
        "--on-delete",
        "remove-remote",
    ])
    .expect_ok("add renders");
    lib.run(&["watch", "add", b_dir.to_str().unwrap()])
        .expect_ok("add camera");
    let env = s3.env();
    let daemon = Daemon::start(&lib, &env);
    let synced = |bytes: &[u8]| -> Option<String> {
        let id = id_with(&lib, bytes)?;
        let rec = lib.show(&id);
        (rec["remote_state"] == "synced").then(|| rec["object_key"].as_str().unwrap().to_string())
    };

    // Created: cataloged in place with the folder's tag and visibility, then in the bucket.
    let a = images::jpeg(400, 300, 11);
    write(&a_dir.join("a.jpg"), &a);
    wait_until("a.jpg synced", 30, || synced(&a).is_some());
    let a_id = id_with(&lib, &a).unwrap();
    let key = synced(&a).unwrap();
    assert!(key.starts_with("public/"), "{key}");
    assert_eq!(s3.get(&key), a, "the bucket holds the file's bytes");
    let rec = lib.show(&a_id);
    assert_eq!(rec["tags"], serde_json::json!(["render"]));
    assert_eq!(rec["storage"], "referenced");

    // A partial write (a pause longer than the debounce in the middle) is not reported as
    // corrupt: the complete file is imported once it is whole.
    let p = images::jpeg(640, 480, 12);
    {
        use std::io::Write;
        let mut f = std::fs::File::create(a_dir.join("slow.jpg")).unwrap();
        f.write_all(&p[..p.len() / 2]).unwrap();
        f.sync_all().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        f.write_all(&p[p.len() / 2..]).unwrap();
    }
    wait_until("slow.jpg imported whole", 30, || {
        id_with(&lib, &p).is_some()
    });
    assert!(
        !has_event(&lib, "failed", &a_dir.join("slow.jpg")),
        "a file still being written is retried, not failed: {:?}",
        events(&lib)
    );
    assert_eq!(lib.ls(&[]).len(), 2, "no half-image was cataloged");

    // Temp, partial and hidden files are never imported.
    write(&a_dir.join("dl.jpg.crdownload"), &images::jpeg(64, 64, 13));
    write(&a_dir.join(".hidden.jpg"), &images::jpeg(64, 64, 14));
    write(&a_dir.join("~lock.jpg"), &images::jpeg(64, 64, 15));

    // Rename inside the folder: same image, same object, new file name.
    std::fs::rename(a_dir.join("a.jpg"), a_dir.join("a-renamed.jpg")).unwrap();
    wait_until("rename seen", 20, || {
        lib.show(&a_id)["filename"] == "a-renamed.jpg"
    });
    // Move into a subfolder, then to the other watched folder: still the same image.
    std::fs::create_dir_all(a_dir.join("2026")).unwrap();
    std::fs::rename(a_dir.join("a-renamed.jpg"), a_dir.join("2026/a.jpg")).unwrap();
    wait_until("move into subfolder seen", 20, || {
        has_event(&lib, "moved", &a_dir.join("2026/a.jpg"))
    });
    std::fs::rename(a_dir.join("2026/a.jpg"), b_dir.join("a.jpg")).unwrap();
    wait_until("move between folders seen", 20, || {
        lib.show(&a_id)["path"].as_str() == b_dir.join("a.jpg").to_str()
    });
    let rec = lib.show(&a_id);
    assert_eq!(rec["visibility"], "public", "visibility survives moves");
    assert_eq!(
        rec["tags"],
        serde_json::json!(["render"]),
        "tags survive moves"
    );
    assert_eq!(
        rec["object_key"].as_str(),
        Some(key.as_str()),
        "same object"
    );
    assert_eq!(lib.ls(&[]).len(), 2, "moves never duplicate");

    // Copy to the other folder, then delete the original (a cut and paste across disks):
    // the image follows its content, whatever the delete rule of the folder it left.
    let p_id = id_with(&lib, &p).unwrap();
    std::fs::copy(a_dir.join("slow.jpg"), b_dir.join("slow copy.jpg")).unwrap();
    wait_until("copy seen", 20, || {
        has_event(&lib, "duplicate", &b_dir.join("slow copy.jpg"))
    });
    std::fs::remove_file(a_dir.join("slow.jpg")).unwrap();
    wait_until("seen as a move to the copy", 20, || {
        has_event(&lib, "moved", &b_dir.join("slow copy.jpg"))
    });
    let rec = lib.show(&p_id);
    assert_eq!(rec["path"].as_str(), b_dir.join("slow copy.jpg").to_str());
    assert_eq!(rec["filename"], "slow copy.jpg");
    assert!(
        !rec["sources"].to_string().contains("slow.jpg"),
        "the vanished path leaves the sources: {}",
        rec["sources"]
    );

    // Edit (an app saving a new version over the file): a new image is synced; the old one
    // follows the folder's rule (remove-remote: out of the library and the bucket).
    let c1 = images::jpeg(300, 200, 16);
    write(&a_dir.join("c.jpg"), &c1);
    wait_until("c.jpg synced", 30, || synced(&c1).is_some());
    let c1_id = id_with(&lib, &c1).unwrap();
    let c1_key = synced(&c1).unwrap();
    let c2 = images::jpeg(300, 200, 17);
    write_atomic(&a_dir.join("c.jpg"), &c2);
    wait_until("new version synced", 30, || synced(&c2).is_some());
    wait_until("old version removed", 30, || id_with(&lib, &c1).is_none());
    wait_until("old object leaves the bucket", 30, || {
        s3.head(&c1_key).is_none()
    });
    assert!(
        s3.keys()
            .iter()
            .any(|k| k.starts_with("trash/") && k.contains(&sha256_hex(&c1))),
        "old object kept in trash/: {:?}",
        s3.keys()
    );
    let edited = events(&lib)
        .into_iter()
        .find(|e| e["kind"] == "edited")
        .expect("the user sees the edit");
    assert!(
        edited["detail"].as_str().unwrap().contains(&c1_id),
        "{edited}"
    );

    // A file that never decodes is reported by name with its reason (here: old mtime, so
    // it is not mistaken for a file still being written).
    let broken = a_dir.join("broken.jpg");
    let mut bad = images::jpeg(200, 200, 18);
    bad.truncate(bad.len() / 3);
    write(&broken, &bad);
    std::fs::File::options()
        .write(true)
        .open(&broken)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(120))
        .unwrap();
    wait_until("broken.jpg reported", 30, || {
        has_event(&lib, "failed", &broken)
    });
    let failed = events(&lib)
        .into_iter()
        .find(|e| e["kind"] == "failed")
        .unwrap();
    assert!(
        failed["detail"].as_str().unwrap().contains("corrupt")
            || failed["detail"].as_str().unwrap().contains("truncated"),
        "{failed}"
    );

    // Delete in a `keep` folder: the image stays (its original now comes from the bucket).
    std::fs::remove_file(b_dir.join("a.jpg")).unwrap();
    wait_until("delete seen", 20, || {
        has_event(&lib, "deleted", &b_dir.join("a.jpg"))
    });
    let rec = lib.show(&a_id);
    assert_eq!(rec["storage"], "managed", "{rec}");
    assert!(s3.head(&key).is_some(), "kept in the bucket");

    // Delete in a `remove-remote` folder: out of the library and the bucket.
    let c2_key = synced(&c2).unwrap();
    std::fs::remove_file(a_dir.join("c.jpg")).unwrap();
    wait_until("removed from the library", 20, || {
        id_with(&lib, &c2).is_none()
    });
    wait_until("removed from the bucket", 30, || s3.head(&c2_key).is_none());

    assert_eq!(
        lib.ls(&[]).len(),
        2,
        "left: a (kept) and slow.jpg (now in camera/); temp files never imported: {:?}",
        lib.ls(&[])
    );
    let (status, stdout, stderr, took) = daemon.stop();
    assert!(
        status.success(),
        "clean exit on SIGTERM: {status:?} {stderr}"
    );
    assert!(took < Duration::from_secs(10), "stops promptly ({took:?})");
    let notices: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    assert!(notices
        .iter()
        .any(|n| n["type"] == "change" && n["kind"] == "moved"));
    assert!(list(&lib).iter().all(|f| f["status"] == "stopped"));
    assert_eq!(
        lib.count("SELECT count(*) FROM sync_queue WHERE owner IS NOT NULL"),
        0,
        "no job left claimed"
    );
}

#[test]
fn changes_made_while_stopped_are_found_on_start() {
    let lib = TestLib::new();
    let dir = folder_dir(&lib, "inbox");
    let keep = images::png_rgb8(100, 80, 21);
    let edit_old = images::png_rgb8(100, 80, 22);
    let moved = images::png_rgb8(100, 80, 23);
    let gone = images::png_rgb8(100, 80, 24);
    write(&dir.join("keep.png"), &keep);
    write(&dir.join("edit.png"), &edit_old);
    write(&dir.join("move.png"), &moved);
    write(&dir.join("gone.png"), &gone);
    lib.run(&[
        "watch",
        "add",
        dir.to_str().unwrap(),
        "--recursive",
        "--on-delete",
        "remove",
    ])
    .expect_ok("add");
    let moved_id = id_with(&lib, &moved).unwrap();
    lib.run(&["tag", &moved_id, "--add", "favourite"])
        .expect_ok("tag");
    assert_eq!(lib.ls(&[]).len(), 4);

    // While nothing watches: one new, one edited, one moved, one deleted.
    let new = images::png_rgb8(100, 80, 25);
    let edit_new = images::png_rgb8(100, 80, 26);
    write(&dir.join("new.png"), &new);
    std::thread::sleep(Duration::from_millis(20));
    write(&dir.join("edit.png"), &edit_new);
    std::fs::create_dir_all(dir.join("sorted")).unwrap();
    std::fs::rename(dir.join("move.png"), dir.join("sorted/moved.png")).unwrap();
    std::fs::remove_file(dir.join("gone.png")).unwrap();

    let v = lib
        .run(&["watch", "run", "--once", "--json"])
        .expect_ok("watch run --once")
        .json();
    let r = &v["folders"][0];
    let n = |k: &str| r[k].as_u64().unwrap();
    assert_eq!(
        (
            n("added"),
            n("edited"),
            n("moved"),
            n("deleted"),
            n("unchanged")
        ),
        (1, 1, 1, 1, 1),
        "{v}"
    );
    assert!(id_with(&lib, &new).is_some());
    assert!(id_with(&lib, &edit_new).is_some());
    assert!(
        id_with(&lib, &edit_old).is_none(),
        "old version removed (rule: remove)"
    );
    assert!(id_with(&lib, &gone).is_none());
    let rec = lib.show(&moved_id);
    assert_eq!(rec["filename"], "moved.png");
    assert_eq!(
        rec["tags"],
        serde_json::json!(["favourite"]),
        "tags survive the move"
    );
    assert_eq!(lib.ls(&[]).len(), 4);

    // Nothing changed since: a second start reads no file.
    let v = lib
        .run(&["watch", "run", "--once", "--json"])
        .expect_ok("again")
        .json();
    assert_eq!(v["folders"][0]["unchanged"], 4, "{v}");
    assert_eq!(v["folders"][0]["added"], 0, "{v}");
}

#[test]
fn a_bulk_copy_of_1000_files_lands_whole() {
    let lib = TestLib::new();
    let dir = folder_dir(&lib, "bulk");
    lib.run(&["watch", "add", dir.to_str().unwrap(), "--recursive"])
        .expect_ok("add");
    // Tiny queues, so events are dropped for sure: the rescans they trigger fill the gap.
    let daemon = Daemon::start(
        &lib,
        &[
            ("VITRINE_WATCH_QUEUE", "16"),
            ("VITRINE_WATCH_MAX_PENDING", "16"),
        ],
    );
    wait_until("watching", 20, || list(&lib)[0]["status"] == "watching");
    // Prepared elsewhere, then copied in as fast as the filesystem allows (like `cp -r`).
    let staging = lib.dir.path().join("staging");
    for i in 0..1000u32 {
        write(
            &staging.join(format!("d{}/img-{i:04}.png", i % 10)),
            &images::png_rgb8(24, 16, 1000 + i),
        );
    }
    let st = Command::new("cp")
        .args([
            "-r",
            &format!("{}/.", staging.display()),
            dir.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let mut last = (Instant::now(), 0);
    wait_until("1,000 images", 180, || {
        let n = lib.count("SELECT count(*) FROM images");
        if last.0.elapsed() > Duration::from_secs(10) {
            eprintln!("{n} images so far; status {}", list(&lib)[0]);
            last = (Instant::now(), n);
        }
        n == 1000
    });
    wait_until("all recorded", 30, || {
        lib.count("SELECT count(*) FROM watched_files WHERE sha256 IS NOT NULL") == 1000
    });
    assert_eq!(
        lib.count("SELECT count(*) FROM watched_files WHERE error IS NOT NULL"),
        0
    );
    let (status, stdout, stderr, _) = daemon.stop();
    assert!(status.success(), "{stderr}");
    // "watching" is published after every scan: the first one, then the rescans that
    // overflowing queues asked for.
    let scans = stdout
        .lines()
        .filter(|l| l.contains(r#""type":"folder""#) && l.contains(r#""status":"watching""#))
        .count();
    assert!(
        scans >= 2,
        "events overflowed and a rescan filled the gap ({scans} scans)"
    );
}

#[test]
fn an_unplugged_folder_goes_offline_and_nothing_is_deleted() {
    let lib = TestLib::new();
    let disk = folder_dir(&lib, "usb");
    let a = images::jpeg(100, 100, 31);
    let b = images::jpeg(100, 100, 32);
    write(&disk.join("a.jpg"), &a);
    write(&disk.join("b.jpg"), &b);
    lib.run(&[
        "watch",
        "add",
        disk.to_str().unwrap(),
        "--on-delete",
        "remove",
    ])
    .expect_ok("add");
    let daemon = Daemon::start(&lib, &[]);
    wait_until("watching", 20, || list(&lib)[0]["status"] == "watching");

    // The disk goes away (its mount point vanishes with it).
    let away = lib.dir.path().join("usb-unplugged");
    std::fs::rename(&disk, &away).unwrap();
    wait_until("offline", 20, || list(&lib)[0]["status"] == "offline");
    let f = &list(&lib)[0];
    assert!(f["detail"].as_str().unwrap().contains("plugged in"), "{f}");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(lib.ls(&[]).len(), 2, "nothing removed while offline");

    // Back: rescanned, nothing changed.
    std::fs::rename(&away, &disk).unwrap();
    wait_until("watching again", 20, || {
        list(&lib)[0]["status"] == "watching"
    });
    assert_eq!(lib.ls(&[]).len(), 2);
    assert_eq!(list(&lib)[0]["files"], 2);
    // And a real delete after it is back still follows the rule.
    std::fs::remove_file(disk.join("b.jpg")).unwrap();
    wait_until("b removed", 20, || id_with(&lib, &b).is_none());
    assert!(id_with(&lib, &a).is_some());
    let (status, _, stderr, _) = daemon.stop();
    assert!(status.success(), "{stderr}");
}

#[test]
fn symlink_loops_odd_names_and_unreadable_folders_do_not_block_the_rest() {
    let lib = TestLib::new();
    let dir = folder_dir(&lib, "messy");
    let ok = images::jpeg(90, 60, 41);
    write(&dir.join("ünïcödé 名前 ✨.jpg"), &ok);
    write(
        &dir.join("wrong-extension.txt"),
        &images::png_rgb8(30, 20, 42),
    );
    std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
    let locked = dir.join("locked");
    write(&locked.join("inside.jpg"), &images::jpeg(90, 60, 43));
    let v = lib
        .run(&[
            "--json",
            "watch",
            "add",
            dir.to_str().unwrap(),
            "--recursive",
        ])
        .expect_ok("add")
        .json();
    assert_eq!(v["scan"]["added"], 3, "{v}");
    assert!(
        v["scan"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["error"].as_str().unwrap().contains("symlink loop")),
        "{v}"
    );
    assert!(id_with(&lib, &ok).is_some());

    // An unreadable subfolder is not mistaken for deleted files. Permissions do not stop
    // root, so as root the rescan runs as `nobody` (setpriv) on a copy of the binary.
    use std::os::unix::fs::PermissionsExt;
    let as_root = unsafe { libc::geteuid() } == 0;
    if as_root && Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("note: running as root without setpriv: skipping the permission-denied part");
        return;
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let rescan = ["watch", "run", "--once", "--json"];
    let out = if as_root {
        let bin = lib.dir.path().join("vitrine-as-nobody");
        std::fs::copy(crate::support::bin(), &bin).unwrap();
        let chown = Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(lib.dir.path())
            .status()
            .unwrap();
        assert!(chown.success());
        let o = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&bin)
            .args(["--library", lib.root.to_str().unwrap()])
            .args(rescan)
            .env_remove("VITRINE_LIBRARY")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    } else {
        lib.run(&rescan).expect_ok("rescan").stdout
    };
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["folders"][0]["deleted"], 0, "{v}");
    assert!(
        v["folders"][0]["problems"]
            .to_string()
            .contains("permission denied"),
        "{v}"
    );
}

#[test]
fn polling_finds_changes_when_events_do_not_arrive() {
    let lib = TestLib::new();
    let dir = folder_dir(&lib, "nfs");
    lib.run(&["watch", "add", dir.to_str().unwrap(), "--poll"])
        .expect_ok("add");
    let daemon = Daemon::start(&lib, &[]);
    wait_until("polling", 20, || list(&lib)[0]["status"] == "polling");
    let a = images::jpeg(64, 64, 51);
    write(&dir.join("a.jpg"), &a);
    wait_until("found by a rescan", 30, || id_with(&lib, &a).is_some());
    // A folder added while it runs is picked up (and its files imported) too.
    let other = folder_dir(&lib, "later");
    let b = images::jpeg(64, 64, 52);
    write(&other.join("b.jpg"), &b);
    lib.run(&["watch", "add", other.to_str().unwrap(), "--no-scan"])
        .expect_ok("add while running");
    wait_until("new folder scanned", 30, || id_with(&lib, &b).is_some());
    // Only one watcher per library.
    let r = lib.run(&["watch", "run"]);
    assert!(
        !r.ok() && r.stderr.contains("another process"),
        "{}",
        r.stderr
    );
    let (status, _, stderr, _) = daemon.stop();
    assert!(status.success(), "{stderr}");
}

#[test]
fn copied_in_folders_keep_bucket_objects_when_set_to_remove() {
    let (lib, s3) = lib_with_bucket();
    let dir = folder_dir(&lib, "phone");
    lib.run(&[
        "watch",
        "add",
        dir.to_str().unwrap(),
        "--copy",
        "--on-delete",
        "remove",
    ])
    .expect_ok("add");
    let daemon = Daemon::start(&lib, &s3.env());
    let a = images::jpeg(200, 100, 61);
    write(&dir.join("a.jpg"), &a);
    wait_until("synced", 30, || {
        image_with(&lib, &a).is_some_and(|r| r["remote_state"] == "synced")
    });
    let id = id_with(&lib, &a).unwrap();
    let rec = lib.show(&id);
    assert_eq!(rec["storage"], "managed", "copied into the library");
    assert_eq!(lib.originals().len(), 1);
    let key = rec["object_key"].as_str().unwrap().to_string();
    std::fs::remove_file(dir.join("a.jpg")).unwrap();
    wait_until("removed from the library", 20, || {
        id_with(&lib, &a).is_none()
    });
    std::thread::sleep(Duration::from_secs(2));
    assert!(s3.head(&key).is_some(), "`remove` keeps the bucket copy");
    assert_eq!(s3.get(&key), a);
    let (status, _, stderr, _) = daemon.stop();
    assert!(status.success(), "{stderr}");
}

#[test]
fn deletion_rules_spare_moves_between_folders_images_from_elsewhere_and_unmounted_disks() {
    let lib = TestLib::new();
    // Scanned in path order: the folder files leave is scanned before the one they reach.
    let src = folder_dir(&lib, "a-outbox");
    let dst = folder_dir(&lib, "b-archive");
    let moving = images::jpeg(120, 80, 71);
    let dropped = images::jpeg(120, 80, 72);
    write(&src.join("moving.jpg"), &moving);
    for d in [&src, &dst] {
        lib.run(&["watch", "add", d.to_str().unwrap(), "--on-delete", "remove"])
            .expect_ok("add");
    }
    let moving_id = id_with(&lib, &moving).unwrap();
    lib.run(&["tag", &moving_id, "--add", "keeper"])
        .expect_ok("tag");
    // The same bytes as a file dropped into the app earlier: an image from elsewhere.
    let dropped_file = lib.input("dropped.jpg", &dropped);
    let dropped_id = lib.import_one(&dropped_file);
    write(&src.join("copy-of-dropped.jpg"), &dropped);
    lib.run(&["watch", "run", "--once"]).expect_ok("record it");

    // While nothing watches: moved to the other folder, and the copy deleted.
    std::fs::rename(src.join("moving.jpg"), dst.join("moving.jpg")).unwrap();
    std::fs::remove_file(src.join("copy-of-dropped.jpg")).unwrap();
    let v = lib
        .run(&["watch", "run", "--once", "--json"])
        .expect_ok("rescan")
        .json();
    let rec = lib.show(&moving_id);
    assert_eq!(rec["path"].as_str(), dst.join("moving.jpg").to_str(), "{v}");
    assert_eq!(
        rec["tags"],
        serde_json::json!(["keeper"]),
        "a move, not delete + add"
    );
    assert_eq!(
        lib.show(&dropped_id)["storage"],
        "managed",
        "the dropped image is not the folder's to remove"
    );

    // Most of a folder gone at once looks like an unmounted disk: held, nothing removed...
    let many = folder_dir(&lib, "c-card");
    for i in 0..30 {
        write(
            &many.join(format!("img-{i:02}.png")),
            &images::png_rgb8(20, 10, 300 + i),
        );
    }
    lib.run(&[
        "watch",
        "add",
        many.to_str().unwrap(),
        "--on-delete",
        "remove",
    ])
    .expect_ok("add card");
    let before = lib.ls(&["--limit", "1000"]).len();
    for i in 0..25 {
        std::fs::remove_file(many.join(format!("img-{i:02}.png"))).unwrap();
    }
    let v = lib
        .run(&["watch", "run", "--once", "--json"])
        .expect_ok("rescan")
        .json();
    let card = v["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str() == many.to_str())
        .unwrap()
        .clone();
    assert_eq!(card["held"], 25, "{card}");
    assert!(
        card["problems"].to_string().contains("--allow-deletes"),
        "{card}"
    );
    assert_eq!(
        lib.ls(&["--limit", "1000"]).len(),
        before,
        "nothing removed"
    );
    // ...until the user says they were really deleted.
    let v = lib
        .run(&["watch", "run", "--once", "--allow-deletes", "--json"])
        .expect_ok("allowed")
        .json();
    assert!(v.to_string().contains("\"deleted\":25"), "{v}");
    assert_eq!(lib.ls(&["--limit", "1000"]).len(), before - 25);
}

/// `mount -t tmpfs` (root only; skipped where mounting is not allowed).
fn mount_tmpfs(at: &Path) -> bool {
    std::fs::create_dir_all(at).unwrap();
    Command::new("mount")
        .args(["-t", "tmpfs", "tmpfs"])
        .arg(at)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn umount(at: &Path) {
    let ok = Command::new("umount").arg(at).status().unwrap().success();
    assert!(ok, "umount {}", at.display());
}

#[test]
fn a_real_unmount_is_offline_and_a_disk_unmounted_inside_a_folder_is_held() {
    let lib = TestLib::new();
    let card = lib.dir.path().join("card");
    if !mount_tmpfs(&card) {
        eprintln!("note: cannot mount tmpfs here (not root?): skipping the real-unmount test");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(card.clone());
    let shots: Vec<Vec<u8>> = (0..3).map(|i| images::jpeg(80, 60, 90 + i)).collect();
    for (i, b) in shots.iter().enumerate() {
        write(&card.join(format!("DSC{i}.jpg")), b);
    }
    // A recursive folder with another disk mounted inside it, holding most of its files.
    let photos = folder_dir(&lib, "photos");
    write(&photos.join("top.jpg"), &images::jpeg(80, 60, 99));
    let nas = photos.join("nas");
    assert!(mount_tmpfs(&nas));
    let _guard2 = Unmount(nas.clone());
    for i in 0..25 {
        write(
            &nas.join(format!("n{i:02}.png")),
            &images::png_rgb8(20, 10, 500 + i),
        );
    }
    lib.run(&[
        "watch",
        "add",
        card.to_str().unwrap(),
        "--on-delete",
        "remove",
    ])
    .expect_ok("add card");
    lib.run(&[
        "watch",
        "add",
        photos.to_str().unwrap(),
        "--recursive",
        "--on-delete",
        "remove",
    ])
    .expect_ok("add photos");
    assert_eq!(lib.ls(&["--limit", "1000"]).len(), 29);
    let daemon = Daemon::start(&lib, &[]);
    let status_of = |p: &Path| {
        list(&lib)
            .into_iter()
            .find(|f| f["path"].as_str() == p.to_str())
            .unwrap()
    };
    wait_until("watching", 20, || status_of(&card)["status"] == "watching");

    // The card is unmounted: its mount point stays, empty, on another device.
    umount(&card);
    wait_until("card offline", 20, || {
        status_of(&card)["status"] == "offline"
    });
    assert!(
        status_of(&card)["detail"]
            .as_str()
            .unwrap()
            .contains("not mounted"),
        "{}",
        status_of(&card)
    );
    // Another (empty) disk mounted there is not the card either.
    assert!(mount_tmpfs(&card));
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        status_of(&card)["status"],
        "offline",
        "{}",
        status_of(&card)
    );
    // The card back (the same files and mtimes, another device number): online, nothing lost.
    umount(&card);
    let known: Vec<(String, i64)> = {
        let conn = lib.catalog();
        let mut st = conn
            .prepare("SELECT path, mtime_ns FROM watched_files WHERE path LIKE ?1")
            .unwrap();
        st.query_map([format!("{}/%", card.display())], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    assert!(mount_tmpfs(&card));
    for (i, b) in shots.iter().enumerate() {
        let p = card.join(format!("DSC{i}.jpg"));
        write(&p, b);
        let (_, mtime) = known.iter().find(|(k, _)| Path::new(k) == p).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + Duration::from_nanos(*mtime as u64))
            .unwrap();
    }
    wait_until("card back", 20, || status_of(&card)["status"] == "watching");
    assert_eq!(lib.ls(&["--limit", "1000"]).len(), 29, "nothing removed");

    // The disk inside the watched folder goes away: 25 of 26 files vanish at once. (The
    // kernel sends no file event for an unmount; the next scan, here after pause + resume,
    // sees it.)
    umount(&nas);
    lib.run(&["watch", "pause", photos.to_str().unwrap()])
        .expect_ok("pause");
    // As the watcher itself wrote it (`watch list` says paused as soon as the flag is set).
    wait_until("the watcher paused it", 20, || {
        lib.catalog()
            .query_row(
                "SELECT status FROM watched_folders WHERE path = ?1",
                [photos.to_str().unwrap()],
                |r| r.get::<_, String>(0),
            )
            .unwrap()
            == "paused"
    });
    lib.run(&["watch", "resume", photos.to_str().unwrap()])
        .expect_ok("resume");
    wait_until("held", 20, || {
        status_of(&photos)["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("nothing removed"))
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(lib.ls(&["--limit", "1000"]).len(), 29, "nothing removed");
    let (status, _, stderr, _) = daemon.stop();
    assert!(status.success(), "{stderr}");
}
