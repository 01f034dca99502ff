//! The EXIF `UserComment` tag as text: its 8-byte character-code header, UTF-16 in either byte
//! order (A1111 and piexif write big-endian), ASCII, or bare UTF-8.

/// Decode an EXIF UserComment value (raw bytes of the tag, including the
/// 8-byte character-code header). Unknown headers are read as UTF-8.
pub fn decode_user_comment(bytes: &[u8]) -> Option<String> {
    let text = match bytes.split_at_checked(8) {
        Some((head, body)) if head.eq_ignore_ascii_case(b"UNICODE\0") => decode_utf16(body),
        Some((head, body))
            if head.eq_ignore_ascii_case(b"ASCII\0\0\0")
                || head.eq_ignore_ascii_case(b"JIS\0\0\0\0\0")
                || head == [0u8; 8] =>
        {
            String::from_utf8_lossy(body).into_owned()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    };
    let trimmed = text
        .trim_start_matches(['\0', '\u{feff}'])
        .trim_end_matches(|c: char| c == '\0' || c.is_whitespace());
    (!trimmed.trim().is_empty()).then(|| trimmed.to_string())
}

fn decode_utf16(body: &[u8]) -> String {
    let (le, body) = match body {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => {
            // ASCII-range text has its zero byte first in BE, second in LE.
            let pairs = body.chunks_exact(2).take(64);
            let (even, odd) = pairs.fold((0, 0), |(e, o), c| {
                (e + usize::from(c[0] == 0), o + usize::from(c[1] == 0))
            });
            (odd > even, body)
        }
    };
    let units = body.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if le {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = b"UNICODE\0".to_vec();
        let units = (bom.then_some(0xFEFF_u16))
            .into_iter()
            .chain(text.encode_utf16());
        for u in units {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn user_comment_decoding() {
        let text = "a cat\nSteps: 20, Sampler: Euler, Seed: 1";
        assert_eq!(
            decode_user_comment(&utf16(text, false, false)).as_deref(),
            Some(text),
            "UTF-16 BE (A1111/piexif)"
        );
        assert_eq!(
            decode_user_comment(&utf16(text, true, false)).as_deref(),
            Some(text),
            "UTF-16 LE detected"
        );
        assert_eq!(
            decode_user_comment(&utf16("日本語 ok", true, true)).as_deref(),
            Some("日本語 ok"),
            "LE with BOM"
        );
        assert_eq!(
            decode_user_comment(&utf16("日本語", false, true)).as_deref(),
            Some("日本語"),
            "BE with BOM"
        );
        assert_eq!(
            decode_user_comment(b"ASCII\0\0\0hello\0\0  ").as_deref(),
            Some("hello"),
            "ASCII, trailing NULs trimmed"
        );
        assert_eq!(
            decode_user_comment(b"\0\0\0\0\0\0\0\0undef").as_deref(),
            Some("undef"),
            "undefined header"
        );
        assert_eq!(
            decode_user_comment("no header ✓".as_bytes()).as_deref(),
            Some("no header ✓"),
            "raw UTF-8"
        );
        assert_eq!(
            decode_user_comment(b"ASCII\0\0\0\0\0\0"),
            None,
            "empty comment"
        );
        assert_eq!(
            decode_user_comment(b"UNICODE\0\x00"),
            None,
            "odd-length empty UTF-16"
        );
    }
}
