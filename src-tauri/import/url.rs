//! Downloading an image from an http(s) URL at once (links may expire): timeouts, a size
//! cap, a redirect limit, retries with backoff on timeouts and 5xx.

use std::io::Read;
use std::time::Duration;

use super::ImportError;

#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    /// Whole-request timeout (connect + headers + body).
    pub timeout: Duration,
    pub max_redirects: u32,
    pub attempts: u32,
    pub backoff: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            max_redirects: 5,
            attempts: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

pub struct Fetched {
    pub bytes: Vec<u8>,
    /// A file name from Content-Disposition or the URL path.
    pub filename: String,
}

pub fn is_url(input: &str) -> bool {
    let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

pub fn fetch(url: &str, max_bytes: u64, opts: &HttpOptions) -> Result<Fetched, ImportError> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(opts.connect_timeout)
        .timeout(opts.timeout)
        .redirects(opts.max_redirects)
        .user_agent(concat!("Vitrine/", env!("CARGO_PKG_VERSION")))
        .build();
    let mut attempt = 0;
    loop {
        attempt += 1;
        match fetch_once(&agent, url, max_bytes) {
            Err(e) if e.retryable && attempt < opts.attempts => {
                // Exponential backoff with a little jitter from the clock.
                let jitter = (crate::model::now_ms() % 100) as u64;
                let wait = opts.backoff * 2u32.pow(attempt - 1) + Duration::from_millis(jitter);
                std::thread::sleep(wait);
            }
            Err(e) => return Err(e.error),
            Ok(f) => return Ok(f),
        }
    }
}

struct Failure {
    error: ImportError,
    retryable: bool,
}

fn fail(error: ImportError, retryable: bool) -> Failure {
    Failure { error, retryable }
}

fn fetch_once(agent: &ureq::Agent, url: &str, max_bytes: u64) -> Result<Fetched, Failure> {
    let resp = match agent.get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(code, _)) => {
            return Err(match code {
                403 | 404 | 410 => fail(ImportError::LinkExpired(code), false),
                408 | 429 | 500..=599 => fail(ImportError::Http(code), true),
                _ => fail(ImportError::Http(code), false),
            })
        }
        Err(ureq::Error::Transport(t)) => {
            // Timeouts and resets arrive as Io; a refused connection may be a restarting server.
            let retry = matches!(
                t.kind(),
                ureq::ErrorKind::Io | ureq::ErrorKind::ConnectionFailed
            );
            let msg = match t.kind() {
                ureq::ErrorKind::TooManyRedirects => "too many redirects".to_string(),
                ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme => {
                    format!("invalid URL: {}", t.message().unwrap_or(""))
                }
                _ => t.to_string(),
            };
            return Err(fail(ImportError::Download(msg), retry));
        }
    };
    if let Some(len) = resp
        .header("Content-Length")
        .and_then(|l| l.parse::<u64>().ok())
    {
        if len > max_bytes {
            return Err(fail(
                ImportError::TooLarge {
                    bytes: len,
                    cap: max_bytes,
                },
                false,
            ));
        }
    }
    let filename = filename_for(&resp);
    let mut bytes = Vec::new();
    resp.into_reader()
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            fail(
                ImportError::Download(format!("download interrupted: {e}")),
                true,
            )
        })?;
    if bytes.len() as u64 > max_bytes {
        return Err(fail(
            ImportError::TooLarge {
                bytes: bytes.len() as u64,
                cap: max_bytes,
            },
            false,
        ));
    }
    Ok(Fetched { bytes, filename })
}

fn filename_for(resp: &ureq::Response) -> String {
    filename_from(resp.header("Content-Disposition"), resp.get_url())
}

/// The file name a download is kept under: Content-Disposition's `filename`, else the URL
/// path's last segment, else `image`; never a path (no separators, no `.`/`..`, no controls).
fn filename_from(disposition: Option<&str>, url: &str) -> String {
    if let Some(cd) = disposition {
        for part in cd.split(';') {
            let part = part.trim();
            if let Some(v) = part.strip_prefix("filename=") {
                let v = v.trim_matches('"');
                if let Some(name) = clean_name(v) {
                    return name;
                }
            }
        }
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    clean_name(&percent_decode(last)).unwrap_or_else(|| "image".to_string())
}

fn clean_name(s: &str) -> Option<String> {
    let name = s.rsplit(['/', '\\']).next()?.trim();
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    (!name.is_empty() && name != "." && name != "..").then_some(name)
}

/// Decodes `%XX` escapes (invalid ones are kept as they are); bytes that do not form UTF-8
/// become U+FFFD.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes_in_names() {
        assert_eq!(percent_decode("a%20b%C3%A9.png"), "a bé.png");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("a%2"), "a%2", "a cut-off escape is kept");
        assert_eq!(percent_decode("%FFx"), "\u{FFFD}x", "not UTF-8");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::import::props::CASES))]

        /// Whatever a server sends, the name is a plain file name.
        #[test]
        fn a_download_name_is_never_a_path(
            disposition in proptest::option::of(".{0,80}"),
            url in "(https?://[a-z.]{1,12}/)?[^#]{0,80}(#.{0,8})?",
        ) {
            let _ = is_url(&url);
            let name = filename_from(disposition.as_deref(), &url);
            proptest::prop_assert!(!name.is_empty() && name != "." && name != "..", "{name:?}");
            proptest::prop_assert!(!name.contains(['/', '\\']), "{name:?}");
            proptest::prop_assert!(!name.chars().any(char::is_control), "{name:?}");
        }
    }

    #[test]
    fn names_from_headers_and_urls() {
        assert_eq!(
            filename_from(Some("attachment; filename=\"../../etc/passwd\""), "x"),
            "passwd"
        );
        assert_eq!(filename_from(None, "https://h/a/b%20c.png?x=1"), "b c.png");
        assert_eq!(filename_from(None, "https://h/a/%2e%2e"), "image");
        assert_eq!(filename_from(Some("inline"), "https://h/"), "image");
    }

    #[test]
    fn recognises_urls() {
        assert!(is_url("https://example.com/a.png"));
        assert!(is_url("HTTP://x"));
        assert!(!is_url("/tmp/http:/x"));
        assert!(!is_url("ftp://x"));
    }
}
