//! Lossless removal of location and camera-serial metadata for what public URLs serve.
//! Pixels are untouched: JPEG/PNG/WebP containers are rewritten without their EXIF and XMP
//! blocks; a JPEG keeps a minimal EXIF with only its orientation, so it still displays upright.
//! GIF, BMP, TGA and ICO carry no such metadata. TIFF, HEIC, AVIF and JPEG XL keep EXIF where a
//! rewrite would mean rebuilding the container (TIFF directories, HEIF's `iloc`-addressed
//! items, JPEG XL boxes): they are refused, and the public copy fails with that reason.

/// Returns the bytes without EXIF/XMP, or why this format cannot be stripped.
pub fn strip(format: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    match format {
        "jpeg" => jpeg(bytes),
        "png" => png(bytes),
        "webp" => webp(bytes),
        "gif" | "bmp" | "tga" | "ico" => Ok(bytes.to_vec()),
        other => Err(format!(
            "cannot remove location data from a {other} file for its public copy; keep it private, \
             or turn off \"strip location\" for this remote"
        )),
    }
}

fn jpeg(b: &[u8]) -> Result<Vec<u8>, String> {
    let bad = || "not a valid JPEG file".to_string();
    if b.len() < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return Err(bad());
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..2]);
    let mut orientation = None;
    let mut i = 2;
    let mut wrote_exif = false;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return Err(bad());
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        // Start of scan: the rest (entropy-coded data and trailer) is copied as is.
        if marker == 0xDA {
            out.extend_from_slice(&b[i..]);
            return Ok(out);
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&b[i..i + 2]);
            i += 2;
            continue;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        let end = i + 2 + len;
        if len < 2 || end > b.len() {
            return Err(bad());
        }
        let payload = &b[i + 4..end];
        let is_exif = marker == 0xE1 && payload.starts_with(b"Exif\0");
        let is_xmp = marker == 0xE1 && payload.starts_with(b"http://ns.adobe.com/");
        // IPTC (Photoshop APP13) can carry locations too.
        let is_iptc = marker == 0xED;
        if is_exif {
            orientation = orientation.or_else(|| exif_orientation(&payload[6..]));
        }
        if is_exif || is_xmp || is_iptc {
            i = end;
            continue;
        }
        // Put the minimal EXIF right after JFIF/other APP0 segments, before anything else.
        if !wrote_exif && marker != 0xE0 {
            if let Some(o) = orientation.filter(|o| *o != 1) {
                out.extend_from_slice(&minimal_exif(o));
            }
            wrote_exif = true;
        }
        out.extend_from_slice(&b[i..end]);
        i = end;
    }
    Err(bad())
}

/// Orientation (tag 0x0112) from a TIFF structure.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let le = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |o: usize| -> Option<u16> {
        let s = tiff.get(o..o + 2)?;
        Some(if le {
            u16::from_le_bytes([s[0], s[1]])
        } else {
            u16::from_be_bytes([s[0], s[1]])
        })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let s = tiff.get(o..o + 4)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    };
    let ifd = u32_at(4)? as usize;
    let n = u16_at(ifd)? as usize;
    (0..n.min(512)).find_map(|k| {
        let e = ifd + 2 + 12 * k;
        (u16_at(e)? == 0x0112).then(|| u16_at(e + 8)).flatten()
    })
}

/// An APP1 EXIF segment holding only an orientation.
fn minimal_exif(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian, IFD0 at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    seg
}

fn png(b: &[u8]) -> Result<Vec<u8>, String> {
    const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !b.starts_with(SIG) {
        return Err("not a valid PNG file".into());
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(SIG);
    let mut i = SIG.len();
    while i + 12 <= b.len() {
        let len = u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        let end = i + 12 + len;
        if end > b.len() {
            return Err("not a valid PNG file".into());
        }
        let kind = &b[i + 4..i + 8];
        let data = &b[i + 8..i + 8 + len];
        let drop = kind == b"eXIf"
            || ((kind == b"iTXt" || kind == b"tEXt" || kind == b"zTXt")
                && (data.starts_with(b"XML:com.adobe.xmp\0")
                    || data.starts_with(b"Raw profile type exif\0")
                    || data.starts_with(b"Raw profile type APP1\0")));
        if !drop {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            return Ok(out);
        }
    }
    Err("not a valid PNG file".into())
}

fn webp(b: &[u8]) -> Result<Vec<u8>, String> {
    let bad = || "not a valid WebP file".to_string();
    if b.len() < 12 || &b[..4] != b"RIFF" || &b[8..12] != b"WEBP" {
        return Err(bad());
    }
    let mut body = Vec::with_capacity(b.len());
    body.extend_from_slice(b"WEBP");
    let mut i = 12;
    while i + 8 <= b.len() {
        let kind = &b[i..i + 4];
        let len = u32::from_le_bytes([b[i + 4], b[i + 5], b[i + 6], b[i + 7]]) as usize;
        let end = i + 8 + len + (len & 1);
        if i + 8 + len > b.len() {
            return Err(bad());
        }
        let end = end.min(b.len());
        if kind == b"EXIF" || kind == b"XMP " {
            i = end;
            continue;
        }
        let start = body.len();
        body.extend_from_slice(&b[i..end]);
        if kind == b"VP8X" && len >= 1 {
            // Clear the EXIF (0x08) and XMP (0x04) flags.
            body[start + 8] &= !0x0C;
        }
        i = end;
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_loses_exif_but_keeps_orientation_and_pixels() {
        // SOI, APP1 Exif with orientation 6 and a GPS-ish payload, DQT stub, SOS + data, EOI.
        let mut tiff = b"MM\0\x2A\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&[0, 2]);
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0x26]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        tiff.extend_from_slice(b"GPSSECRET");
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(&tiff);
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&app1);
        j.extend_from_slice(&[0xFF, 0xDB, 0, 4, 1, 2]);
        j.extend_from_slice(&[0xFF, 0xDA, 0, 2, 9, 9, 9, 0xFF, 0xD9]);
        let out = strip("jpeg", &j).unwrap();
        assert!(!out.windows(9).any(|w| w == b"GPSSECRET"));
        let app = &out[2..];
        assert_eq!(&app[..2], &[0xFF, 0xE1]);
        assert_eq!(exif_orientation(&app[10..]), Some(6));
        assert!(out.ends_with(&[0xFF, 0xDB, 0, 4, 1, 2, 0xFF, 0xDA, 0, 2, 9, 9, 9, 0xFF, 0xD9]));
    }

    mod props {
        use super::super::strip;
        use crate::import::props::{fixtures, mutated, mutation, CASES};
        use proptest::prelude::*;

        /// The most a stripped copy adds to its input: the minimal orientation-only EXIF.
        const ADDED: usize = 64;

        #[test]
        fn fixtures_lose_their_location() {
            for (format, bytes) in fixtures() {
                let Ok(out) = strip(format.name(), bytes) else {
                    continue;
                };
                let meta = crate::import::container_meta(*format, &out);
                let info = meta
                    .exif
                    .as_deref()
                    .and_then(crate::import::exif::parse)
                    .unwrap_or_default();
                assert_eq!(info.gps, None, "{}: no position left", format.name());
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(CASES))]

            #[test]
            fn mutated_files_strip_or_are_refused(m in mutation()) {
                let (format, bytes) = mutated(&m);
                for name in [format.name(), "jpeg", "png", "webp"] {
                    if let Ok(out) = strip(name, &bytes) {
                        prop_assert!(out.len() <= bytes.len() + ADDED, "{name}: no growth");
                    }
                }
            }

            #[test]
            fn random_bytes_strip_or_are_refused(
                head in prop::sample::select(vec![&b"\xFF\xD8"[..], b"\x89PNG\r\n\x1a\n", b"RIFF\0\0\0\0WEBP"]),
                tail in prop::collection::vec(any::<u8>(), 0..2048),
            ) {
                let bytes = [head, &tail].concat();
                for name in ["jpeg", "png", "webp"] {
                    if let Ok(out) = strip(name, &bytes) {
                        prop_assert!(out.len() <= bytes.len() + ADDED, "{name}: no growth");
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_what_it_cannot_strip() {
        assert!(strip("tiff", b"II*\0").is_err());
        for format in ["heic", "avif", "jxl"] {
            let err = strip(format, b"\0\0\0\x18ftypheic").unwrap_err();
            assert!(err.contains(&format!("from a {format} file")), "{err}");
        }
        assert!(strip("jpeg", b"nope").is_err());
        assert!(strip("png", b"nope").is_err());
    }
}
