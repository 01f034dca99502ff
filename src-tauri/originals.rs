//! Managed originals: content-addressed, sharded (`ab/cd/<sha256>.<ext>`), written atomically.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
    let tmp: PathBuf = parent.join(format!(
        ".{}.{}.tmp",
        target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("file"),
        std::process::id()
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
