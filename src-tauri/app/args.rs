//! The app's command line: `vitrine-app [--library DIR] [FILE|FOLDER|URL ...]`, as a file
//! manager's "Open with" (`Exec=vitrine-app %F`) or a terminal calls it. Files, folders and
//! http(s) URLs are imported like a drop; `--version` and `--help` print and exit. Unknown flags
//! (a WebDriver or a desktop environment may add its own) are ignored and logged, never fatal:
//! an app started from a menu has nowhere to show a usage error.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct LaunchArgs {
    pub library: Option<PathBuf>,
    /// Absolute paths and http(s) URLs to import, in the order given.
    pub inputs: Vec<String>,
    pub version: bool,
    pub help: bool,
    /// Flags this app does not know, ignored.
    pub ignored: Vec<String>,
}

pub const USAGE: &str = "\
Usage: vitrine-app [--library DIR] [FILE|FOLDER|URL ...]

Opens the Vitrine window. Files, folders (recursively) and http(s) URLs given are imported
into the library and the first one is shown; when Vitrine is already running they go to its
window.

Options:
  --library DIR   library folder (default: $VITRINE_LIBRARY, else the OS data folder)
  --version       print the version and exit
  --help          print this help and exit
";

/// Parses the arguments after the program name; relative paths are resolved against `cwd`
/// (the caller's working directory: for a second instance, the one it was started in).
pub fn parse<I>(args: I, cwd: &Path) -> LaunchArgs
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut out = LaunchArgs::default();
    let mut args = args.into_iter().map(Into::into);
    let mut only_inputs = false;
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy().into_owned();
        if !only_inputs && text.starts_with('-') && text.len() > 1 {
            match text.as_str() {
                "--" => only_inputs = true,
                "--version" | "-V" => out.version = true,
                "--help" | "-h" => out.help = true,
                "--library" => match args.next() {
                    Some(v) => out.library = Some(PathBuf::from(v)),
                    None => out.ignored.push(text),
                },
                _ => match text.strip_prefix("--library=") {
                    Some(v) if !v.is_empty() => out.library = Some(PathBuf::from(v)),
                    _ => out.ignored.push(text),
                },
            }
            continue;
        }
        if let Some(input) = input(&arg, cwd) {
            out.inputs.push(input);
        } else {
            out.ignored.push(text);
        }
    }
    out
}

/// One input: an http(s) URL as given, a `file://` URL or a path made absolute.
fn input(arg: &OsString, cwd: &Path) -> Option<String> {
    let text = arg.to_string_lossy();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(text.into_owned());
    }
    if lower.starts_with("file://") {
        let path = url::Url::parse(&text).ok()?.to_file_path().ok()?;
        return path.to_str().map(str::to_string);
    }
    if text.is_empty() {
        return None;
    }
    let path = Path::new(arg);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    // The core takes UTF-8 inputs; a name that is not UTF-8 cannot be passed on unchanged.
    abs.to_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> LaunchArgs {
        parse(args.iter().copied(), Path::new("/home/ada/Pictures"))
    }

    #[test]
    fn files_and_folders_become_absolute_in_order() {
        let a = p(&["shot.png", "/tmp/a b/ç.jpg", "trip", "./x/../y.webp"]);
        assert_eq!(
            a.inputs,
            vec![
                "/home/ada/Pictures/shot.png",
                "/tmp/a b/ç.jpg",
                "/home/ada/Pictures/trip",
                "/home/ada/Pictures/./x/../y.webp",
            ]
        );
        assert!(a.ignored.is_empty() && !a.version && a.library.is_none());
    }

    #[test]
    fn urls_pass_through_and_file_urls_become_paths() {
        let a = p(&[
            "https://example.com/cat.png?sig=1",
            "HTTP://EXAMPLE.COM/A.JPG",
            "file:///tmp/with%20space.png",
        ]);
        assert_eq!(
            a.inputs,
            vec![
                "https://example.com/cat.png?sig=1",
                "HTTP://EXAMPLE.COM/A.JPG",
                "/tmp/with space.png",
            ]
        );
    }

    #[test]
    fn library_version_and_help() {
        let a = p(&["--library", "/lib", "one.png"]);
        assert_eq!(a.library, Some(PathBuf::from("/lib")));
        assert_eq!(a.inputs, vec!["/home/ada/Pictures/one.png"]);
        assert_eq!(p(&["--library=/l2"]).library, Some(PathBuf::from("/l2")));
        assert!(p(&["--version"]).version);
        assert!(p(&["-V"]).version);
        assert!(p(&["--help"]).help);
    }

    #[test]
    fn unknown_flags_are_ignored_not_fatal_and_double_dash_ends_flags() {
        let a = p(&[
            "--automation",
            "-psn_0_123",
            "a.png",
            "--",
            "--weird-name.png",
            "--library",
        ]);
        assert_eq!(a.ignored, vec!["--automation", "-psn_0_123"]);
        assert_eq!(
            a.inputs,
            vec![
                "/home/ada/Pictures/a.png",
                "/home/ada/Pictures/--weird-name.png",
                "/home/ada/Pictures/--library",
            ]
        );
        // A trailing --library with no value is ignored, not an error.
        assert_eq!(p(&["--library"]).ignored, vec!["--library"]);
        // A lone "-" is not a flag.
        assert_eq!(p(&["-"]).inputs, vec!["/home/ada/Pictures/-"]);
    }
}
