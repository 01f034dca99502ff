//! Image formats Vitrine does not read are refused by name (`unsupported format: NAME`, code
//! `unsupported_format`) whether named on the command line or found in a folder; files that
//! are not images at all are passed over in a folder walk and counted as `skipped`.
//!
//! Every file is laid out byte for byte as its format's signature and header say, with no
//! more than the sniffer needs plus some filler.

use serde_json::Value;
use std::path::Path;

use crate::support::images::*;
use crate::support::TestLib;

/// A little-endian TIFF header whose IFD0 (at 8) holds `entries` (tag, type, count, value or
/// offset), followed by `data` (at 8 + 2 + 12n + 4).
fn tiff_le(magic: &[u8; 4], entries: &[(u16, u16, u32, u32)], data: &[u8]) -> Vec<u8> {
    let mut b = magic.to_vec();
    b.extend(8u32.to_le_bytes());
    b.extend((entries.len() as u16).to_le_bytes());
    for (tag, kind, count, value) in entries {
        b.extend(tag.to_le_bytes());
        b.extend(kind.to_le_bytes());
        b.extend(count.to_le_bytes());
        b.extend(value.to_le_bytes());
    }
    b.extend(0u32.to_le_bytes());
    b.extend(data);
    b
}

/// Where `data` starts in [`tiff_le`] with `n` entries.
fn data_at(n: usize) -> u32 {
    (8 + 2 + 12 * n + 4) as u32
}

fn with_filler(mut b: Vec<u8>) -> Vec<u8> {
    b.extend(noise(512, 3));
    b
}

/// An ISO BMFF `ftyp` box (major brand, minor version 0, compatible brands) and filler.
fn ftyp(major: &[u8; 4], compat: &[&[u8; 4]]) -> Vec<u8> {
    let mut body = major.to_vec();
    body.extend([0, 0, 0, 0]);
    for c in compat {
        body.extend(*c);
    }
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend(b"ftyp");
    b.extend(body);
    with_filler(b)
}

/// What the refusal of a RAW without a preview says after `unsupported format: `.
fn without_preview(kind: &str) -> String {
    format!(
        "{kind} without an embedded JPEG preview (Vitrine shows RAWs from the preview their \
         camera embeds)"
    )
}

/// (file name, bytes, what the refusal must say after `unsupported format: `). The RAWs here
/// carry no preview; `raw.rs` imports RAWs that do.
fn refused_files() -> Vec<(&'static str, Vec<u8>, String)> {
    // Photoshop: signature, version 1, 6 reserved, 3 channels, 64x32, 8 bits, RGB mode.
    let mut psd = b"8BPS\0\x01\0\0\0\0\0\0\0\x03".to_vec();
    psd.extend(32u32.to_be_bytes());
    psd.extend(64u32.to_be_bytes());
    psd.extend([0, 8, 0, 3]);
    // JPEG 2000: the 12-byte signature box, then ftyp `jp2 `.
    let mut jp2 = b"\0\0\0\x0cjP  \r\n\x87\n".to_vec();
    jp2.extend(b"\0\0\0\x14ftypjp2 \0\0\0\0jp2 ");
    // A raw J2K codestream: SOC, then SIZ.
    let j2k = b"\xFF\x4F\xFF\x51\0\x29\0\0\0\0\0\x40\0\0\0\x20".to_vec();
    // CR2: TIFF header with IFD0 at 16, then "CR", major 2, minor 0, raw IFD offset.
    let mut cr2 = b"II*\0\x10\0\0\0CR\x02\0\0\0\0\0".to_vec();
    cr2.extend(1u16.to_le_bytes());
    cr2.extend([0x0F, 0x01, 2, 0, 6, 0, 0, 0, 0x22, 0, 0, 0]); // Make "Canon" at 34
    cr2.extend(0u32.to_le_bytes());
    cr2.extend(b"Canon\0");
    // DNG: IFD0 with NewSubfileType 1 and DNGVersion 1.4.0.0 (BYTE x4, inline).
    let dng = tiff_le(
        b"II*\0",
        &[
            (0x00FE, 4, 1, 1),
            (0xC612, 1, 4, u32::from_le_bytes([1, 4, 0, 0])),
        ],
        &[],
    );
    // NEF: NewSubfileType 1 (IFD0 is the preview), Make NIKON, SubIFDs to the sensor data.
    let make = b"NIKON CORPORATION\0";
    let nef = tiff_le(
        b"II*\0",
        &[
            (0x00FE, 4, 1, 1),
            (0x010F, 2, make.len() as u32, data_at(3)),
            (0x014A, 4, 1, 0),
        ],
        make,
    );
    let sony = b"SONY\0";
    let arw = tiff_le(
        b"II*\0",
        &[
            (0x010F, 2, sony.len() as u32, data_at(2)),
            (0x014A, 4, 1, 0),
        ],
        sony,
    );
    // RAF: magic, format version, camera id, then the directory.
    let raf = b"FUJIFILMCCD-RAW 0201FF383501X-T3\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
    let orf = tiff_le(b"IIRO", &[(0x0100, 4, 1, 64)], &[]);
    let rw2 = tiff_le(b"IIU\0", &[(0x0002, 4, 1, 64)], &[]);
    let svg = b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\
<!-- Created with Inkscape (http://www.inkscape.org/) -->\n\
<svg width=\"210mm\" height=\"297mm\" viewBox=\"0 0 210 297\" xmlns=\"http://www.w3.org/2000/svg\">\n\
  <rect width=\"10\" height=\"10\" fill=\"red\"/>\n</svg>\n"
        .to_vec();
    // PCX: version 5, RLE, 8 bits, window 0,0..63,31, 300 dpi, reserved 0, 3 planes.
    let mut pcx = vec![0x0A, 5, 1, 8, 0, 0, 0, 0, 63, 0, 31, 0, 0x2C, 1, 0x2C, 1];
    pcx.resize(64, 0);
    pcx.extend([0, 3, 64, 0, 1, 0]);
    pcx.resize(128, 0);
    // SGI: magic 474, RLE, 1 byte per channel, 3 dimensions, 64x32x3.
    let sgi = b"\x01\xDA\x01\x01\0\x03\0\x40\0\x20\0\x03".to_vec();
    // A cursor: type 2, one 32x32 entry with its hotspot where an icon has planes and depth.
    let mut cur = vec![0, 0, 2, 0, 1, 0, 32, 32, 0, 0, 5, 0, 7, 0];
    cur.extend(744u32.to_le_bytes());
    cur.extend(22u32.to_le_bytes());
    vec![
        ("layers.psd", with_filler(psd), "Photoshop PSD".into()),
        ("scan.jp2", with_filler(jp2), "JPEG 2000".into()),
        ("tile.j2k", with_filler(j2k), "JPEG 2000".into()),
        (
            "IMG_0001.CR2",
            with_filler(cr2),
            without_preview("CR2 (Canon RAW)"),
        ),
        (
            "IMG_0002.CR3",
            ftyp(b"crx ", &[b"crx ", b"isom"]),
            without_preview("CR3 (Canon RAW)"),
        ),
        (
            "DSC_0003.NEF",
            with_filler(nef),
            without_preview("NEF (Nikon RAW)"),
        ),
        (
            "DSC04.ARW",
            with_filler(arw),
            without_preview("ARW (Sony RAW)"),
        ),
        ("photo.dng", with_filler(dng), without_preview("DNG (RAW)")),
        (
            "DSCF0005.RAF",
            with_filler(raf),
            without_preview("RAF (Fujifilm RAW)"),
        ),
        (
            "P0006.ORF",
            with_filler(orf),
            without_preview("ORF (Olympus RAW)"),
        ),
        (
            "P0007.RW2",
            with_filler(rw2),
            without_preview("RW2 (Panasonic RAW)"),
        ),
        ("drawing.svg", svg, "SVG".into()),
        ("old.pcx", with_filler(pcx), "PCX".into()),
        ("texture.rgb", with_filler(sgi), "SGI".into()),
        (
            "pointer.cur",
            with_filler(cur),
            "CUR (Windows cursor)".into(),
        ),
    ]
}

fn outcome<'a>(lines: &'a [Value], name: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["input"].as_str().unwrap_or("").ends_with(name))
        .unwrap_or_else(|| panic!("no outcome for {name}: {lines:?}"))
}

fn assert_refused(lines: &[Value], name: &str, format: &str) {
    let o = outcome(lines, name);
    assert_eq!(o["status"], "error", "{name} is refused: {o}");
    assert_eq!(
        o["code"], "unsupported_format",
        "{name}: the typed code ({o})"
    );
    assert_eq!(
        o["error"],
        format!("unsupported format: {format}"),
        "{name}: the format is named"
    );
}

/// The totals `import --json` writes to stderr (its last line).
fn totals(stderr: &str) -> Value {
    let last = stderr.lines().last().unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("totals JSON on stderr ({e}): {stderr}"))
}

#[test]
fn known_formats_given_by_name_are_refused_by_name() {
    let lib = TestLib::new();
    let files = refused_files();
    let paths: Vec<_> = files.iter().map(|(n, b, _)| lib.input(n, b)).collect();
    let good = lib.input("fine.png", &png_rgb8(40, 30, 1));
    let mut refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    refs.push(&good);
    let (run, lines) = lib.import(&refs, &[]);
    assert_eq!(run.code(), Some(1), "refusals are failures: {}", run.stderr);
    assert_eq!(
        lines.len(),
        refs.len(),
        "one line per input: {}",
        run.stdout
    );
    for (name, _, format) in &files {
        assert_refused(&lines, name, format);
    }
    assert_eq!(outcome(&lines, "fine.png")["status"], "imported");
    assert_eq!(
        totals(&run.stderr),
        serde_json::json!({"imported": 1, "duplicates": 0, "failed": files.len(), "skipped": 0}),
        "files named on the command line are never skipped"
    );
    assert_eq!(
        lib.count("SELECT count(*) FROM images"),
        1,
        "nothing refused is stored"
    );
}

#[test]
fn a_folder_walk_reports_refused_formats_and_counts_what_is_not_an_image() {
    let lib = TestLib::new();
    let root = lib.inputs.join("shoot");
    let put = |rel: &str, bytes: &[u8]| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    put("a.jpg", &jpeg(120, 80, 1));
    put("raw/IMG_0001.CR2", &refused_files()[3].1);
    put("raw/IMG_0001.xmp", b"<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/></x:xmpmeta>\n<?xpacket end=\"w\"?>");
    put("raw/photo.dng", &refused_files()[7].1);
    put("art/drawing.svg", &refused_files()[11].1);
    put("art/layers.psd", &refused_files()[0].1);
    put("art/sprite.tga", &tga(32, 16, 2));
    put("art/favicon.ico", &ico(32, 32, 3));
    // Refused formats under names that say nothing are still found by their bytes.
    put("misc/no-extension", &refused_files()[1].1);
    put("notes.txt", b"shot on the 3rd, keep the blue ones\n");
    put(
        "settings.json",
        b"{\"exposure\": 0.3, \"tags\": [\"beach\"]}\n",
    );
    put("misc/blob.bin", &noise(4096, 11));
    put("misc/empty", b"");
    put(".hidden.jpg", b"hidden files are not looked at");

    let (run, lines) = lib.import(&[&root], &[]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    let names: Vec<&str> = lines.iter().map(|l| l["input"].as_str().unwrap()).collect();
    assert_eq!(lines.len(), 8, "images and named refusals only: {names:?}");
    for (name, format) in [
        ("IMG_0001.CR2", without_preview("CR2 (Canon RAW)")),
        ("photo.dng", without_preview("DNG (RAW)")),
        ("drawing.svg", "SVG".into()),
        ("layers.psd", "Photoshop PSD".into()),
        ("no-extension", "JPEG 2000".into()),
    ] {
        assert_refused(&lines, name, &format);
    }
    for name in ["a.jpg", "sprite.tga", "favicon.ico"] {
        assert_eq!(
            outcome(&lines, name)["status"],
            "imported",
            "{name}: {names:?}"
        );
    }
    for name in [
        "notes.txt",
        "settings.json",
        "IMG_0001.xmp",
        "blob.bin",
        "misc/empty",
    ] {
        assert!(
            !names.iter().any(|n| n.ends_with(name)),
            "{name} is passed over, not reported: {names:?}"
        );
    }
    assert_eq!(
        totals(&run.stderr)["skipped"],
        5,
        "the text, JSON, sidecar, binary and empty files are counted: {}",
        run.stderr
    );

    // The same walk without --json says it in words.
    let again = lib.run(&["import", root.to_str().unwrap()]);
    assert!(
        again.stderr.contains("5 files were not images"),
        "human summary: {}",
        again.stderr
    );
}

#[test]
fn a_non_image_given_by_name_is_still_an_error() {
    let lib = TestLib::new();
    let notes = lib.input("notes.txt", b"just words\n");
    let (run, lines) = lib.import(&[&notes], &[]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(lines[0]["code"], "not_an_image", "{}", run.stdout);
    assert_eq!(lines[0]["error"], "not an image (looks like a text file)");
    assert_eq!(totals(&run.stderr)["skipped"], 0);
}
