//! Credentials live only in the OS keychain: the real Secret Service (gnome-keyring on a
//! private D-Bus session, see scripts/with-keyring). A full run leaves no secret in the
//! library, its logs or any output; without a keychain the CLI says so and stores nothing.
//! Set VITRINE_REQUIRE_KEYRING=1 (scripts/test does) to fail instead of skip without one.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::images;
use crate::support::s3::{S3Server, ACCESS_KEY, SECRET_KEY};
use crate::support::{bin, Run, TestLib};
use vitrine::secrets::{Credentials, Keychain, Secret, SecretStore};

fn keychain_or_skip(test: &str) -> Option<Keychain> {
    match Keychain::open() {
        Ok(k) => Some(k),
        Err(e) if std::env::var("VITRINE_REQUIRE_KEYRING").as_deref() == Ok("1") => {
            panic!("{test}: the keychain is required here but {e}")
        }
        Err(e) => {
            println!("SKIP {test}: {e} (run the tests under scripts/with-keyring)");
            None
        }
    }
}

fn secret_tool_lookup(account: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "vitrine", "username", account])
        .output()
        .expect("secret-tool (apt install libsecret-tools)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        .filter(|s| !s.is_empty())
}

/// The CLI with `stdin` fed and the AWS variables removed (credentials come from elsewhere).
fn run_with_stdin(lib: &TestLib, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.arg("--library")
        .arg(&lib.root)
        .args(args)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(e.path().display().to_string());
            }
        }
    }
    hits
}

#[test]
fn secrets_round_trip_through_the_real_secret_service() {
    let Some(k) = keychain_or_skip("secrets_round_trip") else {
        return;
    };
    let account = format!("test-{}", ulid::Ulid::new());
    let c = Credentials {
        access_key_id: Secret::new("AKROUNDTRIP"),
        secret_access_key: Secret::new("round-trip-secret"),
        session_token: Some(Secret::new("tok")),
    };
    assert_eq!(k.get(&account).unwrap(), None);
    k.set(&account, &c).unwrap();
    assert_eq!(k.get(&account).unwrap(), Some(c));
    let stored = secret_tool_lookup(&account).expect("visible to secret-tool");
    assert!(
        stored.contains("round-trip-secret"),
        "it is in the Secret Service"
    );
    k.delete(&account).unwrap();
    k.delete(&account).unwrap();
    assert_eq!(k.get(&account).unwrap(), None);
    assert_eq!(secret_tool_lookup(&account), None);
}

#[test]
fn credentials_typed_once_live_only_in_the_keychain() {
    if keychain_or_skip("credentials_typed_once").is_none() {
        return;
    }
    let lib = TestLib::new();
    let s3 = S3Server::start();
    let mut outputs = String::new();
    let mut add: Vec<String> = vec!["--json".into()];
    add.extend(s3.remote_args(None));
    let add: Vec<&str> = add.iter().map(String::as_str).collect();
    let r = run_with_stdin(&lib, &add, &format!("{ACCESS_KEY}\n{SECRET_KEY}\n"), &[]);
    assert!(r.ok(), "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("saved in the OS keychain"),
        "{}",
        r.stdout
    );
    outputs += &(r.stdout + &r.stderr);

    let account = {
        let conn = lib.catalog();
        let id: String = conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'library_id'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        format!("{id}/main")
    };
    let stored = secret_tool_lookup(&account).expect("an entry in the Secret Service");
    assert!(stored.contains(SECRET_KEY));

    // Later commands read the keychain (no AWS_* in their environment).
    let id = lib.add("a.jpg", &images::jpeg(120, 90, 1));
    for args in [
        vec!["--json", "remote", "show"],
        vec!["--json", "sync", "--once"],
        vec!["--json", "remote", "test"],
        vec!["--json", "link", &id],
        vec!["visibility", &id, "public"],
        vec!["--json", "sync"],
        vec!["--json", "show", &id],
        vec!["rm", &id],
        vec!["--json", "sync"],
    ] {
        let r = run_with_stdin(&lib, &args, "", &[]);
        outputs += &(r.stdout.clone() + &r.stderr);
        if args.contains(&"test") {
            // The public URL is not set (skip); everything else passes.
            assert!(
                r.stdout.contains("\"ok\": true") || r.stdout.contains("\"ok\":true"),
                "{}",
                r.stdout
            );
            continue;
        }
        assert!(r.ok(), "{args:?}: {}\n{}", r.stdout, r.stderr);
        if args.contains(&"show") && args.contains(&"remote") {
            assert!(r.stdout.contains("\"keychain\""), "{}", r.stdout);
        }
    }
    // A bad secret in a failing run must not echo either.
    let r = run_with_stdin(
        &lib,
        &["sync", "--once"],
        "",
        &[
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", "Wr0ng-Secret-Zz"),
        ],
    );
    outputs += &(r.stdout + &r.stderr);
    assert!(!outputs.contains("Wr0ng-Secret-Zz"));

    // The secret is nowhere but the keychain: not in any output, nor any library file
    // (catalog, WAL, thumbnails, temp files).
    assert!(
        !outputs.contains(SECRET_KEY),
        "a command printed the secret"
    );
    assert_eq!(
        files_containing(&lib.root, SECRET_KEY),
        Vec::<String>::new()
    );
    assert_eq!(
        files_containing(&lib.root, ACCESS_KEY),
        Vec::<String>::new()
    );

    // Removing the remote removes its keychain entry.
    let r = run_with_stdin(&lib, &["remote", "remove", "main"], "", &[]);
    assert!(r.ok(), "{}", r.stderr);
    assert_eq!(secret_tool_lookup(&account), None);
}

#[test]
fn without_a_keychain_the_cli_says_so_and_stores_nothing() {
    let lib = TestLib::new();
    let s3 = S3Server::start();
    let mut add = s3.remote_args(None);
    add.insert(0, "--json".into());
    let add: Vec<&str> = add.iter().map(String::as_str).collect();
    let no_bus = [(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/vitrine-bus",
    )];
    let r = run_with_stdin(
        &lib,
        &add,
        &format!("{ACCESS_KEY}\n{SECRET_KEY}\n"),
        &no_bus,
    );
    assert_eq!(r.code(), Some(1), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("keychain not available"), "{}", r.stderr);
    assert!(
        r.stderr.contains("AWS_ACCESS_KEY_ID"),
        "names a way out: {}",
        r.stderr
    );
    assert!(!r.stderr.contains(SECRET_KEY) && !r.stdout.contains(SECRET_KEY));
    assert_eq!(
        lib.count("SELECT count(*) FROM remotes"),
        0,
        "nothing half-added"
    );
    assert_eq!(
        files_containing(&lib.root, SECRET_KEY),
        Vec::<String>::new()
    );

    // With AWS_* set, a headless machine works, and is told the keys were not saved.
    let env = [
        no_bus[0],
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
    ];
    let r = run_with_stdin(&lib, &add, "", &env);
    assert!(r.ok(), "{}", r.stderr);
    assert!(r.stdout.contains("NOT saved"), "{}", r.stdout);
    lib.add("a.jpg", &images::jpeg(64, 64, 3));
    let r = run_with_stdin(&lib, &["--json", "sync"], "", &env);
    assert!(r.ok(), "{}\n{}", r.stdout, r.stderr);
    // Without them, the error says where credentials come from.
    let r = run_with_stdin(&lib, &["sync"], "", &no_bus);
    assert_eq!(r.code(), Some(1));
    assert!(r.stderr.contains("keychain not available"), "{}", r.stderr);
    assert_eq!(
        files_containing(&lib.root, SECRET_KEY),
        Vec::<String>::new()
    );
}
