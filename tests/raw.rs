//! Camera RAWs import from the largest JPEG preview their camera embedded; the RAW stays the
//! original. Each file is laid out as its camera writes it (directories, maker note, header
//! offsets, ISO boxes) around JPEG previews made here, with sensor data as filler (CR2's and
//! DNG's as lossless-JPEG streams, which are not pictures). Where exiftool is installed
//! (`scripts/setup --test`), it must find the same preview in each file.

use std::path::Path;
use std::process::Command;

use crate::orientation::assert_upright;
use crate::support::exif::Exif;
use crate::support::images::*;
use crate::support::{sha256_hex, TestLib};

/// One TIFF entry's value.
enum V {
    Short(u16),
    Shorts(Vec<u16>),
    Long(u32),
    Ascii(&'static str),
    Bytes(Vec<u8>),
    /// LONG: where blob `i` starts.
    At(usize),
    /// LONG: blob `i`'s length.
    Len(usize),
    /// UNDEFINED: blob `i` itself (count = its length, value = its offset).
    Undefined(usize),
    /// LONG(s): where these directories start.
    Ifds(Vec<usize>),
}

/// A directory: its entries, and the directory that follows it in the chain.
type Dir = (Vec<(u16, V)>, Option<usize>);

/// A TIFF-structured RAW: header (magic, then `extra` bytes after the IFD0 offset), each
/// directory followed by the values that do not fit in an entry, then the blobs.
struct Raw {
    le: bool,
    magic: [u8; 4],
    extra: Vec<u8>,
    ifds: Vec<Dir>,
    blobs: Vec<Vec<u8>>,
}

impl Raw {
    fn new(le: bool, magic: &[u8; 4]) -> Self {
        Raw {
            le,
            magic: *magic,
            extra: Vec::new(),
            ifds: Vec::new(),
            blobs: Vec::new(),
        }
    }

    fn blob(&mut self, b: Vec<u8>) -> usize {
        self.blobs.push(b);
        self.blobs.len() - 1
    }

    fn ifd(&mut self, mut entries: Vec<(u16, V)>, next: Option<usize>) -> usize {
        entries.sort_by_key(|(t, _)| *t);
        self.ifds.push((entries, next));
        self.ifds.len() - 1
    }

    fn u16(&self, v: u16) -> [u8; 2] {
        if self.le {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }

    fn u32(&self, v: u32) -> [u8; 4] {
        if self.le {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }

    /// (type, count, bytes) of a value.
    fn encode(&self, v: &V, ifd_at: &[u32], blob_at: &[u32]) -> (u16, u32, Vec<u8>) {
        match v {
            V::Short(x) => (3, 1, self.u16(*x).to_vec()),
            V::Shorts(xs) => (
                3,
                xs.len() as u32,
                xs.iter().flat_map(|x| self.u16(*x)).collect(),
            ),
            V::Long(x) => (4, 1, self.u32(*x).to_vec()),
            V::Ascii(s) => {
                let mut b = s.as_bytes().to_vec();
                b.push(0);
                (2, b.len() as u32, b)
            }
            V::Bytes(b) => (1, b.len() as u32, b.clone()),
            V::At(i) => (4, 1, self.u32(blob_at[*i]).to_vec()),
            V::Len(i) => (4, 1, self.u32(self.blobs[*i].len() as u32).to_vec()),
            V::Undefined(i) => (
                7,
                self.blobs[*i].len() as u32,
                self.u32(blob_at[*i]).to_vec(),
            ),
            V::Ifds(list) => (
                4,
                list.len() as u32,
                list.iter().flat_map(|i| self.u32(ifd_at[*i])).collect(),
            ),
        }
    }

    /// Bytes a directory takes with its out-of-line values.
    fn ifd_size(&self, i: usize) -> usize {
        let zero = vec![0; self.ifds.len()];
        let zb = vec![0; self.blobs.len()];
        let outside: usize = self.ifds[i]
            .0
            .iter()
            .map(|(_, v)| match v {
                V::Undefined(_) => 0,
                _ => {
                    let (_, _, b) = self.encode(v, &zero, &zb);
                    if b.len() > 4 {
                        (b.len() + 1) & !1
                    } else {
                        0
                    }
                }
            })
            .sum();
        2 + 12 * self.ifds[i].0.len() + 4 + outside
    }

    /// The file, with directory `ifd0` first (as cameras write it) and the others after it
    /// in the order they were made.
    fn bytes(&self, ifd0: usize) -> Vec<u8> {
        let order: Vec<usize> = std::iter::once(ifd0)
            .chain((0..self.ifds.len()).filter(|&i| i != ifd0))
            .collect();
        let mut ifd_at = vec![0u32; self.ifds.len()];
        let mut at = 8 + self.extra.len();
        for &i in &order {
            ifd_at[i] = at as u32;
            at += self.ifd_size(i);
        }
        let mut blob_at = Vec::new();
        for b in &self.blobs {
            blob_at.push(at as u32);
            at += (b.len() + 1) & !1;
        }
        let mut out = self.magic.to_vec();
        out.extend(self.u32(ifd_at[ifd0]));
        out.extend(&self.extra);
        for &i in &order {
            let (entries, next) = &self.ifds[i];
            assert_eq!(out.len(), ifd_at[i] as usize);
            let mut values_at = ifd_at[i] as usize + 2 + 12 * entries.len() + 4;
            let mut values = Vec::new();
            out.extend(self.u16(entries.len() as u16));
            for (tag, v) in entries {
                let (kind, count, b) = self.encode(v, &ifd_at, &blob_at);
                out.extend(self.u16(*tag));
                out.extend(self.u16(kind));
                out.extend(self.u32(count));
                if b.len() <= 4 {
                    let mut inline = b.clone();
                    inline.resize(4, 0);
                    out.extend(inline);
                } else {
                    out.extend(self.u32(values_at as u32));
                    let mut b = b;
                    if b.len() % 2 == 1 {
                        b.push(0);
                    }
                    values_at += b.len();
                    values.extend(b);
                }
            }
            out.extend(self.u32(next.map_or(0, |n| ifd_at[n])));
            out.extend(values);
        }
        for b in &self.blobs {
            out.extend(b);
            if b.len() % 2 == 1 {
                out.push(0);
            }
        }
        out
    }
}

/// A lossless JPEG (SOF3) stream's start, as CR2 and DNG store sensor data; then filler.
fn lossless_jpeg() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xC3, 0, 14, 14, 0x0F, 0xA0, 0x07, 0xD0, 2];
    b.extend([1, 0x11, 0, 2, 0x11, 0]);
    b.extend(noise(4096, 9));
    b
}

/// The picture a camera embeds: four corners stored for `orientation`, `w`x`h` upright.
fn preview(w: u32, h: u32, orientation: u8) -> Vec<u8> {
    jpeg_of(&store_for_orientation(&corners(w, h), orientation))
}

/// A 160x120 thumbnail (grey), as every RAW also carries.
fn small() -> Vec<u8> {
    jpeg_of(&solid(160, 120, [128, 128, 128]))
}

const DATE: &str = "2024:06:01 10:20:30";

/// The EXIF IFD every TIFF-based RAW points to: date taken.
fn exif_ifd(r: &mut Raw) -> usize {
    r.ifd(
        vec![(0x9003, V::Ascii(DATE)), (0x9004, V::Ascii(DATE))],
        None,
    )
}

/// CR2: `CR`, version 2.0 and the raw IFD's offset after the TIFF header; IFD0 is the
/// full-size JPEG as one strip, IFD1 the thumbnail, IFD2 a small RGB image, IFD3 the sensor
/// data as lossless JPEG.
fn cr2(jpeg: &[u8], o: u16) -> Vec<u8> {
    let mut r = Raw::new(true, b"II*\0");
    let full = r.blob(jpeg.to_vec());
    let thumb = r.blob(small());
    let rgb = r.blob(noise(384 * 256 * 3 / 16, 4));
    let sensor = r.blob(lossless_jpeg());
    let exif = exif_ifd(&mut r);
    let ifd3 = r.ifd(
        vec![
            (0x0103, V::Short(6)),
            (0x0111, V::At(sensor)),
            (0x0117, V::Len(sensor)),
            (0xC5D8, V::Long(1)),
            (0xC640, V::Shorts(vec![1, 2784, 2784])),
        ],
        None,
    );
    let ifd2 = r.ifd(
        vec![
            (0x0100, V::Short(384)),
            (0x0101, V::Short(256)),
            (0x0103, V::Short(1)),
            (0x0111, V::At(rgb)),
            (0x0117, V::Len(rgb)),
        ],
        Some(ifd3),
    );
    let ifd1 = r.ifd(
        vec![
            (0x0103, V::Short(6)),
            (0x0201, V::At(thumb)),
            (0x0202, V::Len(thumb)),
        ],
        Some(ifd2),
    );
    let ifd0 = r.ifd(
        vec![
            (0x0100, V::Short(0)),
            (0x0101, V::Short(0)),
            (0x0102, V::Shorts(vec![8, 8, 8])),
            (0x0103, V::Short(6)),
            (0x010F, V::Ascii("Canon")),
            (0x0110, V::Ascii("Canon EOS 5D Mark IV")),
            (0x0111, V::At(full)),
            (0x0112, V::Short(o)),
            (0x0117, V::Len(full)),
            (0x0132, V::Ascii(DATE)),
            (0x8769, V::Ifds(vec![exif])),
        ],
        Some(ifd1),
    );
    r.extra = b"CR\x02\0\0\0\0\0".to_vec();
    // IFD0 at 16, as Canon writes it.
    let mut b = r.bytes(ifd0);
    // The raw IFD's offset: the last directory written before the blobs.
    let raw_ifd = ifd_offset(&b, true, 3);
    b[12..16].copy_from_slice(&raw_ifd.to_le_bytes());
    b
}

/// The offset of the `n`th directory of the IFD chain (0 = IFD0).
fn ifd_offset(b: &[u8], le: bool, n: usize) -> u32 {
    let rd16 = |at: usize| {
        let s = [b[at], b[at + 1]];
        if le {
            u16::from_le_bytes(s)
        } else {
            u16::from_be_bytes(s)
        }
    };
    let rd32 = |at: usize| {
        let s = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if le {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        }
    };
    let mut at = rd32(4);
    for _ in 0..n {
        let count = rd16(at as usize) as usize;
        at = rd32(at as usize + 2 + 12 * count);
    }
    at
}

/// NEF (big-endian): IFD0 a 160x120 RGB thumbnail with sub-IFDs: the full-size JPEG
/// (`JpgFromRaw`) and the sensor data (Nikon's compression 34713).
fn nef(jpeg: &[u8], o: u16) -> Vec<u8> {
    let mut r = Raw::new(false, b"MM\0*");
    let rgb = r.blob(noise(160 * 120 * 3, 5));
    let full = r.blob(jpeg.to_vec());
    let sensor = r.blob(noise(8192, 6));
    let exif = exif_ifd(&mut r);
    let sub0 = r.ifd(
        vec![
            (0x00FE, V::Long(1)),
            (0x0103, V::Short(6)),
            (0x0201, V::At(full)),
            (0x0202, V::Len(full)),
        ],
        None,
    );
    let sub1 = r.ifd(
        vec![
            (0x00FE, V::Long(0)),
            (0x0103, V::Short(34713)),
            (0x0111, V::At(sensor)),
            (0x0117, V::Len(sensor)),
        ],
        None,
    );
    let ifd0 = r.ifd(
        vec![
            (0x00FE, V::Long(1)),
            (0x0100, V::Short(160)),
            (0x0101, V::Short(120)),
            (0x0103, V::Short(1)),
            (0x010F, V::Ascii("NIKON CORPORATION")),
            (0x0110, V::Ascii("NIKON D850")),
            (0x0111, V::At(rgb)),
            (0x0112, V::Short(o)),
            (0x0117, V::Len(rgb)),
            (0x014A, V::Ifds(vec![sub0, sub1])),
            (0x8769, V::Ifds(vec![exif])),
        ],
        None,
    );
    r.bytes(ifd0)
}

/// ARW: IFD0's `JPEGInterchangeFormat` is the preview, a sub-IFD the sensor data; IFD1 the
/// thumbnail.
fn arw(jpeg: &[u8], o: u16) -> Vec<u8> {
    let mut r = Raw::new(true, b"II*\0");
    let full = r.blob(jpeg.to_vec());
    let thumb = r.blob(small());
    let sensor = r.blob(noise(8192, 7));
    let exif = exif_ifd(&mut r);
    let sub = r.ifd(
        vec![
            (0x00FE, V::Long(0)),
            (0x0103, V::Short(32767)),
            (0x0111, V::At(sensor)),
            (0x0117, V::Len(sensor)),
        ],
        None,
    );
    let ifd1 = r.ifd(
        vec![
            (0x0103, V::Short(6)),
            (0x0201, V::At(thumb)),
            (0x0202, V::Len(thumb)),
        ],
        None,
    );
    let ifd0 = r.ifd(
        vec![
            (0x00FE, V::Long(1)),
            (0x0103, V::Short(6)),
            (0x010F, V::Ascii("SONY")),
            (0x0110, V::Ascii("ILCE-7M3")),
            (0x0112, V::Short(o)),
            (0x014A, V::Ifds(vec![sub])),
            (0x0201, V::At(full)),
            (0x0202, V::Len(full)),
            (0x8769, V::Ifds(vec![exif])),
        ],
        Some(ifd1),
    );
    r.bytes(ifd0)
}

/// DNG: IFD0 a small RGB thumbnail and `DNGVersion`; sub-IFDs the sensor data (lossless JPEG,
/// compression 7, CFA) and the preview (compression 7, YCbCr: a baseline JPEG strip).
fn dng(jpeg: &[u8], o: u16) -> Vec<u8> {
    let mut r = Raw::new(true, b"II*\0");
    let rgb = r.blob(noise(256 * 171 * 3, 8));
    let sensor = r.blob(lossless_jpeg());
    let full = r.blob(jpeg.to_vec());
    let exif = exif_ifd(&mut r);
    let raw = r.ifd(
        vec![
            (0x00FE, V::Long(0)),
            (0x0103, V::Short(7)),
            (0x0106, V::Short(32803)),
            (0x0111, V::At(sensor)),
            (0x0117, V::Len(sensor)),
        ],
        None,
    );
    let prev = r.ifd(
        vec![
            (0x00FE, V::Long(1)),
            (0x0103, V::Short(7)),
            (0x0106, V::Short(6)),
            (0x0111, V::At(full)),
            (0x0117, V::Len(full)),
        ],
        None,
    );
    let ifd0 = r.ifd(
        vec![
            (0x00FE, V::Long(1)),
            (0x0100, V::Short(256)),
            (0x0101, V::Short(171)),
            (0x0103, V::Short(1)),
            (0x010F, V::Ascii("Apple")),
            (0x0110, V::Ascii("iPhone 15 Pro")),
            (0x0111, V::At(rgb)),
            (0x0112, V::Short(o)),
            (0x0117, V::Len(rgb)),
            (0x014A, V::Ifds(vec![raw, prev])),
            (0x8769, V::Ifds(vec![exif])),
            (0xC612, V::Bytes(vec![1, 6, 0, 0])),
            (0xC614, V::Ascii("Apple iPhone 15 Pro")),
        ],
        None,
    );
    r.bytes(ifd0)
}

/// ORF (`IIRO`): IFD0 the sensor data; the preview in Olympus's maker note (in the EXIF IFD):
/// `OLYMPUS\0II` + version 3, an IFD whose `CameraSettings` (0x2020) gives
/// `PreviewImageStart`/`Length`, offsets counted from the note's start.
fn orf(jpeg: &[u8], o: u16) -> Vec<u8> {
    let mut r = Raw::new(true, b"IIRO");
    let sensor = r.blob(noise(8192, 10));
    // The maker note: header (12), IFD (1 entry), CameraSettings IFD (3 entries), preview.
    let settings_at = 12 + 2 + 12 + 4;
    let preview_at = settings_at + 2 + 3 * 12 + 4;
    let mut note = b"OLYMPUS\0II\x03\0".to_vec();
    note.extend(1u16.to_le_bytes());
    note.extend(0x2020u16.to_le_bytes());
    note.extend(13u16.to_le_bytes());
    note.extend(1u32.to_le_bytes());
    note.extend((settings_at as u32).to_le_bytes());
    note.extend(0u32.to_le_bytes());
    note.extend(3u16.to_le_bytes());
    for (tag, value) in [
        (0x0100u16, 1u32),
        (0x0101, preview_at as u32),
        (0x0102, jpeg.len() as u32),
    ] {
        note.extend(tag.to_le_bytes());
        note.extend(4u16.to_le_bytes());
        note.extend(1u32.to_le_bytes());
        note.extend(value.to_le_bytes());
    }
    note.extend(0u32.to_le_bytes());
    assert_eq!(note.len(), preview_at);
    note.extend(jpeg);
    let note = r.blob(note);
    let exif = r.ifd(
        vec![(0x9003, V::Ascii(DATE)), (0x927C, V::Undefined(note))],
        None,
    );
    let ifd0 = r.ifd(
        vec![
            (0x0100, V::Short(5240)),
            (0x0101, V::Short(3912)),
            (0x0103, V::Short(1)),
            (0x010F, V::Ascii("OLYMPUS CORPORATION")),
            (0x0110, V::Ascii("E-M1MarkII")),
            (0x0111, V::At(sensor)),
            (0x0112, V::Short(o)),
            (0x0117, V::Len(sensor)),
            (0x8769, V::Ifds(vec![exif])),
        ],
        None,
    );
    r.bytes(ifd0)
}

/// RW2 (`IIU\0`, IFD0 at 24 after Panasonic's 16 bytes): sensor size tags, the sensor data and
/// the full-size JPEG as `JpgFromRaw` (0x002E, UNDEFINED).
fn rw2(jpeg: &[u8], o: u16) -> Vec<u8> {
    let mut r = Raw::new(true, b"IIU\0");
    r.extra = vec![
        0x88, 0xE7, 0x74, 0xD8, 0xF8, 0x25, 0x1D, 0x4D, 0x94, 0x7A, 0x6E, 0x77, 0x82, 0x2B, 0x5D,
        0x6A,
    ];
    let full = r.blob(jpeg.to_vec());
    let sensor = r.blob(noise(8192, 11));
    let exif = exif_ifd(&mut r);
    let ifd0 = r.ifd(
        vec![
            (0x0001, V::Bytes(b"0470".to_vec())),
            (0x0002, V::Short(5200)),
            (0x0003, V::Short(3888)),
            (0x002E, V::Undefined(full)),
            (0x010F, V::Ascii("Panasonic")),
            (0x0110, V::Ascii("DC-GH5")),
            (0x0112, V::Short(o)),
            (0x0118, V::At(sensor)),
            (0x8769, V::Ifds(vec![exif])),
        ],
        None,
    );
    r.bytes(ifd0)
}

/// RAF: Fujifilm's big-endian header (magic, version, camera id and name, directory version)
/// with the JPEG's offset and length at 84 and 88 and the sensor data's after; the JPEG
/// carries the EXIF.
fn raf(jpeg: &[u8], o: u16) -> Vec<u8> {
    let jpeg = crate::support::exif::jpeg_with_exif(
        jpeg,
        &Exif {
            orientation: Some(o),
            make: Some("FUJIFILM".into()),
            model: Some("X-T3".into()),
            date_time_original: Some(DATE.into()),
            ..Exif::default()
        },
    );
    let mut b = b"FUJIFILMCCD-RAW 0201FF383501".to_vec();
    let mut name = b"X-T3".to_vec();
    name.resize(32, 0);
    b.extend(name);
    b.extend(b"0100");
    b.resize(84, 0);
    let jpeg_at = 148u32;
    let sensor = noise(8192, 12);
    let sensor_at = jpeg_at + jpeg.len() as u32;
    for v in [
        jpeg_at,
        jpeg.len() as u32,
        sensor_at,
        0,
        sensor_at,
        sensor.len() as u32,
    ] {
        b.extend(v.to_be_bytes());
    }
    b.resize(jpeg_at as usize, 0);
    b.extend(jpeg);
    b.extend(sensor);
    b
}

fn mp4(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend(kind);
    b.extend(body);
    b
}

/// CR3: `ftyp crx `; `moov` with Canon's `uuid` box (`CNCV`, `CMT1` = IFD0 as a TIFF,
/// `THMB`) and the first track, whose one sample (`stsz`, `co64`) is the full-size JPEG in
/// `mdat`; then the `uuid` box holding `PRVW` (a 1620 px preview, here `prvw`).
fn cr3(full: &[u8], prvw: &[u8], o: u16) -> Vec<u8> {
    let ftyp = mp4(b"ftyp", b"crx \0\0\0\x01crx isom");
    let cmt1 = Exif {
        orientation: Some(o),
        make: Some("Canon".into()),
        model: Some("Canon EOS R5".into()),
        date_time_original: Some(DATE.into()),
        ..Exif::default()
    }
    .tiff();
    let thumb = small();
    let mut thmb = vec![0, 0, 0, 0, 0, 160, 0, 120];
    thmb.extend((thumb.len() as u32).to_be_bytes());
    thmb.extend([0, 1, 0, 0]);
    thmb.extend(&thumb);
    let mut canon = vec![
        0x85, 0xC0, 0xB6, 0x87, 0x82, 0x0F, 0x11, 0xE0, 0x81, 0x11, 0xF4, 0xCE, 0x46, 0x2B, 0x6A,
        0x48,
    ];
    canon.extend(mp4(b"CNCV", b"CanonCR3_001/00.09.00/00.00.00"));
    canon.extend(mp4(b"CMT1", &cmt1));
    canon.extend(mp4(b"THMB", &thmb));
    let canon = mp4(b"uuid", &canon);
    let mut prvw_box = vec![0, 0, 0, 0, 0, 1];
    prvw_box.extend(1620u16.to_be_bytes());
    prvw_box.extend(1080u16.to_be_bytes());
    prvw_box.extend([0, 1]);
    prvw_box.extend((prvw.len() as u32).to_be_bytes());
    prvw_box.extend(prvw);
    let mut preview = vec![
        0xEA, 0xF4, 0x2B, 0x5E, 0x1C, 0x98, 0x4B, 0x88, 0xB9, 0xFB, 0xB7, 0xDC, 0x40, 0x6E, 0x4D,
        0x16,
    ];
    preview.extend([0, 0, 0, 0, 0, 0, 0, 1]);
    preview.extend(mp4(b"PRVW", &prvw_box));
    let preview = mp4(b"uuid", &preview);
    // The track's sample tables, with the JPEG's offset filled in below.
    let trak = |offset: u64| {
        let mut stsz = vec![0, 0, 0, 0];
        stsz.extend((full.len() as u32).to_be_bytes());
        stsz.extend(1u32.to_be_bytes());
        let mut co64 = vec![0, 0, 0, 0, 0, 0, 0, 1];
        co64.extend(offset.to_be_bytes());
        // One visual sample entry, `CRAW`, whose `JPEG` box says the samples are JPEGs.
        let mut craw = vec![0; 6];
        craw.extend(1u16.to_be_bytes());
        craw.extend([0; 16]);
        craw.extend(480u16.to_be_bytes());
        craw.extend(720u16.to_be_bytes());
        craw.extend(0x0048_0000u32.to_be_bytes());
        craw.extend(0x0048_0000u32.to_be_bytes());
        craw.extend([0; 4]);
        craw.extend(1u16.to_be_bytes());
        craw.extend([0; 32]);
        craw.extend(24u16.to_be_bytes());
        craw.extend((-1i16).to_be_bytes());
        craw.extend(mp4(b"JPEG", &[0; 4]));
        let mut stsd = vec![0, 0, 0, 0, 0, 0, 0, 1];
        stsd.extend(mp4(b"CRAW", &craw));
        let mut stbl = mp4(b"stsd", &stsd);
        stbl.extend(mp4(
            b"stts",
            &[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1],
        ));
        stbl.extend(mp4(
            b"stsc",
            &[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1],
        ));
        stbl.extend(mp4(b"stsz", &stsz));
        stbl.extend(mp4(b"co64", &co64));
        let minf = mp4(b"minf", &mp4(b"stbl", &stbl));
        let mut mdia = mp4(b"mdhd", &[0; 24]);
        mdia.extend(mp4(
            b"hdlr",
            b"\0\0\0\0\0\0\0\0vide\0\0\0\0\0\0\0\0\0\0\0\0\0",
        ));
        mdia.extend(minf);
        let mut t = mp4(b"tkhd", &[0; 84]);
        t.extend(mp4(b"mdia", &mdia));
        mp4(b"trak", &t)
    };
    let moov_len = 8 + canon.len() + trak(0).len();
    let jpeg_at = (ftyp.len() + moov_len + preview.len() + 8) as u64;
    let mut moov = canon.clone();
    moov.extend(trak(jpeg_at));
    let mut b = ftyp;
    b.extend(mp4(b"moov", &moov));
    b.extend(preview);
    let mut mdat = full.to_vec();
    mdat.extend(noise(8192, 13));
    b.extend(mp4(b"mdat", &mdat));
    assert_eq!(&b[jpeg_at as usize..jpeg_at as usize + 2], &[0xFF, 0xD8]);
    b
}

/// What exiftool calls the preview in each file, and the bytes it must give.
fn exiftool_preview(path: &Path, tag: &str) -> Option<Vec<u8>> {
    let out = Command::new("exiftool")
        .args(["-b", &format!("-{tag}")])
        .arg(path)
        .output()
        .ok()?;
    Some(out.stdout)
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    format: &'static str,
    mime: &'static str,
    make: &'static str,
    model: &'static str,
    /// The JPEG that must be the picture, and exiftool's name for it.
    picture: Vec<u8>,
    exiftool_tag: &'static str,
}

#[test]
fn every_raw_imports_from_its_largest_preview_upright_with_its_exif() {
    let lib = TestLib::new();
    let o = 6u16;
    let (w, h) = (720u32, 480u32);
    let jpeg = preview(w, h, o as u8);
    let cr3_prvw = preview(540, 360, o as u8);
    let raf_bytes = raf(&jpeg, o);
    let cases = vec![
        Case {
            name: "IMG_0001.CR2",
            bytes: cr2(&jpeg, o),
            format: "cr2",
            mime: "image/x-canon-cr2",
            make: "Canon",
            model: "Canon EOS 5D Mark IV",
            picture: jpeg.clone(),
            exiftool_tag: "PreviewImage",
        },
        Case {
            name: "DSC_0002.NEF",
            bytes: nef(&jpeg, o),
            format: "nef",
            mime: "image/x-nikon-nef",
            make: "NIKON CORPORATION",
            model: "NIKON D850",
            picture: jpeg.clone(),
            exiftool_tag: "JpgFromRaw",
        },
        Case {
            name: "DSC03.ARW",
            bytes: arw(&jpeg, o),
            format: "arw",
            mime: "image/x-sony-arw",
            make: "SONY",
            model: "ILCE-7M3",
            picture: jpeg.clone(),
            exiftool_tag: "PreviewImage",
        },
        Case {
            name: "IMG_0004.DNG",
            bytes: dng(&jpeg, o),
            format: "dng",
            mime: "image/x-adobe-dng",
            make: "Apple",
            model: "iPhone 15 Pro",
            picture: jpeg.clone(),
            exiftool_tag: "PreviewImage",
        },
        Case {
            name: "P0005.ORF",
            bytes: orf(&jpeg, o),
            format: "orf",
            mime: "image/x-olympus-orf",
            make: "OLYMPUS CORPORATION",
            model: "E-M1MarkII",
            picture: jpeg.clone(),
            exiftool_tag: "PreviewImage",
        },
        Case {
            name: "P0006.RW2",
            bytes: rw2(&jpeg, o),
            format: "rw2",
            mime: "image/x-panasonic-rw2",
            make: "Panasonic",
            model: "DC-GH5",
            picture: jpeg.clone(),
            exiftool_tag: "JpgFromRaw",
        },
        Case {
            name: "DSCF0007.RAF",
            picture: raf_bytes[148..148 + (raf_bytes.len() - 148 - 8192)].to_vec(),
            bytes: raf_bytes,
            format: "raf",
            mime: "image/x-fuji-raf",
            make: "FUJIFILM",
            model: "X-T3",
            exiftool_tag: "PreviewImage",
        },
        Case {
            name: "IMG_0008.CR3",
            bytes: cr3(&jpeg, &cr3_prvw, o),
            format: "cr3",
            mime: "image/x-canon-cr3",
            make: "Canon",
            model: "Canon EOS R5",
            picture: jpeg.clone(),
            exiftool_tag: "JpgFromRaw",
        },
    ];
    let exiftool = Command::new("exiftool").arg("-ver").output().is_ok();
    if !exiftool {
        println!(
            "exiftool not installed: the layouts are not cross-checked (scripts/setup --test)"
        );
    }
    // A folder of RAWs, as a card is copied: every one is imported, none passed over.
    for c in &cases {
        lib.input(&format!("card/{}", c.name), &c.bytes);
    }
    let (run, lines) = lib.import(&[&lib.inputs.join("card")], &[]);
    assert!(run.ok(), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(lines.len(), cases.len(), "{}", run.stdout);
    let totals: serde_json::Value =
        serde_json::from_str(run.stderr.lines().last().unwrap_or("")).expect("totals on stderr");
    assert_eq!(
        totals,
        serde_json::json!({"imported": cases.len(), "duplicates": 0, "failed": 0, "skipped": 0}),
        "no RAW passed over"
    );
    for c in &cases {
        let line = lines
            .iter()
            .find(|l| l["input"].as_str().unwrap_or("").ends_with(c.name))
            .unwrap_or_else(|| panic!("no outcome for {}", c.name));
        assert_eq!(line["status"], "imported", "{}: {line}", c.name);
        let id = line["id"].as_str().unwrap();
        let show = lib.show(id);
        assert_eq!(show["format"], c.format, "{}: {show}", c.name);
        assert_eq!(show["mime"], c.mime, "{}", c.name);
        assert_eq!(show["camera_make"], c.make, "{}: {show}", c.name);
        assert_eq!(show["camera_model"], c.model, "{}", c.name);
        assert_eq!(show["orientation"], o, "{}: the RAW's orientation", c.name);
        assert!(
            show["taken_at"]
                .as_str()
                .unwrap_or("")
                .starts_with("2024-06-01"),
            "{}: date taken from the RAW: {show}",
            c.name
        );
        // Stored as the preview is stored (turned by the orientation when shown).
        assert_eq!(
            (show["width"].as_u64(), show["height"].as_u64()),
            (Some(h as u64), Some(w as u64)),
            "{}: the preview's stored size",
            c.name
        );
        // The RAW is the original, byte for byte.
        assert_eq!(show["sha256"], sha256_hex(&c.bytes), "{}", c.name);
        let grid = lib.thumb(id, "grid").to_rgb8();
        assert_eq!(grid.dimensions(), (320, 213), "{}: grid size", c.name);
        assert_upright(&grid, &format!("{} grid", c.name));
        let big = lib.thumb(id, "preview").to_rgb8();
        assert_eq!(big.dimensions(), (w, h), "{}: preview size", c.name);
        assert_upright(&big, &format!("{} preview", c.name));
        if exiftool {
            let path = lib.inputs.join("card").join(c.name);
            let listing = || {
                let out = Command::new("exiftool")
                    .args(["-a", "-G1", "-s"])
                    .arg(&path)
                    .output();
                out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                    .unwrap_or_default()
            };
            assert!(
                exiftool_preview(&path, c.exiftool_tag).as_deref() == Some(&c.picture[..]),
                "{}: exiftool's {} is the JPEG Vitrine shows; exiftool reads:\n{}",
                c.name,
                c.exiftool_tag,
                listing()
            );
        }
    }
    let originals: Vec<Vec<u8>> = lib
        .originals()
        .iter()
        .map(|p| std::fs::read(lib.root.join("originals").join(p)).unwrap())
        .collect();
    for c in &cases {
        assert!(originals.contains(&c.bytes), "{}: the RAW is kept", c.name);
    }
    for f in ["cr2", "nef", "cr3", "raf"] {
        assert_eq!(lib.ls(&["--format", f]).len(), 1, "--format {f}");
    }
}

#[test]
fn a_raw_whose_only_preview_is_a_thumbnail_or_a_damaged_one_is_refused_clearly() {
    let lib = TestLib::new();
    // A NEF whose JpgFromRaw is 160x120: too small to stand for the picture.
    let tiny = lib.input("DSC_0100.NEF", &nef(&small(), 1));
    // A CR2 whose preview is cut short: the JPEG cannot be decoded.
    let mut cut = preview(720, 480, 1);
    let half = cut.len() / 2;
    cut.truncate(half);
    let damaged = lib.input("IMG_0101.CR2", &cr2(&cut, 1));
    let fine = lib.input("IMG_0102.CR2", &cr2(&preview(720, 480, 1), 1));
    let (run, lines) = lib.import(&[&tiny, &damaged, &fine], &[]);
    assert_eq!(run.code(), Some(1), "{}", run.stdout);
    let by = |n: &str| {
        lines
            .iter()
            .find(|l| l["input"].as_str().unwrap_or("").ends_with(n))
            .unwrap()
            .clone()
    };
    let t = by("DSC_0100.NEF");
    assert_eq!(t["code"], "unsupported_format", "{t}");
    assert_eq!(
        t["error"],
        "unsupported format: NEF (Nikon RAW): its largest embedded preview is 160x120, too small \
         to stand for the picture (Vitrine shows RAWs from the preview their camera embeds)"
    );
    let d = by("IMG_0101.CR2");
    assert_eq!(d["status"], "error", "{d}");
    assert_eq!(d["code"], "corrupt", "{d}");
    assert!(
        d["error"]
            .as_str()
            .unwrap()
            .starts_with("corrupt or truncated cr2: its embedded preview"),
        "{d}"
    );
    assert_eq!(by("IMG_0102.CR2")["status"], "imported");
    assert_eq!(lib.count("SELECT count(*) FROM images"), 1);
}
