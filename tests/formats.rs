//! Every decodable format imports with the right format and pixel size, gets a grid
//! thumbnail, and files are recognised by their bytes, not their names.

use crate::support::images::*;
use crate::support::{assert_color, TestLib};
use image::GenericImageView;

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    format: &'static str,
    width: u32,
    height: u32,
}

fn case(name: &'static str, bytes: Vec<u8>, format: &'static str, w: u32, h: u32) -> Case {
    Case {
        name,
        bytes,
        format,
        width: w,
        height: h,
    }
}

#[test]
fn every_generated_format_imports_with_its_size_and_a_grid_thumbnail() {
    let lib = TestLib::new();
    let cases = vec![
        case("baseline.jpg", jpeg(640, 400, 1), "jpeg", 640, 400),
        case("grey.jpg", jpeg_grey(300, 500, 2), "jpeg", 300, 500),
        case("rgb8.png", png_rgb8(333, 222, 3), "png", 333, 222),
        case("rgba8.png", png_rgba8(200, 120, 4), "png", 200, 120),
        case("rgb16.png", png_rgb16(150, 100, 5), "png", 150, 100),
        case("palette.png", png_palette(210, 140, 6), "png", 210, 140),
        case("grey8.png", png_grey8(90, 400, 7), "png", 90, 400),
        case("interlaced.png", png_interlaced(101, 67, 8), "png", 101, 67),
        case("single.gif", gif_single(160, 90, 9), "gif", 160, 90),
        case(
            "lossless.webp",
            webp_lossless(250, 130, 10),
            "webp",
            250,
            130,
        ),
        case("rgb24.bmp", bmp(120, 80, 11), "bmp", 120, 80),
        case("rgb8.tif", tiff8(140, 100, 12), "tiff", 140, 100),
        case("rgb16.tif", tiff16(100, 140, 13), "tiff", 100, 140),
        case("rle.tga", tga(90, 70, 14), "tga", 90, 70),
        case("icon.ico", ico(48, 48, 15), "ico", 48, 48),
        case(
            "apng.png",
            apng(&[solid(64, 48, RED), solid(64, 48, BLUE)]),
            "png",
            64,
            48,
        ),
    ];
    let paths: Vec<_> = cases.iter().map(|c| lib.input(c.name, &c.bytes)).collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let (run, lines) = lib.import(&refs, &[]);
    assert!(
        run.ok(),
        "all formats import: {}\n{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(lines.len(), cases.len(), "one outcome per input");
    for c in &cases {
        let line = lines
            .iter()
            .find(|l| l["input"].as_str().unwrap().ends_with(c.name))
            .unwrap_or_else(|| panic!("no outcome for {}", c.name));
        assert_eq!(line["status"], "imported", "{}: {line}", c.name);
        let id = line["id"].as_str().unwrap();
        let show = lib.show(id);
        assert_eq!(
            show["format"], c.format,
            "{}: format from the bytes",
            c.name
        );
        assert_eq!(show["width"], c.width, "{}: stored width", c.name);
        assert_eq!(show["height"], c.height, "{}: stored height", c.name);
        assert_eq!(show["filename"], c.name, "{}: file name kept", c.name);
        assert_eq!(show["bytes"], c.bytes.len(), "{}: byte size", c.name);
        let thumb = lib.thumb(id, "grid");
        let (tw, th) = thumb.dimensions();
        assert!(
            tw.max(th) <= 320,
            "{}: grid thumbnail fits 320 px, got {tw}x{th}",
            c.name
        );
        // Same aspect ratio (within rounding).
        let want = c.width as f64 / c.height as f64;
        let got = tw as f64 / th as f64;
        assert!(
            (want - got).abs() / want < 0.05,
            "{}: thumbnail keeps the aspect ratio ({want:.3} vs {got:.3})",
            c.name
        );
    }
    let stats = lib.stats();
    assert_eq!(
        stats["thumbnails_pending"], 0,
        "no thumbnail work left after a clean import"
    );
    assert_eq!(stats["images"], cases.len());
}

#[test]
fn misnamed_jpeg_imports_as_jpeg() {
    let lib = TestLib::new();
    let id = lib.add("photo.png", &jpeg(320, 200, 20));
    let show = lib.show(&id);
    assert_eq!(show["format"], "jpeg", "format is sniffed from bytes");
    assert_eq!(show["mime"], "image/jpeg");
    assert_eq!(show["filename"], "photo.png", "the given name is kept");
    assert!(
        show["path"].as_str().unwrap().ends_with(".jpg"),
        "the managed original gets the real extension: {}",
        show["path"]
    );
    let png_as_gif = lib.add("picture.gif", &png_rgb8(50, 40, 21));
    assert_eq!(lib.show(&png_as_gif)["format"], "png");
}

#[test]
fn animated_images_show_their_first_frame() {
    let lib = TestLib::new();
    let gif = lib.add("anim.gif", &gif_solid(80, 60, &[RED, BLUE, GREEN]));
    let png = lib.add(
        "anim.png",
        &apng(&[solid(80, 60, GREEN), solid(80, 60, BLUE)]),
    );
    let show = lib.show(&gif);
    assert_eq!(
        (show["width"].as_u64(), show["height"].as_u64()),
        (Some(80), Some(60))
    );
    let t = lib.thumb(&gif, "grid").to_rgb8();
    assert_color(
        &t,
        40,
        30,
        RED,
        40,
        "animated GIF thumbnail is the first frame",
    );
    let t = lib.thumb(&png, "grid").to_rgb8();
    assert_color(
        &t,
        40,
        30,
        GREEN,
        40,
        "APNG thumbnail is the default (first) frame",
    );
}

#[test]
fn preview_is_at_most_1280_and_never_upscales() {
    let lib = TestLib::new();
    let big = lib.add("big.jpg", &jpeg(2000, 1000, 30));
    let small = lib.add("small.png", &png_rgb8(300, 200, 31));
    let p = lib.thumb(&big, "preview");
    assert_eq!(p.dimensions(), (1280, 640), "preview long edge is 1280");
    let g = lib.thumb(&big, "grid");
    assert_eq!(g.dimensions(), (320, 160), "grid long edge is 320");
    let p = lib.thumb(&small, "preview");
    assert_eq!(
        p.dimensions(),
        (300, 200),
        "a small image is never enlarged"
    );
    let g = lib.thumb(&small, "grid");
    assert_eq!(g.dimensions(), (300, 200), "grid never enlarges either");
    let bad = lib.run(&["thumb", &big, "--size", "huge", "--out", "/dev/null"]);
    assert!(!bad.ok(), "unknown thumbnail size is refused");
    assert!(bad.stderr.contains("grid or preview"), "{}", bad.stderr);
}

#[test]
fn alpha_images_get_a_lossless_webp_thumbnail() {
    let lib = TestLib::new();
    let id = lib.add("alpha.png", &png_rgba8(400, 200, 40));
    let out = lib.dir.path().join("t.webp");
    let run = lib
        .run(&["--json", "thumb", &id, "--out", out.to_str().unwrap()])
        .expect_ok("thumb");
    assert_eq!(run.json()["mime"], "image/webp", "alpha kept via WebP");
    let img = image::load_from_memory(&std::fs::read(&out).unwrap()).unwrap();
    assert!(img.color().has_alpha(), "thumbnail keeps transparency");
    assert_eq!(img.dimensions(), (320, 160));
}
