//! PNG by hand: chunks with real CRCs, text-chunk injection, and a raw writer for what the
//! `image` encoder cannot make (palette, Adam7 interlacing, 1-bit).

use std::io::Write;

pub fn crc32(kind: &[u8], data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    crc.sum()
}

/// One chunk: length, type, data, CRC.
pub fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    c.extend(crc32(kind, data).to_be_bytes());
    c
}

/// Splits a PNG into (type, data) chunks (no CRC check).
pub fn chunks_of(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let mut out = Vec::new();
    let mut pos = 8;
    while pos + 12 <= png.len() {
        let len = u32::from_be_bytes(png[pos..pos + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = png[pos + 4..pos + 8].try_into().unwrap();
        out.push((kind, png[pos + 8..pos + 8 + len].to_vec()));
        pos += 12 + len;
    }
    out
}

pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A text chunk as PNG writers make them.
#[derive(Debug, Clone, Copy)]
pub enum Text {
    /// Latin-1 `tEXt`.
    Plain,
    /// Deflated `zTXt`.
    Compressed,
    /// UTF-8 `iTXt`, uncompressed.
    International,
    /// UTF-8 `iTXt`, deflated.
    InternationalCompressed,
}

pub fn text_chunk(kind: Text, keyword: &str, text: &str) -> Vec<u8> {
    let mut d = keyword.as_bytes().to_vec();
    d.push(0);
    match kind {
        Text::Plain => {
            // Latin-1: callers pass ASCII or Latin-1 text.
            d.extend(text.chars().map(|c| c as u32 as u8));
            chunk(b"tEXt", &d)
        }
        Text::Compressed => {
            d.push(0);
            d.extend(zlib(
                &text.chars().map(|c| c as u32 as u8).collect::<Vec<_>>(),
            ));
            chunk(b"zTXt", &d)
        }
        Text::International | Text::InternationalCompressed => {
            let compressed = matches!(kind, Text::InternationalCompressed);
            d.push(u8::from(compressed));
            d.push(0); // method
            d.extend(b"en\0"); // language tag
            d.push(0); // translated keyword
            if compressed {
                d.extend(zlib(text.as_bytes()));
            } else {
                d.extend(text.as_bytes());
            }
            chunk(b"iTXt", &d)
        }
    }
}

/// Inserts already-built chunks right before the first IDAT.
pub fn insert_before_idat(png: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
    let mut out = png[..8].to_vec();
    let mut inserted = false;
    for (kind, data) in chunks_of(png) {
        if &kind == b"IDAT" && !inserted {
            for c in extra {
                out.extend(c);
            }
            inserted = true;
        }
        out.extend(chunk(&kind, &data));
    }
    assert!(inserted, "PNG without IDAT");
    out
}

/// Adds text chunks (keyword, text) of one kind before IDAT.
pub fn with_texts(png: &[u8], kind: Text, texts: &[(&str, &str)]) -> Vec<u8> {
    let chunks: Vec<Vec<u8>> = texts.iter().map(|(k, t)| text_chunk(kind, k, t)).collect();
    insert_before_idat(png, &chunks)
}

pub struct RawPng {
    pub width: u32,
    pub height: u32,
    /// 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.
    pub color_type: u8,
    pub bit_depth: u8,
    pub interlace: bool,
    pub palette: Option<Vec<u8>>,
    /// Packed samples, row after row without filter bytes; empty means all zeros.
    pub data: Vec<u8>,
}

fn samples(color_type: u8) -> u32 {
    match color_type {
        0 | 3 => 1,
        2 => 3,
        4 => 2,
        6 => 4,
        _ => panic!("colour type {color_type}"),
    }
}

/// Writes a PNG from raw samples (filter type 0 on every row).
pub fn raw_png(p: &RawPng) -> Vec<u8> {
    let bits_pp = samples(p.color_type) * p.bit_depth as u32;
    let row_bytes = |w: u32| (w as u64 * bits_pp as u64).div_ceil(8) as usize;
    let mut ihdr = Vec::new();
    ihdr.extend(p.width.to_be_bytes());
    ihdr.extend(p.height.to_be_bytes());
    ihdr.extend([p.bit_depth, p.color_type, 0, 0, u8::from(p.interlace)]);

    // Zero images (bombs) compress best at the highest level.
    let level = if p.data.is_empty() {
        flate2::Compression::best()
    } else {
        flate2::Compression::fast()
    };
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), level);
    if p.data.is_empty() {
        assert!(!p.interlace, "zero images are written non-interlaced");
        let row = vec![0u8; row_bytes(p.width) + 1];
        for _ in 0..p.height {
            enc.write_all(&row).unwrap();
        }
    } else if !p.interlace {
        let rb = row_bytes(p.width);
        assert_eq!(p.data.len(), rb * p.height as usize, "raw data size");
        for row in p.data.chunks(rb) {
            enc.write_all(&[0]).unwrap();
            enc.write_all(row).unwrap();
        }
    } else {
        assert!(
            bits_pp.is_multiple_of(8),
            "interlacing is written for whole-byte pixels"
        );
        let bpp = (bits_pp / 8) as usize;
        // Adam7 passes: (x0, y0, dx, dy)
        const PASSES: [(u32, u32, u32, u32); 7] = [
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        ];
        for (x0, y0, dx, dy) in PASSES {
            if x0 >= p.width || y0 >= p.height {
                continue;
            }
            let mut y = y0;
            while y < p.height {
                enc.write_all(&[0]).unwrap();
                let mut x = x0;
                while x < p.width {
                    let at = (y * p.width + x) as usize * bpp;
                    enc.write_all(&p.data[at..at + bpp]).unwrap();
                    x += dx;
                }
                y += dy;
            }
        }
    }
    let idat = enc.finish().unwrap();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    if let Some(pal) = &p.palette {
        out.extend(chunk(b"PLTE", pal));
    }
    out.extend(chunk(b"IDAT", &idat));
    out.extend(chunk(b"IEND", b""));
    out
}

/// Flips one bit in the CRC of the first IDAT chunk.
pub fn break_idat_crc(png: &[u8]) -> Vec<u8> {
    let mut out = png.to_vec();
    let mut pos = 8;
    loop {
        let len = u32::from_be_bytes(out[pos..pos + 4].try_into().unwrap()) as usize;
        if &out[pos + 4..pos + 8] == b"IDAT" {
            out[pos + 8 + len] ^= 0x55;
            return out;
        }
        pos += 12 + len;
    }
}
