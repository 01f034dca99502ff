//! Shared helpers for the integration tests: temp libraries, running the CLI, image
//! generators, metadata injectors (PNG text chunks, EXIF), a loopback HTTP server and the
//! corpus locator. Every helper panics with a message on failure: tests stay short.

#![allow(dead_code)]

pub mod exif;
pub mod http;
pub mod images;
pub mod png;
pub mod s3;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// The built CLI.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_vitrine")
}

/// What one CLI run produced.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn ok(&self) -> bool {
        self.status.success()
    }

    /// Panics (showing both streams) unless the run succeeded.
    pub fn expect_ok(self, what: &str) -> Self {
        assert!(
            self.status.success(),
            "{what}: expected success, got {:?}\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// The whole stdout as one JSON value.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON value ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// stdout as a JSON array.
    pub fn json_array(&self) -> Vec<Value> {
        match self.json() {
            Value::Array(a) => a,
            other => panic!("expected a JSON array, got {other}"),
        }
    }

    /// stdout as one JSON object per line.
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| {
                    panic!("line is not JSON ({e}): {l:?}\nstderr:\n{}", self.stderr)
                })
            })
            .collect()
    }
}

/// Runs the CLI with `args` (no library option added) and extra environment.
pub fn run_cli<S: AsRef<std::ffi::OsStr>>(args: &[S], envs: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .env_remove("VITRINE_LIBRARY")
        .env_remove("VITRINE_FAILPOINT")
        .env_remove("VITRINE_MAX_FILE_SIZE")
        .env_remove("VITRINE_MAX_PIXELS")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("VITRINE_LOG")
        // The tests' logs go to one scratch folder, not to the user's ~/.local/state.
        .env(
            "VITRINE_LOG_DIR",
            std::env::temp_dir().join("vitrine-test-logs"),
        )
        .stdin(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running the vitrine binary");
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A library in its own temp folder, plus a scratch folder for inputs.
pub struct TestLib {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub inputs: PathBuf,
}

impl TestLib {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("library");
        let inputs = dir.path().join("inputs");
        std::fs::create_dir_all(&inputs).unwrap();
        TestLib { dir, root, inputs }
    }

    /// `vitrine --library ROOT <args>`.
    pub fn run<S: AsRef<str>>(&self, args: &[S]) -> Run {
        self.run_env(args, &[])
    }

    pub fn run_env<S: AsRef<str>>(&self, args: &[S], envs: &[(&str, &str)]) -> Run {
        let mut all: Vec<String> = vec!["--library".into(), self.root.display().to_string()];
        all.extend(args.iter().map(|a| a.as_ref().to_string()));
        run_cli(&all, envs)
    }

    /// Writes `bytes` as `inputs/<name>` and returns the path.
    pub fn input(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.inputs.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// `import --json PATHS...` → one outcome per line.
    pub fn import(&self, paths: &[&Path], extra: &[&str]) -> (Run, Vec<Value>) {
        let mut args: Vec<String> = vec!["--json".into(), "import".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(paths.iter().map(|p| p.display().to_string()));
        let run = self.run(&args);
        let lines = run.json_lines();
        (run, lines)
    }

    /// Imports one file that must import; returns its id.
    pub fn import_one(&self, path: &Path) -> String {
        let (run, lines) = self.import(&[path], &[]);
        assert_eq!(lines.len(), 1, "one outcome for one input: {}", run.stdout);
        assert_eq!(
            lines[0]["status"],
            "imported",
            "{} should import: {}\n{}",
            path.display(),
            run.stdout,
            run.stderr
        );
        assert!(run.ok(), "exit 0 after a clean import");
        lines[0]["id"].as_str().unwrap().to_string()
    }

    /// Writes `bytes` to `inputs/<name>` and imports it; returns the id.
    pub fn add(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.input(name, bytes);
        self.import_one(&p)
    }

    pub fn show(&self, id: &str) -> Value {
        self.run(&["--json", "show", id])
            .expect_ok("show --json")
            .json()
    }

    pub fn ls(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["--json", "ls"];
        args.extend_from_slice(extra);
        self.run(&args).expect_ok("ls --json").json_array()
    }

    pub fn stats(&self) -> Value {
        self.run(&["--json", "stats"])
            .expect_ok("stats --json")
            .json()
    }

    /// `thumb ID --size SIZE --out F`: the decoded thumbnail.
    pub fn thumb(&self, id: &str, size: &str) -> image::DynamicImage {
        let out = self.dir.path().join(format!("thumb-{id}-{size}"));
        self.run(&["thumb", id, "--size", size, "--out", out.to_str().unwrap()])
            .expect_ok("thumb");
        let bytes = std::fs::read(&out).expect("thumbnail file written");
        image::load_from_memory(&bytes).expect("thumbnail decodes")
    }

    pub fn catalog(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.root.join("catalog.db")).expect("open catalog.db")
    }

    pub fn thumbs_db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.root.join("thumbs.db")).expect("open thumbs.db")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.catalog()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Every regular file under `originals/` (relative paths).
    pub fn originals(&self) -> Vec<String> {
        files_under(&self.root.join("originals"))
    }

    /// Entries left under `tmp/` (workspace folders of live or dead processes, stray files).
    pub fn tmp_entries(&self) -> Vec<String> {
        files_under(&self.root.join("tmp"))
    }
}

/// Every file (not folder) under `dir`, relative, sorted; empty when `dir` is missing.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The shared corpus, or `None` (after printing one skip line) when it is not built.
pub fn corpus(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("VITRINE_CORPUS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/vitrine-corpus"))
        });
    match dir {
        Some(d) if d.join(".corpus-version").exists() => Some(d),
        _ => {
            println!("SKIP {test}: corpus not built; run `bash ../shared/corpus/build.sh`");
            None
        }
    }
}

/// The corpus manifest entries.
pub fn manifest(corpus: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(corpus.join("manifest.json")).expect("manifest.json");
    let v: Value = serde_json::from_str(&text).expect("manifest is JSON");
    v["files"].as_array().expect("manifest files").clone()
}

/// Asserts that an RGB pixel is within `tol` of `want` on every channel.
pub fn assert_color(img: &image::RgbImage, x: u32, y: u32, want: [u8; 3], tol: u8, what: &str) {
    let p = img.get_pixel(x, y).0;
    let close = p
        .iter()
        .zip(want)
        .all(|(a, b)| (*a as i16 - b as i16).unsigned_abs() <= tol as u16);
    assert!(
        close,
        "{what}: pixel ({x},{y}) is {p:?}, expected about {want:?}"
    );
}
