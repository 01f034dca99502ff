//! Crash reports: a panic in any thread writes `crash-<time>-<pid>.txt` next to the log (the
//! version, the OS, the thread, the panic message and backtrace, the last lines of the log),
//! then the default hook runs as before. Nothing is sent anywhere. On the next start the app
//! lists the reports it has not yet told the user about ([`take_unreported`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::logging::{self, Component};

/// Lines of the log copied into a report.
const LOG_LINES: usize = 40;
/// The file (beside the reports) naming the reports the user has been told about.
const TOLD: &str = "crash-reports-seen.txt";

/// Installs the panic hook (keeping the previous one, which prints to stderr).
pub fn install(component: Component) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = panic_message(info.payload());
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "unknown".into());
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("unnamed").to_string();
        log::error!("panic in thread '{thread}' at {location}: {message}");
        if let Some(dir) = logging::log_dir() {
            let backtrace = std::backtrace::Backtrace::force_capture().to_string();
            let report = Report {
                component,
                thread: &thread,
                message: &message,
                location: &location,
                backtrace: &backtrace,
            };
            match report.write(&dir) {
                Ok(path) => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "Vitrine crashed; a report was written to {} (nothing was sent anywhere)",
                        path.display()
                    );
                }
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "could not write a crash report: {e}");
                }
            }
        }
        previous(info);
    }));
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic without a message)".into()
    }
}

/// One crash, as written to its file.
pub struct Report<'a> {
    pub component: Component,
    pub thread: &'a str,
    pub message: &'a str,
    pub location: &'a str,
    pub backtrace: &'a str,
}

impl Report<'_> {
    /// The report's text: everything redacted as the log is.
    pub fn render(&self, log_tail: &[String]) -> String {
        let mut s = String::new();
        s.push_str("Vitrine crash report\n");
        s.push_str("Nothing was sent anywhere. Attach this file to a bug report if you like.\n\n");
        s.push_str(&format!("version:   {}\n", env!("CARGO_PKG_VERSION")));
        s.push_str(&format!("component: {}\n", self.component.name()));
        s.push_str(&format!(
            "os:        {} ({} {})\n",
            logging::os_description(),
            std::env::consts::OS,
            std::env::consts::ARCH
        ));
        s.push_str(&format!(
            "time:      {}\n",
            humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        ));
        s.push_str(&format!("thread:    {}\n", self.thread));
        s.push_str(&format!("location:  {}\n", self.location));
        s.push_str(&format!("message:   {}\n\n", self.message));
        s.push_str("backtrace:\n");
        s.push_str(self.backtrace);
        s.push_str("\n\nlast lines of the log:\n");
        for l in log_tail {
            s.push_str(l);
            s.push('\n');
        }
        logging::redact::redact(&s).into_owned()
    }

    /// Writes the report into `dir`; returns its path.
    pub fn write(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let log_file = logging::current()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dir.join(self.component.file_name()));
        let text = self.render(&logging::file::tail(&log_file, LOG_LINES));
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .replace([':', '-'], "");
        let path = dir.join(format!("crash-{stamp}-{}.txt", std::process::id()));
        std::fs::write(&path, text)?;
        Ok(path)
    }
}

/// Crash reports in `dir`, oldest first.
pub fn reports(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("crash-") && n.ends_with(".txt") && n != TOLD)
        })
        .collect();
    out.sort();
    out
}

/// The reports the user has not been told about yet; they count as told from now on.
pub fn take_unreported(dir: &Path) -> Vec<PathBuf> {
    let seen_path = dir.join(TOLD);
    let seen = std::fs::read_to_string(&seen_path).unwrap_or_default();
    let seen: std::collections::HashSet<&str> = seen.lines().collect();
    let new: Vec<PathBuf> = reports(dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !seen.contains(n))
        })
        .collect();
    if !new.is_empty() {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&seen_path)
        {
            for p in &new {
                if let Some(n) = p.file_name().and_then(|n| n.to_str()) {
                    let _ = writeln!(f, "{n}");
                }
            }
        }
    }
    new
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_version_os_thread_message_and_the_log_tail_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let report = Report {
            component: Component::App,
            thread: "sync-worker",
            message: "index out of bounds",
            location: "src-tauri/sync/engine.rs:10:5",
            backtrace: "   0: vitrine::sync::engine::drain",
        };
        let tail = vec![
            "INFO vitrine: library opened".to_string(),
            "WARN vitrine::sync: GET https://b.example/x.png?X-Amz-Signature=feedface00 failed"
                .to_string(),
        ];
        let text = report.render(&tail);
        for want in [
            env!("CARGO_PKG_VERSION"),
            "component: app",
            "thread:    sync-worker",
            "index out of bounds",
            "engine.rs:10:5",
            "vitrine::sync::engine::drain",
            "library opened",
            "Nothing was sent anywhere",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        assert!(
            !text.contains("feedface00"),
            "the log tail is redacted:\n{text}"
        );
        let path = report.write(dir.path()).unwrap();
        assert!(path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("crash-"));
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("index out of bounds"));
    }

    #[test]
    fn each_report_is_told_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("crash-20261202T100000Z-1.txt"), "a").unwrap();
        std::fs::write(dir.path().join("vitrine.log"), "log").unwrap();
        assert_eq!(take_unreported(dir.path()).len(), 1);
        assert!(take_unreported(dir.path()).is_empty(), "told once");
        std::fs::write(dir.path().join("crash-20261202T110000Z-2.txt"), "b").unwrap();
        let new = take_unreported(dir.path());
        assert_eq!(new.len(), 1);
        assert!(new[0].ends_with("crash-20261202T110000Z-2.txt"));
        assert_eq!(reports(dir.path()).len(), 2, "reports stay on disk");
    }
}
