//! Managed originals: content-addressed, sharded (`ab/cd/<sha256>.<ext>`), written atomically.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

/// The shard path of a managed original, relative to `originals/`.
pub fn relative_path(sha256: &str, ext: &str) -> String {
    format!("{}/{}/{}.{}", &sha256[0..2], &sha256[2..4], sha256, ext)
}

/// Writes `bytes` to `tmp` and flushes them to disk (the first half of an atomic write).
pub fn write_temp(tmp: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = File::create(tmp)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Moves a flushed temp file into place and makes the rename durable. If the target already
/// holds the same number of bytes (same content: the name is its hash) the temp file is dropped.
pub fn commit_temp(tmp: &Path, target: &Path) -> io::Result<()> {
    if let Ok(meta) = fs::metadata(target) {
        let tmp_len = fs::metadata(tmp).map(|m| m.len()).ok();
        if Some(meta.len()) == tmp_len || tmp_len.is_none() {
            let _ = fs::remove_file(tmp);
            return Ok(());
        }
    }
    let parent = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    fs::rename(tmp, target)?;
    sync_dir(parent);
    Ok(())
}

/// Writes a whole file atomically (temp file beside the target, fsync, rename).
pub fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    // Unique per call: two threads writing the same target never share a temp file.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let tmp: PathBuf = parent.join(format!(
        ".{}.{}.{}.tmp",
        target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("file"),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    write_temp(&tmp, bytes)?;
    fs::rename(&tmp, target).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })?;
    sync_dir(parent);
    Ok(())
}

fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Originals being fetched or offloaded in this process, by sha256: one thread at a time works
/// on one original (a preview and a grid thumbnail asking for the same offloaded image fetch
/// it once; an offload never removes a file a fetch is putting back).
#[derive(Default)]
pub struct Holds {
    busy: Mutex<HashSet<String>>,
    freed: Condvar,
}

/// Held while one original is worked on; released on drop.
pub struct Hold<'a> {
    holds: &'a Holds,
    sha256: String,
}

impl Holds {
    /// Waits until no other thread holds `sha256`, then holds it.
    pub fn hold(&self, sha256: &str) -> Hold<'_> {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        while busy.contains(sha256) {
            busy = self.freed.wait(busy).unwrap_or_else(|p| p.into_inner());
        }
        busy.insert(sha256.to_string());
        Hold {
            holds: self,
            sha256: sha256.to_string(),
        }
    }
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        let mut busy = self.holds.busy.lock().unwrap_or_else(|p| p.into_inner());
        busy.remove(&self.sha256);
        self.holds.freed.notify_all();
    }
}
