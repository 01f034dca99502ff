//! The library-level error type. Module errors are `thiserror` enums; the CLI prints their
//! message, and the app (later) maps them to `{code, message}` through [`Error::code`].

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every error a script or the UI may branch on: `--json` output and the app's `{code, message}`
/// carry it as a snake_case string (`not_found`, `remote_auth`, …). Add a variant only when a
/// consumer branches on it; a message is for people and nothing parses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // The library and its catalog.
    LibraryIo,
    NewerSchema,
    Database,
    NotFound,
    InvalidInput,
    Io,
    Thumbnail,
    Export,
    Internal,
    // One imported item.
    PermissionDenied,
    Unreadable,
    SymlinkLoop,
    NotAFile,
    Empty,
    TooLarge,
    NotAnImage,
    UnsupportedFormat,
    TooManyPixels,
    Corrupt,
    LinkExpired,
    DownloadFailed,
    Storage,
    Catalog,
    Injected,
    // Remotes, sync, links and the keychain.
    NoRemote,
    CredentialsMissing,
    RemoteAuth,
    RemoteNotFound,
    RemoteUnreachable,
    Remote,
    MassDelete,
    UploadFailed,
    DeleteFailed,
    FeedFailed,
    /// A log object of the replicated library was refused (corrupt, newer, invalid).
    LogRefused,
    LinkUnavailable,
    NotManaged,
    NotInBucket,
    BucketCopyDiffers,
    KeychainUnavailable,
    KeychainLocked,
    Keychain,
    // Watched folders and the desktop.
    WatchedElsewhere,
    RevealFailed,
    // Albums.
    AlbumNotFound,
    AlbumExists,
    /// Publishing needs a remote with a public URL.
    NoPublicUrl,
}

impl ErrorCode {
    /// The code as scripts see it (`not_found`).
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            LibraryIo => "library_io",
            NewerSchema => "newer_schema",
            Database => "database",
            NotFound => "not_found",
            InvalidInput => "invalid_input",
            Io => "io",
            Thumbnail => "thumbnail",
            Export => "export",
            Internal => "internal",
            PermissionDenied => "permission_denied",
            Unreadable => "unreadable",
            SymlinkLoop => "symlink_loop",
            NotAFile => "not_a_file",
            Empty => "empty",
            TooLarge => "too_large",
            NotAnImage => "not_an_image",
            UnsupportedFormat => "unsupported_format",
            TooManyPixels => "too_many_pixels",
            Corrupt => "corrupt",
            LinkExpired => "link_expired",
            DownloadFailed => "download_failed",
            Storage => "storage",
            Catalog => "catalog",
            Injected => "injected",
            NoRemote => "no_remote",
            CredentialsMissing => "credentials_missing",
            RemoteAuth => "remote_auth",
            RemoteNotFound => "remote_not_found",
            RemoteUnreachable => "remote_unreachable",
            Remote => "remote",
            MassDelete => "mass_delete",
            UploadFailed => "upload_failed",
            DeleteFailed => "delete_failed",
            FeedFailed => "feed_failed",
            LogRefused => "log_refused",
            LinkUnavailable => "link_unavailable",
            NotManaged => "not_managed",
            NotInBucket => "not_in_bucket",
            BucketCopyDiffers => "bucket_copy_differs",
            KeychainUnavailable => "keychain_unavailable",
            KeychainLocked => "keychain_locked",
            Keychain => "keychain",
            WatchedElsewhere => "watched_elsewhere",
            RevealFailed => "reveal_failed",
            AlbumNotFound => "album_not_found",
            AlbumExists => "album_exists",
            NoPublicUrl => "no_public_url",
        }
    }
}

/// An error as a front end receives it: a code to branch on and a message a person can act on
/// (the app's commands reject with it; sync status carries it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct ErrorInfo {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorInfo {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorInfo {
            code,
            message: message.into(),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        log::error!("internal error: {e}");
        ErrorInfo::new(
            ErrorCode::Internal,
            format!("Vitrine hit an internal error: {e}"),
        )
    }
}

impl From<Error> for ErrorInfo {
    fn from(e: Error) -> Self {
        ErrorInfo::new(e.code(), e.to_string())
    }
}

impl std::fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot use the library at {path}: {source}")]
    LibraryIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the catalog at {path} was written by a newer Vitrine (schema {found}, this build knows up to {supported}); \
         upgrade Vitrine to open it — it was left untouched"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("catalog error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("no image with id {0}")]
    NotFound(String),
    #[error("invalid {what}: {value:?} ({hint})")]
    Invalid {
        what: &'static str,
        value: String,
        hint: &'static str,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no album named {0:?}; `vitrine album list` shows the albums")]
    AlbumNotFound(String),
    #[error("an album named {0:?} already exists (names are compared in any letter case)")]
    AlbumExists(String),
    #[error("thumbnail of {id}: {reason}")]
    Thumbnail { id: String, reason: String },
    #[error("export failed: {0}")]
    Export(String),
    /// Remotes, sync, links and the keychain: their own code and a message that names the fix.
    #[error("{message}")]
    Remote { code: ErrorCode, message: String },
}

impl Error {
    /// A short stable code the UI can branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::LibraryIo { .. } => ErrorCode::LibraryIo,
            Error::NewerSchema { .. } => ErrorCode::NewerSchema,
            Error::Db(_) => ErrorCode::Database,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Invalid { .. } => ErrorCode::InvalidInput,
            Error::Io { .. } => ErrorCode::Io,
            Error::AlbumNotFound(_) => ErrorCode::AlbumNotFound,
            Error::AlbumExists(_) => ErrorCode::AlbumExists,
            Error::Thumbnail { .. } => ErrorCode::Thumbnail,
            Error::Export(_) => ErrorCode::Export,
            Error::Remote { code, .. } => *code,
        }
    }

    pub fn remote(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Remote {
            code,
            message: message.into(),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}
