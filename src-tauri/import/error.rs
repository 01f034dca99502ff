//! Why one item was refused, and the stable [`ErrorCode`] a script or the UI branches on.

use crate::error::ErrorCode;
use crate::thumbs::DecodeError;

/// Why one item was refused. Every message names the problem and, where useful, the fix.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ImportError {
    #[error("file not found")]
    NotFound,
    #[error("permission denied: Vitrine cannot read this file")]
    PermissionDenied,
    #[error("cannot read: {0}")]
    Unreadable(String),
    #[error("symlink loop: {0}")]
    SymlinkLoop(String),
    #[error("not a regular file")]
    NotAFile,
    #[error("empty file (0 bytes)")]
    Empty,
    #[error("file is {} MiB, over the {} MiB import limit", .bytes / (1024 * 1024), .cap / (1024 * 1024))]
    TooLarge { bytes: u64, cap: u64 },
    #[error("not an image (looks like {0})")]
    NotAnImage(&'static str),
    #[error("unsupported format: {0}")]
    Unsupported(String),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("link expired or not found (HTTP {0})")]
    LinkExpired(u16),
    #[error("download failed (HTTP {0})")]
    Http(u16),
    #[error("download failed: {0}")]
    Download(String),
    #[error("cannot store the image: {0}")]
    Storage(String),
    #[error("catalog error: {0}")]
    Catalog(String),
    #[error("injected failure at {0}")]
    Injected(&'static str),
}

/// "Too many levels of symbolic links" (Unix); Windows reports loops as other errors.
fn is_symlink_loop(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    return e.raw_os_error() == Some(libc::ELOOP);
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

impl ImportError {
    pub fn from_io(e: &std::io::Error) -> Self {
        use std::io::ErrorKind::*;
        match e.kind() {
            NotFound => ImportError::NotFound,
            PermissionDenied => ImportError::PermissionDenied,
            _ if is_symlink_loop(e) => {
                ImportError::SymlinkLoop("too many levels of symbolic links".into())
            }
            _ => ImportError::Unreadable(e.to_string()),
        }
    }

    /// A short stable code for scripts and the UI.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::NotFound => ErrorCode::NotFound,
            ImportError::PermissionDenied => ErrorCode::PermissionDenied,
            ImportError::Unreadable(_) => ErrorCode::Unreadable,
            ImportError::SymlinkLoop(_) => ErrorCode::SymlinkLoop,
            ImportError::NotAFile => ErrorCode::NotAFile,
            ImportError::Empty => ErrorCode::Empty,
            ImportError::TooLarge { .. } => ErrorCode::TooLarge,
            ImportError::NotAnImage(_) => ErrorCode::NotAnImage,
            ImportError::Unsupported(_) => ErrorCode::UnsupportedFormat,
            ImportError::Decode(DecodeError::TooManyPixels { .. }) => ErrorCode::TooManyPixels,
            ImportError::Decode(DecodeError::Unsupported(_)) => ErrorCode::UnsupportedFormat,
            ImportError::Decode(DecodeError::Corrupt { .. }) => ErrorCode::Corrupt,
            ImportError::LinkExpired(_) => ErrorCode::LinkExpired,
            ImportError::Http(_) | ImportError::Download(_) => ErrorCode::DownloadFailed,
            ImportError::Storage(_) => ErrorCode::Storage,
            ImportError::Catalog(_) => ErrorCode::Catalog,
            ImportError::Injected(_) => ErrorCode::Injected,
        }
    }
}

impl From<crate::error::Error> for ImportError {
    fn from(e: crate::error::Error) -> Self {
        ImportError::Catalog(e.to_string())
    }
}
