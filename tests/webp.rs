//! WebP made in the test run by libwebp's own tools (`cwebp`, `img2webp`: the Debian package
//! `webp`, installed by `scripts/setup --test`; a missing one fails the test and names it).
//! Still pictures, lossy and lossless, go through libwebp scaled on load: imported with their
//! full size, a grid thumbnail in the right colours at the corners, decoded at the thumbnail's
//! size rather than in full; transparency kept; an EXIF orientation beside them applied; an
//! animation shows its first frame; a truncated file is a `corrupt` error and the batch goes on.

use std::path::{Path, PathBuf};

use crate::heif_avif_jxl::{encode, png_of};
use crate::orientation::assert_upright;
use crate::support::exif::{webp_with_exif, Exif};
use crate::support::images::*;
use crate::support::{assert_color, TestLib};

/// `cwebp [args] src -o inputs/<name>`.
fn cwebp(lib: &TestLib, name: &str, png: &[u8], args: &[&str]) -> PathBuf {
    let src = lib.input(&format!("src/{name}.png"), png);
    let out = lib.inputs.join(name);
    let mut all: Vec<&str> = vec!["-quiet"];
    all.extend(args);
    all.extend([src.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    encode("cwebp", "webp", &all);
    out
}

/// What the decoder hands the renderer for a grid thumbnail, through the library API.
fn decoded_for_grid(path: &Path) -> vitrine::thumbs::Decoded {
    let bytes = std::fs::read(path).unwrap();
    vitrine::thumbs::decode(
        &bytes,
        vitrine::import::sniff::Format::Webp,
        320,
        &vitrine::thumbs::Limits {
            max_pixels: 100_000_000,
        },
    )
    .expect("decodes")
}

#[test]
fn lossy_and_lossless_webp_decode_scaled_in_their_colours() {
    let lib = TestLib::new();
    let png = png_of(&corners(1200, 800));
    let lossy = cwebp(&lib, "lossy.webp", &png, &["-q", "90"]);
    let lossless = cwebp(&lib, "lossless.webp", &png, &["-lossless"]);
    for (path, what) in [(&lossy, "lossy"), (&lossless, "lossless")] {
        let d = decoded_for_grid(path);
        assert_eq!(
            (d.width, d.height, d.full_width, d.full_height),
            (320, 213, 1200, 800),
            "{what}: decoded at the grid's size, scaled on load, the full size known"
        );
        let id = lib.import_one(path);
        let show = lib.show(&id);
        assert_eq!(show["format"], "webp", "{what}: {show}");
        assert_eq!(
            (show["width"].as_u64(), show["height"].as_u64()),
            (Some(1200), Some(800)),
            "{what}: the full size is recorded"
        );
        let grid = lib.thumb(&id, "grid").to_rgb8();
        assert_eq!(grid.dimensions(), (320, 213), "{what}: grid thumbnail size");
        assert_upright(&grid, &format!("{what} grid"));
        assert_color(
            &grid,
            160,
            106,
            [128, 128, 128],
            30,
            &format!("{what}: grey middle"),
        );
        let preview = lib.thumb(&id, "preview").to_rgb8();
        assert_eq!(
            preview.dimensions(),
            (1200, 800),
            "{what}: preview not enlarged"
        );
        assert_upright(&preview, &format!("{what} preview"));
    }
}

#[test]
fn webp_transparency_and_exif_orientation_stay_as_they_were() {
    let lib = TestLib::new();
    // Half transparent: the grid thumbnail is a lossless WebP keeping the alpha.
    let mut rgba = image::RgbaImage::from_pixel(600, 400, image::Rgba([20, 20, 230, 255]));
    for (x, _, p) in rgba.enumerate_pixels_mut() {
        if x >= 300 {
            *p = image::Rgba([0, 0, 0, 0]);
        }
    }
    let mut png = std::io::Cursor::new(Vec::new());
    rgba.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let alpha = cwebp(&lib, "alpha.webp", png.get_ref(), &["-q", "90", "-exact"]);
    let id = lib.import_one(&alpha);
    let out = lib.dir.path().join("alpha-grid");
    let run = lib
        .run(&["--json", "thumb", &id, "--out", out.to_str().unwrap()])
        .expect_ok("thumb");
    assert_eq!(
        run.json()["mime"],
        "image/webp",
        "alpha kept: {}",
        run.stdout
    );
    let grid = image::load_from_memory(&std::fs::read(&out).unwrap())
        .unwrap()
        .to_rgba8();
    assert_eq!(grid.dimensions(), (320, 213));
    assert_eq!(grid.get_pixel(40, 100)[3], 255, "left half opaque");
    assert!(grid.get_pixel(40, 100)[2] > 180, "left half blue");
    assert_eq!(grid.get_pixel(280, 100)[3], 0, "right half transparent");

    // Stored sideways with EXIF orientation 6 in an EXIF chunk: shown upright once.
    let stored = store_for_orientation(&corners(480, 320), 6);
    let plain = std::fs::read(cwebp(
        &lib,
        "src-sideways.webp",
        &png_of(&stored),
        &["-q", "90"],
    ))
    .unwrap();
    let exif = Exif {
        orientation: Some(6),
        ..Exif::default()
    };
    let rotated = lib.input(
        "sideways.webp",
        &webp_with_exif(&plain, 320, 480, &exif, false),
    );
    let id = lib.import_one(&rotated);
    let show = lib.show(&id);
    assert_eq!(show["orientation"], 6, "{show}");
    let grid = lib.thumb(&id, "grid").to_rgb8();
    assert_eq!(grid.dimensions(), (320, 213), "turned upright");
    assert_upright(&grid, "WebP with EXIF orientation 6");
}

#[test]
fn an_animated_webp_shows_its_first_frame() {
    let lib = TestLib::new();
    let first = lib.input("src/f1.png", &png_of(&corners(240, 160)));
    let second = lib.input("src/f2.png", &png_of(&solid(240, 160, BLUE)));
    let out = lib.inputs.join("anim.webp");
    encode(
        "img2webp",
        "webp",
        &[
            "-lossy",
            "-q",
            "90",
            first.to_str().unwrap(),
            second.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let id = lib.import_one(&out);
    let show = lib.show(&id);
    assert_eq!(show["format"], "webp", "{show}");
    assert_eq!(
        (show["width"].as_u64(), show["height"].as_u64()),
        (Some(240), Some(160))
    );
    let grid = lib.thumb(&id, "grid").to_rgb8();
    assert_eq!(grid.dimensions(), (240, 160));
    assert_upright(&grid, "animated WebP: the first frame");
}

#[test]
fn a_truncated_webp_is_corrupt_and_the_batch_goes_on() {
    let lib = TestLib::new();
    let png = noise_png(256, 192, 9);
    let lossy = std::fs::read(cwebp(&lib, "src-a.webp", &png, &["-q", "90"])).unwrap();
    let lossless = std::fs::read(cwebp(&lib, "src-b.webp", &png, &["-lossless"])).unwrap();
    let cut_lossy = lib.input("cut-lossy.webp", &lossy[..lossy.len() * 2 / 3]);
    let cut_lossless = lib.input("cut-lossless.webp", &lossless[..lossless.len() / 2]);
    let good = lib.input("good.png", &png_rgb8(32, 32, 1));
    let (run, lines) = lib.import(&[&cut_lossy, &cut_lossless, &good], &[]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "no panic: {}", run.stderr);
    for name in ["cut-lossy.webp", "cut-lossless.webp"] {
        let o = lines
            .iter()
            .find(|l| l["input"].as_str().unwrap().ends_with(name))
            .unwrap();
        assert_eq!(o["status"], "error", "{name}: {o}");
        assert_eq!(o["code"], "corrupt", "{name}: {o}");
        let msg = o["error"].as_str().unwrap();
        assert!(
            msg.starts_with("corrupt or truncated webp: "),
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
fn the_pixel_cap_refuses_an_oversized_webp_before_decoding() {
    let lib = TestLib::new();
    let path = cwebp(&lib, "big.webp", &png_of(&corners(600, 400)), &["-q", "80"]);
    let (run, lines) = lib.import(&[&path], &["--max-pixels", "100000"]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert_eq!(lines[0]["code"], "too_many_pixels", "{}", lines[0]);
    assert!(lines[0]["error"].as_str().unwrap().contains("600x400"));
}
