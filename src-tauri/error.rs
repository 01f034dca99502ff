//! The library-level error type. Module errors are `thiserror` enums; the CLI prints their
//! message, and the app (later) maps them to `{code, message}` through [`Error::code`].

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

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
    #[error("thumbnail of {id}: {reason}")]
    Thumbnail { id: String, reason: String },
    #[error("export failed: {0}")]
    Export(String),
    /// Remotes, sync, links and the keychain: their own code and a message that names the fix.
    #[error("{message}")]
    Remote { code: &'static str, message: String },
}

impl Error {
    /// A short stable code the UI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::LibraryIo { .. } => "library_io",
            Error::NewerSchema { .. } => "newer_schema",
            Error::Db(_) => "database",
            Error::NotFound(_) => "not_found",
            Error::Invalid { .. } => "invalid_input",
            Error::Io { .. } => "io",
            Error::Thumbnail { .. } => "thumbnail",
            Error::Export(_) => "export",
            Error::Remote { code, .. } => code,
        }
    }

    pub fn remote(code: &'static str, message: impl Into<String>) -> Self {
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
