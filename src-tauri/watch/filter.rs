//! Which files of a watched folder are considered: pure rules, no I/O except the optional
//! sniff of an unknown extension (done by the caller).
//!
//! Always skipped: hidden files and folders (`.DS_Store`, `.goutputstream-*`, `.name.swp`),
//! partial downloads and temp files (`*.part`, `*.crdownload`, `*.partial`, `*.download`,
//! `*.tmp`, `*.temp`), editor swap and backup files (`*.swp`, `*.swo`, `*.swx`, `*~`,
//! `#name#`, `*.kate-swp`), Office-style lock files (`~*`) and `Thumbs.db`/`desktop.ini`.
//! Then the folder's own exclude patterns, then its include patterns (if any).

use globset::{GlobBuilder, GlobMatcher};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path};

/// Built-in exclusions, shown to users (and in `watch list`) as patterns.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".*",
    "*.part",
    "*.crdownload",
    "*.partial",
    "*.download",
    "*.tmp",
    "*.temp",
    "*.swp",
    "*.swo",
    "*.swx",
    "*.kate-swp",
    "*~",
    "~*",
    "#*#",
    "Thumbs.db",
    "desktop.ini",
];

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub recursive: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// Why a path is not considered (for logs and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    Outside,
    TooDeep,
    Builtin(&'static str),
    Excluded(String),
    NotIncluded,
}

impl Filter {
    /// Whether a file at `rel` (relative to the folder) is considered. The extension check
    /// (image or not) is the caller's: it may need to read the file's first bytes.
    pub fn check(&self, rel: &Path) -> Result<(), Skip> {
        let parts: Vec<String> = rel
            .components()
            .map(|c| match c {
                Component::Normal(s) => Ok(s.to_string_lossy().into_owned()),
                _ => Err(Skip::Outside),
            })
            .collect::<Result<_, _>>()?;
        let Some(name) = parts.last() else {
            return Err(Skip::Outside);
        };
        if !self.recursive && parts.len() > 1 {
            return Err(Skip::TooDeep);
        }
        // Hidden folders on the way hide everything below them.
        for dir in &parts[..parts.len() - 1] {
            if dir.starts_with('.') {
                return Err(Skip::Builtin(".*"));
            }
        }
        for pat in DEFAULT_EXCLUDES {
            if glob_match(pat, name) {
                return Err(Skip::Builtin(pat));
            }
        }
        let rel_text = parts.join("/");
        let matches = |pat: &String| {
            if pat.contains('/') {
                glob_match(pat.trim_start_matches("./"), &rel_text)
            } else {
                glob_match(pat, name)
            }
        };
        if let Some(p) = self.exclude.iter().find(|p| matches(p)) {
            return Err(Skip::Excluded(p.clone()));
        }
        if !self.include.is_empty() && !self.include.iter().any(matches) {
            return Err(Skip::NotIncluded);
        }
        Ok(())
    }

    /// Whether a directory at `rel` is walked at all.
    pub fn enters(&self, rel: &Path) -> bool {
        let depth = rel.components().count();
        if depth == 0 {
            return true;
        }
        self.recursive
            && !rel
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    }
}

/// Shell-style matching, case-insensitive: `*` (not across `/`), `**` (across `/`), `?`,
/// `[abc]`, `[a-z]`, `[!a]`; anything else (`{`, `\`, an unclosed `[`) is itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    thread_local! {
        /// Compiled patterns: a folder has a few, checked against every file listed.
        static COMPILED: RefCell<HashMap<String, Option<GlobMatcher>>> = RefCell::default();
    }
    COMPILED.with(|compiled| {
        let mut compiled = compiled.borrow_mut();
        if !compiled.contains_key(pattern) {
            compiled.insert(pattern.to_string(), compile(pattern));
        }
        // Lowercase both (here and in `compile`): Unicode case folding, which globset's own
        // case-insensitivity does only for ASCII.
        compiled[pattern]
            .as_ref()
            .is_some_and(|m| m.is_match(text.to_lowercase()))
    })
}

/// The matcher for a pattern (lowercased), in globset's syntax: `{` and `}` (globset's
/// alternatives) and an unclosed `[` are escaped as classes of themselves; `\` is no escape.
fn compile(pattern: &str) -> Option<GlobMatcher> {
    let pattern = pattern.to_lowercase();
    let mut glob = String::with_capacity(pattern.len());
    for (i, c) in pattern.char_indices() {
        match c {
            '{' | '}' => glob.extend(['[', c, ']']),
            '[' if !pattern[i + 1..].contains(']') => glob.push_str("[[]"),
            _ => glob.push(c),
        }
    }
    GlobBuilder::new(&glob)
        .literal_separator(true)
        .backslash_escape(false)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(recursive: bool, include: &[&str], exclude: &[&str]) -> Filter {
        Filter {
            recursive,
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.png", "a.PNG"), "case-insensitive");
        assert!(!glob_match("*.png", "dir/a.png"), "* stops at /");
        assert!(glob_match("**/*.png", "dir/sub/a.png"));
        assert!(
            glob_match("**/*.png", "a.png"),
            "**/ also matches no folder"
        );
        assert!(glob_match("img_??.jpg", "img_01.jpg"));
        assert!(!glob_match("img_??.jpg", "img_1.jpg"));
        assert!(glob_match("[a-c]*.jpg", "beach.jpg"));
        assert!(!glob_match("[!a-c]*.jpg", "beach.jpg"));
        assert!(glob_match("#*#", "#draft.png#"));
        assert!(glob_match("[", "["), "an unclosed class is a literal");
        assert!(glob_match("[*.png", "[a.png"));
        assert!(
            glob_match("{a,b}.png", "{a,b}.PNG"),
            "braces are themselves"
        );
        assert!(!glob_match("{a,b}.png", "a.png"));
        assert!(glob_match("raw/**", "raw/deep/a.png"));
        assert!(glob_match("a/**/b.png", "a/b.png"));
        assert!(glob_match("a/**/b.png", "a/x/y/b.png"));
        assert!(!glob_match("?.png", "/.png"), "? stops at /");
        assert!(
            glob_match("ÉTÉ*.jpg", "été 2024.JPG"),
            "case-insensitive beyond ASCII"
        );
    }

    #[test]
    fn builtin_temp_and_hidden_files_are_skipped() {
        let all = f(true, &[], &[]);
        for name in [
            ".DS_Store",
            ".hidden.png",
            "photo.jpg.part",
            "photo.jpg.crdownload",
            "~lock.png",
            "photo.png~",
            ".photo.png.swp",
            "photo.png.swp",
            "Thumbs.db",
            ".git/x.png",
            "a/.cache/x.png",
        ] {
            assert!(
                all.check(Path::new(name)).is_err(),
                "{name} must be skipped"
            );
        }
        for name in ["photo.png", "sub/photo.jpg", "ünïcödé 名前.webp", "a~b.png"] {
            assert_eq!(all.check(Path::new(name)), Ok(()), "{name} is considered");
        }
    }

    #[test]
    fn recursion_include_and_exclude() {
        assert_eq!(
            f(false, &[], &[]).check(Path::new("sub/a.png")),
            Err(Skip::TooDeep)
        );
        let only_png = f(true, &["*.png"], &["draft-*"]);
        assert_eq!(only_png.check(Path::new("x/a.png")), Ok(()));
        assert_eq!(only_png.check(Path::new("a.jpg")), Err(Skip::NotIncluded));
        assert_eq!(
            only_png.check(Path::new("draft-1.png")),
            Err(Skip::Excluded("draft-*".into()))
        );
        let by_path = f(true, &[], &["raw/**"]);
        assert!(by_path.check(Path::new("raw/deep/a.png")).is_err());
        assert_eq!(by_path.check(Path::new("keep/a.png")), Ok(()));
        assert!(f(true, &[], &[]).enters(Path::new("sub")));
        assert!(!f(true, &[], &[]).enters(Path::new(".git")));
        assert!(!f(false, &[], &[]).enters(Path::new("sub")));
    }
}
