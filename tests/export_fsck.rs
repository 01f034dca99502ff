//! `export` writes each original byte for byte plus a JSON sidecar into a ZIP; `fsck` finds
//! damage and `fsck --repair` mends what can be mended.

use std::io::Read;

use crate::support::images::*;
use crate::support::{sha256_hex, TestLib};

fn zip_entries(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(path).expect("zip written")).expect("a valid zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

#[test]
fn export_by_id_and_by_tag() {
    let lib = TestLib::new();
    let a_bytes = jpeg(120, 80, 1);
    let b_bytes = png_rgb8(60, 40, 2);
    let c_bytes = gif_single(30, 30, 3);
    let a = lib.add("../sneaky/a.jpg", &a_bytes);
    let b = lib.add("名前 b.png", &b_bytes);
    let c = lib.add("c.gif", &c_bytes);
    lib.run(&["tag", &b, "--add", "pick"]).expect_ok("tag");
    lib.run(&["tag", &c, "--add", "pick"]).expect_ok("tag");

    let zip = lib.dir.path().join("out/by-id.zip");
    std::fs::create_dir_all(zip.parent().unwrap()).unwrap();
    let run = lib
        .run(&[
            "--json",
            "export",
            &a,
            &b,
            &a,
            "--zip",
            zip.to_str().unwrap(),
        ])
        .expect_ok("export ids");
    assert_eq!(run.json()["images"], 2, "a repeated id is exported once");
    let entries = zip_entries(&zip);
    assert_eq!(entries.len(), 4, "original + sidecar per image");
    for (id, bytes) in [(&a, &a_bytes), (&b, &b_bytes)] {
        let original = entries
            .iter()
            .find(|(n, _)| n.starts_with(id.as_str()) && !n.ends_with(".json"))
            .unwrap_or_else(|| panic!("original of {id} in the zip"));
        assert_eq!(
            sha256_hex(&original.1),
            sha256_hex(bytes),
            "original byte-identical"
        );
        assert!(
            !original.0.contains('/'),
            "entry names stay flat: {}",
            original.0
        );
        let sidecar = entries
            .iter()
            .find(|(n, _)| *n == format!("{}.json", original.0))
            .expect("sidecar next to the original");
        let meta: serde_json::Value = serde_json::from_slice(&sidecar.1).unwrap();
        assert_eq!(meta["id"], id.as_str());
        assert_eq!(meta["sha256"], sha256_hex(bytes));
    }

    let zip2 = lib.dir.path().join("by-tag.zip");
    lib.run(&["export", "--tag", "pick", "--zip", zip2.to_str().unwrap()])
        .expect_ok("export --tag");
    let entries = zip_entries(&zip2);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(entries.len(), 4, "two tagged images: {names:?}");
    assert!(names.iter().any(|n| n.starts_with(b.as_str())));
    assert!(names.iter().any(|n| n.starts_with(c.as_str())));
    assert!(!names.iter().any(|n| n.starts_with(a.as_str())));

    let empty = lib.run(&[
        "export",
        "--tag",
        "nothing",
        "--zip",
        zip2.to_str().unwrap(),
    ]);
    assert_eq!(empty.code(), Some(1), "an empty selection is an error");
    assert!(
        empty.stderr.contains("export selection"),
        "{}",
        empty.stderr
    );
    let leftovers: Vec<_> = std::fs::read_dir(lib.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "no partial zip left");
}

#[test]
fn export_with_a_missing_original_fails_without_a_partial_zip() {
    let lib = TestLib::new();
    let a = lib.add("a.jpg", &jpeg(50, 50, 1));
    for f in lib.originals() {
        std::fs::remove_file(lib.root.join("originals").join(f)).unwrap();
    }
    let zip = lib.dir.path().join("x.zip");
    let run = lib.run(&["export", &a, "--zip", zip.to_str().unwrap()]);
    assert_eq!(run.code(), Some(1));
    assert!(run.stderr.contains("missing"), "{}", run.stderr);
    assert!(!zip.exists(), "no zip on failure");
    let names: Vec<String> = std::fs::read_dir(lib.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".part")), "{names:?}");
}

#[test]
fn fsck_reports_and_repairs() {
    let lib = TestLib::new();
    let a = lib.add("a.jpg", &jpeg(80, 60, 1));
    let b = lib.add("b.png", &png_rgb8(80, 60, 2));
    let _c = lib.add("c.gif", &gif_single(40, 40, 3));
    let clean = lib.run(&["--json", "fsck"]).expect_ok("healthy library");
    assert_eq!(clean.json()["problems"], 0);
    assert_eq!(clean.json()["images"], 3);

    // Damage: delete a's original, add a stray file, drop every thumbnail.
    let a_path = lib
        .root
        .join("originals")
        .join(lib.show(&a)["path"].as_str().unwrap());
    std::fs::remove_file(&a_path).unwrap();
    let stray = lib.root.join("originals/zz/stray.jpg");
    std::fs::create_dir_all(stray.parent().unwrap()).unwrap();
    std::fs::write(&stray, b"who put this here").unwrap();
    lib.thumbs_db().execute("DELETE FROM thumbs", []).unwrap();

    let run = lib.run(&["--json", "fsck"]);
    assert_eq!(run.code(), Some(1), "problems make fsck exit non-zero");
    let r = run.json();
    assert_eq!(
        r["missing_originals"][0]["id"],
        a.as_str(),
        "missing original reported"
    );
    assert_eq!(r["orphan_originals"], serde_json::json!(["zz/stray.jpg"]));
    assert_eq!(r["missing_thumbnails"].as_array().unwrap().len(), 3);
    assert_eq!(r["problems"], 5);
    assert!(stray.exists(), "plain fsck changes nothing");
    let human = lib.run(&["fsck"]);
    assert!(
        human.stdout.contains("missing original"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("fsck --repair"),
        "suggests the repair"
    );

    let run = lib.run(&["--json", "fsck", "--repair"]);
    assert_eq!(run.code(), Some(1), "a missing original cannot be repaired");
    let r = run.json();
    assert_eq!(r["repaired"], true);
    assert!(!stray.exists(), "stray file moved away");
    let lost = lib.root.join("lost+found/zz_stray.jpg");
    assert_eq!(
        std::fs::read(&lost).unwrap(),
        b"who put this here",
        "stray file kept in lost+found, not deleted"
    );
    assert_eq!(r["orphan_originals"].as_array().unwrap().len(), 0);
    assert_eq!(
        r["missing_originals"][0]["id"],
        a.as_str(),
        "still reported"
    );
    assert_eq!(
        r["missing_thumbnails"],
        serde_json::json!([a.as_str()]),
        "thumbnails re-rendered except for the image without an original"
    );
    assert!(
        !r["actions"].as_array().unwrap().is_empty(),
        "actions listed"
    );
    // The other images are whole again.
    let t = lib.thumb(&b, "grid");
    assert_eq!((t.width(), t.height()), (80, 60));
    // Removing the broken image makes the library healthy.
    lib.run(&["rm", &a]).expect_ok("rm the broken image");
    let run = lib.run(&["--json", "fsck"]);
    assert!(run.ok(), "healthy: {}", run.stdout);
}

#[test]
fn fsck_rebuilds_a_damaged_search_index() {
    let lib = TestLib::new();
    let id = lib.add("lighthouse.png", &png_rgb8(40, 40, 1));
    lib.catalog().execute("DELETE FROM images_fts", []).unwrap();
    let r = lib.run(&["--json", "fsck"]).json();
    assert_eq!(r["search_index_rows"], 0);
    assert_eq!(r["problems"], 1);
    lib.run(&["fsck", "--repair"]).expect_ok("repair");
    let found = lib.run(&["--json", "search", "lighthouse"]).json_array();
    assert_eq!(
        found[0]["id"],
        id.as_str(),
        "search works again after repair"
    );
}
