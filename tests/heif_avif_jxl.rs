//! HEIC, AVIF and JPEG XL, made in the test run by the reference encoders (`heif-enc`,
//! `avifenc`, `cjxl`: `scripts/setup --test` installs them; a missing one fails the test and
//! names its package). Each imports with its format, size, an upright thumbnail in the right
//! colours (an embedded ICC profile converted to sRGB); HEIF's own rotation (`irot`: avifenc
//! writes it, heif-enc's `pixi` is turned into one) is applied once even with a matching EXIF
//! orientation beside it; an animation shows its first frame; a truncated or garbled file is a
//! typed per-file error; the pixel cap holds; the original view gets a JPEG of them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::orientation::assert_upright;
use crate::support::exif::{jpeg_with_exif, Exif};
use crate::support::images::*;
use crate::support::TestLib;

/// Runs a reference encoder; a missing tool fails with the package that provides it.
pub(crate) fn encode(tool: &str, package: &str, args: &[&str]) {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} cannot run ({e}): install the Debian package {package} (scripts/setup --test)"
        )
    });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(crate) fn png_of(img: &image::RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Writes `source` as `inputs/<stem>.<src_ext>` and encodes it to `inputs/<stem>.<ext>`.
fn made_with(
    lib: &TestLib,
    stem: &str,
    source: (&str, &[u8]),
    ext: &str,
    encoder: fn(&Path, &Path),
) -> PathBuf {
    let src = lib.input(&format!("src/{stem}.{}", source.0), source.1);
    let out = lib.inputs.join(format!("{stem}.{ext}"));
    encoder(&src, &out);
    out
}

fn heif_enc(src: &Path, out: &Path) {
    let (s, o) = (src.to_str().unwrap(), out.to_str().unwrap());
    encode("heif-enc", "libheif-examples", &["-q", "90", "-o", o, s]);
}

fn avifenc(src: &Path, out: &Path) {
    let (s, o) = (src.to_str().unwrap(), out.to_str().unwrap());
    encode(
        "avifenc",
        "libavif-bin",
        &["-s", "10", "--min", "0", "--max", "10", s, o],
    );
}

fn cjxl(src: &Path, out: &Path) {
    let (s, o) = (src.to_str().unwrap(), out.to_str().unwrap());
    encode("cjxl", "libjxl-tools", &[s, o, "-d", "1", "-e", "3"]);
}

/// The recorded format, mime, size and orientation, then both thumbnails upright.
fn assert_imported(lib: &TestLib, id: &str, format: &str, mime: &str, (w, h): (u64, u64)) {
    let show = lib.show(id);
    assert_eq!(show["format"], format, "{show}");
    assert_eq!(show["mime"], mime, "{show}");
    assert_eq!(
        (show["width"].as_u64(), show["height"].as_u64()),
        (Some(w), Some(h)),
        "{format}: the size as displayed"
    );
    assert_eq!(
        show["orientation"], 1,
        "{format}: the decoder turned it upright, nothing left to apply"
    );
    let grid = lib.thumb(id, "grid").to_rgb8();
    let scale = (320.0 / w.max(h) as f64).min(1.0);
    let want = (
        (w as f64 * scale).round() as u32,
        (h as f64 * scale).round() as u32,
    );
    assert_eq!(grid.dimensions(), want, "{format}: grid thumbnail size");
    assert_upright(&grid, &format!("{format} grid"));
    let preview = lib.thumb(id, "preview").to_rgb8();
    assert_eq!(
        preview.dimensions(),
        (w as u32, h as u32),
        "{format}: preview not enlarged"
    );
    assert_upright(&preview, &format!("{format} preview"));
}

#[test]
fn heic_avif_and_jxl_import_upright_in_their_colours() {
    let lib = TestLib::new();
    let png = png_of(&corners(480, 320));
    let heic = made_with(&lib, "photo", ("png", &png), "heic", heif_enc);
    let avif = made_with(&lib, "photo", ("png", &png), "avif", avifenc);
    let jxl = made_with(&lib, "photo", ("png", &png), "jxl", cjxl);
    // Names say nothing: the bytes do.
    let unnamed = lib.inputs.join("from-a-phone");
    std::fs::copy(&heic, &unnamed).unwrap();
    for (path, format, mime) in [
        (&heic, "heic", "image/heic"),
        (&avif, "avif", "image/avif"),
        (&jxl, "jxl", "image/jxl"),
    ] {
        let id = lib.import_one(path);
        assert_imported(&lib, &id, format, mime, (480, 320));
    }
    let (run, lines) = lib.import(&[&unnamed], &[]);
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(
        lines[0]["status"], "duplicate",
        "the same HEIC bytes: {}",
        run.stdout
    );
    let formats: Vec<_> = lib
        .ls(&[])
        .iter()
        .map(|i| i["format"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(formats.len(), 3, "{formats:?}");
    for f in ["heic", "avif", "jxl"] {
        assert_eq!(lib.ls(&["--format", f]).len(), 1, "--format {f}");
    }
    assert_eq!(lib.ls(&["--format", "heif"]).len(), 1, "heif is heic");
}

#[test]
fn heic_exif_orientation_is_read_but_the_container_decides_how_it_shows() {
    // heif-enc 1.15 copies a JPEG's EXIF (orientation 6 here) into the HEIC's Exif item
    // without turning it into `irot`. HEIF readers follow the container, not EXIF: the
    // picture shows as stored, and the EXIF orientation is kept as information only.
    let lib = TestLib::new();
    let stored = corners(480, 320);
    let jpeg = jpeg_with_exif(
        &jpeg_of(&stored),
        &Exif {
            orientation: Some(6),
            make: Some("Google".into()),
            ..Exif::default()
        },
    );
    let heic = made_with(&lib, "exif6", ("jpg", &jpeg), "heic", heif_enc);
    let id = lib.import_one(&heic);
    let show = lib.show(&id);
    assert_eq!(
        show["camera_make"], "Google",
        "EXIF read from the Exif item: {show}"
    );
    assert_eq!(show["exif"]["Orientation"], "Rotated 90° CW", "{show}");
    assert_imported(&lib, &id, "heic", "image/heic", (480, 320));
}

#[test]
fn heif_rotation_is_applied_once_beside_a_matching_exif_orientation() {
    // As phones write it: pixels stored sideways, `irot` turning them upright, and an EXIF
    // orientation saying the same thing. Applying both would turn the picture twice.
    let lib = TestLib::new();
    let upright = corners(480, 320);
    let png = png_of(&store_for_orientation(&upright, 6));
    let src = lib.input("src/sideways.png", &png);
    let exif = lib.input(
        "src/exif.tiff",
        &Exif {
            orientation: Some(6),
            make: Some("Apple".into()),
            model: Some("iPhone 15".into()),
            ..Exif::default()
        }
        .tiff(),
    );
    let out = lib.inputs.join("IMG_0001.avif");
    encode(
        "avifenc",
        "libavif-bin",
        &[
            "-s",
            "10",
            "--min",
            "0",
            "--max",
            "10",
            // irot 3: 270° anticlockwise, i.e. EXIF 6's 90° clockwise
            "--irot",
            "3",
            "--exif",
            exif.to_str().unwrap(),
            src.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    let id = lib.import_one(&out);
    let show = lib.show(&id);
    assert_eq!(
        show["camera_model"], "iPhone 15",
        "EXIF read from the Exif item: {show}"
    );
    assert_imported(&lib, &id, "avif", "image/avif", (480, 320));
}

#[test]
fn an_animated_avif_shows_its_first_frame() {
    let lib = TestLib::new();
    let first = lib.input("src/f1.png", &png_of(&corners(240, 160)));
    let second = lib.input("src/f2.png", &png_of(&solid(240, 160, BLUE)));
    let out = lib.inputs.join("anim.avif");
    encode(
        "avifenc",
        "libavif-bin",
        &[
            "-s",
            "10",
            "--min",
            "0",
            "--max",
            "10",
            first.to_str().unwrap(),
            second.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    let id = lib.import_one(&out);
    assert_imported(&lib, &id, "avif", "image/avif", (240, 160));
}

#[test]
fn a_truncated_heic_or_jxl_is_a_typed_error_and_the_batch_goes_on() {
    let lib = TestLib::new();
    let png = png_of(&noise_rgb(256, 192));
    let heic = std::fs::read(made_with(&lib, "a", ("png", &png), "heic", heif_enc)).unwrap();
    let jxl = std::fs::read(made_with(&lib, "a", ("png", &png), "jxl", cjxl)).unwrap();
    let cut_heic = lib.input("cut.heic", &heic[..heic.len() * 2 / 3]);
    let cut_jxl = lib.input("cut.jxl", &jxl[..jxl.len() / 2]);
    // The boxes after `ftyp` garbled (libheif parses them before any pixel).
    let mut broken = heic.clone();
    let end = broken.len() / 3;
    broken[32..end].iter_mut().for_each(|b| *b = !*b);
    let garbled = lib.input("garbled.heic", &broken);
    let good = lib.input("good.png", &png_rgb8(32, 32, 1));
    let (run, lines) = lib.import(&[&cut_heic, &cut_jxl, &garbled, &good], &[]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "no panic: {}", run.stderr);
    for (name, format) in [
        ("cut.heic", "heic"),
        ("cut.jxl", "jxl"),
        ("garbled.heic", "heic"),
    ] {
        let o = lines
            .iter()
            .find(|l| l["input"].as_str().unwrap().ends_with(name))
            .unwrap();
        assert_eq!(o["status"], "error", "{name}: {o}");
        assert_eq!(o["code"], "corrupt", "{name}: {o}");
        let msg = o["error"].as_str().unwrap();
        assert!(
            msg.starts_with(&format!("corrupt or truncated {format}: ")),
            "{name}: {msg}"
        );
    }
    let good = lines
        .iter()
        .find(|l| l["input"].as_str().unwrap().ends_with("good.png"));
    assert_eq!(good.unwrap()["status"], "imported");
    assert_eq!(lib.count("SELECT count(*) FROM images"), 1);
}

#[test]
fn the_pixel_cap_refuses_an_oversized_heic_avif_or_jxl_before_decoding() {
    let lib = TestLib::new();
    let png = png_of(&corners(600, 400));
    let files = [
        made_with(&lib, "big", ("png", &png), "heic", heif_enc),
        made_with(&lib, "big", ("png", &png), "avif", avifenc),
        made_with(&lib, "big", ("png", &png), "jxl", cjxl),
    ];
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let (run, lines) = lib.import(&refs, &["--max-pixels", "100000"]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    for l in &lines {
        assert_eq!(l["code"], "too_many_pixels", "{l}");
        assert!(l["error"].as_str().unwrap().contains("600x400"), "{l}");
    }
    assert_eq!(lib.count("SELECT count(*) FROM images"), 0);
}

/// Noise that does not compress away (so a cut lands inside the coded picture).
fn noise_rgb(w: u32, h: u32) -> image::RgbImage {
    let bytes = noise((w * h * 3) as usize, 5);
    image::RgbImage::from_raw(w, h, bytes).unwrap()
}

#[test]
fn the_original_view_gets_what_a_web_view_can_show() {
    // WebKit shows JPEG as it is; HEIC, AVIF and JPEG XL come as a full-size rendering.
    let lib = TestLib::new();
    let png = png_of(&corners(480, 320));
    let jpeg = lib.input("plain.jpg", &jpeg_of(&corners(480, 320)));
    let files = [
        made_with(&lib, "view", ("png", &png), "heic", heif_enc),
        made_with(&lib, "view", ("png", &png), "avif", avifenc),
        made_with(&lib, "view", ("png", &png), "jxl", cjxl),
    ];
    let ids: Vec<String> = files.iter().map(|f| lib.import_one(f)).collect();
    let jpeg_id = lib.import_one(&jpeg);
    let library = vitrine::Library::open(&lib.root).unwrap();
    let catalog = library.catalog();
    let (mime, bytes) = library
        .viewable_original(&catalog.get(&jpeg_id).unwrap())
        .unwrap();
    assert_eq!(mime, "image/jpeg");
    assert_eq!(bytes, std::fs::read(&jpeg).unwrap(), "a JPEG byte for byte");
    for (id, file) in ids.iter().zip(&files) {
        let (mime, bytes) = library
            .viewable_original(&catalog.get(id).unwrap())
            .unwrap();
        assert_eq!(mime, "image/jpeg", "{}", file.display());
        let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
            .expect("a JPEG a web view decodes")
            .to_rgb8();
        assert_eq!(
            img.dimensions(),
            (480, 320),
            "{}: full size",
            file.display()
        );
        assert_upright(&img, &format!("{} as viewed", file.display()));
    }
}

/// A matrix/TRC ICC v2 display profile whose red and blue primaries are sRGB's blue and red:
/// pixels described by it that read (230, 20, 20) are blue in sRGB.
fn swapped_primaries_icc() -> Vec<u8> {
    fn s15(v: f64) -> [u8; 4] {
        ((v * 65536.0).round() as i32).to_be_bytes()
    }
    let xyz = |x: f64, y: f64, z: f64| {
        let mut t = b"XYZ \0\0\0\0".to_vec();
        for v in [x, y, z] {
            t.extend(s15(v));
        }
        t
    };
    // gamma 2.2 (u8Fixed8), padded to 4 bytes
    let curv = b"curv\0\0\0\0\0\0\0\x01\x02\x33\0\0".to_vec();
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"rTRC", curv.clone()),
        (b"gTRC", curv.clone()),
        (b"bTRC", curv),
    ];
    let mut header = vec![0u8; 128];
    header[8..12].copy_from_slice(&[2, 0x10, 0, 0]);
    header[12..16].copy_from_slice(b"mntr");
    header[16..20].copy_from_slice(b"RGB ");
    header[20..24].copy_from_slice(b"XYZ ");
    header[36..40].copy_from_slice(b"acsp");
    header[68..72].copy_from_slice(&s15(0.9642));
    header[72..76].copy_from_slice(&s15(1.0));
    header[76..80].copy_from_slice(&s15(0.8249));
    let mut table = (tags.len() as u32).to_be_bytes().to_vec();
    let mut data = Vec::new();
    let mut at = 128 + 4 + 12 * tags.len();
    for (sig, body) in &tags {
        table.extend(*sig);
        table.extend((at as u32).to_be_bytes());
        table.extend((body.len() as u32).to_be_bytes());
        data.extend(body);
        at += body.len();
    }
    let mut icc = [header, table, data].concat();
    let len = (icc.len() as u32).to_be_bytes();
    icc[0..4].copy_from_slice(&len);
    icc
}

#[test]
fn an_embedded_icc_profile_is_converted_to_srgb() {
    use crate::support::png::{chunk, insert_before_idat, zlib};
    let lib = TestLib::new();
    let mut iccp = b"swapped\0\0".to_vec();
    iccp.extend(zlib(&swapped_primaries_icc()));
    let png = insert_before_idat(&png_of(&solid(96, 64, RED)), &[chunk(b"iCCP", &iccp)]);
    let heic = made_with(&lib, "icc", ("png", &png), "heic", heif_enc);
    let avif = made_with(&lib, "icc", ("png", &png), "avif", avifenc);
    // Lossless: the pixels stay in the embedded profile's space (a lossy XYB encoding would
    // need jxl-oxide to convert to that profile itself).
    let src = lib.input("src/icc-jxl.png", &png);
    let jxl = lib.inputs.join("icc.jxl");
    let (s, o) = (src.to_str().unwrap(), jxl.to_str().unwrap());
    encode("cjxl", "libjxl-tools", &[s, o, "-d", "0", "-e", "1"]);
    let lossy = made_with(&lib, "icc-lossy", ("png", &png), "jxl", cjxl);
    for (path, format) in [
        (&heic, "heic"),
        (&avif, "avif"),
        (&jxl, "jxl"),
        (&lossy, "lossy jxl"),
    ] {
        let id = lib.import_one(path);
        let thumb = lib.thumb(&id, "grid").to_rgb8();
        crate::support::assert_color(
            &thumb,
            48,
            32,
            BLUE,
            60,
            &format!("{format}: its profile's red is sRGB blue"),
        );
    }
}

#[test]
fn a_jpeg_turned_into_jxl_keeps_its_orientation() {
    // cjxl recompresses a JPEG losslessly and carries its EXIF orientation into the
    // codestream's own orientation, which the decoder applies.
    let lib = TestLib::new();
    let upright = corners(480, 320);
    let jpeg = jpeg_with_exif(
        &jpeg_of(&store_for_orientation(&upright, 6)),
        &Exif {
            orientation: Some(6),
            ..Exif::default()
        },
    );
    let jxl = made_with(&lib, "turned", ("jpg", &jpeg), "jxl", cjxl);
    let id = lib.import_one(&jxl);
    assert_imported(&lib, &id, "jxl", "image/jxl", (480, 320));
}

/// Turns the `pixi` property heif-enc writes last in `ipco` (associated with the primary
/// image) into an `irot` of the same size: the file gains the container rotation heif-enc
/// cannot write, and no offset moves. libheif reads the angle from the first payload byte.
fn with_irot(mut heic: Vec<u8>, angle: u8) -> Vec<u8> {
    let at = heic
        .windows(4)
        .position(|w| w == b"pixi")
        .expect("heif-enc writes a pixi property");
    let size = u32::from_be_bytes(heic[at - 4..at].try_into().unwrap()) as usize;
    let end = at - 4 + size;
    assert_eq!(
        &heic[end + 4..end + 8],
        b"ipma",
        "pixi is the last property (no index shifts)"
    );
    heic[at..at + 4].copy_from_slice(b"irot");
    heic[at + 4..end].fill(0);
    heic[at + 4] = angle;
    heic
}

#[test]
fn a_phone_heic_turned_by_irot_with_exif_orientation_beside_it_shows_upright() {
    // As phones write a portrait: the sensor's pixels stored sideways, `irot` turning them
    // (270° anticlockwise) and EXIF orientation 6 saying the same. Applied twice, the picture
    // would lie on its side or stand on its head.
    let lib = TestLib::new();
    let upright = corners(480, 320);
    let jpeg = jpeg_with_exif(
        &jpeg_of(&store_for_orientation(&upright, 6)),
        &Exif {
            orientation: Some(6),
            make: Some("Apple".into()),
            ..Exif::default()
        },
    );
    let plain = made_with(&lib, "sideways", ("jpg", &jpeg), "heic", heif_enc);
    let heic = lib.input(
        "IMG_0002.HEIC",
        &with_irot(std::fs::read(plain).unwrap(), 3),
    );
    let id = lib.import_one(&heic);
    let show = lib.show(&id);
    assert_eq!(show["camera_make"], "Apple", "{show}");
    assert_eq!(show["exif"]["Orientation"], "Rotated 90° CW", "{show}");
    assert_imported(&lib, &id, "heic", "image/heic", (480, 320));
}
