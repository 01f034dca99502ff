//! The log file the app and the CLI write: `$XDG_STATE_HOME/vitrine/` on Linux
//! (`~/.local/state/vitrine/`), `~/Library/Logs/Vitrine/` on macOS,
//! `%LOCALAPPDATA%\Vitrine\logs\` on Windows; `VITRINE_LOG_DIR` overrides it. The app writes
//! `vitrine.log`, the CLI `vitrine-cli.log`, each rotated by size ([`file`]). The level is set by
//! `VITRINE_LOG` ([`filter`]). Every line goes through [`redact`] first: no credential, presigned
//! signature or `Authorization` header reaches the file.

pub mod file;
pub mod filter;
pub mod redact;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use file::RotatingFile;
use filter::Filter;

/// The level (and per-library levels) of the log.
pub const LOG_ENV: &str = "VITRINE_LOG";
/// Where the log files and crash reports go, instead of the OS's place for logs.
pub const LOG_DIR_ENV: &str = "VITRINE_LOG_DIR";
/// A log file is rotated when it reaches this size; this many rotated files are kept.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
pub const KEEP: usize = 3;

/// Which front end writes the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    App,
    Cli,
}

impl Component {
    pub fn file_name(self) -> &'static str {
        match self {
            Component::App => "vitrine.log",
            Component::Cli => "vitrine-cli.log",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Component::App => "app",
            Component::Cli => "cli",
        }
    }
}

/// The folder of the log files and crash reports (`None`: no home directory).
pub fn log_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(LOG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let base = directories::BaseDirs::new()?;
    if cfg!(target_os = "macos") {
        return Some(base.home_dir().join("Library/Logs/Vitrine"));
    }
    if cfg!(windows) {
        return Some(base.data_local_dir().join("Vitrine").join("logs"));
    }
    // XDG: $XDG_STATE_HOME, else ~/.local/state.
    Some(
        base.state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| base.home_dir().join(".local/state"))
            .join("vitrine"),
    )
}

/// The log file of `component`.
pub fn log_path(component: Component) -> Option<PathBuf> {
    Some(log_dir()?.join(component.file_name()))
}

/// Writes records to a rotating file, redacted, one line each (continuation lines indented).
pub struct FileLogger {
    filter: Filter,
    file: Mutex<RotatingFile>,
}

impl FileLogger {
    pub fn new(path: &Path, filter: Filter, max_bytes: u64, keep: usize) -> io::Result<Self> {
        Ok(FileLogger {
            filter,
            file: Mutex::new(RotatingFile::open(path, max_bytes, keep)?),
        })
    }

    fn line(record: &log::Record) -> String {
        let now = humantime::format_rfc3339_millis(std::time::SystemTime::now());
        let thread = std::thread::current();
        let text = format!("{}", record.args());
        let text = redact::redact(&text);
        let mut line = format!(
            "{now} {:<5} [{}] {}: {}",
            record.level(),
            thread.name().unwrap_or("-"),
            record.target(),
            text.replace('\n', "\n    ")
        );
        line.push('\n');
        line
    }
}

impl log::Log for FileLogger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= self.filter.level_for(metadata.target())
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = Self::line(record);
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        // A full disk must not take the app down with it: the record is dropped.
        let _ = f.write_record(line.as_bytes());
    }

    fn flush(&self) {}
}

static INSTALLED: OnceLock<PathBuf> = OnceLock::new();

/// Starts logging to `component`'s file (once per process; later calls return the same path).
/// The first line names the version, the OS and the process. Fails only when the folder cannot
/// be written: the caller goes on without a log and says so on stderr.
pub fn init(component: Component) -> io::Result<PathBuf> {
    if let Some(p) = INSTALLED.get() {
        return Ok(p.clone());
    }
    let path = log_path(component)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no home directory for the log"))?;
    let (filter, unknown) = Filter::parse(&std::env::var(LOG_ENV).unwrap_or_default());
    let max = filter.max();
    let logger = FileLogger::new(&path, filter, MAX_BYTES, KEEP)?;
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(max);
    }
    let _ = INSTALLED.set(path.clone());
    log::info!(
        "Vitrine {} ({}) starting, pid {}, {} {}",
        env!("CARGO_PKG_VERSION"),
        component.name(),
        std::process::id(),
        os_description(),
        std::env::consts::ARCH
    );
    if !unknown.is_empty() {
        log::warn!(
            "{LOG_ENV}: ignored {:?} (use a level such as info or debug, or target=level)",
            unknown
        );
    }
    Ok(path)
}

/// The log file in use (`None` before [`init`] or when it failed).
pub fn current() -> Option<&'static Path> {
    INSTALLED.get().map(PathBuf::as_path)
}

/// An error and its causes, `outer: inner: innermost` (each once, even when a message already
/// quotes its source).
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// The OS by name and version (`/etc/os-release` on Linux), for the log and crash reports.
pub fn os_description() -> String {
    #[cfg(target_os = "linux")]
    if let Ok(text) = std::fs::read_to_string("/etc/os-release") {
        if let Some(name) = text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")) {
            return name.trim_matches('"').to_string();
        }
    }
    std::env::consts::OS.to_string()
}

/// Writes to stderr that logging is off, once (the app keeps running without a log).
pub fn warn_unavailable(e: &io::Error) {
    let _ = writeln!(
        io::stderr(),
        "warning: no log file ({e}); set {LOG_DIR_ENV} to a writable folder"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use log::Log;

    fn record(logger: &FileLogger, level: log::Level, target: &str, msg: std::fmt::Arguments) {
        logger.log(
            &log::Record::builder()
                .level(level)
                .target(target)
                .args(msg)
                .build(),
        );
    }

    #[test]
    fn a_logged_request_never_shows_its_credentials_or_signature() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vitrine.log");
        let logger = FileLogger::new(&path, Filter::default(), MAX_BYTES, KEEP).unwrap();
        // A credential the process holds (as read from the keychain or the environment).
        let creds = crate::secrets::Credentials {
            access_key_id: crate::secrets::Secret::new("AKIAVITRINETESTKEY01"),
            secret_access_key: crate::secrets::Secret::new("Zm9vYmFyYmF6c2VjcmV0a2V5dmFsdWU1234"),
            session_token: None,
        };
        let url = "https://photos.s3.example.com/private/ab/cd.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAVITRINETESTKEY01%2F20261202%2Fauto%2Fs3%2Faws4_request&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        record(
            &logger,
            log::Level::Warn,
            "vitrine::sync",
            format_args!(
                "PUT {url} failed\nAuthorization: AWS4-HMAC-SHA256 Credential={}/20261202/auto/s3/aws4_request, Signature=abcdef0123456789\nthe server echoed {} back; creds {:?}",
                creds.access_key_id.expose(),
                creds.secret_access_key.expose(),
                creds
            ),
        );
        let text = std::fs::read_to_string(&path).unwrap();
        for secret in [
            "AKIAVITRINETESTKEY01",
            "Zm9vYmFyYmF6c2VjcmV0a2V5dmFsdWU1234",
            "9f86d081884c7d659a2feaa0c55ad015",
            "abcdef0123456789",
        ] {
            assert!(
                !text.contains(secret),
                "{secret} leaked into the log:\n{text}"
            );
        }
        assert!(text.contains("WARN"), "{text}");
        assert!(
            text.contains("private/ab/cd.jpg"),
            "what failed is still said: {text}"
        );
        assert!(text.contains("\n    Authorization: [redacted]"), "{text}");
    }

    #[test]
    fn records_below_the_level_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cli.log");
        let (filter, _) = Filter::parse("warn");
        let logger = FileLogger::new(&path, filter, MAX_BYTES, KEEP).unwrap();
        record(
            &logger,
            log::Level::Info,
            "vitrine::import",
            format_args!("quiet"),
        );
        record(
            &logger,
            log::Level::Error,
            "vitrine::import",
            format_args!("loud"),
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("quiet") && text.contains("ERROR") && text.contains("loud"),
            "{text}"
        );
    }

    #[test]
    fn error_chain_names_every_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("syncing failed")]
        struct Outer(#[source] std::io::Error);
        let e = Outer(std::io::Error::other("connection reset"));
        assert_eq!(error_chain(&e), "syncing failed: connection reset");
    }
}
