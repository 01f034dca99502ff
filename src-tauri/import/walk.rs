//! Expands import inputs: files as given, folders recursively (following symlinks, with loop
//! detection), URLs as they are. Problems found while walking become per-item errors.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::sniff::{sniff, Sniffed, IMAGE_EXTENSIONS};
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

/// Expands every input, in order. Folders are walked in name order.
pub fn expand(inputs: &[String]) -> Vec<Item> {
    let mut items = Vec::new();
    for input in inputs {
        if is_url(input) {
            items.push(Item::Url(input.clone()));
            continue;
        }
        let path = PathBuf::from(input);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk_dir(&path, &mut items),
            Ok(_) => items.push(Item::File(path)),
            Err(e) => items.push(Item::Broken(input.clone(), ImportError::from_io(&e))),
        }
    }
    items
}

fn walk_dir(root: &Path, items: &mut Vec<Item>) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if is_candidate(e.path()) {
                    items.push(Item::File(e.into_path()));
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
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// In a folder, a file is considered when its extension says image or its first bytes do;
/// other files (sidecars, notes) are left alone. Files given by name are always considered.
pub(crate) fn is_candidate(path: &Path) -> bool {
    let ext_ok = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false);
    if ext_ok {
        return true;
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    matches!(
        sniff(&head[..n]),
        Sniffed::Image(_) | Sniffed::Unsupported(_)
    ) && !matches!(sniff(&head[..n]), Sniffed::Unsupported("ICO"))
}
