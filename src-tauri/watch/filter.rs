//! Which files of a watched folder are considered: pure rules, no I/O except the optional
//! sniff of an unknown extension (done by the caller).
//!
//! Always skipped: hidden files and folders (`.DS_Store`, `.goutputstream-*`, `.name.swp`),
//! partial downloads and temp files (`*.part`, `*.crdownload`, `*.partial`, `*.download`,
//! `*.tmp`, `*.temp`), editor swap and backup files (`*.swp`, `*.swo`, `*.swx`, `*~`,
//! `#name#`, `*.kate-swp`), Office-style lock files (`~*`) and `Thumbs.db`/`desktop.ini`.
//! Then the folder's own exclude patterns, then its include patterns (if any).

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
/// `[abc]`, `[a-z]`, `[!a]`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    matches_at(&p, &t)
}

fn matches_at(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') => {
            let double = p.get(1) == Some(&'*');
            let rest = if double {
                let r = &p[2..];
                r.strip_prefix(&['/']).unwrap_or(r)
            } else {
                &p[1..]
            };
            for i in 0..=t.len() {
                if matches_at(rest, &t[i..]) {
                    return true;
                }
                if i < t.len() && t[i] == '/' && !double {
                    return false;
                }
            }
            false
        }
        Some('?') => !t.is_empty() && t[0] != '/' && matches_at(&p[1..], &t[1..]),
        Some('[') => {
            let Some(close) = p.iter().skip(1).position(|&c| c == ']').map(|i| i + 1) else {
                return t.first() == Some(&'[') && matches_at(&p[1..], &t[1..]);
            };
            let Some(&c) = t.first() else { return false };
            let class = &p[1..close];
            let (negate, class) = match class.first() {
                Some('!') | Some('^') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negate && c != '/' && matches_at(&p[close + 1..], &t[1..])
        }
        Some(&c) => t.first() == Some(&c) && matches_at(&p[1..], &t[1..]),
    }
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
