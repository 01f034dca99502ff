//! A minimal EXIF (TIFF, big-endian) block builder and a JPEG APP1 inserter.

/// What to write. Unset fields are left out.
#[derive(Debug, Default, Clone)]
pub struct Exif {
    pub orientation: Option<u16>,
    /// `YYYY:MM:DD HH:MM:SS`
    pub date_time_original: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// (latitude, longitude, altitude in metres); negative = S / W / below sea level.
    pub gps: Option<(f64, f64, f64)>,
    /// The complete UserComment value, header included (see [`user_comment_unicode`]).
    pub user_comment: Option<Vec<u8>>,
}

/// `UNICODE\0` + UTF-16 big-endian, as A1111 (through piexif) writes it.
pub fn user_comment_unicode(text: &str) -> Vec<u8> {
    let mut v = b"UNICODE\0".to_vec();
    for u in text.encode_utf16() {
        v.extend(u.to_be_bytes());
    }
    v
}

/// `UNICODE\0` + UTF-16 little-endian without a byte-order mark (as some Windows tools write).
pub fn user_comment_unicode_le(text: &str) -> Vec<u8> {
    let mut v = b"UNICODE\0".to_vec();
    for u in text.encode_utf16() {
        v.extend(u.to_le_bytes());
    }
    v
}

/// Eight NULs ("undefined" character code) + the text.
pub fn user_comment_undefined(text: &str) -> Vec<u8> {
    let mut v = vec![0u8; 8];
    v.extend(text.as_bytes());
    v
}

/// `ASCII\0\0\0` + the text.
pub fn user_comment_ascii(text: &str) -> Vec<u8> {
    let mut v = b"ASCII\0\0\0".to_vec();
    v.extend(text.as_bytes());
    v
}

const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;
const BYTE: u16 = 1;
const UNDEFINED: u16 = 7;

struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    value: Vec<u8>,
}

fn ascii(tag: u16, s: &str) -> Entry {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    Entry {
        tag,
        kind: ASCII,
        count: v.len() as u32,
        value: v,
    }
}

fn rationals(tag: u16, vals: &[(u32, u32)]) -> Entry {
    let mut v = Vec::new();
    for (n, d) in vals {
        v.extend(n.to_be_bytes());
        v.extend(d.to_be_bytes());
    }
    Entry {
        tag,
        kind: RATIONAL,
        count: vals.len() as u32,
        value: v,
    }
}

fn long(tag: u16, x: u32) -> Entry {
    Entry {
        tag,
        kind: LONG,
        count: 1,
        value: x.to_be_bytes().to_vec(),
    }
}

/// Writes one IFD at the end of `buf` (TIFF offsets are positions in `buf`), its
/// out-of-line values right after it. Returns the IFD's offset.
fn write_ifd(buf: &mut Vec<u8>, mut entries: Vec<Entry>) -> u32 {
    entries.sort_by_key(|e| e.tag);
    if buf.len() % 2 == 1 {
        buf.push(0);
    }
    let start = buf.len();
    let data_start = start + 2 + entries.len() * 12 + 4;
    let mut data: Vec<u8> = Vec::new();
    buf.extend((entries.len() as u16).to_be_bytes());
    for e in &entries {
        buf.extend(e.tag.to_be_bytes());
        buf.extend(e.kind.to_be_bytes());
        buf.extend(e.count.to_be_bytes());
        if e.value.len() <= 4 {
            let mut v = e.value.clone();
            v.resize(4, 0);
            buf.extend(v);
        } else {
            if data.len() % 2 == 1 {
                data.push(0);
            }
            buf.extend(((data_start + data.len()) as u32).to_be_bytes());
            data.extend(&e.value);
        }
    }
    buf.extend(0u32.to_be_bytes()); // no next IFD
    buf.extend(data);
    start as u32
}

fn dms(v: f64) -> [(u32, u32); 3] {
    let v = v.abs();
    let d = v.floor();
    let m = ((v - d) * 60.0).floor();
    let s = (v - d - m / 60.0) * 3600.0;
    [
        (d as u32, 1),
        (m as u32, 1),
        ((s * 10_000.0).round() as u32, 10_000),
    ]
}

impl Exif {
    /// The TIFF-structured block (what follows `Exif\0\0` in APP1).
    pub fn tiff(&self) -> Vec<u8> {
        let mut buf = b"MM\0\x2a\0\0\0\0".to_vec();
        let mut exif_entries = Vec::new();
        if let Some(dt) = &self.date_time_original {
            exif_entries.push(ascii(0x9003, dt));
        }
        if let Some(c) = &self.user_comment {
            exif_entries.push(Entry {
                tag: 0x9286,
                kind: UNDEFINED,
                count: c.len() as u32,
                value: c.clone(),
            });
        }
        let exif_ifd = (!exif_entries.is_empty()).then(|| write_ifd(&mut buf, exif_entries));
        let gps_ifd = self.gps.map(|(lat, lon, alt)| {
            let entries = vec![
                Entry {
                    tag: 0,
                    kind: BYTE,
                    count: 4,
                    value: vec![2, 3, 0, 0],
                },
                ascii(1, if lat < 0.0 { "S" } else { "N" }),
                rationals(2, &dms(lat)),
                ascii(3, if lon < 0.0 { "W" } else { "E" }),
                rationals(4, &dms(lon)),
                Entry {
                    tag: 5,
                    kind: BYTE,
                    count: 1,
                    value: vec![u8::from(alt < 0.0)],
                },
                rationals(6, &[((alt.abs() * 100.0).round() as u32, 100)]),
            ];
            write_ifd(&mut buf, entries)
        });
        let mut ifd0 = Vec::new();
        if let Some(m) = &self.make {
            ifd0.push(ascii(0x010F, m));
        }
        if let Some(m) = &self.model {
            ifd0.push(ascii(0x0110, m));
        }
        if let Some(o) = self.orientation {
            ifd0.push(Entry {
                tag: 0x0112,
                kind: SHORT,
                count: 1,
                value: o.to_be_bytes().to_vec(),
            });
        }
        if let Some(off) = exif_ifd {
            ifd0.push(long(0x8769, off));
        }
        if let Some(off) = gps_ifd {
            ifd0.push(long(0x8825, off));
        }
        let ifd0_off = write_ifd(&mut buf, ifd0);
        buf[4..8].copy_from_slice(&ifd0_off.to_be_bytes());
        buf
    }
}

/// Inserts an APP1 `Exif` segment right after SOI.
pub fn jpeg_with_exif(jpeg: &[u8], exif: &Exif) -> Vec<u8> {
    assert!(jpeg.starts_with(&[0xFF, 0xD8]), "not a JPEG");
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(exif.tiff());
    let len = payload.len() + 2;
    assert!(len <= 0xFFFF, "APP1 too large");
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend((len as u16).to_be_bytes());
    out.extend(payload);
    out.extend(&jpeg[2..]);
    out
}

/// A WebP with an `EXIF` chunk, as piexif's `insert` makes one from a simple WebP: a `VP8X`
/// header (EXIF flag, canvas size) first, the image chunk, then `EXIF` holding the TIFF block
/// (`with_prefix`: preceded by `Exif\0\0`, as some other writers do).
pub fn webp_with_exif(
    webp: &[u8],
    width: u32,
    height: u32,
    exif: &Exif,
    with_prefix: bool,
) -> Vec<u8> {
    assert!(
        webp.starts_with(b"RIFF") && &webp[8..12] == b"WEBP",
        "not a WebP"
    );
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut c = kind.to_vec();
        c.extend((data.len() as u32).to_le_bytes());
        c.extend(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    let mut vp8x = vec![0x08, 0, 0, 0];
    vp8x.extend(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend(&(height - 1).to_le_bytes()[..3]);
    let mut payload = if with_prefix {
        b"Exif\0\0".to_vec()
    } else {
        Vec::new()
    };
    payload.extend(exif.tiff());
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend(&webp[12..]);
    body.extend(chunk(b"EXIF", &payload));
    let mut out = b"RIFF".to_vec();
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}
