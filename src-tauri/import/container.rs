//! Reads metadata blocks out of image containers without decoding pixels: JPEG APP1 (EXIF,
//! XMP), APP2 (ICC), APP11 (JUMBF: C2PA) and COM segments; PNG text, eXIf, iCCP and caBX
//! chunks; WebP EXIF, XMP and ICCP chunks; HEIF's `Exif` item and `colr` profile (through
//! libheif, which parses the boxes without decoding) and JPEG XL's `Exif` box and ICC profile
//! (through jxl-oxide). Every reader stops at the first malformed length instead of failing:
//! metadata is optional.

use std::io::Read;

use super::sniff::Format;

#[derive(Debug, Default)]
pub struct Meta {
    /// TIFF-structured EXIF payload (without the `Exif\0\0` prefix).
    pub exif: Option<Vec<u8>>,
    pub icc: Option<Vec<u8>>,
    /// PNG text chunks (keyword, text) and JPEG comments (keyword `Comment`), then what XMP
    /// says under PNG keywords (`Description`, `Author`).
    pub texts: Vec<(String, String)>,
    /// The C2PA manifest store (a JUMBF box), when there is one.
    pub c2pa: Option<Vec<u8>>,
}

/// Upper bound for any one decompressed text or profile (zip-bomb guard).
const MAX_INFLATED: u64 = 8 * 1024 * 1024;
/// Upper bound for a C2PA manifest store gathered from JPEG segments.
const MAX_JUMBF: usize = 16 * 1024 * 1024;
const XMP_JPEG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

pub fn read(format: Format, bytes: &[u8]) -> Meta {
    let mut meta = containers(format, bytes);
    let xmp = meta
        .texts
        .iter()
        .find(|(k, _)| k == "XML:com.adobe.xmp")
        .map(|(_, v)| super::xmp::texts(v));
    meta.texts.extend(xmp.unwrap_or_default());
    meta
}

fn containers(format: Format, bytes: &[u8]) -> Meta {
    match format {
        Format::Jpeg => jpeg(bytes),
        Format::Png => png(bytes),
        Format::Webp => webp(bytes),
        Format::Tiff => Meta {
            exif: Some(bytes.to_vec()),
            icc: tiff_icc(bytes),
            ..Meta::default()
        },
        Format::Heic | Format::Avif => match crate::thumbs::heif::Heif::open(bytes, u64::MAX) {
            Ok(file) => Meta {
                exif: file.exif(),
                icc: file.icc(),
                ..Meta::default()
            },
            Err(_) => Meta::default(),
        },
        // A panic in the Rust decoder on malformed data is a file without metadata here (the
        // decode step reports it as corrupt).
        Format::Jxl => std::panic::catch_unwind(|| {
            let file = crate::thumbs::jxl::Jxl::open(bytes, JXL_PARSE_ALLOC).ok()?;
            Some(Meta {
                exif: file.exif(),
                icc: file.icc(),
                ..Meta::default()
            })
        })
        .ok()
        .flatten()
        .unwrap_or_default(),
        Format::Gif | Format::Bmp | Format::Tga | Format::Ico => Meta::default(),
        // The RAW's own EXIF (RAF's is its preview's); the colour profile of the preview, which
        // is the picture shown.
        Format::Raw(kind) => {
            let preview = crate::thumbs::raw::preview(bytes, kind)
                .map(|p| jpeg(p.jpeg))
                .unwrap_or_default();
            Meta {
                exif: crate::thumbs::raw::exif(bytes, kind).or(preview.exif),
                icc: preview.icc,
                ..Meta::default()
            }
        }
    }
}

/// What parsing a JPEG XL's headers may allocate (nothing is rendered here).
const JXL_PARSE_ALLOC: usize = 64 << 20;

/// The embedded ICC profile, if any.
pub fn icc_profile(format: Format, bytes: &[u8]) -> Option<Vec<u8>> {
    read(format, bytes).icc
}

fn tiff_icc(bytes: &[u8]) -> Option<Vec<u8>> {
    use image::ImageDecoder;
    let mut decoder = image::codecs::tiff::TiffDecoder::new(std::io::Cursor::new(bytes)).ok()?;
    decoder.icc_profile().ok().flatten()
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?) as usize)
}

fn be32(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

fn le32(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

fn jpeg(b: &[u8]) -> Meta {
    let mut meta = Meta::default();
    let mut icc_parts: Vec<(u8, &[u8])> = Vec::new();
    let mut jumbf: Vec<u8> = Vec::new();
    let mut pos = 2;
    while pos + 4 <= b.len() {
        if b[pos] != 0xFF {
            break;
        }
        let marker = b[pos + 1];
        if marker == 0xFF {
            pos += 1;
            continue;
        }
        // Start of scan or end of image: metadata segments come before the pixels.
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            pos += 2;
            continue;
        }
        let Some(len) = be16(b, pos + 2) else { break };
        if len < 2 || pos + 2 + len > b.len() {
            break;
        }
        let data = &b[pos + 4..pos + 2 + len];
        match marker {
            0xE1 if data.starts_with(b"Exif\0\0") && meta.exif.is_none() => {
                meta.exif = Some(data[6..].to_vec());
            }
            0xE1 if data.starts_with(XMP_JPEG) => xmp(&mut meta, &data[XMP_JPEG.len()..]),
            0xE2 if data.starts_with(b"ICC_PROFILE\0") && data.len() > 14 => {
                icc_parts.push((data[12], &data[14..]));
            }
            // JPEG XT box segments: "JP", box instance (2), sequence number (4), then the box;
            // every segment after the first repeats the box's 8-byte header.
            0xEB if data.starts_with(b"JP") && data.len() > 16 => {
                let body = if jumbf.is_empty() {
                    &data[8..]
                } else {
                    &data[16..]
                };
                if jumbf.len() + body.len() <= MAX_JUMBF {
                    jumbf.extend_from_slice(body);
                }
            }
            0xFE => {
                let text = String::from_utf8_lossy(data)
                    .trim_end_matches('\0')
                    .to_string();
                if !text.trim().is_empty() {
                    meta.texts.push(("Comment".into(), text));
                }
            }
            _ => {}
        }
        pos += 2 + len;
    }
    if !icc_parts.is_empty() {
        icc_parts.sort_by_key(|p| p.0);
        meta.icc = Some(icc_parts.iter().flat_map(|p| p.1.iter().copied()).collect());
    }
    if !jumbf.is_empty() {
        meta.c2pa = Some(jumbf);
    }
    meta
}

/// An XMP packet's properties, as texts.
fn xmp(meta: &mut Meta, packet: &[u8]) {
    meta.texts
        .extend(super::xmp::texts(&String::from_utf8_lossy(packet)));
}

fn inflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .take(MAX_INFLATED)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

fn png(b: &[u8]) -> Meta {
    let mut meta = Meta::default();
    let mut pos = 8;
    while pos + 8 <= b.len() {
        let Some(len) = be32(b, pos) else { break };
        let kind = &b[pos + 4..pos + 8];
        let Some(end) = (pos + 8).checked_add(len) else {
            break;
        };
        if end + 4 > b.len() {
            break;
        }
        let data = &b[pos + 8..end];
        match kind {
            b"tEXt" => {
                if let Some(nul) = data.iter().position(|&c| c == 0) {
                    meta.texts
                        .push((latin1(&data[..nul]), latin1(&data[nul + 1..])));
                }
            }
            b"zTXt" => {
                if let Some(nul) = data.iter().position(|&c| c == 0) {
                    if let Some(text) = data.get(nul + 2..).and_then(inflate) {
                        meta.texts.push((latin1(&data[..nul]), latin1(&text)));
                    }
                }
            }
            b"iTXt" => {
                if let Some(t) = itxt(data) {
                    meta.texts.push(t);
                }
            }
            b"eXIf" if meta.exif.is_none() => {
                let d = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
                meta.exif = Some(d.to_vec());
            }
            b"iCCP" => {
                if let Some(nul) = data.iter().position(|&c| c == 0) {
                    meta.icc = data.get(nul + 2..).and_then(inflate);
                }
            }
            b"caBX" if meta.c2pa.is_none() => meta.c2pa = Some(data.to_vec()),
            b"IEND" => break,
            _ => {}
        }
        pos = end + 4;
    }
    meta
}

fn itxt(data: &[u8]) -> Option<(String, String)> {
    let nul = data.iter().position(|&c| c == 0)?;
    let keyword = latin1(&data[..nul]);
    let compressed = *data.get(nul + 1)? == 1;
    let rest = data.get(nul + 3..)?;
    let lang_end = rest.iter().position(|&c| c == 0)?;
    let rest = &rest[lang_end + 1..];
    let tk_end = rest.iter().position(|&c| c == 0)?;
    let text = &rest[tk_end + 1..];
    let text = if compressed {
        inflate(text)?
    } else {
        text.to_vec()
    };
    Some((keyword, String::from_utf8_lossy(&text).into_owned()))
}

fn webp(b: &[u8]) -> Meta {
    let mut meta = Meta::default();
    let mut pos = 12;
    while pos + 8 <= b.len() {
        let kind = &b[pos..pos + 4];
        let Some(len) = le32(b, pos + 4) else { break };
        let Some(end) = (pos + 8).checked_add(len) else {
            break;
        };
        if end > b.len() {
            break;
        }
        let data = &b[pos + 8..end];
        match kind {
            b"EXIF" => {
                let d = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
                meta.exif = Some(d.to_vec());
            }
            b"ICCP" => meta.icc = Some(data.to_vec()),
            b"XMP " => xmp(&mut meta, data),
            _ => {}
        }
        pos = end + (len & 1);
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    #[test]
    fn reads_png_text_chunks_of_every_kind() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"tEXt", b"parameters\0a cat"));
        let mut z = b"prompt\0\0".to_vec();
        {
            use std::io::Write;
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(b"{\"1\":{}}").unwrap();
            z.extend(e.finish().unwrap());
        }
        png.extend(chunk(b"zTXt", &z));
        png.extend(chunk(
            b"iTXt",
            "Description\0\0\0en\0\0caf\u{e9} \u{1F431}".as_bytes(),
        ));
        png.extend(chunk(b"IEND", b""));
        let meta = read(Format::Png, &png);
        assert_eq!(
            meta.texts,
            vec![
                ("parameters".to_string(), "a cat".to_string()),
                ("prompt".to_string(), "{\"1\":{}}".to_string()),
                ("Description".to_string(), "caf\u{e9} \u{1F431}".to_string()),
            ]
        );
    }

    #[test]
    fn malformed_lengths_stop_quietly() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xF0]);
        png.extend_from_slice(b"tEXt");
        assert!(read(Format::Png, &png).texts.is_empty());
        assert!(read(Format::Jpeg, &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF])
            .exif
            .is_none());
        assert!(read(Format::Webp, b"RIFF\0\0\0\0WEBPEXIF\xff\xff\xff\xff")
            .exif
            .is_none());
    }
}
