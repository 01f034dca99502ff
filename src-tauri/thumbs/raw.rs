//! The picture of a camera RAW: the largest JPEG preview the camera embedded, found by the
//! file's own structure. The RAW stays the original; its sensor data is never decoded.
//!
//! Where the previews are:
//! - **TIFF-based RAWs** (CR2, NEF, ARW, DNG, PEF, SRW, others; ORF and RW2 with their own
//!   magic numbers): every directory reachable from IFD0 — the IFD chain, `SubIFDs` (0x014A) to
//!   a depth of three — is read for a JPEG given as `JPEGInterchangeFormat`/`Length`
//!   (0x0201/0x0202: NEF's and ARW's previews) or as one strip of a JPEG-compressed directory
//!   (`Compression` 6 or 7 with one `StripOffsets`/`StripByteCounts`: CR2's IFD0, DNG's preview
//!   sub-IFD); RW2's `JpgFromRaw` (0x002E) in IFD0; and Olympus's maker note
//!   (`CameraSettings` → `PreviewImageStart`/`Length`), where an ORF keeps its preview.
//! - **RAF**: the JPEG whose offset and length the header gives at bytes 84 and 88.
//! - **CR3** (ISO media): the first track's sample (the full-size JPEG) and the `PRVW` box in
//!   its `uuid` box (a 1620 px preview).
//!
//! A candidate counts only when its bytes lie inside the file and start a baseline or
//! progressive JPEG (SOF0–SOF2; the lossless JPEG that CR2 and DNG use for sensor data is
//! not a picture). The largest by pixels wins. Every offset is checked against the file; a
//! walk visits at most [`MAX_IFDS`] directories, so no file makes it loop or allocate.

use crate::import::sniff::RawKind;

/// Directories one walk reads, at most (cycles and long chains end here).
const MAX_IFDS: usize = 64;
/// Entries read per directory, at most.
const MAX_ENTRIES: usize = 1024;
/// The smallest long edge a preview may have to stand for the picture; below it (a 160 px
/// thumbnail is all some files have) the RAW is refused rather than shown as a smudge.
pub const MIN_LONG_EDGE: u32 = 512;

/// An embedded JPEG and its stored size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preview<'a> {
    pub jpeg: &'a [u8],
    pub width: u32,
    pub height: u32,
}

/// Why a RAW has no picture Vitrine can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoPreview {
    #[error("{0} without an embedded JPEG preview (Vitrine shows RAWs from the preview their camera embeds)")]
    None(&'static str),
    #[error("{kind}: its largest embedded preview is {width}x{height}, too small to stand for the picture (Vitrine shows RAWs from the preview their camera embeds)")]
    TooSmall {
        kind: &'static str,
        width: u32,
        height: u32,
    },
}

/// The largest embedded JPEG preview of a RAW of this kind.
pub fn preview(bytes: &[u8], kind: RawKind) -> Result<Preview<'_>, NoPreview> {
    let spans = match kind {
        RawKind::Raf => raf(bytes),
        RawKind::Cr3 => cr3(bytes),
        _ => tiff(bytes),
    };
    let best = spans
        .into_iter()
        .filter_map(|(at, len)| {
            let jpeg = bytes.get(at..at.checked_add(len)?)?;
            let (width, height) = jpeg_size(jpeg)?;
            Some(Preview {
                jpeg,
                width,
                height,
            })
        })
        .max_by_key(|p| p.width as u64 * p.height as u64)
        .ok_or(NoPreview::None(kind.title()))?;
    if best.width.max(best.height) < MIN_LONG_EDGE {
        return Err(NoPreview::TooSmall {
            kind: kind.title(),
            width: best.width,
            height: best.height,
        });
    }
    Ok(best)
}

/// The RAW's EXIF as a standard TIFF block (what `import::exif` reads): the file itself for
/// TIFF-based RAWs (ORF's and RW2's magic numbers replaced by TIFF's), the `CMT1` box (IFD0:
/// make, model, orientation, date) for CR3; `None` for RAF, whose preview carries the EXIF.
pub fn exif(bytes: &[u8], kind: RawKind) -> Option<Vec<u8>> {
    match kind {
        // Read from the preview by the caller.
        RawKind::Raf => None,
        RawKind::Cr3 => cr3_cmt1(bytes).map(<[u8]>::to_vec),
        _ => {
            let mut tiff = bytes.to_vec();
            match tiff.get(..2)? {
                b"II" => tiff.get_mut(2..4)?.copy_from_slice(&[0x2A, 0]),
                b"MM" => tiff.get_mut(2..4)?.copy_from_slice(&[0, 0x2A]),
                _ => return None,
            }
            Some(tiff)
        }
    }
}

/// Width and height from the first SOF marker of a baseline, extended or progressive JPEG.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    loop {
        // Fill bytes before a marker are allowed.
        while *b.get(i)? == 0xFF && *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        if *b.get(i)? != 0xFF {
            return None;
        }
        let marker = *b.get(i + 1)?;
        let len = u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]) as usize;
        match marker {
            0xC0..=0xC2 => {
                let h = u16::from_be_bytes([*b.get(i + 5)?, *b.get(i + 6)?]) as u32;
                let w = u16::from_be_bytes([*b.get(i + 7)?, *b.get(i + 8)?]) as u32;
                return (w > 0 && h > 0).then_some((w, h));
            }
            // Lossless, hierarchical, arithmetic: not a picture this path shows.
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xDA | 0xD9 => return None,
            _ if len < 2 => return None,
            _ => i += 2 + len,
        }
    }
}

/// A TIFF reader over the whole file, in the byte order its header names (also what the
/// sniffer tells RAWs from plain TIFFs with). Every read is bounds-checked.
pub(crate) struct Tiff<'a> {
    pub b: &'a [u8],
    pub le: bool,
}

impl Tiff<'_> {
    pub fn u16(&self, at: usize) -> Option<u16> {
        let s: [u8; 2] = self.b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.le {
            u16::from_le_bytes(s)
        } else {
            u16::from_be_bytes(s)
        })
    }

    pub fn u32(&self, at: usize) -> Option<u32> {
        let s: [u8; 4] = self.b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.le {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        })
    }

    /// The text of the ASCII entry at `e` (inline up to 4 bytes, else at its offset; at most
    /// 64 bytes, up to the first NUL).
    pub fn ascii(&self, e: usize) -> Option<String> {
        if self.u16(e + 2)? != 2 {
            return None;
        }
        let n = (self.u32(e + 4)? as usize).min(64);
        let at = if n <= 4 {
            e + 8
        } else {
            self.u32(e + 8)? as usize
        };
        let raw = self.b.get(at..at.checked_add(n)?)?;
        let raw = raw.split(|&c| c == 0).next().unwrap_or(raw);
        Some(String::from_utf8_lossy(raw).into_owned())
    }

    /// The values of the SHORT, LONG or IFD entry at `e` (at most `max`).
    fn uints(&self, e: usize, max: usize) -> Vec<u32> {
        let (Some(kind), Some(count)) = (self.u16(e + 2), self.u32(e + 4)) else {
            return Vec::new();
        };
        let size = match kind {
            3 => 2,
            4 | 13 => 4,
            _ => return Vec::new(),
        };
        let count = (count as usize).min(max);
        let at = if count * size <= 4 {
            Some(e + 8)
        } else {
            self.u32(e + 8).map(|o| o as usize)
        };
        let Some(at) = at else {
            return Vec::new();
        };
        (0..count)
            .map_while(|i| match size {
                2 => self.u16(at + 2 * i).map(u32::from),
                _ => self.u32(at + 4 * i),
            })
            .collect()
    }

    /// The first SHORT, LONG or IFD value of the entry at `e`.
    pub fn uint(&self, e: usize) -> Option<u32> {
        self.uints(e, 1).first().copied()
    }

    /// The directory at `ifd`: (tag, entry position) pairs, and the next directory's offset.
    fn entries(&self, ifd: usize) -> Option<(Vec<(u16, usize)>, u32)> {
        let n = (self.u16(ifd)? as usize).min(MAX_ENTRIES);
        let list: Vec<(u16, usize)> = (0..n)
            .map_while(|i| {
                let e = ifd + 2 + 12 * i;
                Some((self.u16(e)?, e))
            })
            .collect();
        let next = self.u32(ifd + 2 + 12 * list.len()).unwrap_or(0);
        Some((list, next))
    }
}

/// Where the entry for `tag` is in a directory's list, if it has one.
fn entry(list: &[(u16, usize)], tag: u16) -> Option<usize> {
    list.iter().find(|(t, _)| *t == tag).map(|&(_, e)| e)
}

/// (offset, length) of every JPEG a TIFF-structured RAW points at.
fn tiff(b: &[u8]) -> Vec<(usize, usize)> {
    let le = match b.get(..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return Vec::new(),
    };
    let t = Tiff { b, le };
    let Some(first) = t.u32(4) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut seen = Vec::new();
    // (directory, depth): the IFD chain at depth 0, sub-IFDs below it.
    let mut queue = vec![(first as usize, 0u8)];
    while let Some((ifd, depth)) = queue.pop() {
        if ifd == 0 || seen.contains(&ifd) || seen.len() >= MAX_IFDS {
            continue;
        }
        seen.push(ifd);
        let Some((entries, next)) = t.entries(ifd) else {
            continue;
        };
        let get = |tag: u16| entry(&entries, tag);
        let val = |tag: u16| get(tag).and_then(|e| t.uint(e));
        if let (Some(at), Some(len)) = (val(0x0201), val(0x0202)) {
            found.push((at as usize, len as usize));
        }
        if matches!(val(0x0103), Some(6 | 7)) {
            let strips = get(0x0111).map(|e| t.uints(e, 2)).unwrap_or_default();
            let counts = get(0x0117).map(|e| t.uints(e, 2)).unwrap_or_default();
            if let ([at], [len]) = (&strips[..], &counts[..]) {
                found.push((*at as usize, *len as usize));
            }
        }
        // RW2's JpgFromRaw: UNDEFINED bytes at an offset.
        if let Some(e) = get(0x002E) {
            if let (Some(7), Some(len), Some(at)) = (t.u16(e + 2), t.u32(e + 4), t.u32(e + 8)) {
                found.push((at as usize, len as usize));
            }
        }
        if let Some(exif) = val(0x8769) {
            olympus_preview(&t, exif as usize, &mut found);
        }
        if depth < 3 {
            if let Some(e) = get(0x014A) {
                for sub in t.uints(e, 16) {
                    queue.push((sub as usize, depth + 1));
                }
            }
        }
        if depth == 0 && next != 0 {
            queue.push((next as usize, 0));
        }
    }
    found
}

/// An Olympus maker note (in the EXIF IFD at `exif`): `OLYMPUS\0` + byte order + version,
/// then an IFD whose offsets count from the note's start; its `CameraSettings` (0x2020)
/// directory gives `PreviewImageStart` (0x0101) and `PreviewImageLength` (0x0102).
fn olympus_preview(t: &Tiff, exif: usize, found: &mut Vec<(usize, usize)>) {
    let Some(e) = t.entries(exif).and_then(|(list, _)| entry(&list, 0x927C)) else {
        return;
    };
    let (Some(len), Some(at)) = (t.u32(e + 4), t.u32(e + 8)) else {
        return;
    };
    let note = at as usize;
    let Some(head) =
        t.b.get(note..note.saturating_add(12).min(note + len as usize))
    else {
        return;
    };
    if !head.starts_with(b"OLYMPUS\0") || head.len() < 12 {
        return;
    }
    let le = &head[8..10] == b"II";
    let n = Tiff { b: t.b, le };
    let settings = n
        .entries(note + 12)
        .and_then(|(list, _)| entry(&list, 0x2020))
        .and_then(|e| n.uint(e));
    let Some((inner, _)) = settings.and_then(|sub| n.entries(note + sub as usize)) else {
        return;
    };
    let val = |tag: u16| entry(&inner, tag).and_then(|e| n.uint(e));
    if let (Some(start), Some(len)) = (val(0x0101), val(0x0102)) {
        found.push((note + start as usize, len as usize));
    }
}

/// RAF: the header's JPEG offset and length (big-endian, at 84 and 88).
fn raf(b: &[u8]) -> Vec<(usize, usize)> {
    let at = |i: usize| -> Option<usize> {
        Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize)
    };
    match (at(84), at(88)) {
        (Some(offset), Some(len)) => vec![(offset, len)],
        _ => Vec::new(),
    }
}

/// Canon's `uuid` box in `moov` (holds CMT1–CMT4 and THMB).
const CANON_UUID: [u8; 16] = [
    0x85, 0xC0, 0xB6, 0x87, 0x82, 0x0F, 0x11, 0xE0, 0x81, 0x11, 0xF4, 0xCE, 0x46, 0x2B, 0x6A, 0x48,
];
/// The top-level `uuid` box that holds `PRVW`.
const PREVIEW_UUID: [u8; 16] = [
    0xEA, 0xF4, 0x2B, 0x5E, 0x1C, 0x98, 0x4B, 0x88, 0xB9, 0xFB, 0xB7, 0xDC, 0x40, 0x6E, 0x4D, 0x16,
];

/// One ISO media box: its type, its body and where the body starts in the file.
struct Mp4Box<'a> {
    kind: [u8; 4],
    body: &'a [u8],
    start: usize,
}

impl<'a> Mp4Box<'a> {
    fn uuid(&self) -> Option<&'a [u8; 16]> {
        if &self.kind != b"uuid" {
            return None;
        }
        self.body.get(..16)?.try_into().ok()
    }

    /// The boxes inside this one, from `skip` bytes into its body.
    fn children(&self, skip: usize) -> impl Iterator<Item = Mp4Box<'a>> {
        boxes(self.body.get(skip..).unwrap_or(&[]), self.start + skip)
    }

    fn child(&self, kind: &[u8; 4]) -> Option<Mp4Box<'a>> {
        self.children(0).find(|x| &x.kind == kind)
    }
}

/// The boxes laid end to end in `b`, which starts at `origin` in the file (stops at the
/// first malformed size).
fn boxes(b: &[u8], origin: usize) -> impl Iterator<Item = Mp4Box<'_>> {
    let mut i = 0usize;
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as u64;
        let kind: [u8; 4] = b.get(i + 4..i + 8)?.try_into().ok()?;
        let (head, size) = match size {
            1 => (
                16,
                u64::from_be_bytes(b.get(i + 8..i + 16)?.try_into().ok()?),
            ),
            0 => (8, (b.len() - i) as u64),
            s => (8, s),
        };
        let end = i.checked_add(usize::try_from(size).ok()?)?;
        if size < head as u64 || end > b.len() {
            return None;
        }
        let found = Mp4Box {
            kind,
            body: &b[i + head..end],
            start: origin + i + head,
        };
        i = end;
        Some(found)
    })
}

/// CR3: the first track's first sample (the full-size JPEG) and `PRVW`'s JPEG.
fn cr3(b: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for top in boxes(b, 0) {
        // The preview `uuid`: 16 bytes of uuid, 8 more, then `PRVW`: u32, u16, width u16,
        // height u16, u16, the JPEG's length u32, the JPEG.
        if top.uuid() == Some(&PREVIEW_UUID) {
            if let Some(prvw) = top.children(24).find(|x| &x.kind == b"PRVW") {
                if let Some(len) = prvw.body.get(12..16) {
                    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
                    found.push((prvw.start + 16, len));
                }
            }
        }
        if &top.kind == b"moov" {
            if let Some(span) = first_sample(&top) {
                found.push(span);
            }
        }
    }
    found
}

/// The first sample of `moov`'s first track: offset from `co64`/`stco`, size from `stsz`.
fn first_sample(moov: &Mp4Box) -> Option<(usize, usize)> {
    let stbl = moov
        .child(b"trak")?
        .child(b"mdia")?
        .child(b"minf")?
        .child(b"stbl")?;
    let be32 = |s: &[u8], i: usize| -> Option<u64> {
        Some(u32::from_be_bytes(s.get(i..i + 4)?.try_into().ok()?) as u64)
    };
    // stsz: version/flags, sample_size (0: sizes follow), sample_count, sizes.
    let stsz = stbl.child(b"stsz")?;
    let size = match be32(stsz.body, 4)? {
        0 => be32(stsz.body, 12)?,
        s => s,
    };
    // co64/stco: version/flags, entry count, offsets.
    let offset = if let Some(c) = stbl.child(b"co64") {
        u64::from_be_bytes(c.body.get(8..16)?.try_into().ok()?)
    } else {
        be32(stbl.child(b"stco")?.body, 8)?
    };
    Some((usize::try_from(offset).ok()?, usize::try_from(size).ok()?))
}

/// The `CMT1` box of a CR3 (a TIFF block: IFD0).
fn cr3_cmt1(b: &[u8]) -> Option<&[u8]> {
    let moov = boxes(b, 0).find(|x| &x.kind == b"moov")?;
    let canon = moov.children(0).find(|x| x.uuid() == Some(&CANON_UUID))?;
    let cmt1 = canon.children(16).find(|x| &x.kind == b"CMT1")?;
    Some(cmt1.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG's first bytes up to its SOF segment (`marker`), `w`x`h`.
    fn jpeg_head(marker: u8, w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xFF, marker, 0, 11, 8,
        ];
        b.extend(h.to_be_bytes());
        b.extend(w.to_be_bytes());
        b.extend([1, 1, 0x11, 0]);
        b
    }

    #[test]
    fn only_baseline_and_progressive_jpegs_are_pictures() {
        assert_eq!(jpeg_size(&jpeg_head(0xC0, 640, 480)), Some((640, 480)));
        assert_eq!(jpeg_size(&jpeg_head(0xC2, 640, 480)), Some((640, 480)));
        assert_eq!(jpeg_size(&jpeg_head(0xC3, 640, 480)), None, "lossless");
        assert_eq!(jpeg_size(&jpeg_head(0xC0, 0, 480)), None);
        assert_eq!(jpeg_size(&jpeg_head(0xC0, 640, 480)[..15]), None, "cut");
        assert_eq!(jpeg_size(b"\xFF\xD8\xFF\xDA"), None);
    }

    #[test]
    fn directory_cycles_end_and_the_largest_preview_wins() {
        // IFD0 at 8 (3 entries: a 640x480 JPEG, SubIFDs -> IFD0 itself, next -> IFD0);
        // then a 1024x768 JPEG pointed at from nowhere, then the 640x480 one.
        let big = jpeg_head(0xC0, 1024, 768);
        let small = jpeg_head(0xC0, 640, 480);
        let ifd_len = 2 + 3 * 12 + 4;
        let small_at = 8 + ifd_len + big.len();
        let mut b = b"II*\0\x08\0\0\0".to_vec();
        b.extend(3u16.to_le_bytes());
        for (tag, kind, value) in [
            (0x014Au16, 4u16, 8u32),
            (0x0201, 4, small_at as u32),
            (0x0202, 4, small.len() as u32),
        ] {
            b.extend(tag.to_le_bytes());
            b.extend(kind.to_le_bytes());
            b.extend(1u32.to_le_bytes());
            b.extend(value.to_le_bytes());
        }
        b.extend(8u32.to_le_bytes());
        b.extend(&big);
        b.extend(&small);
        let p = preview(&b, RawKind::Nef).expect("a preview");
        assert_eq!((p.width, p.height), (640, 480));
        assert_eq!(p.jpeg, &small[..]);
        // A length past the end of the file is no candidate.
        let mut cut = b.clone();
        cut.truncate(small_at + 4);
        assert_eq!(
            preview(&cut, RawKind::Nef),
            Err(NoPreview::None("NEF (Nikon RAW)"))
        );
    }

    #[test]
    fn box_sizes_that_lie_stop_the_walk() {
        let mut b = 0u32.to_be_bytes().to_vec();
        b.extend(b"moov");
        assert_eq!(boxes(&b, 0).count(), 1, "size 0: to the end");
        let mut huge = 1u32.to_be_bytes().to_vec();
        huge.extend(b"mdat");
        huge.extend(u64::MAX.to_be_bytes());
        assert_eq!(boxes(&huge, 0).count(), 0);
        let short = [0, 0, 0, 4, b'f', b'r', b'e', b'e'];
        assert_eq!(boxes(&short, 0).count(), 0, "smaller than its header");
        assert!(cr3(&huge).is_empty());
    }
}
