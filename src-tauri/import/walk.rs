//! Expands import inputs: files as given, folders recursively (following symlinks, with loop
//! detection), URLs as they are. Problems found while walking become per-item errors; files in
//! a folder that are not images at all are passed over and counted.

use std::path::{Path, PathBuf};

use super::sniff::{sniff_file, IMAGE_EXTENSIONS};
use super::url::is_url;
use super::ImportError;

#[derive(Debug, Clone)]
pub enum Item {
    File(PathBuf),
    Url(String),
    /// Something that could not even be listed: the input text and why.
    Broken(String, ImportError),
}

impl Item {
    pub fn label(&self) -> String {
        match self {
            Item::File(p) => p.display().to_string(),
            Item::Url(u) => u.clone(),
            Item::Broken(l, _) => l.clone(),
        }
    }
}

/// What a set of inputs expands to.
#[derive(Debug, Default)]
pub struct Expanded {
    pub items: Vec<Item>,
    /// Files found in folders that are not images (notes, sidecars, other binaries).
    pub skipped: usize,
}

/// Expands every input, in order. Folders are walked in name order.
pub fn expand(inputs: &[String]) -> Expanded {
    let mut out = Expanded::default();
    let items = &mut out.items;
    for input in inputs {
        if is_url(input) {
            items.push(Item::Url(input.clone()));
            continue;
        }
        let path = PathBuf::from(input);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => out.skipped += walk_dir(&path, items),
            Ok(_) => items.push(Item::File(path)),
            Err(e) => items.push(Item::Broken(input.clone(), ImportError::from_io(&e))),
        }
    }
    out
}

/// Walks one folder into `items`; returns how many files were passed over as not images.
fn walk_dir(root: &Path, items: &mut Vec<Item>) -> usize {
    let mut skipped = 0;
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if considered(e.path()) {
                    items.push(Item::File(e.into_path()));
                } else {
                    skipped += 1;
                }
            }
            Ok(_) => {}
            Err(err) => {
                let label = err
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| root.display().to_string());
                let error = if let Some(ancestor) = err.loop_ancestor() {
                    ImportError::SymlinkLoop(format!(
                        "a symlink loop back to {}",
                        ancestor.display()
                    ))
                } else if let Some(io) = err.io_error() {
                    ImportError::from_io(io)
                } else {
                    ImportError::Unreadable(err.to_string())
                };
                items.push(Item::Broken(label, error));
            }
        }
    }
    skipped
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// In a folder, a file is considered when its extension says image or its bytes name an image
/// format, read or refused (refusals are reported by name); other files (sidecars, notes) are
/// passed over and counted. A file that cannot be read is considered, so that its error is
/// reported. Files given by name are always considered.
fn considered(path: &Path) -> bool {
    image_name(path) || sniff_file(path).map_or(true, |s| s.is_image())
}

/// Whether a file is an image by name or by its first bytes (for watched folders, which leave
/// unreadable files for a later look).
pub(crate) fn is_candidate(path: &Path) -> bool {
    image_name(path) || sniff_file(path).is_ok_and(|s| s.is_image())
}

fn image_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}
