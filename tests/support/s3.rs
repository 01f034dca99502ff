//! A real S3-compatible server (s3s-fs, `examples/s3_server.rs`) on 127.0.0.1 per test, the
//! aws CLI to check what landed, and a static web server over the bucket's folder to play
//! the public URL (s3s-fs has no anonymous reads).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const ACCESS_KEY: &str = "AKVITRINETEST0001";
pub const SECRET_KEY: &str = "s3cr3t-Sauce-98765-vitrine";
pub const BUCKET: &str = "pics";

fn target_dir() -> PathBuf {
    // target/<profile>/deps/integration-<hash> → target/<profile>
    let exe = std::env::current_exe().expect("test exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

pub fn server_bin() -> PathBuf {
    let p = target_dir().join("examples").join("s3_server");
    assert!(
        p.is_file(),
        "{} is missing: build it with `cargo build --all-features --example s3_server` (cargo test builds it too)",
        p.display()
    );
    p
}

pub struct S3Server {
    pub port: u16,
    pub root: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl S3Server {
    /// Starts a server with bucket [`BUCKET`].
    pub fn start() -> S3Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("s3");
        let mut child = Command::new(server_bin())
            .args(["--root", root.to_str().unwrap(), "--bucket", BUCKET])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3_server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("s3_server said {line:?}"));
        S3Server {
            port,
            root,
            child,
            _dir: dir,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Where s3s-fs keeps an object's bytes.
    pub fn object_path(&self, key: &str) -> PathBuf {
        self.root.join(BUCKET).join(key)
    }

    /// Every object key in the bucket, from the server's folder (sorted).
    pub fn keys(&self) -> Vec<String> {
        super::files_under(&self.root.join(BUCKET))
    }

    /// Multipart uploads the server still holds open. s3s-fs writes `.upload-<id>.json`, then
    /// the upload's metadata, then answers; a request cancelled in between (its client was
    /// killed) leaves a json without metadata: never acknowledged, no key, not an upload.
    pub fn pending_uploads(&self) -> usize {
        let names: Vec<String> = std::fs::read_dir(&self.root)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names
            .iter()
            .filter_map(|n| n.strip_prefix(".upload-")?.strip_suffix(".json"))
            .filter(|id| {
                let meta = format!(".upload-{id}.metadata.json");
                names.iter().any(|n| n.ends_with(&meta))
            })
            .count()
    }

    pub fn env(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ]
    }

    /// `remote add main --provider minio …` args for this server.
    pub fn remote_args(&self, public_url: Option<&str>) -> Vec<String> {
        let mut a: Vec<String> = [
            "remote",
            "add",
            "main",
            "--provider",
            "minio",
            "--bucket",
            BUCKET,
            "--endpoint",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.push(self.endpoint());
        if let Some(u) = public_url {
            a.push("--public-url".into());
            a.push(u.into());
        }
        a
    }

    /// The aws CLI against this server (`/usr/bin/aws`, installed by `scripts/setup --test`).
    pub fn aws(&self, args: &[&str]) -> super::Run {
        let aws = ["/usr/bin/aws", "/usr/local/bin/aws"]
            .into_iter()
            .find(|p| Path::new(p).is_file())
            .expect("the aws CLI is missing: run scripts/setup --test (apt install awscli)");
        let out = Command::new(aws)
            .args(["--endpoint-url", &self.endpoint()])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_CA_BUNDLE")
            .output()
            .expect("run aws");
        super::Run {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `aws s3api head-object` as JSON, or None when the object is missing.
    pub fn head(&self, key: &str) -> Option<serde_json::Value> {
        let r = self.aws(&["s3api", "head-object", "--bucket", BUCKET, "--key", key]);
        if !r.ok() {
            assert!(
                r.stderr.contains("404") || r.stderr.contains("Not Found"),
                "head-object {key}: {}",
                r.stderr
            );
            return None;
        }
        Some(serde_json::from_str(&r.stdout).expect("head-object JSON"))
    }

    /// The object's bytes through the aws CLI.
    pub fn get(&self, key: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("obj");
        let r = self.aws(&[
            "s3",
            "cp",
            &format!("s3://{BUCKET}/{key}"),
            out.to_str().unwrap(),
        ]);
        assert!(r.ok(), "aws s3 cp {key}: {}", r.stderr);
        std::fs::read(out).unwrap()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A static web server (python3 -m http.server) over a folder: the "public URL".
pub struct StaticServer {
    pub port: u16,
    child: Child,
}

impl StaticServer {
    pub fn start(dir: &Path) -> StaticServer {
        std::fs::create_dir_all(dir).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 http.server");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        StaticServer { port, child }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET a URL: (status, body).
pub fn http_get(url: &str) -> (u16, Vec<u8>) {
    match ureq::get(url)
        .timeout(std::time::Duration::from_secs(10))
        .call()
    {
        Ok(r) => {
            let status = r.status();
            let mut body = Vec::new();
            std::io::Read::read_to_end(&mut r.into_reader(), &mut body).unwrap();
            (status, body)
        }
        Err(ureq::Error::Status(code, _)) => (code, Vec::new()),
        Err(e) => panic!("GET {url}: {e}"),
    }
}

/// GET a URL with curl (a real client outside Vitrine): (status, body).
pub fn curl_get(url: &str) -> (u16, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body");
    let out = Command::new("curl")
        .args([
            "-sS",
            "-o",
            body.to_str().unwrap(),
            "-w",
            "%{http_code}",
            url,
        ])
        .output()
        .expect("curl (apt install curl)");
    let code = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    (code, std::fs::read(body).unwrap_or_default())
}

/// Keys of the library itself (the replicated catalog and the grid thumbnails every computer
/// shows), as opposed to the originals and their public copies.
pub fn is_library_key(key: &str) -> bool {
    key.starts_with("private/library/") || key.starts_with("private/thumbs/")
}
