//! "Test bucket" (`vitrine remote test`, the app's button): every step sync needs, each with a
//! pass/fail/skip status and a fix a person can act on. [`run_active`] is the one entry point;
//! each front end only says who reads the fixes ([`Audience`]).

use serde::Serialize;
use std::time::Duration;

use super::Remote;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::remote::{self, CredentialSource};
use crate::secrets::SecretStore;
use crate::storage::{Area, ErrorKind, PutMeta, StorageError, UploadedPart};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Skip,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Check {
    pub check: String,
    pub status: CheckStatus,
    pub message: String,
    /// What to do about a failure.
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct ProbeReport {
    pub ok: bool,
    pub remote: String,
    pub checks: Vec<Check>,
}

/// Who reads the report: the fixes name the way that front end changes the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// `vitrine remote test`: commands and flags.
    Cli,
    /// The app's "Test bucket": Settings → Bucket.
    App,
}

impl Audience {
    fn credentials_fix(self) -> &'static str {
        match self {
            Audience::Cli => "run `vitrine remote add` again with the right credentials, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            Audience::App => "enter the access key ID and secret access key in Settings → Bucket and save",
        }
    }

    fn storage_fix(self, e: &StorageError) -> &'static str {
        match (e.kind, self) {
            (ErrorKind::Auth, Audience::Cli) => "check the access key and secret (run `vitrine remote add` again to replace them), the key's permissions on this bucket, and this computer's clock",
            (ErrorKind::Auth, Audience::App) => "check the access key and secret (enter them again in Settings → Bucket), the key's permissions on this bucket, and this computer's clock",
            (ErrorKind::Transient, _) => "check the endpoint URL, your network and that the service is up, then test again",
            (ErrorKind::NotFound | ErrorKind::Permanent, Audience::Cli) => "check the bucket name, region, endpoint and addressing style (--path-style)",
            (ErrorKind::NotFound | ErrorKind::Permanent, Audience::App) => "check the bucket name, region, endpoint and addressing style in Settings → Bucket",
        }
    }

    fn no_public_url(self) -> &'static str {
        match self {
            Audience::Cli => "no public URL set: unlisted and public images need one for their links (remote add … --public-url URL)",
            Audience::App => "no public URL set: unlisted and public images need one for their links (Public URL in Settings → Bucket)",
        }
    }
}

/// What the passing credentials check says.
fn found(source: &CredentialSource) -> String {
    match source {
        CredentialSource::NotNeeded => "a folder needs no credentials".into(),
        CredentialSource::Keychain => "found in the OS keychain".into(),
        CredentialSource::Environment => "found in the AWS_* environment variables".into(),
        // The remote opened, so these were read after all (a change in between).
        CredentialSource::Missing | CredentialSource::Unavailable { .. } => {
            format!("found ({source})")
        }
    }
}

/// "Test bucket" for the library's active remote: opens it with its credentials (not finding
/// them is the failed `credentials` check), then runs every check.
pub fn run_active(
    catalog: &Catalog,
    store: Option<&dyn SecretStore>,
    audience: Audience,
) -> Result<ProbeReport> {
    let row = remote::active(catalog)?;
    let source = CredentialSource::of(catalog, &row, store);
    let name = row.name.clone();
    Ok(match remote::open(catalog, row, store) {
        Ok(r) => run(&r, &found(&source), audience),
        Err(e) => credentials_failed(&name, e.to_string(), audience.credentials_fix()),
    })
}

struct Probe {
    checks: Vec<Check>,
    audience: Audience,
}

impl Probe {
    fn pass(&mut self, check: &str, message: impl Into<String>) {
        self.checks.push(Check {
            check: check.into(),
            status: CheckStatus::Pass,
            message: message.into(),
            fix: None,
        });
    }
    fn skip(&mut self, check: &str, message: impl Into<String>) {
        self.checks.push(Check {
            check: check.into(),
            status: CheckStatus::Skip,
            message: message.into(),
            fix: None,
        });
    }
    fn fail(&mut self, check: &str, message: impl Into<String>, fix: impl Into<String>) {
        self.checks.push(Check {
            check: check.into(),
            status: CheckStatus::Fail,
            message: message.into(),
            fix: Some(fix.into()),
        });
    }
    fn storage_fail(&mut self, check: &str, e: &StorageError) {
        self.fail(check, e.message.clone(), self.audience.storage_fix(e));
    }
}

/// A probe for a remote whose credentials could not be read.
fn credentials_failed(remote: &str, message: String, fix: &str) -> ProbeReport {
    ProbeReport {
        ok: false,
        remote: remote.to_string(),
        checks: vec![Check {
            check: "credentials".into(),
            status: CheckStatus::Fail,
            message,
            fix: Some(fix.to_string()),
        }],
    }
}

fn http_get(url: &str) -> Result<(u16, Vec<u8>), String> {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(15))
        .redirects(3)
        .build();
    match agent.get(url).call() {
        Ok(resp) => {
            let status = resp.status();
            let mut body = Vec::new();
            std::io::Read::read_to_end(&mut resp.into_reader().take_limit(), &mut body)
                .map_err(|e| e.to_string())?;
            Ok((status, body))
        }
        Err(ureq::Error::Status(code, _)) => Ok((code, Vec::new())),
        Err(e) => Err(e.kind().to_string()),
    }
}

trait TakeLimit: std::io::Read + Sized {
    fn take_limit(self) -> std::io::Take<Self> {
        std::io::Read::take(self, 1 << 20)
    }
}
impl<R: std::io::Read> TakeLimit for R {}

/// Runs every check; stops early only when a later check cannot mean anything.
fn run(remote: &Remote, credentials_note: &str, audience: Audience) -> ProbeReport {
    let mut p = Probe {
        checks: Vec::new(),
        audience,
    };
    let storage = &remote.storage;
    let layout = &remote.layout;
    p.pass("credentials", credentials_note.to_string());

    if let Err(e) = storage.check() {
        p.storage_fail("bucket", &e);
        return finish(remote, p);
    }
    p.pass("bucket", format!("{} is reachable", storage.describe()));

    let token = ulid::Ulid::new().to_string().to_ascii_lowercase();
    let body = format!("vitrine probe {token}\n").into_bytes();
    let sha = crate::import::sha256_hex(&body);
    let key = format!("{}private/probe-{token}.txt", layout.prefix());
    let meta = PutMeta {
        content_type: "text/plain".into(),
        cache_control: None,
        sha256: sha.clone(),
    };
    let rw = (|| -> Result<(), (&'static str, StorageError)> {
        storage
            .put_bytes(&key, body.clone(), &meta)
            .map_err(|e| ("write", e))?;
        let info = storage.head(&key).map_err(|e| ("read back", e))?;
        if info.size != body.len() as u64 || info.sha256.as_deref() != Some(sha.as_str()) {
            return Err((
                "read back",
                StorageError::permanent(
                    "the object came back with another size or without its sha256 metadata",
                ),
            ));
        }
        let got = storage.get(&key).map_err(|e| ("read back", e))?;
        if got != body {
            return Err((
                "read back",
                StorageError::permanent("the object came back changed"),
            ));
        }
        Ok(())
    })();
    match rw {
        Ok(()) => p.pass("write and read", format!("wrote, checked and read {key}")),
        Err((_, e)) => {
            p.storage_fail("write and read", &e);
            let _ = storage.delete(&key);
            return finish(remote, p);
        }
    }

    match storage.presign_get(&key, Duration::from_secs(300)) {
        Ok(url) => match http_get(&url) {
            Ok((200, got)) if got == body => p.pass("presigned link", "a 5-minute link served the object"),
            Ok((code, _)) => p.fail(
                "presigned link",
                format!("a presigned link got HTTP {code}"),
                "check this computer's clock and that the endpoint URL is the one browsers can reach",
            ),
            // Never the error text: it quotes the URL, and a presigned URL carries the key id.
            Err(_) => p.fail(
                "presigned link",
                "a presigned link could not be fetched (no answer from the endpoint)".to_string(),
                "make sure the endpoint URL is reachable from this computer",
            ),
        },
        Err(e) if storage.kind() == "folder" => p.skip("presigned link", e.message),
        Err(e) => p.storage_fail("presigned link", &e),
    }

    match multipart_probe(remote, &token, &meta, &body) {
        Ok(()) => p.pass(
            "multipart upload",
            "a multipart upload completed and was cleaned up",
        ),
        Err(e) => p.storage_fail("multipart upload", &e),
    }

    match storage.delete(&key).and_then(|_| match storage.head(&key) {
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
        Ok(_) => Err(StorageError::permanent(
            "the object is still there after delete",
        )),
    }) {
        Ok(()) => p.pass("delete", "deleted the probe object"),
        Err(e) => p.storage_fail("delete", &e),
    }

    public_probe(remote, &mut p, &token);
    finish(remote, p)
}

fn multipart_probe(
    remote: &Remote,
    token: &str,
    meta: &PutMeta,
    body: &[u8],
) -> Result<(), StorageError> {
    let storage = &remote.storage;
    let key = format!(
        "{}private/probe-{token}-multipart.txt",
        remote.layout.prefix()
    );
    let dir = tempfile_dir()?;
    let path = dir.join("part");
    std::fs::write(&path, body).map_err(|e| StorageError::permanent(e.to_string()))?;
    let id = storage.multipart_begin(&key, meta)?;
    let result = (|| {
        let etag = storage.multipart_part(&key, &id, 1, &path, 0, body.len() as u64)?;
        storage.multipart_complete(&key, &id, &[UploadedPart { number: 1, etag }])?;
        let info = storage.head(&key)?;
        if info.size != body.len() as u64 {
            return Err(StorageError::permanent(
                "the multipart object has the wrong size",
            ));
        }
        storage.delete(&key)
    })();
    if result.is_err() {
        let _ = storage.multipart_abort(&key, &id);
        let _ = storage.delete(&key);
    }
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn tempfile_dir() -> Result<std::path::PathBuf, StorageError> {
    let dir = std::env::temp_dir().join(format!("vitrine-probe-{}", ulid::Ulid::new()));
    std::fs::create_dir_all(&dir).map_err(|e| StorageError::permanent(e.to_string()))?;
    Ok(dir)
}

fn public_probe(remote: &Remote, p: &mut Probe, token: &str) {
    let storage = &remote.storage;
    if remote.row.public_url.is_none() {
        let message = p.audience.no_public_url();
        p.skip("public URL", message);
        return;
    }
    let body = format!("vitrine public probe {token}\n").into_bytes();
    let sha = crate::import::sha256_hex(&body);
    let key = remote.layout.original(Area::Public, &sha, "txt");
    let meta = PutMeta {
        content_type: "text/plain".into(),
        cache_control: None,
        sha256: sha,
    };
    if let Err(e) = storage.put_bytes(&key, body.clone(), &meta) {
        p.storage_fail("public URL", &e);
        return;
    }
    let url = remote.public_url(&key).unwrap_or_default();
    match http_get(&url) {
        Ok((200, got)) if got == body => p.pass("public URL", format!("{url} serves the public area")),
        Ok((code, _)) => p.fail(
            "public URL",
            format!("{url} answered HTTP {code}"),
            "make the bucket's public/ folder readable by anyone at the public URL (a bucket policy, a public custom domain, or a web server over the folder)",
        ),
        Err(e) => p.fail(
            "public URL",
            format!("{url} could not be fetched: {e}"),
            "check the public URL: it must be the address that serves this bucket (or folder)",
        ),
    }
    let _ = storage.delete(&key);
}

fn finish(remote: &Remote, p: Probe) -> ProbeReport {
    ProbeReport {
        ok: p.checks.iter().all(|c| c.status != CheckStatus::Fail),
        remote: remote.row.name.clone(),
        checks: p.checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::secrets::{Credentials, MemoryStore};
    use crate::sync::engine_tests::add_folder_remote;
    use crate::testing::library_with_one_image;

    #[test]
    fn a_folder_passes_and_each_front_end_reads_its_own_fixes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (lib, _, _) = library_with_one_image(dir.path());
        let cat = lib.catalog_connection().expect("catalog");
        let none = run_active(&cat, None, Audience::Cli).expect_err("no remote");
        assert_eq!(none.code(), ErrorCode::NoRemote);

        add_folder_remote(&lib, &dir.path().join("bucket"), None);
        for (audience, how) in [
            (Audience::Cli, "--public-url"),
            (Audience::App, "Settings → Bucket"),
        ] {
            let report = run_active(&cat, None, audience).expect("report");
            assert!(report.ok, "{report:?}");
            let first = &report.checks[0];
            assert_eq!(first.check, "credentials");
            assert_eq!(first.status, CheckStatus::Pass);
            assert_eq!(first.message, "a folder needs no credentials");
            let last = report.checks.last().expect("checks");
            assert_eq!(last.check, "public URL");
            assert_eq!(last.status, CheckStatus::Skip, "no public URL set");
            assert!(last.message.contains(how), "{audience:?}: {last:?}");
        }
    }

    #[test]
    fn missing_credentials_fail_the_first_check_with_the_front_ends_fix() {
        if Credentials::from_env().is_some() {
            eprintln!("skipped: AWS_* credentials in the environment would be used");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = crate::testing::library_with_unreachable_minio(dir.path());
        let cat = lib.catalog_connection().expect("catalog");
        let empty = MemoryStore::default();
        for (audience, fix) in [
            (Audience::Cli, "vitrine remote add"),
            (Audience::App, "Settings → Bucket"),
        ] {
            let report = run_active(&cat, Some(&empty), audience).expect("a report");
            assert!(!report.ok);
            assert_eq!(report.remote, "main");
            let [only] = report.checks.as_slice() else {
                panic!("one check: {report:?}");
            };
            assert_eq!(only.check, "credentials");
            assert_eq!(only.status, CheckStatus::Fail);
            assert!(only.fix.as_deref().unwrap().contains(fix), "{only:?}");
        }
    }
}
