//! Redaction of everything written to the log: the values of credentials this process has seen
//! (every [`crate::secrets::Secret`] registers itself), the signature and credential parameters
//! of presigned URLs, `Authorization` headers and `key=value` pairs whose key names a secret.
//! The log is meant to be attached to a bug report: nothing in it may open the user's bucket.

use std::borrow::Cow;
use std::sync::{OnceLock, RwLock};

/// What replaces a secret.
pub const MASK: &str = "[redacted]";

/// Values shorter than this are not registered (they would mask ordinary words).
const MIN_SECRET_LEN: usize = 6;
/// At most this many distinct secrets are remembered (a process sees a handful).
const MAX_SECRETS: usize = 256;

fn known() -> &'static RwLock<Vec<String>> {
    static KNOWN: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    KNOWN.get_or_init(|| RwLock::new(Vec::new()))
}

/// Remembers a secret value so that the log never shows it, wherever it appears.
pub fn remember(secret: &str) {
    let secret = secret.trim();
    if secret.len() < MIN_SECRET_LEN {
        return;
    }
    let mut list = known().write().unwrap_or_else(|p| p.into_inner());
    if list.iter().any(|s| s == secret) || list.len() >= MAX_SECRETS {
        return;
    }
    list.push(secret.to_string());
    // Longest first, so a secret that contains another is masked whole.
    list.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Query parameters (and `key=value` / `key: value` pairs) whose value is a secret.
/// Compared case-insensitively; `X-Amz-Credential` holds the access key id.
const SECRET_KEYS: &[&str] = &[
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "signature",
    "x-goog-signature",
    "x-goog-credential",
    "sig",
    "awsaccesskeyid",
    "access_key_id",
    "accesskeyid",
    "secret_access_key",
    "secretaccesskey",
    "aws_secret_access_key",
    "aws_access_key_id",
    "aws_session_token",
    "session_token",
    "access_token",
    "password",
    "token",
    "authorization",
];

/// Returns `text` with every secret masked (borrowed when there was none).
pub fn redact(text: &str) -> Cow<'_, str> {
    let list = known().read().unwrap_or_else(|p| p.into_inner());
    redact_with(text, &list)
}

/// [`redact`] with these remembered secrets. Pairs first: a remembered value that happens to
/// be part of a key's name must not hide the key (and so its value) from the pair rule.
fn redact_with<'a>(text: &'a str, secrets: &[String]) -> Cow<'a, str> {
    let mut out: Cow<'a, str> = match mask_pairs(text) {
        Some(masked) => Cow::Owned(masked),
        None => Cow::Borrowed(text),
    };
    for s in secrets {
        if out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), MASK));
        }
    }
    out
}

/// Masks the value after each secret key followed by `=` or `:` (URL queries, headers, config
/// dumps, debug output). `None` when nothing was masked.
fn mask_pairs(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(key) {
            let start = from + pos;
            from = start + key.len();
            // The key must stand alone: not the tail of a longer word (`my_token` is fine to
            // mask too, but `tokenizer=` is not a secret).
            if start > 0 && is_word(bytes[start - 1]) && bytes[start - 1] != b'_' {
                continue;
            }
            let mut i = from;
            if i < bytes.len() && is_word(bytes[i]) {
                continue;
            }
            // Optional closing quote of a JSON/debug key, then spaces, then `=` or `:`.
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                i += 1;
            }
            while i < bytes.len() && bytes[i] == b' ' {
                i += 1;
            }
            if i >= bytes.len() || !(bytes[i] == b'=' || bytes[i] == b':') {
                continue;
            }
            i += 1;
            while i < bytes.len() && bytes[i] == b' ' {
                i += 1;
            }
            let quoted = i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'');
            if quoted {
                i += 1;
            }
            let value_start = i;
            // An `Authorization:` header value runs to the end of the line (it has spaces).
            let to_eol = *key == "authorization" && !quoted;
            while i < bytes.len() {
                let c = bytes[i];
                let end = if to_eol {
                    c == b'\n' || c == b'\r'
                } else if quoted {
                    c == b'"' || c == b'\'' || c == b'\n'
                } else {
                    matches!(
                        c,
                        b'&' | b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'<' | b'>'
                    ) || c == b','
                        || c == b')'
                        || c == b'}'
                        || c == b']'
                };
                if end {
                    break;
                }
                i += 1;
            }
            if i > value_start {
                spans.push((value_start, i));
            }
        }
    }
    if spans.is_empty() {
        return None;
    }
    spans.sort();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in spans {
        if e <= at {
            continue;
        }
        let s = s.max(at);
        out.push_str(&text[at..s]);
        out.push_str(MASK);
        at = e;
    }
    out.push_str(&text[at..]);
    Some(out)
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presigned_url_keeps_its_path_but_not_its_signature_or_key_id() {
        let url = "https://bucket.s3.example.com/private/ab/abcdef.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLEKEY%2F20261202%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261202T105500Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef0123456789abcdef";
        let r = redact_with(url, &[]);
        assert!(!r.contains("AKIAEXAMPLEKEY"), "{r}");
        assert!(!r.contains("0123456789abcdef"), "{r}");
        assert!(r.contains("private/ab/abcdef.png"), "the object stays: {r}");
        assert!(
            r.contains("X-Amz-Expires=3600"),
            "harmless parameters stay: {r}"
        );
    }

    #[test]
    fn authorization_header_is_masked_to_the_end_of_the_line() {
        let r = redact_with(
            "request headers: Authorization: AWS4-HMAC-SHA256 Credential=AKIDX/2026, Signature=deadbeef\nnext line",
            &[],
        );
        assert!(!r.contains("AKIDX"), "{r}");
        assert!(!r.contains("deadbeef"), "{r}");
        assert!(r.ends_with("next line"), "{r}");
    }

    #[test]
    fn key_value_pairs_in_debug_and_json_are_masked() {
        let r = redact_with(
            r#"{"secret_access_key": "s3cr3t-value", "bucket": "photos"} password=hunter22 token: abc.def"#,
            &[],
        );
        assert!(
            !r.contains("s3cr3t-value") && !r.contains("hunter22") && !r.contains("abc.def"),
            "{r}"
        );
        assert!(r.contains("photos"), "{r}");
    }

    #[test]
    fn words_that_merely_contain_a_key_are_left_alone() {
        let r = |t| redact_with(t, &[]).into_owned();
        assert_eq!(
            r("tokenizer=clip signatures: 3"),
            "tokenizer=clip signatures: 3"
        );
        assert_eq!(r("no secrets here"), "no secrets here");
    }

    #[test]
    fn a_remembered_secret_inside_a_key_name_does_not_unmask_its_value() {
        let r = redact_with("secret_access_key=AbCdEf123456", &["secret".to_string()]);
        assert!(!r.contains("AbCdEf123456"), "{r}");
    }

    #[test]
    fn remembered_secrets_are_masked_anywhere() {
        remember("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzEXAMPLE");
        remember("abc"); // too short to register
        let r = redact(
            "failed: the server said wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzEXAMPLE is wrong (abc)",
        );
        assert_eq!(r, "failed: the server said [redacted] is wrong (abc)");
    }
}
