//! Format detection from the bytes, never from the file name.
//!
//! [`sniff`] tells an image Vitrine decodes ([`Format`]) from a known image format it refuses
//! (named, for `unsupported format: NAME`) and from something that is not an image at all.
//! Signatures with a fixed magic come first; `raw` reads TIFF and ISO-media headers far
//! enough to name camera RAWs and to tell HEIC and AVIF from other ISO media; `headers` checks the formats without a
//! magic number (TGA, PCX, ICO/CUR, SVG) strictly enough that random bytes do not pass.

mod headers;
mod raw;

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// A format Vitrine decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    Bmp,
    Tiff,
    Tga,
    Ico,
    /// HEIC and other HEIF stills (HEVC-coded, or any codec libheif decodes).
    Heic,
    Avif,
    Jxl,
    /// A camera RAW, shown from its largest embedded JPEG preview (`thumbs/raw.rs`); the RAW
    /// stays the original.
    Raw(RawKind),
}

/// Which camera RAW: its catalog name (also the stored extension), MIME type and the name it
/// is called by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawKind {
    Cr2,
    Cr3,
    Nef,
    Arw,
    Dng,
    Raf,
    Orf,
    Rw2,
    Pef,
    Srw,
    /// Another maker's TIFF-based RAW (told by its layout).
    Other,
}

impl RawKind {
    pub fn name(self) -> &'static str {
        match self {
            RawKind::Cr2 => "cr2",
            RawKind::Cr3 => "cr3",
            RawKind::Nef => "nef",
            RawKind::Arw => "arw",
            RawKind::Dng => "dng",
            RawKind::Raf => "raf",
            RawKind::Orf => "orf",
            RawKind::Rw2 => "rw2",
            RawKind::Pef => "pef",
            RawKind::Srw => "srw",
            RawKind::Other => "raw",
        }
    }

    /// The name people know it by, as refusals and errors say it.
    pub fn title(self) -> &'static str {
        match self {
            RawKind::Cr2 => "CR2 (Canon RAW)",
            RawKind::Cr3 => "CR3 (Canon RAW)",
            RawKind::Nef => "NEF (Nikon RAW)",
            RawKind::Arw => "ARW (Sony RAW)",
            RawKind::Dng => "DNG (RAW)",
            RawKind::Raf => "RAF (Fujifilm RAW)",
            RawKind::Orf => "ORF (Olympus RAW)",
            RawKind::Rw2 => "RW2 (Panasonic RAW)",
            RawKind::Pef => "PEF (Pentax RAW)",
            RawKind::Srw => "SRW (Samsung RAW)",
            RawKind::Other => "camera RAW",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            RawKind::Cr2 => "image/x-canon-cr2",
            RawKind::Cr3 => "image/x-canon-cr3",
            RawKind::Nef => "image/x-nikon-nef",
            RawKind::Arw => "image/x-sony-arw",
            RawKind::Dng => "image/x-adobe-dng",
            RawKind::Raf => "image/x-fuji-raf",
            RawKind::Orf => "image/x-olympus-orf",
            RawKind::Rw2 => "image/x-panasonic-rw2",
            RawKind::Pef => "image/x-pentax-pef",
            RawKind::Srw => "image/x-samsung-srw",
            RawKind::Other => "image/x-dcraw",
        }
    }
}

impl Format {
    pub const ALL: [Format; 22] = [
        Format::Jpeg,
        Format::Png,
        Format::Gif,
        Format::Webp,
        Format::Bmp,
        Format::Tiff,
        Format::Tga,
        Format::Ico,
        Format::Heic,
        Format::Avif,
        Format::Jxl,
        Format::Raw(RawKind::Cr2),
        Format::Raw(RawKind::Cr3),
        Format::Raw(RawKind::Nef),
        Format::Raw(RawKind::Arw),
        Format::Raw(RawKind::Dng),
        Format::Raw(RawKind::Raf),
        Format::Raw(RawKind::Orf),
        Format::Raw(RawKind::Rw2),
        Format::Raw(RawKind::Pef),
        Format::Raw(RawKind::Srw),
        Format::Raw(RawKind::Other),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Bmp => "bmp",
            Format::Tiff => "tiff",
            Format::Tga => "tga",
            Format::Ico => "ico",
            Format::Heic => "heic",
            Format::Avif => "avif",
            Format::Jxl => "jxl",
            Format::Raw(kind) => kind.name(),
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
            Format::Bmp => "image/bmp",
            Format::Tiff => "image/tiff",
            Format::Tga => "image/x-tga",
            Format::Ico => "image/vnd.microsoft.icon",
            Format::Heic => "image/heic",
            Format::Avif => "image/avif",
            Format::Jxl => "image/jxl",
            Format::Raw(kind) => kind.mime(),
        }
    }

    /// The extension managed originals are stored with.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Bmp => "bmp",
            Format::Tiff => "tif",
            Format::Tga => "tga",
            Format::Ico => "ico",
            Format::Heic => "heic",
            Format::Avif => "avif",
            Format::Jxl => "jxl",
            Format::Raw(kind) => kind.name(),
        }
    }

    /// The format [`Format::name`] names (as the catalog records it).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The `image` crate's decoder for it; `None` for the formats `thumbs` decodes with
    /// libheif (HEIC, AVIF) or jxl-oxide (JPEG XL), and for RAWs (their JPEG preview).
    pub fn image_format(self) -> Option<image::ImageFormat> {
        Some(match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Gif => image::ImageFormat::Gif,
            Format::Webp => image::ImageFormat::WebP,
            Format::Bmp => image::ImageFormat::Bmp,
            Format::Tiff => image::ImageFormat::Tiff,
            Format::Tga => image::ImageFormat::Tga,
            Format::Ico => image::ImageFormat::Ico,
            Format::Heic | Format::Avif | Format::Jxl | Format::Raw(_) => return None,
        })
    }

    /// Whether a web view (WebKitGTK, browsers) shows the original as it is; for the others
    /// the app's "original size" view gets a full-size rendering instead.
    pub fn web_displayable(self) -> bool {
        use Format::*;
        match self {
            Jpeg | Png | Gif | Webp | Bmp | Ico => true,
            Tiff | Tga | Heic | Avif | Jxl | Raw(_) => false,
        }
    }
}

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Image(Format),
    /// An image format this build cannot decode (named for the error message).
    Unsupported(&'static str),
    /// Not an image; a short description of what it looks like.
    NotImage(&'static str),
}

impl Sniffed {
    /// An image, decodable or not (a folder walk reports these; it passes over the rest).
    pub fn is_image(self) -> bool {
        !matches!(self, Sniffed::NotImage(_))
    }
}

/// Extensions a folder walk treats as images even before sniffing.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "png", "apng", "gif", "webp", "bmp", "dib", "tif", "tiff", "tga",
    "ico", "avif", "heic", "heif", "jxl", "cr2", "cr3", "nef", "nrw", "arw", "srf", "sr2", "dng",
    "raf", "orf", "rw2", "pef", "srw", "3fr", "erf", "kdc", "mef", "mos", "iiq", "rwl",
];

/// How much of a file's start [`sniff_file`] reads: enough for an SVG's XML prolog and
/// comments and for a TIFF's first directory in the usual layouts.
pub const HEAD: usize = 4096;
/// A TGA 2.0 file ends in this 26-byte footer.
const TAIL: usize = 26;

/// Sniffs a whole file's bytes (or its first bytes when that is all there is).
pub fn sniff(b: &[u8]) -> Sniffed {
    let tail = &b[b.len().saturating_sub(TAIL)..];
    classify(&b[..b.len().min(HEAD)], b.len() as u64, tail)
}

/// Sniffs a file on disk from its first [`HEAD`] bytes, its size and its last bytes.
pub fn sniff_file(path: &Path) -> std::io::Result<Sniffed> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let mut head = Vec::with_capacity(HEAD);
    (&mut f).take(HEAD as u64).read_to_end(&mut head)?;
    let mut tail = Vec::with_capacity(TAIL);
    if len > head.len() as u64 {
        f.seek(SeekFrom::Start(len.saturating_sub(TAIL as u64)))?;
        f.take(TAIL as u64).read_to_end(&mut tail)?;
    } else {
        tail.extend_from_slice(&head[head.len().saturating_sub(TAIL)..]);
    }
    Ok(classify(&head, len, &tail))
}

/// `head`: the first bytes (at most [`HEAD`]); `len`: the whole size; `tail`: the last bytes.
fn classify(b: &[u8], len: u64, tail: &[u8]) -> Sniffed {
    use Format::*;
    if b.is_empty() {
        return Sniffed::NotImage("an empty file");
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Image(Jpeg);
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Image(Png);
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Sniffed::Image(Gif);
    }
    if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Sniffed::Image(Webp);
    }
    if b.starts_with(b"BM") && b.len() >= 26 {
        return Sniffed::Image(Bmp);
    }
    if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        return match raw::tiff_raw(b) {
            Some(kind) => Sniffed::Image(Raw(kind)),
            None => Sniffed::Image(Tiff),
        };
    }
    if let Some(found) = fixed_magic(b) {
        return found;
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        return raw::ftyp(b).unwrap_or(Sniffed::NotImage("a video or other ISO media file"));
    }
    if let Some(found) = headers::icon(b) {
        return found;
    }
    if headers::pcx(b) {
        return Sniffed::Unsupported("PCX");
    }
    if headers::is_svg(b) {
        return Sniffed::Unsupported("SVG");
    }
    if let Some(text) = markup_or_text(b) {
        return text;
    }
    if headers::tga(b, len, tail) {
        return Sniffed::Image(Tga);
    }
    Sniffed::NotImage("an unknown binary file")
}

/// Formats that start with a signature of their own.
fn fixed_magic(b: &[u8]) -> Option<Sniffed> {
    let found = |name| Some(Sniffed::Unsupported(name));
    if b.starts_with(b"II+\0") || b.starts_with(b"MM\0+") {
        return found("BigTIFF");
    }
    if b.starts_with(&[0xFF, 0x0A]) || b.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return Some(Sniffed::Image(Format::Jxl));
    }
    if b.starts_with(b"\0\0\0\x0cjP  \r\n\x87\n") || b.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
        return found("JPEG 2000");
    }
    if b.starts_with(b"8BPS\0\x01") {
        return found("Photoshop PSD");
    }
    if b.starts_with(b"8BPS\0\x02") {
        return found("Photoshop PSB");
    }
    let raw = |kind| Some(Sniffed::Image(Format::Raw(kind)));
    if b.starts_with(b"FUJIFILMCCD-RAW") {
        return raw(RawKind::Raf);
    }
    if b.starts_with(b"IIRO") || b.starts_with(b"IIRS") || b.starts_with(b"MMOR") {
        return raw(RawKind::Orf);
    }
    if b.starts_with(b"IIU\0") {
        return raw(RawKind::Rw2);
    }
    if headers::sgi(b) {
        return found("SGI");
    }
    if b.starts_with(b"%PDF") {
        return Some(Sniffed::NotImage("a PDF document"));
    }
    if b.starts_with(b"PK\x03\x04") {
        return Some(Sniffed::NotImage("a ZIP archive"));
    }
    None
}

/// HTML and other text (UTF-8 without NULs); `None` for binary data.
fn markup_or_text(b: &[u8]) -> Option<Sniffed> {
    let head = &b[..b.len().min(512)];
    let start = head
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(head.len());
    let lower = head[start..head.len().min(start + 16)].to_ascii_lowercase();
    if lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html") {
        return Some(Sniffed::NotImage("an HTML page"));
    }
    // A multi-byte character cut at the end of the head is still text.
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() == 512,
    };
    (valid && !head.contains(&0)).then_some(Sniffed::NotImage("a text file"))
}

#[cfg(test)]
mod tests;
