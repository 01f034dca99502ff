//! Bad input: every refusal is a per-item error with a clear message and a stable code,
//! leaves nothing behind, and never stops the rest of the batch.

use serde_json::Value;
use std::path::Path;

use crate::support::images::*;
use crate::support::png::break_idat_crc;
use crate::support::TestLib;

/// Nothing was written for refused items: no row, no original, no temp leftovers.
fn assert_nothing_written(lib: &TestLib, rows: i64) {
    assert_eq!(
        lib.count("SELECT count(*) FROM images"),
        rows,
        "refused items add no catalog row"
    );
    assert_eq!(
        lib.originals().len() as i64,
        rows,
        "refused items add no file under originals/: {:?}",
        lib.originals()
    );
    assert_eq!(
        lib.count("SELECT count(*) FROM thumb_jobs"),
        0,
        "no thumbnail job left behind"
    );
    let tmp: Vec<_> = std::fs::read_dir(lib.root.join("tmp"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        tmp.is_empty(),
        "tmp/ is empty once the process has ended: {tmp:?}"
    );
}

fn outcome<'a>(lines: &'a [Value], name: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["input"].as_str().unwrap_or("").ends_with(name))
        .unwrap_or_else(|| panic!("no outcome for {name}: {lines:?}"))
}

fn assert_error(lines: &[Value], name: &str, code: &str, message: &str) {
    let o = outcome(lines, name);
    assert_eq!(o["status"], "error", "{name} must be refused: {o}");
    assert_eq!(o["code"], code, "{name}: error code ({o})");
    assert!(o["id"].is_null(), "{name}: no id for a refused item");
    let err = o["error"].as_str().unwrap_or("");
    assert!(
        err.contains(message),
        "{name}: message {err:?} should contain {message:?}"
    );
}

/// A valid 1-megapixel-free ISO BMFF header with the given brands.
fn ftyp(major: &[u8; 4], compat: &[&[u8; 4]]) -> Vec<u8> {
    let mut body = major.to_vec();
    body.extend([0, 0, 0, 0]);
    for c in compat {
        body.extend(*c);
    }
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend(b"ftyp");
    out.extend(body);
    out.extend(noise(200, 9));
    out
}

#[test]
fn each_bad_file_is_refused_clearly_and_the_batch_goes_on() {
    let lib = TestLib::new();
    let good_first = lib.input("a-good.jpg", &jpeg(200, 100, 1));
    let full_jpeg = jpeg(600, 400, 2);
    let full_png = png_rgb8(300, 200, 3);
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty.jpg", Vec::new()),
        (
            "text.jpg",
            b"This is not a picture.\nJust some notes someone named .jpg\n".to_vec(),
        ),
        ("random.webp", noise(16 * 1024, 7)),
        (
            "truncated.jpg",
            full_jpeg[..full_jpeg.len() * 3 / 10].to_vec(),
        ),
        ("truncated.png", full_png[..full_png.len() / 2].to_vec()),
        ("bad-crc.png", break_idat_crc(&png_rgb8(120, 80, 4))),
        ("bomb.png", png_bomb(20_000, 20_000)),
        ("photo.avif", ftyp(b"avif", &[b"mif1", b"avif"])),
        ("photo.heic", ftyp(b"heic", &[b"mif1", b"heic"])),
    ];
    assert!(
        bad.iter().find(|(n, _)| *n == "bomb.png").unwrap().1.len() < 200_000,
        "the bomb is small on disk"
    );
    let mut paths = vec![good_first.clone()];
    for (name, bytes) in &bad {
        paths.push(lib.input(name, bytes));
    }
    paths.push(lib.inputs.join("does-not-exist.jpg"));
    let self_loop = lib.inputs.join("self.jpg");
    std::os::unix::fs::symlink("self.jpg", &self_loop).unwrap();
    paths.push(self_loop);
    let good_last = lib.input("z-good.png", &png_rgb8(64, 64, 5));
    paths.push(good_last);

    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let (run, lines) = lib.import(&refs, &["--threads", "1"]);
    assert_eq!(
        run.code(),
        Some(1),
        "a batch with failures exits 1: {}",
        run.stderr
    );
    assert_eq!(lines.len(), paths.len(), "one JSON line per input");
    for l in &lines {
        let keys: Vec<&str> = l.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        for k in ["input", "status", "id", "error"] {
            assert!(keys.contains(&k), "outcome has key {k}: {l}");
        }
    }
    assert_eq!(
        outcome(&lines, "a-good.jpg")["status"],
        "imported",
        "good item before the bad ones"
    );
    assert_eq!(
        outcome(&lines, "z-good.png")["status"],
        "imported",
        "good item after the bad ones"
    );

    assert_error(&lines, "empty.jpg", "empty", "empty file");
    assert_error(
        &lines,
        "text.jpg",
        "not_an_image",
        "not an image (looks like a text file)",
    );
    assert_error(&lines, "random.webp", "not_an_image", "not an image");
    assert_error(
        &lines,
        "truncated.jpg",
        "corrupt",
        "corrupt or truncated jpeg",
    );
    assert_error(
        &lines,
        "truncated.png",
        "corrupt",
        "corrupt or truncated png",
    );
    assert_error(&lines, "bad-crc.png", "corrupt", "corrupt or truncated png");
    assert_error(&lines, "bomb.png", "too_many_pixels", "20000x20000");
    assert_error(&lines, "bomb.png", "too_many_pixels", "decompression bomb");
    // Only an ftyp box: sniffed as HEIF, refused by libheif as the file it is.
    assert_error(&lines, "photo.avif", "corrupt", "corrupt or truncated avif");
    assert_error(&lines, "photo.heic", "corrupt", "corrupt or truncated heic");
    assert_error(&lines, "does-not-exist.jpg", "not_found", "file not found");
    assert_error(&lines, "self.jpg", "symlink_loop", "symlink loop");

    assert!(
        run.stderr.is_empty() || !run.stderr.contains("panicked"),
        "no panic: {}",
        run.stderr
    );
    assert_nothing_written(&lib, 2);
}

#[test]
fn size_and_pixel_caps_are_enforced() {
    let lib = TestLib::new();
    let big = lib.input("big.png", &png_rgb8(400, 400, 1)); // ~ hundreds of KB
    let size = std::fs::metadata(&big).unwrap().len();
    assert!(size > 2000, "test image is bigger than the cap");
    let (run, lines) = lib.import(&[&big], &["--max-file-size", "2000"]);
    assert_eq!(run.code(), Some(1));
    assert_error(&lines, "big.png", "too_large", "import limit");

    let wide = lib.input("wide.jpg", &jpeg(500, 300, 2));
    let (run, lines) = lib.import(&[&wide], &["--max-pixels", "100000"]);
    assert_eq!(run.code(), Some(1));
    assert_error(&lines, "wide.jpg", "too_many_pixels", "500x300");

    // The env vars work like the options.
    let run = lib.run_env(
        &["--json", "import", big.to_str().unwrap()],
        &[("VITRINE_MAX_FILE_SIZE", "1KiB")],
    );
    assert_eq!(run.code(), Some(1));
    assert_error(&run.json_lines(), "big.png", "too_large", "import limit");

    let bad = lib.run(&["import", "--max-file-size", "lots", big.to_str().unwrap()]);
    assert!(!bad.ok(), "an unreadable size is a usage error");
    assert!(bad.stderr.contains("invalid size"), "{}", bad.stderr);
    assert_nothing_written(&lib, 0);

    // Within the caps the same files import.
    let (run, _) = lib.import(&[&big, &wide], &["--max-file-size", "10MiB"]);
    assert!(run.ok(), "{}", run.stdout);
}

#[test]
fn unreadable_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let lib = TestLib::new();
    let p = lib.input("locked.jpg", &jpeg(64, 64, 1));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        println!(
            "SKIP unreadable_file_is_refused: running as root, chmod 000 does not block reads"
        );
        return;
    }
    let (run, lines) = lib.import(&[&p], &[]);
    assert_eq!(run.code(), Some(1));
    assert_error(
        &lines,
        "locked.jpg",
        "permission_denied",
        "permission denied",
    );
    assert_nothing_written(&lib, 0);
}

#[test]
fn folder_loops_are_walked_once() {
    let lib = TestLib::new();
    // root/inside.jpg, root/sub/up -> .. (back to root), root/self.jpg -> self.jpg,
    // root/loop/{inside2.png, up -> ..}: the corpus shape, one level down.
    let root = lib.inputs.join("tree");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::create_dir_all(root.join("loop")).unwrap();
    std::fs::write(root.join("inside.jpg"), jpeg(80, 60, 1)).unwrap();
    std::fs::write(root.join("loop/inside2.png"), png_rgb8(30, 20, 2)).unwrap();
    std::fs::write(root.join("notes.txt"), b"not an image, skipped by the walk").unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("..", root.join("loop/up")).unwrap();
    std::os::unix::fs::symlink("self.jpg", root.join("self.jpg")).unwrap();

    let (run, lines) = lib.import(&[&root], &[]);
    let imported: Vec<&Value> = lines.iter().filter(|l| l["status"] == "imported").collect();
    assert_eq!(
        imported.len(),
        2,
        "each real file is imported exactly once: {}",
        run.stdout
    );
    assert!(
        lines.iter().all(|l| l["status"] != "duplicate"),
        "no file is reached twice through a loop: {}",
        run.stdout
    );
    for l in lines.iter().filter(|l| l["status"] == "error") {
        assert_eq!(l["code"], "symlink_loop", "only loop errors: {l}");
    }
    assert!(
        !lines
            .iter()
            .any(|l| l["input"].as_str().unwrap().ends_with("notes.txt")),
        "non-image files in folders are left alone"
    );
    assert_eq!(lib.count("SELECT count(*) FROM images"), 2);
}

#[test]
fn odd_unicode_names_are_kept() {
    let lib = TestLib::new();
    let names = [
        "ünï 名前 (1).jpg",
        "🐱 cat #1.png",
        "100%20 sure %.gif",
        "  leading spaces.bmp",
    ];
    let bytes = [
        jpeg(50, 40, 1),
        png_rgb8(50, 40, 2),
        gif_single(50, 40, 3),
        bmp(50, 40, 4),
    ];
    let paths: Vec<_> = names
        .iter()
        .zip(&bytes)
        .map(|(n, b)| lib.input(n, b))
        .collect();
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let (run, lines) = lib.import(&refs, &[]);
    assert!(run.ok(), "{}\n{}", run.stdout, run.stderr);
    for name in names {
        let o = outcome(&lines, name);
        assert_eq!(o["status"], "imported", "{name}");
        let show = lib.show(o["id"].as_str().unwrap());
        assert_eq!(show["filename"], name.trim(), "file name kept as given");
        assert!(
            show["sources"][0]["source"]
                .as_str()
                .unwrap()
                .ends_with(name),
            "source path keeps the name: {}",
            show["sources"]
        );
    }
    let found = lib
        .run(&["--json", "search", "名前"])
        .expect_ok("search")
        .json_array();
    assert_eq!(found.len(), 1, "non-ASCII file names are searchable");
}
