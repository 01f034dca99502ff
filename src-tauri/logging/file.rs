//! The log file, rotated by size: `NAME.log` is written; when the next line would take it past
//! the limit it becomes `NAME.log.1` (`.1` becomes `.2`, …, the oldest is dropped).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub struct RotatingFile {
    path: PathBuf,
    file: Option<File>,
    len: u64,
    max_bytes: u64,
    keep: usize,
}

impl RotatingFile {
    /// Opens (appends to) `path`, creating its folder. `keep`: rotated files kept beside it.
    pub fn open(path: &Path, max_bytes: u64, keep: usize) -> io::Result<RotatingFile> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = RotatingFile {
            path: path.to_path_buf(),
            file: None,
            len: 0,
            max_bytes: max_bytes.max(1024),
            keep: keep.max(1),
        };
        f.reopen()?;
        Ok(f)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn reopen(&mut self) -> io::Result<()> {
        // O_APPEND: lines from two processes (the app and `vitrine watch run`) never overwrite
        // each other.
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.len = file.metadata().map(|m| m.len()).unwrap_or(0);
        self.file = Some(file);
        Ok(())
    }

    fn rotated(&self, n: usize) -> PathBuf {
        let mut s = self.path.clone().into_os_string();
        s.push(format!(".{n}"));
        PathBuf::from(s)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        let _ = std::fs::remove_file(self.rotated(self.keep));
        for n in (1..self.keep).rev() {
            let from = self.rotated(n);
            if from.exists() {
                std::fs::rename(&from, self.rotated(n + 1))?;
            }
        }
        // Another process may have rotated first: a missing file is fine.
        match std::fs::rename(&self.path, self.rotated(1)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        self.reopen()
    }

    /// Writes one record (whole lines), rotating first when it would pass the limit.
    pub fn write_record(&mut self, record: &[u8]) -> io::Result<()> {
        if self.len > 0 && self.len + record.len() as u64 > self.max_bytes {
            // Another process may have rotated the file under us: look again before rotating.
            let on_disk = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
            if on_disk + record.len() as u64 > self.max_bytes {
                self.rotate()?;
            } else {
                self.reopen()?;
            }
        }
        if self.file.is_none() {
            self.reopen()?;
        }
        let file = self.file.as_mut().expect("opened above");
        file.write_all(record)?;
        self.len += record.len() as u64;
        Ok(())
    }
}

/// The last `n` lines of a log file (for crash reports); empty when it cannot be read.
pub fn tail(path: &Path, n: usize) -> Vec<String> {
    use std::io::{Read, Seek, SeekFrom};
    const WINDOW: u64 = 64 * 1024;
    let Ok(mut f) = File::open(path) else {
        return Vec::new();
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(WINDOW);
    if f.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut buf = Vec::new();
    if f.take(WINDOW).read_to_end(&mut buf).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines: Vec<&str> = text.lines().collect();
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // cut mid-line
    }
    let from = lines.len().saturating_sub(n);
    lines[from..].iter().map(|l| l.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_by_size_and_keeps_a_bounded_number_of_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vitrine.log");
        let mut f = RotatingFile::open(&path, 1024, 2).unwrap();
        let line = format!("{}\n", "x".repeat(99));
        for i in 0..50 {
            let mut l = line.clone();
            l.replace_range(0..3, &format!("{i:03}"));
            f.write_record(l.as_bytes()).unwrap();
        }
        let size = |p: &Path| std::fs::metadata(p).unwrap().len();
        assert!(size(&path) <= 1024, "the live file stays under the limit");
        assert!(size(&f.rotated(1)) <= 1024);
        assert!(f.rotated(2).exists(), "two rotated files are kept");
        assert!(!f.rotated(3).exists(), "older ones are dropped");
        let last = tail(&path, 1);
        assert!(
            last[0].starts_with("049"),
            "the newest line is in the live file: {last:?}"
        );
        // Reopening appends.
        let mut again = RotatingFile::open(&path, 1024, 2).unwrap();
        again.write_record(b"050 appended\n").unwrap();
        assert_eq!(tail(&path, 1), vec!["050 appended".to_string()]);
    }

    #[test]
    fn tail_of_a_missing_file_is_empty() {
        assert!(tail(Path::new("/nonexistent/vitrine.log"), 10).is_empty());
    }
}
