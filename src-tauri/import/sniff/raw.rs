//! Camera RAWs built on TIFF (CR2, NEF, ARW, DNG, PEF, SRW, others by their layout) and the
//! ISO base media file family (HEIC, HEIF, AVIF, JPEG XL and JPEG 2000 in a box, Canon CR3):
//! HEIC and other HEIF stills, AVIF and JPEG XL told from JPEG 2000 (refused by name) and from
//! video; RAWs told from plain TIFFs, so that they are shown from their embedded preview
//! (`thumbs/raw.rs`) instead of read as a TIFF thumbnail or called a video.

use super::{Format, RawKind, Sniffed};
use crate::thumbs::raw::Tiff;

/// The RAW a TIFF-structured file is, if it is one; `None` for an ordinary TIFF.
pub(super) fn tiff_raw(b: &[u8]) -> Option<RawKind> {
    // CR2: "CR" and major version 2 right after the TIFF header.
    if b.get(8..11) == Some(b"CR\x02") {
        return Some(RawKind::Cr2);
    }
    let t = Tiff {
        b,
        le: b.starts_with(b"II"),
    };
    let ifd = t.u32(4)? as usize;
    let count = (t.u16(ifd)? as usize).min(512);
    let entries = (0..count).map_while(|i| {
        let e = ifd + 2 + 12 * i;
        Some((t.u16(e)?, e))
    });
    let (mut make, mut sub_ifds, mut reduced) = (None, false, false);
    for (tag, e) in entries {
        match tag {
            0xC612 => return Some(RawKind::Dng),
            0x010F => make = t.ascii(e),
            0x014A => sub_ifds = true,
            0x00FE => reduced = t.uint(e) == Some(1),
            _ => {}
        }
    }
    // A RAW keeps a preview in IFD0 and its sensor data in sub-IFDs; a camera's or
    // scanner's plain TIFF has neither (a pyramid TIFF has sub-IFDs, but its IFD0 is the
    // full picture).
    if !(sub_ifds || reduced) {
        return None;
    }
    match make?.trim() {
        m if m.starts_with("NIKON") => Some(RawKind::Nef),
        m if m.starts_with("SONY") => Some(RawKind::Arw),
        m if m.starts_with("Canon") => Some(RawKind::Cr2),
        m if m.starts_with("PENTAX") || m.starts_with("RICOH") => Some(RawKind::Pef),
        m if m.starts_with("SAMSUNG") => Some(RawKind::Srw),
        m if !m.is_empty() && sub_ifds && reduced => Some(RawKind::Other),
        _ => None,
    }
}

/// The image format an ISO media file's `ftyp` brands name; `None` for video and the rest.
pub(super) fn ftyp(b: &[u8]) -> Option<Sniffed> {
    let size = u32::from_be_bytes(b.get(0..4)?.try_into().ok()?) as usize;
    let end = size.clamp(12, 256).min(b.len());
    let major = b.get(8..12)?;
    let brands: Vec<&[u8]> = std::iter::once(major)
        .chain(b.get(16..end).unwrap_or(&[]).chunks_exact(4))
        .collect();
    let has = |names: &[&[u8; 4]]| brands.iter().any(|b| names.iter().any(|n| *b == &n[..]));
    if major == b"crx " {
        return Some(Sniffed::Image(Format::Raw(RawKind::Cr3)));
    }
    if has(&[b"avif", b"avis"]) {
        return Some(Sniffed::Image(Format::Avif));
    }
    if has(&[b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"]) {
        return Some(Sniffed::Image(Format::Heic));
    }
    if has(&[b"jxl "]) {
        return Some(Sniffed::Image(Format::Jxl));
    }
    if has(&[b"jp2 ", b"jpx ", b"jpm "]) {
        return Some(Sniffed::Unsupported("JPEG 2000"));
    }
    // A HEIF whose brands name no codec: libheif decodes what it can and names the rest.
    if has(&[b"mif1", b"msf1"]) {
        return Some(Sniffed::Image(Format::Heic));
    }
    None
}
