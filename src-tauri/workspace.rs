//! Per-process scratch space inside the library (`tmp/<token>/`), held by an OS file lock.
//!
//! Temp files of a live process are never touched by another one; a folder whose lock is
//! free belongs to a process that is gone (crashed or killed) and is swept on the next open,
//! after that process's unfinished jobs were taken over.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const LOCK: &str = ".lock";
const LOCK_PENDING: &str = ".lock.new";
/// A folder without `.lock` younger than this may be one another process is creating.
const CREATION_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

pub struct Workspace {
    root: PathBuf,
    dir: PathBuf,
    token: String,
    counter: AtomicU64,
    _lock: File,
}

impl Workspace {
    /// Creates and locks `tmp_root/<pid>-<ulid>/`.
    pub fn create(tmp_root: &Path) -> io::Result<Self> {
        fs::create_dir_all(tmp_root)?;
        let token = format!("{}-{}", std::process::id(), ulid::Ulid::new());
        let dir = tmp_root.join(&token);
        fs::create_dir(&dir)?;
        // Lock the file under another name, then rename it: a `.lock` that exists is locked
        // for as long as its process lives, so a concurrent sweep never takes this new folder
        // for a dead one (see `sweep`).
        let pending = dir.join(LOCK_PENDING);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&pending)?;
        lock.try_lock().map_err(|e| match e {
            fs::TryLockError::Error(e) => e,
            fs::TryLockError::WouldBlock => io::Error::other("workspace lock is held"),
        })?;
        fs::rename(&pending, dir.join(LOCK))?;
        Ok(Workspace {
            root: tmp_root.to_path_buf(),
            dir,
            token,
            counter: AtomicU64::new(0),
            _lock: lock,
        })
    }

    /// Names this process in job rows.
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A fresh path inside the workspace (not yet created).
    pub fn temp_path(&self, suffix: &str) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.dir.join(format!("{n}{suffix}"))
    }

    /// Whether the process that owns `token` is still running (its lock is held).
    pub fn is_alive(&self, token: &str) -> bool {
        if token == self.token {
            return true;
        }
        owner_alive(&self.root, token)
    }

    /// Removes the folders of processes that are gone. Returns how many were removed.
    pub fn sweep(&self) -> usize {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == self.token {
                continue;
            }
            let path = entry.path();
            if path.is_dir()
                && !being_created(&path)
                && !owner_alive(&self.root, &name)
                && fs::remove_dir_all(&path).is_ok()
            {
                removed += 1;
            } else if path.is_file() {
                // Stray files directly under tmp/ belong to nobody.
                if fs::remove_file(&path).is_ok() {
                    removed += 1;
                }
            }
        }
        removed
    }
}

/// A folder without its `.lock` yet, made moments ago: another process is setting it up.
/// Checked before `owner_alive`: once `.lock` exists it stays locked while its owner lives.
fn being_created(dir: &Path) -> bool {
    !dir.join(LOCK).exists()
        && fs::metadata(dir)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age < CREATION_GRACE)
}

fn owner_alive(root: &Path, token: &str) -> bool {
    if token.contains(['/', '\\']) || token.starts_with('.') {
        return false;
    }
    let Ok(file) = OpenOptions::new()
        .write(true)
        .open(root.join(token).join(LOCK))
    else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(fs::TryLockError::WouldBlock) => true,
        Err(fs::TryLockError::Error(_)) => false,
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_workspaces_survive_a_sweep_and_dead_ones_go() {
        let root = tempfile::tempdir().unwrap();
        let a = Workspace::create(root.path()).unwrap();
        let b = Workspace::create(root.path()).unwrap();
        std::fs::write(a.temp_path(".part"), b"x").unwrap();
        let dead = root.path().join("123-dead");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join(LOCK), b"").unwrap();
        assert!(
            b.is_alive(a.token()),
            "a live process's workspace is locked"
        );
        assert!(
            !b.is_alive("123-dead"),
            "an unlocked workspace belongs to nobody"
        );
        assert_eq!(b.sweep(), 1, "only the dead workspace is swept");
        assert!(a.dir().exists() && !dead.exists());
        let a_dir = a.dir().to_path_buf();
        drop(a);
        assert!(!a_dir.exists(), "a workspace removes itself when dropped");
    }
}
