//! The `s3` remote through `aws-sdk-s3`: AWS S3, Cloudflare R2, Backblaze B2, Tigris, MinIO,
//! Garage and any other S3-compatible service.
//!
//! The SDK is async; this backend owns a small tokio runtime and blocks on it, so the sync
//! engine's worker threads call it like the folder backend. Checksum headers are sent only
//! when an operation requires them (many S3-compatible services reject the SDK's default CRC
//! headers); payloads stay SigV4-signed, so the server checks the bytes it received.

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, MetadataDirective};
use aws_sdk_s3::Client;
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use super::{
    ErrorKind, ObjectInfo, PendingUpload, PutMeta, SResult, Storage, StorageError, UploadedPart,
    MAX_PRESIGN,
};
use crate::secrets::Credentials as Secrets;

/// Where the bucket is. Credentials come separately, from the keychain or the environment.
#[derive(Debug, Clone)]
pub struct S3Location {
    /// `https://…`; empty for AWS's own endpoint of the region.
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub path_style: bool,
}

pub struct S3Storage {
    rt: tokio::runtime::Runtime,
    client: Client,
    location: S3Location,
    /// Credential strings scrubbed from every message.
    redact: Vec<String>,
}

const SHA_META: &str = "sha256";

impl S3Storage {
    pub fn new(location: S3Location, secrets: &Secrets) -> SResult<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("vitrine-s3")
            .enable_all()
            .build()
            .map_err(|e| StorageError::permanent(format!("cannot start the S3 client: {e}")))?;
        let creds = Credentials::new(
            secrets.access_key_id.expose(),
            secrets.secret_access_key.expose(),
            secrets
                .session_token
                .as_ref()
                .map(|t| t.expose().to_string()),
            None,
            "vitrine",
        );
        let mut b = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(location.region.clone()))
            .credentials_provider(creds)
            .force_path_style(location.path_style)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(
                        std::env::var("VITRINE_S3_ATTEMPTS")
                            .ok()
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(4u32)
                            .max(1),
                    )
                    .with_initial_backoff(Duration::from_millis(200)),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .read_timeout(Duration::from_secs(60))
                    .build(),
            );
        if !location.endpoint.is_empty() {
            b = b.endpoint_url(location.endpoint.trim_end_matches('/'));
        }
        let client = Client::from_conf(b.build());
        let mut redact = vec![
            secrets.access_key_id.expose().to_string(),
            secrets.secret_access_key.expose().to_string(),
        ];
        if let Some(t) = &secrets.session_token {
            redact.push(t.expose().to_string());
        }
        redact.retain(|s| s.len() >= 4);
        Ok(S3Storage {
            rt,
            client,
            location,
            redact,
        })
    }

    fn bucket(&self) -> &str {
        &self.location.bucket
    }

    fn scrub(&self, mut message: String) -> String {
        for s in &self.redact {
            if message.contains(s.as_str()) {
                message = message.replace(s.as_str(), "<redacted>");
            }
        }
        message
    }

    /// Maps an SDK error to the storage error contract, with a message that names the fix.
    fn error<E>(
        &self,
        what: &str,
        err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    ) -> StorageError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let endpoint = self.endpoint_name();
        let (kind, message) = match &err {
            SdkError::TimeoutError(_) => (
                ErrorKind::Transient,
                format!("{what}: {endpoint} did not answer in time"),
            ),
            SdkError::DispatchFailure(d) => {
                let detail = DisplayErrorContext(&err).to_string();
                let kind = if d.is_io() || d.is_timeout() {
                    ErrorKind::Transient
                } else {
                    ErrorKind::Permanent
                };
                (
                    kind,
                    format!(
                        "{what}: cannot reach {endpoint} ({}); check the endpoint URL and your network",
                        short_cause(&detail)
                    ),
                )
            }
            SdkError::ResponseError(_) => (
                ErrorKind::Transient,
                format!(
                    "{what}: {endpoint} sent a broken response ({})",
                    short_cause(&DisplayErrorContext(&err).to_string())
                ),
            ),
            SdkError::ServiceError(s) => {
                let status = s.raw().status().as_u16();
                let mut code = s.err().code().unwrap_or("").to_string();
                let msg = s.err().message().unwrap_or("").to_string();
                // A HEAD's 403 has no body to say why; the server's clock tells skew apart.
                let skew = s
                    .raw()
                    .headers()
                    .get("date")
                    .and_then(clock_skew_minutes)
                    .filter(|m| m.abs() >= 5);
                if let Some(minutes) = skew.filter(|_| status == 403) {
                    code = "RequestTimeTooSkewed".into();
                    let (kind, m) = classify(what, status, &code, &msg, self.bucket(), &endpoint);
                    (
                        kind,
                        m.replace("too far off", &format!("{} minutes off", minutes.abs())),
                    )
                } else {
                    classify(what, status, &code, &msg, self.bucket(), &endpoint)
                }
            }
            _ => (
                ErrorKind::Permanent,
                format!("{what}: {}", DisplayErrorContext(&err)),
            ),
        };
        StorageError::new(kind, self.scrub(message))
    }

    fn endpoint_name(&self) -> String {
        if self.location.endpoint.is_empty() {
            format!("AWS S3 ({})", self.location.region)
        } else {
            self.location.endpoint.clone()
        }
    }

    fn metadata(meta: &PutMeta) -> HashMap<String, String> {
        HashMap::from([(SHA_META.to_string(), meta.sha256.clone())])
    }
}

/// How far this computer's clock is from a server `Date` header, in minutes.
fn clock_skew_minutes(date: &str) -> Option<i64> {
    let server = aws_sdk_s3::primitives::DateTime::from_str(
        date,
        aws_sdk_s3::primitives::DateTimeFormat::HttpDate,
    )
    .ok()?
    .to_millis()
    .ok()?;
    Some((crate::model::now_ms() - server) / 60_000)
}

/// The first line of an error chain, shortened for a message.
fn short_cause(detail: &str) -> String {
    let last = detail.rsplit(": ").next().unwrap_or(detail);
    let mut s = last.trim().to_string();
    crate::model::truncate_utf8(&mut s, 200);
    s
}

/// Status and S3 error code → the contract's kind and a message that says what to do.
pub fn classify(
    what: &str,
    status: u16,
    code: &str,
    msg: &str,
    bucket: &str,
    endpoint: &str,
) -> (ErrorKind, String) {
    let detail = if msg.is_empty() {
        code.to_string()
    } else if code.is_empty() {
        msg.to_string()
    } else {
        format!("{code}: {msg}")
    };
    match (status, code) {
        (_, "NoSuchBucket") => (
            ErrorKind::Permanent,
            format!("{what}: bucket {bucket:?} does not exist at {endpoint}; create it or fix the bucket name"),
        ),
        (_, "RequestTimeTooSkewed") => (
            ErrorKind::Auth,
            format!("{what}: this computer's clock is too far off the server's; turn on automatic time sync (NTP) and try again"),
        ),
        (_, "InvalidAccessKeyId" | "NotSignedUp") => (
            ErrorKind::Auth,
            format!("{what}: the server does not know this access key; check the access key id and enter it again (Settings → Bucket sync, or `vitrine remote add`)"),
        ),
        (_, "SignatureDoesNotMatch") => (
            ErrorKind::Auth,
            format!("{what}: the secret access key is wrong; enter it again (Settings → Bucket sync, or `vitrine remote add`)"),
        ),
        (_, "ExpiredToken" | "TokenRefreshRequired" | "InvalidToken") => (
            ErrorKind::Auth,
            format!("{what}: the session token has expired; set fresh credentials"),
        ),
        (_, "NoSuchKey" | "NotFound" | "NoSuchUpload") | (404, _) => {
            (ErrorKind::NotFound, format!("{what}: not found ({detail})"))
        }
        (_, "SlowDown" | "RequestTimeout" | "InternalError" | "ServiceUnavailable" | "Throttling")
        | (408 | 429, _)
        | (500..=599, _) => (
            ErrorKind::Transient,
            format!("{what}: the server is busy or failing (HTTP {status} {detail}); will retry"),
        ),
        (401 | 403, _) => (
            ErrorKind::Auth,
            if detail.is_empty() {
                format!("{what}: access denied (HTTP {status}); check the access key, the secret and that they may read and write bucket {bucket:?}")
            } else {
                format!("{what}: access denied ({detail}); check that these credentials may read and write bucket {bucket:?}")
            },
        ),
        (301 | 307, _) | (_, "PermanentRedirect" | "AuthorizationHeaderMalformed") => (
            ErrorKind::Permanent,
            format!("{what}: the bucket is in another region or needs another endpoint ({detail}); fix --region/--endpoint"),
        ),
        _ => (
            ErrorKind::Permanent,
            format!("{what}: HTTP {status} {detail}"),
        ),
    }
}

impl Storage for S3Storage {
    fn kind(&self) -> &'static str {
        "s3"
    }

    fn describe(&self) -> String {
        format!(
            "bucket {} at {}",
            self.location.bucket,
            self.endpoint_name()
        )
    }

    fn diagnose(&self, e: StorageError) -> StorageError {
        if e.kind != ErrorKind::Auth || !e.message.contains("(HTTP 403)") {
            return e;
        }
        // A GET's error body names the cause (SignatureDoesNotMatch, InvalidAccessKeyId, …).
        match self.rt.block_on(
            self.client
                .list_objects_v2()
                .bucket(self.bucket())
                .max_keys(1)
                .send(),
        ) {
            Err(err) => {
                let better = self.error("checking the bucket", err);
                if better.kind == ErrorKind::Auth && !better.message.contains("(HTTP 403)") {
                    let what = e.message.split(": ").next().unwrap_or("").to_string();
                    let why = better
                        .message
                        .split_once(": ")
                        .map_or(better.message.as_str(), |x| x.1);
                    return StorageError::new(ErrorKind::Auth, format!("{what}: {why}"));
                }
                e
            }
            Ok(_) => e,
        }
    }

    fn check(&self) -> SResult<()> {
        self.rt
            .block_on(self.client.head_bucket().bucket(self.bucket()).send())
            .map(drop)
            .map_err(|e| {
                let mut err = self.diagnose(self.error("checking the bucket", e));
                if err.kind == ErrorKind::NotFound {
                    err = StorageError::permanent(format!(
                        "bucket {:?} does not exist at {}; create it or fix the bucket name",
                        self.bucket(),
                        self.endpoint_name()
                    ));
                }
                err
            })
    }

    fn put_file(&self, key: &str, path: &Path, meta: &PutMeta) -> SResult<()> {
        self.rt.block_on(async {
            let body = ByteStream::from_path(path).await.map_err(|e| {
                StorageError::permanent(format!("cannot read {}: {e}", path.display()))
            })?;
            self.client
                .put_object()
                .bucket(self.bucket())
                .key(key)
                .body(body)
                .content_type(&meta.content_type)
                .set_cache_control(meta.cache_control.clone())
                .set_metadata(Some(Self::metadata(meta)))
                .send()
                .await
                .map(drop)
                .map_err(|e| self.error(&format!("uploading {key}"), e))
        })
    }

    fn put_bytes(&self, key: &str, bytes: Vec<u8>, meta: &PutMeta) -> SResult<()> {
        self.rt
            .block_on(
                self.client
                    .put_object()
                    .bucket(self.bucket())
                    .key(key)
                    .body(ByteStream::from(bytes))
                    .content_type(&meta.content_type)
                    .set_cache_control(meta.cache_control.clone())
                    .set_metadata(Some(Self::metadata(meta)))
                    .send(),
            )
            .map(drop)
            .map_err(|e| self.error(&format!("uploading {key}"), e))
    }

    fn head(&self, key: &str) -> SResult<ObjectInfo> {
        let out = self
            .rt
            .block_on(
                self.client
                    .head_object()
                    .bucket(self.bucket())
                    .key(key)
                    .send(),
            )
            .map_err(|e| self.error(&format!("checking {key}"), e))?;
        Ok(ObjectInfo {
            key: key.to_string(),
            size: out.content_length().unwrap_or(0).max(0) as u64,
            content_type: out.content_type().map(str::to_string),
            cache_control: out.cache_control().map(str::to_string),
            sha256: out.metadata().and_then(|m| m.get(SHA_META)).cloned(),
            modified_ms: out.last_modified().and_then(|t| t.to_millis().ok()),
        })
    }

    fn get(&self, key: &str) -> SResult<Vec<u8>> {
        self.rt.block_on(async {
            let out = self
                .client
                .get_object()
                .bucket(self.bucket())
                .key(key)
                .send()
                .await
                .map_err(|e| self.error(&format!("downloading {key}"), e))?;
            let bytes = out
                .body
                .collect()
                .await
                .map_err(|e| StorageError::transient(format!("downloading {key}: {e}")))?;
            Ok(bytes.into_bytes().to_vec())
        })
    }

    fn copy(&self, from: &str, to: &str, meta: &PutMeta) -> SResult<()> {
        let source = format!("{}/{}", self.bucket(), super::keys::url_encode(from));
        self.rt
            .block_on(
                self.client
                    .copy_object()
                    .bucket(self.bucket())
                    .key(to)
                    .copy_source(source)
                    .metadata_directive(MetadataDirective::Replace)
                    .content_type(&meta.content_type)
                    .set_cache_control(meta.cache_control.clone())
                    .set_metadata(Some(Self::metadata(meta)))
                    .send(),
            )
            .map(drop)
            .map_err(|e| self.error(&format!("copying {from} to {to}"), e))
    }

    fn delete(&self, key: &str) -> SResult<()> {
        match self.rt.block_on(
            self.client
                .delete_object()
                .bucket(self.bucket())
                .key(key)
                .send(),
        ) {
            Ok(_) => Ok(()),
            Err(e) => {
                let err = self.error(&format!("deleting {key}"), e);
                if err.kind == ErrorKind::NotFound && !err.message.contains("NoSuchBucket") {
                    Ok(())
                } else {
                    Err(err)
                }
            }
        }
    }

    fn list_after(&self, prefix: &str, start_after: Option<&str>) -> SResult<Vec<ObjectInfo>> {
        self.rt.block_on(async {
            let mut out = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .client
                    .list_objects_v2()
                    .bucket(self.bucket())
                    .prefix(prefix)
                    .set_start_after(start_after.map(str::to_string))
                    .set_continuation_token(token.take())
                    .send()
                    .await
                    .map_err(|e| self.error(&format!("listing {prefix}"), e))?;
                for o in page.contents() {
                    out.push(ObjectInfo {
                        key: o.key().unwrap_or_default().to_string(),
                        size: o.size().unwrap_or(0).max(0) as u64,
                        modified_ms: o.last_modified().and_then(|t| t.to_millis().ok()),
                        ..Default::default()
                    });
                }
                match page.next_continuation_token() {
                    Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
                    _ => break,
                }
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
    }

    fn multipart_begin(&self, key: &str, meta: &PutMeta) -> SResult<String> {
        let out = self
            .rt
            .block_on(
                self.client
                    .create_multipart_upload()
                    .bucket(self.bucket())
                    .key(key)
                    .content_type(&meta.content_type)
                    .set_cache_control(meta.cache_control.clone())
                    .set_metadata(Some(Self::metadata(meta)))
                    .send(),
            )
            .map_err(|e| self.error(&format!("starting the upload of {key}"), e))?;
        out.upload_id().map(str::to_string).ok_or_else(|| {
            StorageError::transient(format!("starting the upload of {key}: no upload id"))
        })
    }

    fn multipart_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        path: &Path,
        offset: u64,
        len: u64,
    ) -> SResult<String> {
        self.rt.block_on(async {
            let body = ByteStream::read_from()
                .path(path)
                .offset(offset)
                .length(aws_sdk_s3::primitives::Length::Exact(len))
                .build()
                .await
                .map_err(|e| {
                    StorageError::permanent(format!("cannot read {}: {e}", path.display()))
                })?;
            let out = self
                .client
                .upload_part()
                .bucket(self.bucket())
                .key(key)
                .upload_id(upload_id)
                .part_number(number as i32)
                .content_length(len as i64)
                .body(body)
                .send()
                .await
                .map_err(|e| self.error(&format!("uploading part {number} of {key}"), e))?;
            out.e_tag().map(str::to_string).ok_or_else(|| {
                StorageError::transient(format!("uploading part {number} of {key}: no ETag"))
            })
        })
    }

    fn multipart_complete(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[UploadedPart],
    ) -> SResult<()> {
        let mut sorted = parts.to_vec();
        sorted.sort_by_key(|p| p.number);
        let done = CompletedMultipartUpload::builder()
            .set_parts(Some(
                sorted
                    .iter()
                    .map(|p| {
                        CompletedPart::builder()
                            .part_number(p.number as i32)
                            .e_tag(&p.etag)
                            .build()
                    })
                    .collect(),
            ))
            .build();
        self.rt
            .block_on(
                self.client
                    .complete_multipart_upload()
                    .bucket(self.bucket())
                    .key(key)
                    .upload_id(upload_id)
                    .multipart_upload(done)
                    .send(),
            )
            .map(drop)
            .map_err(|e| self.error(&format!("finishing the upload of {key}"), e))
    }

    fn multipart_abort(&self, key: &str, upload_id: &str) -> SResult<()> {
        match self.rt.block_on(
            self.client
                .abort_multipart_upload()
                .bucket(self.bucket())
                .key(key)
                .upload_id(upload_id)
                .send(),
        ) {
            Ok(_) => Ok(()),
            Err(e) => {
                let err = self.error(&format!("aborting the upload of {key}"), e);
                if err.kind == ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(err)
                }
            }
        }
    }

    fn multipart_list(&self, prefix: &str) -> SResult<Vec<PendingUpload>> {
        self.rt.block_on(async {
            let mut out = Vec::new();
            let mut key_marker: Option<String> = None;
            let mut id_marker: Option<String> = None;
            loop {
                let page = self
                    .client
                    .list_multipart_uploads()
                    .bucket(self.bucket())
                    .prefix(prefix)
                    .set_key_marker(key_marker.take())
                    .set_upload_id_marker(id_marker.take())
                    .send()
                    .await
                    .map_err(|e| self.error("listing unfinished uploads", e))?;
                for u in page.uploads() {
                    out.push(PendingUpload {
                        key: u.key().unwrap_or_default().to_string(),
                        upload_id: u.upload_id().unwrap_or_default().to_string(),
                        initiated_ms: u.initiated().and_then(|t| t.to_millis().ok()),
                    });
                }
                if page.is_truncated() == Some(true) {
                    key_marker = page.next_key_marker().map(str::to_string);
                    id_marker = page.next_upload_id_marker().map(str::to_string);
                    if key_marker.is_none() {
                        break;
                    }
                } else {
                    break;
                }
            }
            Ok(out)
        })
    }

    fn presign_get(&self, key: &str, expires: Duration) -> SResult<String> {
        if expires > MAX_PRESIGN || expires.is_zero() {
            return Err(StorageError::permanent(
                "a presigned link lasts between 1 second and 7 days",
            ));
        }
        let config = PresigningConfig::expires_in(expires)
            .map_err(|e| StorageError::permanent(format!("presigning {key}: {e}")))?;
        let req = self
            .rt
            .block_on(
                self.client
                    .get_object()
                    .bucket(self.bucket())
                    .key(key)
                    .presigned(config),
            )
            .map_err(|e| self.error(&format!("presigning {key}"), e))?;
        Ok(req.uri().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_names_the_fix() {
        let (k, m) = classify("x", 403, "SignatureDoesNotMatch", "", "b", "e");
        assert_eq!(k, ErrorKind::Auth);
        assert!(m.contains("secret access key is wrong"), "{m}");
        assert_eq!(
            classify("x", 404, "NoSuchBucket", "", "b", "e").0,
            ErrorKind::Permanent
        );
        assert_eq!(classify("x", 404, "", "", "b", "e").0, ErrorKind::NotFound);
        assert_eq!(
            classify("x", 503, "SlowDown", "", "b", "e").0,
            ErrorKind::Transient
        );
        let (k, m) = classify("x", 403, "RequestTimeTooSkewed", "", "b", "e");
        assert_eq!(k, ErrorKind::Auth);
        assert!(m.contains("clock"), "{m}");
        assert_eq!(
            classify("x", 400, "InvalidArgument", "", "b", "e").0,
            ErrorKind::Permanent
        );
    }
}
