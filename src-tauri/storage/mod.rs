//! Where originals end up: the user's own bucket or a folder.
//!
//! [`Storage`] is the one interface the sync engine talks to. Both backends (`folder`, and
//! `s3` with feature `s3`) pass the same conformance suite (`tests/storage.rs`).
//!
//! # Error contract
//! Every method returns a [`StorageError`] whose [`ErrorKind`] tells the caller what to do:
//! - `NotFound`: the key (or multipart upload) does not exist. `delete` never returns it.
//! - `Transient`: try again later (network, timeouts, 5xx, throttling). The write may or may
//!   not have happened: HEAD the key and compare the sha256 metadata before writing again.
//! - `Auth`: credentials are wrong, expired or lack permission, or the clock is skewed;
//!   retrying will not help until the user fixes the remote.
//! - `Permanent`: anything else that will fail the same way again (missing bucket, invalid
//!   request, unsupported operation).
//!
//! Messages are for people and never contain credentials.

pub mod folder;
pub mod keys;
#[cfg(feature = "s3")]
pub mod s3;

use std::path::Path;
use std::time::Duration;

pub use keys::{Area, KeyLayout};

pub type SResult<T> = std::result::Result<T, StorageError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Transient,
    Permanent,
    Auth,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Transient => "transient",
            ErrorKind::Permanent => "permanent",
            ErrorKind::Auth => "auth",
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct StorageError {
    pub kind: ErrorKind,
    pub message: String,
}

impl StorageError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        StorageError {
            kind,
            message: message.into(),
        }
    }
    pub fn not_found(key: &str) -> Self {
        Self::new(ErrorKind::NotFound, format!("no object at {key}"))
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Permanent, message)
    }
    pub fn transient(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transient, message)
    }
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }
}

/// Headers and metadata written with an object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutMeta {
    pub content_type: String,
    /// `public, max-age=31536000, immutable` for objects served from the public URL.
    pub cache_control: Option<String>,
    /// Hex sha256 of the bytes written (verified by HEAD after upload).
    pub sha256: String,
}

/// What a HEAD (or a listing, with fewer fields) tells about an object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub content_type: Option<String>,
    pub cache_control: Option<String>,
    /// Our own `sha256` metadata, when the object was written by Vitrine.
    pub sha256: Option<String>,
    /// Last modification, milliseconds since the epoch.
    pub modified_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedPart {
    pub number: u32,
    pub etag: String,
}

/// A multipart upload that was started and neither completed nor aborted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUpload {
    pub key: String,
    pub upload_id: String,
    pub initiated_ms: Option<i64>,
}

pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

/// One bucket or folder. Methods block; call them from worker threads, never from an async
/// executor's thread. All writes are atomic: an object is seen whole or not at all.
pub trait Storage: Send + Sync {
    /// "s3" or "folder".
    fn kind(&self) -> &'static str;
    /// Where this is, for messages (endpoint + bucket, or folder path). No credentials.
    fn describe(&self) -> String;

    /// Checks the bucket or folder exists and is reachable with these credentials.
    fn check(&self) -> SResult<()>;
    fn put_file(&self, key: &str, path: &Path, meta: &PutMeta) -> SResult<()>;
    fn put_bytes(&self, key: &str, bytes: Vec<u8>, meta: &PutMeta) -> SResult<()>;
    /// `NotFound` when there is no such object.
    fn head(&self, key: &str) -> SResult<ObjectInfo>;
    fn get(&self, key: &str) -> SResult<Vec<u8>>;
    /// Server-side copy; the copy gets `meta` (content type, cache control, sha256).
    fn copy(&self, from: &str, to: &str, meta: &PutMeta) -> SResult<()>;
    /// Deleting a missing key succeeds.
    fn delete(&self, key: &str) -> SResult<()>;
    /// Every object under `prefix` (recursive), in key order.
    fn list(&self, prefix: &str) -> SResult<Vec<ObjectInfo>> {
        self.list_after(prefix, None)
    }
    /// The objects under `prefix` whose key sorts after `start_after` (S3's `StartAfter`: the
    /// server skips the others, so a listing of what is new costs one request), in key order.
    fn list_after(&self, prefix: &str, start_after: Option<&str>) -> SResult<Vec<ObjectInfo>>;

    fn multipart_begin(&self, key: &str, meta: &PutMeta) -> SResult<String>;
    /// Uploads `len` bytes of `path` from `offset` as part `number` (1-based); returns its ETag.
    fn multipart_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        path: &Path,
        offset: u64,
        len: u64,
    ) -> SResult<String>;
    fn multipart_complete(&self, key: &str, upload_id: &str, parts: &[UploadedPart])
        -> SResult<()>;
    /// Aborting an unknown upload succeeds.
    fn multipart_abort(&self, key: &str, upload_id: &str) -> SResult<()>;
    fn multipart_list(&self, prefix: &str) -> SResult<Vec<PendingUpload>>;

    /// A time-limited GET URL (at most 7 days). Folders have none (`Permanent`).
    fn presign_get(&self, key: &str, expires: Duration) -> SResult<String>;

    /// Turns a vague `Auth` error (a HEAD's bare 403 has no error code) into one that says
    /// which credential is wrong, when the backend can find out. Other errors pass through.
    fn diagnose(&self, e: StorageError) -> StorageError {
        e
    }
}

/// The longest a presigned link can live with SigV4.
pub const MAX_PRESIGN: Duration = Duration::from_secs(7 * 24 * 3600);

pub const PUBLIC_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
