//! EXIF orientation 1..8: the grid thumbnail shows the picture upright and the
//! `orientation` field is recorded; stored width/height stay as stored.

use crate::support::exif::{jpeg_with_exif, Exif};
use crate::support::images::*;
use crate::support::{assert_color, corpus, manifest, TestLib};

/// Samples the four corners of an upright thumbnail (inset by 1/8 of each side).
pub(crate) fn assert_upright(thumb: &image::RgbImage, what: &str) {
    let (w, h) = thumb.dimensions();
    let (x0, y0, x1, y1) = (w / 8, h / 8, w - 1 - w / 8, h - 1 - h / 8);
    assert_color(thumb, x0, y0, RED, 60, &format!("{what}: red top-left"));
    assert_color(
        thumb,
        x1,
        y0,
        GREEN,
        60,
        &format!("{what}: green top-right"),
    );
    assert_color(
        thumb,
        x0,
        y1,
        BLUE,
        60,
        &format!("{what}: blue bottom-left"),
    );
    assert_color(
        thumb,
        x1,
        y1,
        YELLOW,
        60,
        &format!("{what}: yellow bottom-right"),
    );
}

#[test]
fn generated_orientations_render_upright() {
    let lib = TestLib::new();
    let upright = corners(480, 320);
    let mut paths = Vec::new();
    for o in 1..=8u8 {
        let stored = store_for_orientation(&upright, o);
        let bytes = jpeg_with_exif(
            &jpeg_of(&stored),
            &Exif {
                orientation: Some(o as u16),
                ..Exif::default()
            },
        );
        paths.push(lib.input(&format!("orient-{o}.jpg"), &bytes));
    }
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let (run, lines) = lib.import(&refs, &[]);
    assert!(run.ok(), "{}", run.stdout);
    for o in 1..=8u8 {
        let name = format!("orient-{o}.jpg");
        let line = lines
            .iter()
            .find(|l| l["input"].as_str().unwrap().ends_with(&name))
            .unwrap();
        let id = line["id"].as_str().unwrap();
        let show = lib.show(id);
        assert_eq!(show["orientation"], o, "orientation {o} recorded");
        let (sw, sh) = if o >= 5 { (320, 480) } else { (480, 320) };
        assert_eq!(
            (show["width"].as_u64(), show["height"].as_u64()),
            (Some(sw), Some(sh)),
            "orientation {o}: width/height are the stored size"
        );
        let thumb = lib.thumb(id, "grid").to_rgb8();
        assert_eq!(
            thumb.dimensions(),
            (320, 213),
            "orientation {o}: upright thumbnail size"
        );
        assert_upright(&thumb, &format!("orientation {o} grid"));
        let preview = lib.thumb(id, "preview").to_rgb8();
        assert_eq!(
            preview.dimensions(),
            (480, 320),
            "orientation {o}: preview not enlarged"
        );
        assert_upright(&preview, &format!("orientation {o} preview"));
    }
}

#[test]
fn out_of_range_orientation_is_treated_as_upright() {
    let lib = TestLib::new();
    let bytes = jpeg_with_exif(
        &jpeg_of(&corners(300, 200)),
        &Exif {
            orientation: Some(9),
            ..Exif::default()
        },
    );
    let id = lib.add("orient-9.jpg", &bytes);
    assert_eq!(lib.show(&id)["orientation"], 1);
    assert_upright(&lib.thumb(&id, "grid").to_rgb8(), "orientation 9");
}

#[test]
fn corpus_orientations_render_upright() {
    let Some(dir) = corpus("corpus_orientations_render_upright") else {
        return;
    };
    let lib = TestLib::new();
    for entry in manifest(&dir)
        .iter()
        .filter(|e| e["case"] == "jpeg-orientation")
    {
        let path = dir.join(entry["path"].as_str().unwrap());
        let id = lib.import_one(&path);
        let o = entry["orientation"].as_u64().unwrap();
        let show = lib.show(&id);
        assert_eq!(show["orientation"], o, "{}", path.display());
        assert_eq!(
            show["width"],
            entry["width"],
            "{}: stored width",
            path.display()
        );
        let thumb = lib.thumb(&id, "grid").to_rgb8();
        let (dw, dh) = (
            entry["display_width"].as_u64().unwrap() as f64,
            entry["display_height"].as_u64().unwrap() as f64,
        );
        let (tw, th) = thumb.dimensions();
        assert!(
            ((tw as f64 / th as f64) - dw / dh).abs() < 0.02,
            "{}: thumbnail has the display aspect ratio",
            path.display()
        );
        // The corpus marks squares at (40,40) etc. of a 600x400 picture: scale to the thumb.
        let s = tw as f64 / dw;
        let at = |x: f64, y: f64| ((x * s) as u32, (y * s) as u32);
        let checks = [
            (at(40.0, 40.0), [255, 0, 0], "red top-left"),
            (at(dw - 40.0, 40.0), [0, 255, 0], "green top-right"),
            (at(40.0, dh - 40.0), [0, 0, 255], "blue bottom-left"),
            (
                at(dw - 40.0, dh - 40.0),
                [255, 255, 0],
                "yellow bottom-right",
            ),
        ];
        for ((x, y), want, label) in checks {
            assert_color(
                &thumb,
                x,
                y,
                want,
                80,
                &format!("{} {label}", path.display()),
            );
        }
    }
}
