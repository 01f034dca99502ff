//! Large progressive JPEGs are thumbnailed from their DC scans alone (`thumbs/progressive.rs`).
//! The files are made in the test run by libjpeg-turbo's own `cjpeg`, and re-scanned by
//! `jpegtran -scans` into the scan scripts other encoders write (mozjpeg's DC scan per
//! component, DC without refinement, chroma DC interleaved apart from luma), with restart
//! markers, 4:4:4, 4:2:2 and grey (the Debian package `libjpeg-turbo-progs`, installed by
//! `scripts/setup --test`; a missing tool fails the test and names it). Each one is taken by the
//! DC path and matches TurboJPEG's full decode at 1/8; imported, it has its full size and an
//! upright grid thumbnail in its colours. Arithmetic-coded and cut files are left to TurboJPEG:
//! the first imports, the second is `corrupt` and the batch goes on.

use std::path::{Path, PathBuf};

use crate::heif_avif_jxl::encode;
use crate::orientation::assert_upright;
use crate::support::images::*;
use crate::support::TestLib;

/// Large enough that the grid thumbnail is made at 1/8 (long edge ≥ 8 × 320).
const W: u32 = 2600;
const H: u32 = 1736;

/// The corners picture with texture, so that the AC scans carry something.
fn source_ppm(lib: &TestLib) -> PathBuf {
    ppm_of_size(lib, W, H)
}

fn ppm_of_size(lib: &TestLib, w: u32, h: u32) -> PathBuf {
    let mut img = corners(w, h);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let t = ((x * 7 + y * 13) % 23) as u8;
        p.0 = p.0.map(|c| c.saturating_add(t).saturating_sub(11));
    }
    let mut ppm = format!("P6\n{w} {h}\n255\n").into_bytes();
    ppm.extend_from_slice(img.as_raw());
    lib.input(&format!("src/picture-{w}x{h}.ppm"), &ppm)
}

fn cjpeg(lib: &TestLib, src: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = lib.inputs.join(name);
    let mut all = vec!["-quality", "90"];
    all.extend(args);
    all.extend(["-outfile", out.to_str().unwrap(), src.to_str().unwrap()]);
    encode("cjpeg", "libjpeg-turbo-progs", &all);
    out
}

/// `jpegtran` (lossless) with a scan script and extra arguments.
fn rescan(lib: &TestLib, src: &Path, name: &str, script: &str, args: &[&str]) -> PathBuf {
    let scans = lib.input(&format!("src/{name}.scans"), script.as_bytes());
    let out = lib.inputs.join(name);
    let mut all = vec!["-scans", scans.to_str().unwrap()];
    all.extend(args);
    all.extend(["-outfile", out.to_str().unwrap(), src.to_str().unwrap()]);
    encode("jpegtran", "libjpeg-turbo-progs", &all);
    out
}

/// Mean absolute differences from TurboJPEG's decode at 1/8 of a `w`×`h` picture: per channel
/// value, and of luma.
fn against_turbo(path: &Path, (w, h): (u32, u32)) -> (f64, f64) {
    let bytes = std::fs::read(path).unwrap();
    let ours = vitrine::thumbs::progressive::dc_eighth(&bytes)
        .unwrap_or_else(|| panic!("{}: not taken by the DC path", path.display()));
    let theirs = vitrine::thumbs::turbo::decode_rgb(&bytes, (1, 8)).expect("TurboJPEG");
    assert_eq!(
        (ours.width, ours.height),
        (theirs.width, theirs.height),
        "{}: TurboJPEG's 1/8 size",
        path.display()
    );
    assert_eq!((ours.width, ours.height), (w.div_ceil(8), h.div_ceil(8)));
    let luma = |p: &[u8]| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64;
    let (mut rgb, mut y) = (0.0, 0.0);
    for (a, b) in ours.data.chunks(3).zip(theirs.data.chunks(3)) {
        rgb += a
            .iter()
            .zip(b)
            .map(|(a, b)| a.abs_diff(*b) as f64)
            .sum::<f64>();
        y += (luma(a) - luma(b)).abs();
    }
    let px = ours.data.len() as f64 / 3.0;
    (rgb / px / 3.0, y / px)
}

#[test]
fn progressive_jpegs_as_encoders_write_them_take_the_dc_path() {
    let lib = TestLib::new();
    let src = source_ppm(&lib);
    let standard = cjpeg(&lib, &src, "standard.jpg", &["-progressive"]);
    let files = vec![
        standard.clone(),
        cjpeg(&lib, &src, "444.jpg", &["-progressive", "-sample", "1x1"]),
        cjpeg(&lib, &src, "422.jpg", &["-progressive", "-sample", "2x1"]),
        cjpeg(&lib, &src, "grey.jpg", &["-progressive", "-grayscale"]),
        cjpeg(&lib, &src, "restart-rows.jpg", &["-progressive", "-restart", "1"]),
        // mozjpeg's layout: each component's DC in its own scan, at full precision.
        rescan(
            &lib,
            &standard,
            "dc-per-component.jpg",
            "0: 0-0, 0, 0;\n1: 0-0, 0, 0;\n2: 0-0, 0, 0;\n0: 1-63, 0, 0;\n1: 1-63, 0, 0;\n2: 1-63, 0, 0;\n",
            &[],
        ),
        // Luma DC apart from chroma DC, refined later, restart markers mid-row.
        rescan(
            &lib,
            &standard,
            "dc-split-restarts.jpg",
            "0: 0-0, 0, 1;\n1,2: 0-0, 0, 1;\n0: 1-63, 0, 0;\n1: 1-63, 0, 0;\n2: 1-63, 0, 0;\n0,1,2: 0-0, 1, 0;\n",
            &["-restart", "7B"],
        ),
    ];
    for f in &files {
        let (rgb, y) = against_turbo(f, (W, H));
        let name = f.file_name().unwrap().to_string_lossy();
        assert!(y < 1.0, "{name}: luma differs from TurboJPEG's by {y:.2}");
        assert!(
            rgb < 1.5,
            "{name}: colour differs from TurboJPEG's by {rgb:.2}"
        );
    }
    let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let (run, lines) = lib.import(&paths, &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr);
    for line in &lines {
        let name = line["input"].as_str().unwrap().to_string();
        let id = line["id"].as_str().unwrap_or_else(|| panic!("{line}"));
        let show = lib.show(id);
        assert_eq!(
            (show["width"].as_u64(), show["height"].as_u64()),
            (Some(W as u64), Some(H as u64)),
            "{name}: full size"
        );
        let grid = lib.thumb(id, "grid").to_rgb8();
        assert_eq!(grid.dimensions(), (320, 214), "{name}: grid size");
        if !name.ends_with("grey.jpg") {
            assert_upright(&grid, &name);
        }
    }
}

#[test]
fn partial_blocks_tiny_pictures_and_grey_match_turbojpeg() {
    // Luma is the DC exactly as libjpeg's 1x1 IDCT makes it. Chroma is each chroma block's DC
    // interpolated, where libjpeg's 2x2 IDCT also uses two AC coefficients: close on a picture
    // of photo size, far on a few blocks (the import only takes this path for pictures whose
    // 1/8 is at least the grid's 320 px).
    let lib = TestLib::new();
    for (w, h) in [(2563, 1707), (64, 8), (9, 17)] {
        let src = ppm_of_size(&lib, w, h);
        let large = w > 320 * 8;
        let colour = cjpeg(&lib, &src, &format!("c{w}x{h}.jpg"), &["-progressive"]);
        let (rgb, y) = against_turbo(&colour, (w, h));
        assert!(y < 1.0, "{w}x{h} colour: luma differs by {y:.2}");
        assert!(
            !large || rgb < 1.5,
            "{w}x{h} colour: mean difference {rgb:.2}"
        );
        let grey = cjpeg(
            &lib,
            &src,
            &format!("g{w}x{h}.jpg"),
            &["-progressive", "-grayscale"],
        );
        let (rgb, y) = against_turbo(&grey, (w, h));
        assert!(
            rgb < 0.5 && y < 0.5,
            "{w}x{h} grey: mean difference {rgb:.2}"
        );
    }
}

#[test]
fn arithmetic_and_cut_progressive_jpegs_are_left_to_turbojpeg() {
    let lib = TestLib::new();
    let src = source_ppm(&lib);
    let arith = cjpeg(&lib, &src, "arith.jpg", &["-progressive", "-arithmetic"]);
    let whole = std::fs::read(cjpeg(&lib, &src, "whole.jpg", &["-progressive"])).unwrap();
    // Cut in the AC scans, long after every DC scan: only the end-of-image walk sees it.
    let cut = lib.input("cut.jpg", &whole[..whole.len() * 3 / 4]);
    for (path, what) in [(&arith, "arithmetic-coded"), (&cut, "cut")] {
        let bytes = std::fs::read(path).unwrap();
        assert!(
            vitrine::thumbs::progressive::dc_eighth(&bytes).is_none(),
            "{what}: not the DC path's"
        );
    }
    let (run, lines) = lib.import(&[&arith, &cut], &[]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let outcome = |name: &str| {
        lines
            .iter()
            .find(|l| l["input"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name}: no outcome"))
            .clone()
    };
    let a = outcome("arith.jpg");
    assert_eq!(
        a["status"], "imported",
        "TurboJPEG reads arithmetic coding: {a}"
    );
    let grid = lib.thumb(a["id"].as_str().unwrap(), "grid").to_rgb8();
    assert_upright(&grid, "arithmetic-coded");
    let c = outcome("cut.jpg");
    assert_eq!(c["status"], "error", "{c}");
    assert_eq!(c["code"], "corrupt", "{c}");
}
