//! Image formats without a magic number of their own (TGA, PCX, ICO/CUR) or without a binary
//! one (SVG), and SGI's short one: each header is checked field by field, so that a text or a
//! random binary file is not taken for one.

use super::{Format, Sniffed};

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// A Windows icon (`00 00 01 00`, decoded) or cursor (`00 00 02 00`, named): a directory of
/// 16-byte entries whose reserved byte is 0 and whose image data starts after the directory.
pub(super) fn icon(b: &[u8]) -> Option<Sniffed> {
    if b.len() < 22 || b[0..2] != [0, 0] || b[3] != 0 || !matches!(b[2], 1 | 2) {
        return None;
    }
    let cursor = b[2] == 2;
    let count = le16(b, 4)? as usize;
    if count == 0 {
        return None;
    }
    let dir_end = 6 + 16 * count as u32;
    for i in 0..count.min(16) {
        let e = 6 + 16 * i;
        if e + 16 > b.len() {
            break;
        }
        let (planes, bpp) = (le16(b, e + 4)?, le16(b, e + 6)?);
        let (size, offset) = (le32(b, e + 8)?, le32(b, e + 12)?);
        let icon_fields = planes <= 1 && matches!(bpp, 0 | 1 | 2 | 4 | 8 | 16 | 24 | 32);
        if b[e + 3] != 0 || size == 0 || offset < dir_end || (!cursor && !icon_fields) {
            return None;
        }
    }
    Some(if cursor {
        Sniffed::Unsupported("CUR (Windows cursor)")
    } else {
        Sniffed::Image(Format::Ico)
    })
}

/// ZSoft PCX: `0A`, a known version, RLE or none, a bit depth, a sane window, reserved 0.
pub(super) fn pcx(b: &[u8]) -> bool {
    let window = || -> Option<bool> {
        let (x0, y0, x1, y1) = (le16(b, 4)?, le16(b, 6)?, le16(b, 8)?, le16(b, 10)?);
        Some(x1 >= x0 && y1 >= y0)
    };
    b.len() >= 128
        && b[0] == 0x0A
        && matches!(b[1], 0 | 2 | 3 | 4 | 5)
        && b[2] <= 1
        && matches!(b[3], 1 | 2 | 4 | 8)
        && b[64] == 0
        && matches!(b[65], 1 | 3 | 4)
        && window() == Some(true)
}

/// SGI (`.rgb`, `.sgi`): magic 474, RLE or verbatim, 1 or 2 bytes per channel, 1–3 dims.
pub(super) fn sgi(b: &[u8]) -> bool {
    b.len() >= 12
        && b[0..2] == [0x01, 0xDA]
        && b[2] <= 1
        && matches!(b[3], 1 | 2)
        && matches!(u16::from_be_bytes([b[4], b[5]]), 1..=3)
}

/// Truevision TGA. Its header has no magic, so every field must hold a value TGA allows;
/// an uncompressed one must be long enough for its pixels, a compressed one needs the
/// TGA 2.0 footer or at least some data after the header.
pub(super) fn tga(b: &[u8], len: u64, tail: &[u8]) -> bool {
    let Some(h) = b.get(..18) else {
        return false;
    };
    let (id_len, cmap_type, kind) = (h[0] as u64, h[1], h[2]);
    let cmap_len = u16::from_le_bytes([h[5], h[6]]) as u64;
    let cmap_bits = h[7];
    let (w, ht) = (
        u16::from_le_bytes([h[12], h[13]]) as u64,
        u16::from_le_bytes([h[14], h[15]]) as u64,
    );
    let (depth, descriptor) = (h[16], h[17]);
    let mapped = matches!(kind, 1 | 9);
    let depth_ok = match kind {
        1 | 9 | 3 | 11 => matches!(depth, 8 | 16),
        2 | 10 => matches!(depth, 15 | 16 | 24 | 32),
        _ => false,
    };
    let entry_ok = matches!(cmap_bits, 15 | 16 | 24 | 32);
    let cmap_ok = match cmap_type {
        0 => !mapped && cmap_len == 0,
        1 => entry_ok && (cmap_len > 0 || !mapped),
        _ => false,
    };
    if !depth_ok || !cmap_ok || w == 0 || ht == 0 || descriptor & 0xC0 != 0 {
        return false;
    }
    if (descriptor & 0x0F) > 8 {
        return false;
    }
    let cmap_bytes = if cmap_type == 1 {
        cmap_len * (cmap_bits as u64).div_ceil(8)
    } else {
        0
    };
    let header = 18 + id_len + cmap_bytes;
    if kind < 9 {
        len >= header + w * ht * (depth as u64).div_ceil(8)
    } else {
        tail.ends_with(b"TRUEVISION-XFILE.\0") || len > header
    }
}

/// An SVG document: `<svg` as the root element, after an optional BOM, XML declaration,
/// processing instructions, comments and a doctype.
pub(super) fn is_svg(b: &[u8]) -> bool {
    let mut s = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    loop {
        s = trim_start(s);
        let next = if s.starts_with(b"<?") {
            after(s, b"?>")
        } else if s.starts_with(b"<!--") {
            after(s, b"-->")
        } else if s.len() >= 9 && s[..9].eq_ignore_ascii_case(b"<!doctype") {
            after_doctype(s)
        } else {
            break;
        };
        match next {
            Some(rest) => s = rest,
            None => return false,
        }
    }
    if s.len() < 4 || !s[..4].eq_ignore_ascii_case(b"<svg") {
        return false;
    }
    match s.get(4) {
        None => true,
        Some(c) => c.is_ascii_whitespace() || matches!(c, b'>' | b'/' | b':'),
    }
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &s[n..]
}

/// What follows the first `end` in `s`.
fn after<'a>(s: &'a [u8], end: &[u8]) -> Option<&'a [u8]> {
    let at = s.windows(end.len()).position(|w| w == end)?;
    Some(&s[at + end.len()..])
}

/// What follows a doctype, whose internal subset (`[...]`) may hold `>`.
fn after_doctype(s: &[u8]) -> Option<&[u8]> {
    let mut depth = 0usize;
    for (i, &c) in s.iter().enumerate() {
        match c {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return Some(&s[i + 1..]),
            _ => {}
        }
    }
    None
}
