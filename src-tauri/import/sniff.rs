//! Format detection from the bytes, never from the file name.

/// A format Vitrine decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    Bmp,
    Tiff,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Bmp => "bmp",
            Format::Tiff => "tiff",
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
        }
    }

    pub fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Gif => image::ImageFormat::Gif,
            Format::Webp => image::ImageFormat::WebP,
            Format::Bmp => image::ImageFormat::Bmp,
            Format::Tiff => image::ImageFormat::Tiff,
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

/// Extensions a folder walk treats as images even before sniffing.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "png", "apng", "gif", "webp", "bmp", "dib", "tif", "tiff",
    "avif", "heic", "heif", "jxl",
];

pub fn sniff(b: &[u8]) -> Sniffed {
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
        return Sniffed::Image(Tiff);
    }
    if b.starts_with(b"II+\0") || b.starts_with(b"MM\0+") {
        return Sniffed::Unsupported("BigTIFF");
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        let brands = &b[8..b.len().min(64)];
        let has = |brand: &[u8]| brands.chunks(4).any(|c| c == brand);
        if has(b"avif") || has(b"avis") {
            return Sniffed::Unsupported("AVIF");
        }
        if has(b"heic")
            || has(b"heix")
            || has(b"mif1")
            || has(b"msf1")
            || has(b"heim")
            || has(b"hevc")
        {
            return Sniffed::Unsupported("HEIC");
        }
        return Sniffed::NotImage("a video or other ISO media file");
    }
    if b.starts_with(&[0xFF, 0x0A]) || b.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return Sniffed::Unsupported("JPEG XL");
    }
    if b.starts_with(b"8BPS") {
        return Sniffed::Unsupported("Photoshop PSD");
    }
    if b.starts_with(&[0, 0, 1, 0]) && b.len() > 6 {
        return Sniffed::Unsupported("ICO");
    }
    if b.starts_with(b"%PDF") {
        return Sniffed::NotImage("a PDF document");
    }
    if b.starts_with(b"PK\x03\x04") {
        return Sniffed::NotImage("a ZIP archive");
    }
    let head = &b[..b.len().min(512)];
    let trimmed: Vec<u8> = head
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take(64)
        .collect();
    let lower = String::from_utf8_lossy(&trimmed).to_lowercase();
    if lower.starts_with("<svg")
        || (lower.starts_with("<?xml") && String::from_utf8_lossy(head).contains("<svg"))
    {
        return Sniffed::Unsupported("SVG");
    }
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Sniffed::NotImage("an HTML page");
    }
    if std::str::from_utf8(head).is_ok() && !head.contains(&0) {
        return Sniffed::NotImage("a text file");
    }
    Sniffed::NotImage("an unknown binary file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Sniffed::Image(Format::Jpeg)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Sniffed::Image(Format::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Sniffed::Image(Format::Webp));
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1"),
            Sniffed::Unsupported("AVIF")
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
            Sniffed::Unsupported("HEIC")
        );
        assert_eq!(sniff(b"hello, world\n"), Sniffed::NotImage("a text file"));
        assert_eq!(sniff(b""), Sniffed::NotImage("an empty file"));
    }
}
