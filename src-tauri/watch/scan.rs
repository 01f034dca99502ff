//! Listing a watched folder: every considered file with its size and mtime (no reading, no
//! hashing), plus the places that could not be listed, so a reconciliation never mistakes an
//! unreadable subfolder for deleted files.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::filter::Filter;

/// One file as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
}

#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<Seen>,
    /// Folders that could not be read (permission denied, symlink loop, I/O error): entries
    /// below them are left as they are.
    pub blind: Vec<PathBuf>,
    /// What went wrong where, for the user.
    pub problems: Vec<(String, String)>,
}

impl Listing {
    /// Whether `path` lies in a folder this listing could not see.
    pub fn is_blind(&self, path: &Path) -> bool {
        self.blind.iter().any(|b| path.starts_with(b))
    }
}

/// Size and mtime (ns since the epoch) of a regular file, following symlinks.
pub fn stat(path: &Path) -> Option<(u64, i64)> {
    let m = std::fs::metadata(path).ok()?;
    m.is_file().then(|| (m.len(), mtime_ns(&m)))
}

pub fn mtime_ns(m: &std::fs::Metadata) -> i64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0)
}

/// The device a path is on (unplugged disks show up as another device, or none).
pub fn device(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| m.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Whether a considered file is an image by name or by its first bytes.
pub fn is_image(path: &Path) -> bool {
    crate::import::walk::is_candidate(path)
}

/// Lists `root` under `filter`. `progress(n)` is called every 1,000 files. Fails only when
/// the root itself cannot be read.
pub fn list(root: &Path, filter: &Filter, progress: &dyn Fn(usize)) -> std::io::Result<Listing> {
    std::fs::read_dir(root)?;
    let mut out = Listing::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .max_depth(if filter.recursive { usize::MAX } else { 1 })
        .into_iter()
        .filter_entry(|e| {
            !e.file_type().is_dir()
                || filter.enters(e.path().strip_prefix(root).unwrap_or(e.path()))
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                if filter.check(rel).is_err() || !is_image(e.path()) {
                    continue;
                }
                let Ok(m) = e.metadata() else { continue };
                out.files.push(Seen {
                    size: m.len(),
                    mtime_ns: mtime_ns(&m),
                    path: e.into_path(),
                });
                if out.files.len() % 1000 == 0 {
                    progress(out.files.len());
                }
            }
            Ok(_) => {}
            Err(err) => {
                let at = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or(root.to_path_buf());
                let why = if let Some(a) = err.loop_ancestor() {
                    format!("symlink loop back to {} (skipped)", a.display())
                } else if let Some(io) = err.io_error() {
                    match io.kind() {
                        std::io::ErrorKind::PermissionDenied => {
                            "permission denied: Vitrine cannot read this folder".into()
                        }
                        _ => io.to_string(),
                    }
                } else {
                    err.to_string()
                };
                out.problems.push((at.display().to_string(), why));
                out.blind.push(at);
            }
        }
    }
    Ok(out)
}
