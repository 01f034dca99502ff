use super::*;

fn pad(mut b: Vec<u8>, len: usize) -> Vec<u8> {
    b.resize(len, 0);
    b
}

/// A little-endian TIFF whose IFD0 holds `entries` (tag, type, count, inline value).
fn tiff_le(entries: &[(u16, u16, u32, [u8; 4])], extra: &[u8]) -> Vec<u8> {
    let mut b = b"II*\0\x08\0\0\0".to_vec();
    b.extend((entries.len() as u16).to_le_bytes());
    for (tag, kind, count, value) in entries {
        b.extend(tag.to_le_bytes());
        b.extend(kind.to_le_bytes());
        b.extend(count.to_le_bytes());
        b.extend(value);
    }
    b.extend([0, 0, 0, 0]);
    b.extend(extra);
    b
}

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
        Sniffed::Image(Format::Avif)
    );
    assert_eq!(
        sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
        Sniffed::Image(Format::Heic)
    );
    assert_eq!(sniff(b"\xFF\x0A\xFF\x07"), Sniffed::Image(Format::Jxl));
    assert_eq!(
        sniff(b"\0\0\0\x0cJXL \r\n\x87\n\0\0\0\x14ftypjxl "),
        Sniffed::Image(Format::Jxl)
    );
    assert_eq!(sniff(b"hello, world\n"), Sniffed::NotImage("a text file"));
    assert_eq!(sniff(b""), Sniffed::NotImage("an empty file"));
}

#[test]
fn iso_media_brands_name_the_format() {
    let ftyp = |major: &[u8; 4], compat: &[&[u8; 4]]| {
        let mut body = major.to_vec();
        body.extend([0, 0, 0, 0]);
        compat.iter().for_each(|c| body.extend(*c));
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend(b"ftyp");
        b.extend(body);
        b.extend([0u8; 32]);
        sniff(&b)
    };
    assert_eq!(
        ftyp(b"crx ", &[b"crx ", b"isom"]),
        Sniffed::Image(Format::Raw(RawKind::Cr3))
    );
    assert_eq!(
        ftyp(b"mif1", &[b"mif1", b"miaf"]),
        Sniffed::Image(Format::Heic),
        "a HEIF naming no codec is libheif's to decode"
    );
    assert_eq!(
        ftyp(b"mif1", &[b"mif1", b"heic"]),
        Sniffed::Image(Format::Heic)
    );
    assert_eq!(ftyp(b"heix", &[b"mif1"]), Sniffed::Image(Format::Heic));
    assert_eq!(
        ftyp(b"avis", &[b"msf1", b"avis"]),
        Sniffed::Image(Format::Avif)
    );
    assert_eq!(ftyp(b"mif1", &[b"avif"]), Sniffed::Image(Format::Avif));
    assert_eq!(ftyp(b"jxl ", &[b"jxl "]), Sniffed::Image(Format::Jxl));
    assert_eq!(ftyp(b"jp2 ", &[b"jp2 "]), Sniffed::Unsupported("JPEG 2000"));
    assert_eq!(
        ftyp(b"isom", &[b"isom", b"avc1", b"mp41"]),
        Sniffed::NotImage("a video or other ISO media file")
    );
}

#[test]
fn fixed_signatures_are_named() {
    let cases: &[(&[u8], &str)] = &[
        (b"\0\0\0\x0cjP  \r\n\x87\n\0\0\0\x14ftypjp2 ", "JPEG 2000"),
        (b"\xFF\x4F\xFF\x51\0\x2f\0\0", "JPEG 2000"),
        (b"8BPS\0\x01\0\0\0\0\0\0\0\x03", "Photoshop PSD"),
        (b"\x01\xDA\x01\x01\0\x03\0\x10\0\x10\0\x03", "SGI"),
    ];
    for (bytes, name) in cases {
        assert_eq!(sniff(bytes), Sniffed::Unsupported(name), "{name}");
    }
    // RAWs with a signature of their own, read from their embedded preview.
    let raws: &[(&[u8], RawKind)] = &[
        (b"FUJIFILMCCD-RAW 0201FF383501", RawKind::Raf),
        (b"IIRO\x08\0\0\0", RawKind::Orf),
        (b"MMOR\0\0\0\x08", RawKind::Orf),
        (b"IIU\0\x18\0\0\0", RawKind::Rw2),
    ];
    for (bytes, kind) in raws {
        assert_eq!(sniff(bytes), Sniffed::Image(Format::Raw(*kind)), "{kind:?}");
    }
}

#[test]
fn tiff_raws_are_told_from_plain_tiffs() {
    let mut cr2 = b"II*\0\x10\0\0\0CR\x02\0\0\0\0\0".to_vec();
    cr2.extend([0; 16]);
    assert_eq!(sniff(&cr2), Sniffed::Image(Format::Raw(RawKind::Cr2)));
    let dng = tiff_le(
        &[(0x0100, 4, 1, [8, 0, 0, 0]), (0xC612, 1, 4, [1, 4, 0, 0])],
        &[],
    );
    assert_eq!(sniff(&dng), Sniffed::Image(Format::Raw(RawKind::Dng)));
    // Make "NIKON CORPORATION" at offset 8 + 2 + 3*12 + 4 = 50; SubIFDs present.
    let nef = tiff_le(
        &[
            (0x00FE, 4, 1, [1, 0, 0, 0]),
            (0x010F, 2, 18, [50, 0, 0, 0]),
            (0x014A, 4, 1, [0, 0, 0, 0]),
        ],
        b"NIKON CORPORATION\0",
    );
    assert_eq!(sniff(&nef), Sniffed::Image(Format::Raw(RawKind::Nef)));
    let mut other = nef.clone();
    other[50..55].copy_from_slice(b"LEICA");
    assert_eq!(
        sniff(&other),
        Sniffed::Image(Format::Raw(RawKind::Other)),
        "preview + sub-IFDs"
    );
    let plain = tiff_le(&[(0x010F, 2, 18, [26, 0, 0, 0])], b"NIKON CORPORATION\0");
    assert_eq!(
        sniff(&plain),
        Sniffed::Image(Format::Tiff),
        "a camera's plain TIFF"
    );
    assert_eq!(
        sniff(b"II*\0\xff\xff\xff\xff"),
        Sniffed::Image(Format::Tiff),
        "bad offset"
    );
}

#[test]
fn icons_and_cursors() {
    let mut ico = vec![0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0];
    ico.extend(1128u32.to_le_bytes());
    ico.extend(22u32.to_le_bytes());
    let ico = pad(ico, 64);
    assert_eq!(sniff(&ico), Sniffed::Image(Format::Ico));
    let mut cur = ico.clone();
    cur[2] = 2;
    cur[10] = 7; // hotspot x
    assert_eq!(sniff(&cur), Sniffed::Unsupported("CUR (Windows cursor)"));
    let mut bad = ico.clone();
    bad[18] = 2; // image data inside the directory
    assert!(
        !matches!(sniff(&bad), Sniffed::Image(_)),
        "offset inside the directory"
    );
}

#[test]
fn headerless_formats_need_every_field_right() {
    // PCX: version 5, RLE, 8 bpp, 0..15 x 0..15, reserved 0, 3 planes.
    let mut pcx = vec![0x0A, 5, 1, 8, 0, 0, 0, 0, 15, 0, 15, 0];
    pcx = pad(pcx, 66);
    pcx[65] = 3;
    let pcx = pad(pcx, 200);
    assert_eq!(sniff(&pcx), Sniffed::Unsupported("PCX"));
    // TGA: uncompressed 24-bit 2x2, exactly long enough.
    let mut tga = vec![0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 24, 0];
    tga.extend([0x40; 12]);
    assert_eq!(sniff(&tga), Sniffed::Image(Format::Tga));
    assert_eq!(
        sniff(&tga[..tga.len() - 1]),
        Sniffed::NotImage("an unknown binary file"),
        "too short for its pixels"
    );
    let mut rle = tga.clone();
    rle[2] = 10;
    rle[17] = 0x80; // interleaving bits: not TGA
    assert_eq!(sniff(&rle), Sniffed::NotImage("an unknown binary file"));
}

#[test]
fn svg_after_a_prolog_and_xml_that_is_not_svg() {
    let svgs: &[&[u8]] = &[
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        b"\xEF\xBB\xBF  <?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\" [ <!ENTITY a \"<>\"> ]>\n<svg width=\"1\">",
        b"<?xml version='1.0'?><?xml-stylesheet href='a.css'?><SVG>",
    ];
    for s in svgs {
        assert_eq!(
            sniff(s),
            Sniffed::Unsupported("SVG"),
            "{}",
            String::from_utf8_lossy(s)
        );
    }
    let not: &[&[u8]] = &[
        b"<?xml version=\"1.0\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><svg/></x:xmpmeta>",
        b"<svgx/>",
        b"<!-- never closed <svg>",
        b"{\"svg\": \"<svg>\"}",
    ];
    for s in not {
        assert_eq!(
            sniff(s),
            Sniffed::NotImage("a text file"),
            "{}",
            String::from_utf8_lossy(s)
        );
    }
}

#[test]
fn a_file_sniffs_like_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut tga = vec![0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 24, 0];
    tga.extend([0x83, 1, 2, 3]);
    tga.extend(vec![0; 6000]);
    tga.extend(b"\0\0\0\0\0\0\0\0TRUEVISION-XFILE.\0");
    let path = dir.path().join("x");
    std::fs::write(&path, &tga).unwrap();
    assert_eq!(sniff_file(&path).unwrap(), sniff(&tga));
    assert_eq!(sniff(&tga), Sniffed::Image(Format::Tga));
    std::fs::write(&path, b"short").unwrap();
    assert_eq!(sniff_file(&path).unwrap(), Sniffed::NotImage("a text file"));
}

#[test]
fn names_round_trip() {
    for f in Format::ALL {
        assert_eq!(Format::from_name(f.name()), Some(f));
        let own_decoder = matches!(
            f,
            Format::Heic | Format::Avif | Format::Jxl | Format::Raw(_)
        );
        assert_eq!(f.image_format().is_none(), own_decoder, "{}", f.name());
    }
    assert_eq!(Format::from_name("heif"), None, "stored as heic");
    assert_eq!(Format::from_name("psd"), None);
}

#[test]
fn what_a_web_view_cannot_show_is_rendered_for_it() {
    let rendered: Vec<_> = Format::ALL
        .into_iter()
        .filter(|f| !f.web_displayable())
        .map(Format::name)
        .collect();
    assert_eq!(
        rendered,
        [
            "tiff", "tga", "heic", "avif", "jxl", "cr2", "cr3", "nef", "arw", "dng", "raf", "orf",
            "rw2", "pef", "srw", "raw"
        ]
    );
}
