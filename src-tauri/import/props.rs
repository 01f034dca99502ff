//! Property tests: every parser of untrusted bytes (the sniffer, container and EXIF walking,
//! XMP, the AI parameter parsers, Content Credentials) returns a value or `None` for random
//! bytes and for real files with bytes flipped, cut short or spliced, and never panics or
//! grows a block beyond its input (or its documented cap). [`mutated`] and [`fixtures`] are
//! shared with the metadata stripper's property test.

use proptest::prelude::*;
use std::sync::OnceLock;

use super::ai::{self, c2pa};
use super::container::{self, Meta};
use super::exif;
use super::sniff::{sniff, Format};

/// Cases per property: enough to find shallow crashes in seconds.
pub(crate) const CASES: u32 = 256;

/// An edit of a fixture: flipped bytes, then an optional cut, then an optional splice of
/// another fixture's bytes.
#[derive(Debug, Clone)]
pub(crate) struct Mutation {
    fixture: usize,
    flips: Vec<(usize, u8)>,
    cut: Option<usize>,
    splice: Option<(usize, usize, usize)>,
}

pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    (
        any::<usize>(),
        prop::collection::vec((any::<usize>(), any::<u8>()), 0..24),
        any::<Option<usize>>(),
        any::<Option<(usize, usize, usize)>>(),
    )
        .prop_map(|(fixture, flips, cut, splice)| Mutation {
            fixture,
            flips,
            cut,
            splice,
        })
}

/// The fixture `m` edits, and the edited bytes.
pub(crate) fn mutated(m: &Mutation) -> (Format, Vec<u8>) {
    let all = fixtures();
    let (format, original) = &all[m.fixture % all.len()];
    let mut b = original.clone();
    for (at, byte) in &m.flips {
        if !b.is_empty() {
            let i = at % b.len();
            b[i] ^= byte;
        }
    }
    if let Some(cut) = m.cut {
        b.truncate(cut % (b.len() + 1));
    }
    if let Some((from, at, len)) = m.splice {
        let (_, other) = &all[from % all.len()];
        let start = at % (other.len() + 1);
        let piece = &other[start..(start + len % 512).min(other.len())];
        let at = at % (b.len() + 1);
        b.splice(at..at, piece.iter().copied());
    }
    (*format, b)
}

/// One small real file per container, carrying every metadata block the readers look at.
pub(crate) fn fixtures() -> &'static [(Format, Vec<u8>)] {
    static FIXTURES: OnceLock<Vec<(Format, Vec<u8>)>> = OnceLock::new();
    FIXTURES.get_or_init(build_fixtures)
}

const A1111: &str = "a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Model: m, Lora hashes: \"a: 1, b: 2\"";
const COMFY: &str = r#"{"3": {"class_type": "KSampler", "inputs": {"seed": ["9", 0], "steps": 20, "cfg": 7, "sampler_name": "euler", "model": ["4", 0], "positive": ["5", 0], "negative": ["6", 0]}}, "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "m.safetensors"}}, "5": {"class_type": "ConditioningCombine", "inputs": {"conditioning_1": ["7", 0], "conditioning_2": ["5", 0]}}, "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry"}}, "7": {"class_type": "CLIPTextEncodeSDXL", "inputs": {"text_g": "a", "text_l": ["8", 0]}}, "8": {"class_type": "PrimitiveString", "inputs": {"value": "b"}}, "9": {"class_type": "PrimitiveNode", "inputs": {"value": 7}}}"#;
const SD_METADATA: &str = r#"{"model_weights": "sd-1.5", "image": {"prompt": [{"prompt": "a cat [ugly]", "weight": 1.0}], "steps": 50, "cfg_scale": 7.5, "seed": 1, "sampler": "k_lms"}}"#;
const DREAM: &str = "\"a cat [[nested] ugly]\" -s 50 -S 3728501541 -W 512 -H 512 -C 7.5 -A k_lms";
const SWARM: &str = r#"{"sui_image_params": {"prompt": "p", "negativeprompt": "n", "model": "m", "seed": 1, "steps": 2, "cfgscale": 3.5}}"#;
const NOVELAI: &str = r#"{"prompt": "p", "uc": "n", "scale": 5, "seed": 1, "v4_prompt": {"caption": {"base_caption": "b"}}}"#;
const MIDJOURNEY: &str =
    "a lighthouse --ar 16:9 --v 6 Job ID: 0f3c2a9e-5b7d-4c1e-9a2b-6d8e7f1a2b3c";
const XMP: &str = "<x:xmpmeta><rdf:RDF><rdf:Description><dc:creator><rdf:Seq><rdf:li>me</rdf:li></rdf:Seq></dc:creator><dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">a &amp; b &#x1F41F; Job ID: 0f3c2a9e-5b7d-4c1e-9a2b-6d8e7f1a2b3c</rdf:li></rdf:Alt></dc:description></rdf:Description></rdf:RDF></x:xmpmeta>";

/// The texts real writers put in files (for mutating text parsers directly).
pub(crate) const TEXTS: &[(&str, &str)] = &[
    ("parameters", A1111),
    ("parameters", SWARM),
    ("prompt", COMFY),
    ("sd-metadata", SD_METADATA),
    ("Dream", DREAM),
    ("Comment", NOVELAI),
    ("Description", MIDJOURNEY),
    ("XML:com.adobe.xmp", XMP),
];

/// A C2PA-like store: a JUMBF header, CBOR claim generator, an AI source type.
fn jumbf() -> Vec<u8> {
    let mut b = b"\0\0\0\x60jumb\0\0\0\x1ejumdc2pa\0\x11\0\x10\x80\0\0\xaa\0\x38\x9b\x71\x03c2pa\0"
        .to_vec();
    b.push(0xA1);
    b.extend(b"\x6Fclaim_generator\x6AOpenAI-API");
    b.extend(b"\x74claim_generator_info\x81\xA1\x64name\x6DAdobe_Firefly");
    b.extend(b"trainedAlgorithmicMedia");
    b
}

/// A big-endian TIFF: IFD0 (Make, Orientation, pointers to an EXIF and a GPS IFD), the EXIF
/// IFD with an A1111 UserComment, the GPS IFD with a position.
fn tiff_block() -> Vec<u8> {
    let mut comment = b"UNICODE\0".to_vec();
    comment.extend(A1111.encode_utf16().flat_map(u16::to_be_bytes));
    // Layout: header 8, IFD0 at 8 (4 entries: 2 + 48 + 4 = 54) -> 62, EXIF IFD at 62
    // (1 entry: 18) -> 80, GPS IFD at 80 (3 entries: 42) -> 122, data after.
    let make_at = 122u32;
    let comment_at = make_at + 6;
    let lat_at = comment_at + comment.len() as u32;
    fn entry(b: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
        b.extend(tag.to_be_bytes());
        b.extend(kind.to_be_bytes());
        b.extend(count.to_be_bytes());
        b.extend(value.to_be_bytes());
    }
    let mut b = b"MM\0\x2a\0\0\0\x08".to_vec();
    b.extend(4u16.to_be_bytes());
    entry(&mut b, 0x010F, 2, 6, make_at);
    entry(&mut b, 0x0112, 3, 1, 6 << 16);
    entry(&mut b, 0x8769, 4, 1, 62);
    entry(&mut b, 0x8825, 4, 1, 80);
    b.extend(0u32.to_be_bytes());
    b.extend(1u16.to_be_bytes());
    entry(&mut b, 0x9286, 7, comment.len() as u32, comment_at);
    b.extend(0u32.to_be_bytes());
    b.extend(3u16.to_be_bytes());
    entry(&mut b, 0x0001, 2, 2, u32::from_be_bytes(*b"N\0\0\0"));
    entry(&mut b, 0x0002, 5, 3, lat_at);
    entry(&mut b, 0x0004, 5, 3, lat_at);
    b.extend(0u32.to_be_bytes());
    assert_eq!(b.len(), make_at as usize, "layout");
    b.extend(b"Canon\0");
    b.extend(&comment);
    for (n, d) in [(52u32, 1u32), (30, 1), (1234, 100)] {
        b.extend(n.to_be_bytes());
        b.extend(d.to_be_bytes());
    }
    b
}

fn encode(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([x as u8 * 30, y as u8 * 30, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .expect("encode a fixture");
    out.into_inner()
}

fn jpeg_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend(((payload.len() + 2) as u16).to_be_bytes());
    s.extend(payload);
    s
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend(kind);
    c.extend(data);
    c.extend([0; 4]);
    c
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = kind.to_vec();
    c.extend((data.len() as u32).to_le_bytes());
    c.extend(data);
    if data.len() % 2 == 1 {
        c.push(0);
    }
    c
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("deflate");
    e.finish().expect("deflate")
}

fn build_fixtures() -> Vec<(Format, Vec<u8>)> {
    let tiff = tiff_block();
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(&tiff);

    let plain = encode(image::ImageFormat::Jpeg);
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend(jpeg_segment(0xE1, &exif));
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend(XMP.as_bytes());
    jpeg.extend(jpeg_segment(0xE1, &xmp));
    let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    icc.extend([0u8; 64]);
    jpeg.extend(jpeg_segment(0xE2, &icc));
    let store = jumbf();
    for (i, part) in store[8..].chunks(40).enumerate() {
        let mut seg = b"JP\0\x01".to_vec();
        seg.extend((i as u32 + 1).to_be_bytes());
        seg.extend(&store[..8]);
        seg.extend(part);
        jpeg.extend(jpeg_segment(0xEB, &seg));
    }
    jpeg.extend(jpeg_segment(0xFE, A1111.as_bytes()));
    jpeg.extend(&plain[2..]);

    let plain = encode(image::ImageFormat::Png);
    let mut png = plain[..33].to_vec(); // signature + IHDR
    png.extend(png_chunk(
        b"tEXt",
        format!("parameters\0{A1111}").as_bytes(),
    ));
    let mut ztxt = b"prompt\0\0".to_vec();
    ztxt.extend(zlib(COMFY.as_bytes()));
    png.extend(png_chunk(b"zTXt", &ztxt));
    let mut itxt = b"XML:com.adobe.xmp\0\x01\0\0\0".to_vec();
    itxt.extend(zlib(XMP.as_bytes()));
    png.extend(png_chunk(b"iTXt", &itxt));
    png.extend(png_chunk(b"tEXt", format!("Dream\0{DREAM}").as_bytes()));
    png.extend(png_chunk(b"eXIf", &tiff));
    let mut iccp = b"icc\0\0".to_vec();
    iccp.extend(zlib(&[0u8; 128]));
    png.extend(png_chunk(b"iCCP", &iccp));
    png.extend(png_chunk(b"caBX", &store));
    png.extend(&plain[33..]);

    let plain = encode(image::ImageFormat::WebP);
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &[0x0C, 0, 0, 0, 7, 0, 0, 7, 0, 0]));
    body.extend(riff_chunk(b"ICCP", &[0u8; 32]));
    body.extend(&plain[12..]);
    body.extend(riff_chunk(b"EXIF", &tiff));
    body.extend(riff_chunk(b"XMP ", XMP.as_bytes()));
    let mut webp = b"RIFF".to_vec();
    webp.extend((body.len() as u32).to_le_bytes());
    webp.extend(body);

    vec![
        (Format::Jpeg, jpeg),
        (Format::Png, png),
        (Format::Webp, webp),
        (Format::Tiff, encode(image::ImageFormat::Tiff)),
        (Format::Tiff, tiff),
        (Format::Tga, encode(image::ImageFormat::Tga)),
        (Format::Ico, encode(image::ImageFormat::Ico)),
        (Format::Gif, encode(image::ImageFormat::Gif)),
        (Format::Bmp, encode(image::ImageFormat::Bmp)),
    ]
    .into_iter()
    .chain(raw_fixtures(&encode(image::ImageFormat::Jpeg)))
    .collect()
}

/// Camera RAWs around `jpeg`: a TIFF-based one (the JPEG pointed at from a sub-IFD and from
/// an Olympus maker note), a RAF header and a CR3 box tree (a track's sample and `PRVW`).
fn raw_fixtures(jpeg: &[u8]) -> Vec<(Format, Vec<u8>)> {
    use super::sniff::RawKind;
    let le32 = |v: usize| (v as u32).to_le_bytes();
    let entry = |b: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: usize| {
        b.extend(tag.to_le_bytes());
        b.extend(kind.to_le_bytes());
        b.extend(count.to_le_bytes());
        b.extend(le32(value));
    };
    // Header 8, IFD0 (4 entries, DNGVersion among them) at 8, sub-IFD (2) at 62, EXIF IFD (1)
    // at 92, maker note at 110: "OLYMPUS\0II\3\0", an IFD (1) at +12, CameraSettings (2) at
    // +30; the JPEG at 170.
    let at = 170;
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    t.extend(4u16.to_le_bytes());
    entry(&mut t, 0x0112, 3, 1, 6);
    entry(&mut t, 0x014A, 4, 1, 62);
    entry(&mut t, 0x8769, 4, 1, 92);
    entry(
        &mut t,
        0xC612,
        1,
        4,
        u32::from_le_bytes([1, 4, 0, 0]) as usize,
    );
    t.extend(le32(0));
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0201, 4, 1, at);
    entry(&mut t, 0x0202, 4, 1, jpeg.len());
    t.extend(le32(0));
    t.extend(1u16.to_le_bytes());
    entry(&mut t, 0x927C, 7, 60, 110);
    t.extend(le32(0));
    t.extend(b"OLYMPUS\0II\x03\0");
    t.extend(1u16.to_le_bytes());
    entry(&mut t, 0x2020, 13, 1, 30);
    t.extend(le32(0));
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0101, 4, 1, at - 110);
    entry(&mut t, 0x0102, 4, 1, jpeg.len());
    t.extend(le32(0));
    assert_eq!(t.len(), at);
    t.extend(jpeg);

    let mut raf = b"FUJIFILMCCD-RAW 0201FF383501".to_vec();
    raf.resize(84, 0);
    raf.extend(108u32.to_be_bytes());
    raf.extend((jpeg.len() as u32).to_be_bytes());
    raf.resize(108, 0);
    raf.extend(jpeg);

    let mp4 = |kind: &[u8; 4], body: &[u8]| {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend(kind);
        b.extend(body);
        b
    };
    let mut stsz = vec![0; 4];
    stsz.extend((jpeg.len() as u32).to_be_bytes());
    let mut co64 = vec![0, 0, 0, 0, 0, 0, 0, 1];
    co64.extend(0u64.to_be_bytes());
    let mut stbl = mp4(b"stsz", &stsz);
    stbl.extend(mp4(b"co64", &co64));
    let trak = mp4(b"trak", &mp4(b"mdia", &mp4(b"minf", &mp4(b"stbl", &stbl))));
    let mut prvw = vec![0; 12];
    prvw.extend((jpeg.len() as u32).to_be_bytes());
    prvw.extend(jpeg);
    let mut uuid = vec![
        0xEA, 0xF4, 0x2B, 0x5E, 0x1C, 0x98, 0x4B, 0x88, 0xB9, 0xFB, 0xB7, 0xDC, 0x40, 0x6E, 0x4D,
        0x16, 0, 0, 0, 0, 0, 0, 0, 1,
    ];
    uuid.extend(mp4(b"PRVW", &prvw));
    let mut cr3 = mp4(b"ftyp", b"crx \0\0\0\x01crx isom");
    cr3.extend(mp4(b"moov", &trak));
    cr3.extend(mp4(b"uuid", &uuid));
    let mdat_at = cr3.len() + 8;
    cr3.extend(mp4(b"mdat", jpeg));
    let co = cr3.windows(4).position(|w| w == b"co64").expect("co64") + 12;
    cr3[co..co + 8].copy_from_slice(&(mdat_at as u64).to_be_bytes());

    vec![
        (Format::Raw(RawKind::Dng), t.clone()),
        (Format::Raw(RawKind::Orf), {
            let mut o = t;
            o[2..4].copy_from_slice(b"RO");
            o
        }),
        (Format::Raw(RawKind::Raf), raf),
        (Format::Raw(RawKind::Cr3), cr3),
    ]
}

/// Every format, HEIC/AVIF (libheif) and JPEG XL (jxl-oxide) included: their readers parse
/// untrusted boxes too.
const ALL_FORMATS: [Format; 22] = Format::ALL;

/// Everything the import pipeline reads from a file's metadata, as it reads it.
fn read_everything(format: Format, bytes: &[u8]) -> Meta {
    let meta = container::read(format, bytes);
    let info = meta
        .exif
        .as_deref()
        .and_then(exif::parse)
        .unwrap_or_default();
    let comment = info
        .user_comment
        .as_deref()
        .and_then(ai::decode_user_comment);
    let params = ai::parse(&meta.texts, comment.as_deref());
    if let Some(p) = c2pa::with_claim(params, meta.c2pa.as_deref()) {
        let _ = ai::search_text(&p);
    }
    meta
}

/// What a reader may keep of `len` input bytes: blocks come from the input, decompressed
/// texts and profiles up to their cap (8 MiB each; a text as UTF-8 at most 3 bytes a byte).
fn assert_bounded(meta: &Meta, len: usize) {
    let cap = len.max(8 * 1024 * 1024);
    assert!(
        meta.exif.as_ref().is_none_or(|e| e.len() <= len),
        "EXIF within the input"
    );
    assert!(
        meta.c2pa.as_ref().is_none_or(|c| c.len() <= len),
        "C2PA within the input"
    );
    assert!(
        meta.icc.as_ref().is_none_or(|i| i.len() <= cap),
        "ICC within its cap"
    );
    for (_, v) in &meta.texts {
        assert!(v.len() <= cap * 3, "a text within its cap");
    }
}

#[test]
fn raw_fixtures_find_their_preview() {
    let fixtures = fixtures();
    for (format, bytes) in fixtures.iter().filter(|(f, _)| matches!(f, Format::Raw(_))) {
        let Format::Raw(kind) = *format else {
            continue;
        };
        let found = crate::thumbs::raw::preview(bytes, kind);
        // The fixture's JPEG is smaller than a preview may be: found, then judged too small.
        assert!(
            matches!(found, Err(crate::thumbs::raw::NoPreview::TooSmall { .. })),
            "{kind:?}: {found:?}"
        );
    }
}

#[test]
fn fixtures_read_as_written() {
    let all = fixtures();
    let jpeg = container::read(Format::Jpeg, &all[0].1);
    assert!(jpeg.exif.is_some() && jpeg.icc.is_some() && jpeg.c2pa.is_some());
    assert!(
        jpeg.texts.iter().any(|(k, _)| k == "Description"),
        "XMP read"
    );
    let info = exif::parse(jpeg.exif.as_deref().unwrap_or_default()).unwrap_or_default();
    assert_eq!(info.orientation, 6);
    assert!(info.gps.is_some() && info.user_comment.is_some());
    let png = container::read(Format::Png, &all[1].1);
    assert!(png.texts.len() >= 5 && png.c2pa.is_some() && png.icc.is_some());
    let webp = container::read(Format::Webp, &all[2].1);
    assert!(webp.exif.is_some() && webp.texts.iter().any(|(k, _)| k == "Author"));
    for (format, bytes) in all {
        assert_eq!(sniff(bytes), super::sniff::Sniffed::Image(*format));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn random_bytes_never_panic_a_reader(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = sniff(&bytes);
        for format in ALL_FORMATS {
            assert_bounded(&read_everything(format, &bytes), bytes.len());
        }
        let _ = exif::parse(&bytes);
        let _ = ai::decode_user_comment(&bytes);
        let _ = c2pa::claim(&bytes);
        let _ = super::xmp::texts(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_files_never_panic_a_reader(m in mutation()) {
        let (format, bytes) = mutated(&m);
        let _ = sniff(&bytes);
        assert_bounded(&read_everything(format, &bytes), bytes.len());
        // A block read from another container's bytes, too.
        let other = ALL_FORMATS[m.fixture % ALL_FORMATS.len()];
        assert_bounded(&read_everything(other, &bytes), bytes.len());
    }

    #[test]
    fn mutated_texts_never_panic_the_ai_parsers(
        m in mutation(),
        picks in prop::collection::vec((any::<usize>(), any::<usize>()), 1..4),
    ) {
        // Real texts, each edited like a file, under real or other keywords.
        let chunks: Vec<(String, String)> = picks
            .iter()
            .map(|(k, t)| {
                let (_, text) = TEXTS[t % TEXTS.len()];
                let bytes = edit_text(text.as_bytes(), &m);
                (TEXTS[k % TEXTS.len()].0.to_string(), String::from_utf8_lossy(&bytes).into_owned())
            })
            .collect();
        let comment = chunks.first().map(|(_, v)| v.as_str());
        if let Some(p) = ai::parse(&chunks, comment) {
            let _ = ai::search_text(&p);
        }
        let _ = ai::parse(&[], comment);
        let _ = super::xmp::texts(comment.unwrap_or_default());
    }
}

/// [`mutated`]'s edits applied to a text instead of a fixture.
fn edit_text(text: &[u8], m: &Mutation) -> Vec<u8> {
    let mut b = text.to_vec();
    for (at, byte) in &m.flips {
        if !b.is_empty() {
            let i = at % b.len();
            b[i] ^= byte;
        }
    }
    if let Some(cut) = m.cut {
        b.truncate(cut % (b.len() + 1));
    }
    b
}
