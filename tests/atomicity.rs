//! An import lands whole or not at all, also when the process dies between two steps
//! (fault injection through `VITRINE_FAILPOINT`).

use std::os::unix::process::ExitStatusExt;

use crate::support::images::*;
use crate::support::{files_under, sha256_hex, TestLib};

fn tmp_dirs(lib: &TestLib) -> Vec<String> {
    std::fs::read_dir(lib.root.join("tmp"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn error_before_commit_leaves_nothing() {
    let lib = TestLib::new();
    let p = lib.input("a.jpg", &jpeg(200, 150, 1));
    let run = lib.run_env(
        &["--json", "import", p.to_str().unwrap()],
        &[("VITRINE_FAILPOINT", "import:before-commit=error")],
    );
    assert_eq!(run.code(), Some(1), "the failed item makes the batch fail");
    let lines = run.json_lines();
    assert_eq!(lines[0]["status"], "error");
    assert_eq!(lines[0]["code"], "injected");
    assert_eq!(lib.count("SELECT count(*) FROM images"), 0, "no row");
    assert_eq!(lib.count("SELECT count(*) FROM thumb_jobs"), 0, "no job");
    assert!(lib.originals().is_empty(), "no original");
    assert!(
        tmp_dirs(&lib).is_empty(),
        "no temp leftovers: {:?}",
        tmp_dirs(&lib)
    );
    // The same file imports normally afterwards.
    lib.import_one(&p);
}

#[test]
fn abort_after_commit_is_finished_by_the_next_command() {
    let lib = TestLib::new();
    let bytes = jpeg(640, 480, 2);
    let p = lib.input("crash.jpg", &bytes);
    let run = lib.run_env(
        &["--json", "import", "--threads", "1", p.to_str().unwrap()],
        &[("VITRINE_FAILPOINT", "import:after-commit=abort")],
    );
    assert!(!run.ok(), "the process died");
    assert_eq!(
        run.status.signal(),
        Some(libc_sigabrt()),
        "killed by abort()"
    );

    // The state a crash leaves: a committed row, the original still in the dead process's
    // temp folder, a queued thumbnail job.
    assert_eq!(lib.count("SELECT count(*) FROM images"), 1, "row committed");
    assert_eq!(
        lib.count("SELECT count(*) FROM thumb_jobs"),
        1,
        "job queued"
    );
    assert!(lib.originals().is_empty(), "original not yet renamed");
    let dead = tmp_dirs(&lib);
    assert_eq!(dead.len(), 1, "the dead workspace is still there");
    assert!(
        files_under(&lib.root.join("tmp"))
            .iter()
            .any(|f| f.ends_with(".original")),
        "the original waits in the dead workspace"
    );

    // The next command, whatever it is, finishes the work.
    let ls = lib.ls(&[]);
    assert_eq!(ls.len(), 1, "the image is listed");
    let id = ls[0]["id"].as_str().unwrap();
    assert_eq!(ls[0]["sha256"], sha256_hex(&bytes));
    let originals = lib.originals();
    assert_eq!(
        originals.len(),
        1,
        "original renamed into place: {originals:?}"
    );
    let on_disk = std::fs::read(lib.root.join("originals").join(&originals[0])).unwrap();
    assert_eq!(sha256_hex(&on_disk), sha256_hex(&bytes), "original intact");
    assert!(originals[0].ends_with(&format!("{}.jpg", sha256_hex(&bytes))));
    assert_eq!(
        lib.thumbs_db()
            .query_row("SELECT count(*) FROM thumbs", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        1,
        "grid thumbnail rendered by recovery"
    );
    assert_eq!(lib.stats()["thumbnails_pending"], 0, "no job left");
    assert!(
        tmp_dirs(&lib).is_empty(),
        "dead workspace swept: {:?}",
        tmp_dirs(&lib)
    );
    let t = lib.thumb(id, "grid");
    assert_eq!((t.width(), t.height()), (320, 240));
    let fsck = lib.run(&["--json", "fsck"]);
    assert!(fsck.ok(), "healthy after recovery: {}", fsck.stdout);
}

#[test]
fn abort_before_commit_leaves_nothing_after_the_next_open() {
    let lib = TestLib::new();
    let p = lib.input("crash.png", &png_rgb8(300, 200, 3));
    let run = lib.run_env(
        &["--json", "import", "--threads", "1", p.to_str().unwrap()],
        &[("VITRINE_FAILPOINT", "import:before-commit=abort")],
    );
    assert_eq!(
        run.status.signal(),
        Some(libc_sigabrt()),
        "killed by abort()"
    );
    assert_eq!(tmp_dirs(&lib).len(), 1, "the dead workspace is left behind");
    assert_eq!(
        lib.count("SELECT count(*) FROM images"),
        0,
        "nothing committed"
    );

    let stats = lib.stats();
    assert_eq!(stats["images"], 0, "no row");
    assert_eq!(stats["thumbnails_pending"], 0);
    assert!(lib.originals().is_empty(), "no original");
    assert!(
        tmp_dirs(&lib).is_empty(),
        "temp folder swept: {:?}",
        tmp_dirs(&lib)
    );
    lib.import_one(&p);
}

#[test]
fn a_live_process_keeps_its_workspace() {
    // A workspace whose lock is held is never swept by another process.
    let lib = TestLib::new();
    lib.stats();
    let held = vitrine::Library::open(&lib.root).expect("open library in-process");
    let mine = held.workspace().dir().to_path_buf();
    std::fs::write(mine.join("keep.part"), b"in flight").unwrap();
    lib.stats(); // another process opens and sweeps
    assert!(
        mine.join("keep.part").exists(),
        "a live workspace is left alone"
    );
    drop(held);
    assert!(!mine.exists(), "a workspace removes itself on a clean exit");
}

fn libc_sigabrt() -> i32 {
    6
}

/// A failure after the catalog commit while the process lives (simulated with
/// `import:after-commit=error`; really a failed rename of the original into originals/)
/// withdraws the row: the item is an error and leaves nothing, and importing the same file
/// again lands it whole.
#[test]
fn error_after_commit_does_not_lose_the_original() {
    let lib = TestLib::new();
    let bytes = jpeg(200, 150, 4);
    let p = lib.input("late.jpg", &bytes);
    let run = lib.run_env(
        &["--json", "import", p.to_str().unwrap()],
        &[("VITRINE_FAILPOINT", "import:after-commit=error")],
    );
    let line = &run.json_lines()[0];
    assert_eq!(line["status"], "error", "{}", run.stdout);
    assert!(
        line["error"].as_str().unwrap_or("").contains("injected"),
        "the error names what failed: {line}"
    );
    assert_eq!(
        lib.count("SELECT count(*) FROM images"),
        0,
        "an item reported as failed must not stay in the catalog"
    );
    assert_eq!(
        lib.count("SELECT count(*) FROM thumb_jobs"),
        0,
        "no job is left"
    );
    assert!(lib.originals().is_empty(), "no original is left");
    let again = lib.run(&["--json", "import", p.to_str().unwrap()]);
    assert_eq!(
        again.json_lines()[0]["status"],
        "imported",
        "a later import lands it whole: {}",
        again.stdout
    );
    assert_eq!(lib.originals().len(), 1);
    let fsck = lib.run(&["--json", "fsck"]);
    assert_eq!(fsck.json()["problems"], 0, "{}", fsck.stdout);
}
