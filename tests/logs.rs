//! The CLI's log file, through the binary as people run it: what a session leaves in
//! `vitrine-cli.log` (the command, the library, each import batch and its failures, sync runs),
//! `VITRINE_LOG` levels, and that no credential, presigned signature or signed URL's token
//! reaches the file even when every library logs at trace level.

use std::path::Path;

use crate::support::http::Server;
use crate::support::images;
use crate::support::s3::{S3Server, ACCESS_KEY, SECRET_KEY};
use crate::support::TestLib;

fn read_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("vitrine-cli.log")).expect("the CLI wrote its log")
}

#[test]
fn the_cli_logs_each_command_the_library_and_import_batches_with_their_failures() {
    let lib = TestLib::new();
    let logs = tempfile::tempdir().unwrap();
    let dir = logs.path().to_str().unwrap();
    let good = lib.input("good.jpg", &images::jpeg(64, 48, 1));
    let bad = lib.input("broken.jpg", b"\xff\xd8\xff\xe0 this is not a JPEG at all");
    let run = lib.run_env(
        &["import", good.to_str().unwrap(), bad.to_str().unwrap()],
        &[("VITRINE_LOG_DIR", dir)],
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "one file failed: {}",
        run.stderr
    );
    let text = read_log(logs.path());
    for want in [
        "(cli) starting",
        "INFO  [main] vitrine::cli: command: vitrine import",
        &format!("library opened at {}", lib.root.display()),
        "import: 2 input(s), 2 file(s): 1 imported, 0 duplicate(s), 1 failed",
        "WARN",
        "broken.jpg",
        "vitrine import: done, some items failed",
    ] {
        assert!(text.contains(want), "the log lacks {want:?}:\n{text}");
    }
    assert!(
        !run.stdout.contains("starting") && !run.stderr.contains("starting"),
        "the log goes to its file, not to the terminal"
    );

    // VITRINE_LOG=warn: info records are not written; the next command appends.
    let before = text.len();
    lib.run_env(
        &["ls"],
        &[("VITRINE_LOG_DIR", dir), ("VITRINE_LOG", "warn")],
    )
    .expect_ok("ls");
    let after = read_log(logs.path());
    assert!(after.starts_with(&text), "appended, never truncated");
    assert!(
        !after[before..].contains("command: vitrine ls"),
        "info is below warn:\n{}",
        &after[before..]
    );
    // A subcommand's name is logged, never its arguments.
    lib.run_env(
        &["show", "no-such-id-secretish"],
        &[("VITRINE_LOG_DIR", dir)],
    );
    let last = read_log(logs.path());
    assert!(last.contains("command: vitrine show\n"), "{last}");
    assert!(
        last.contains("vitrine show failed:"),
        "an error is logged: {last}"
    );
}

#[test]
fn no_credential_or_signature_reaches_the_log_even_at_trace_level() {
    let lib = TestLib::new();
    let s3 = S3Server::start();
    let logs = tempfile::tempdir().unwrap();
    let dir = logs.path().to_str().unwrap();
    let mut env = s3.env();
    env.push(("VITRINE_LOG_DIR", dir));
    env.push(("VITRINE_LOG", "trace,*=trace"));
    lib.run_env(&s3.remote_args(None), &env)
        .expect_ok("remote add");
    let id = lib.add("photo.jpg", &images::jpeg(200, 100, 3));
    lib.run_env(&["sync", "--once"], &env).expect_ok("sync");
    // A presigned link (a signature and the access key id in its query).
    let link = lib
        .run_env(&["--json", "link", &id, "--expires", "1h"], &env)
        .expect_ok("link")
        .json();
    let url = link["url"].as_str().unwrap().to_string();
    let signature = url.split("X-Amz-Signature=").nth(1).unwrap().to_string();
    assert!(signature.len() >= 32, "{url}");
    // The same URL given to import (a 404 here): the failure names the input, redacted.
    let web = Server::start(vec![]);
    let signed = format!(
        "{}?X-Amz-Signature={signature}&X-Amz-Credential={ACCESS_KEY}%2F20261202&token=tok-6c1f5e9a2b",
        web.url("/expired.png")
    );
    let failed = lib.run_env(&["import", &signed], &env);
    assert_eq!(failed.status.code(), Some(1));
    // Wrong keys: the server refuses, the sync fails.
    let wrong = "wrong-Secret-Key-0f9e8d7c6b5a";
    let mut bad_env = env.clone();
    bad_env.retain(|(k, _)| *k != "AWS_SECRET_ACCESS_KEY");
    bad_env.push(("AWS_SECRET_ACCESS_KEY", wrong));
    lib.add("second.jpg", &images::jpeg(120, 80, 4));
    let refused = lib.run_env(&["sync", "--once"], &bad_env);
    assert_ne!(refused.status.code(), Some(0), "{}", refused.stdout);

    let text = read_log(logs.path());
    for want in [
        "sync to main: 1 uploaded",
        "import: 1 input(s)",
        "/expired.png?X-Amz-Signature=[redacted]",
        "sync to main",
    ] {
        assert!(text.contains(want), "the log lacks {want:?}:\n{text}");
    }
    for secret in [SECRET_KEY, ACCESS_KEY, wrong, &signature, "tok-6c1f5e9a2b"] {
        assert!(!text.contains(secret), "{secret} reached the log:\n{text}");
    }
}

#[test]
fn a_panic_in_a_worker_thread_leaves_a_crash_report_beside_the_log() {
    let lib = TestLib::new();
    let logs = tempfile::tempdir().unwrap();
    let dir = logs.path().to_str().unwrap();
    let file = lib.input("boom.jpg", &images::jpeg(32, 32, 9));
    let run = lib.run_env(
        &["import", file.to_str().unwrap()],
        &[
            ("VITRINE_LOG_DIR", dir),
            ("VITRINE_FAILPOINT", "import:before-commit=panic"),
        ],
    );
    assert_ne!(run.status.code(), Some(0), "the import did not finish");
    let reports: Vec<_> = std::fs::read_dir(logs.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("crash-") && n.ends_with(".txt")
        })
        .collect();
    assert_eq!(reports.len(), 1, "one report: {reports:?}\n{}", run.stderr);
    let report = std::fs::read_to_string(&reports[0]).unwrap();
    for want in [
        "Vitrine crash report",
        "Nothing was sent anywhere",
        &format!("version:   {}", env!("CARGO_PKG_VERSION")),
        "component: cli",
        "message:   failpoint import:before-commit hit",
        "src-tauri/failpoint.rs",
        "backtrace:",
        "last lines of the log:",
        "command: vitrine import",
    ] {
        assert!(
            report.contains(want),
            "the report lacks {want:?}:\n{report}"
        );
    }
    assert!(
        run.stderr.contains(&reports[0].display().to_string()),
        "stderr says where the report is: {}",
        run.stderr
    );
    let log = read_log(logs.path());
    assert!(
        log.contains("ERROR") && log.contains("panic in thread"),
        "{log}"
    );
    // Nothing half-done: the catalog has no row for the file.
    let ls = lib.run(&["--json", "ls"]).expect_ok("ls");
    assert!(
        ls.stdout.trim().is_empty() || ls.stdout.trim() == "[]",
        "{}",
        ls.stdout
    );
}
