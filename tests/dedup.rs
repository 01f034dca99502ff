//! Same bytes, one image: a second import is a duplicate of the first, merging tags and
//! sources, with one managed original.

use crate::support::images::*;
use crate::support::TestLib;

#[test]
fn same_bytes_twice_is_one_image_with_merged_tags_and_sources() {
    let lib = TestLib::new();
    let bytes = jpeg(300, 200, 1);
    let a = lib.input("first/holiday.jpg", &bytes);
    let b = lib.input("second/copy of holiday.jpeg", &bytes);

    let (run, first) = lib.import(&[&a], &["--tag", "beach", "--tag", "2024"]);
    assert!(run.ok());
    assert_eq!(first[0]["status"], "imported");
    let id = first[0]["id"].as_str().unwrap().to_string();

    let (run, second) = lib.import(&[&b], &["--tag", "family", "--tag", "Beach"]);
    assert!(run.ok(), "a duplicate is not an error: {}", run.stdout);
    assert_eq!(
        second[0]["status"], "duplicate",
        "second import is a duplicate"
    );
    assert_eq!(
        second[0]["id"],
        id.as_str(),
        "duplicate reports the existing id"
    );
    assert!(second[0]["error"].is_null());

    let show = lib.show(&id);
    assert_eq!(
        show["tags"],
        serde_json::json!(["2024", "beach", "family"]),
        "tags merged, case-insensitively unique"
    );
    assert_eq!(
        show["filename"], "holiday.jpg",
        "the first name stays the image's name"
    );
    let sources: Vec<&str> = show["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 2, "both sources recorded: {sources:?}");
    assert!(sources.iter().any(|s| s.ends_with("first/holiday.jpg")));
    assert!(sources
        .iter()
        .any(|s| s.ends_with("second/copy of holiday.jpeg")));
    assert_eq!(lib.originals().len(), 1, "one managed original");
    assert_eq!(lib.count("SELECT count(*) FROM images"), 1);

    // Importing the same path again adds nothing new.
    let (_, third) = lib.import(&[&a], &[]);
    assert_eq!(third[0]["status"], "duplicate");
    assert_eq!(lib.show(&id)["sources"].as_array().unwrap().len(), 2);

    // Tags added by a duplicate are searchable.
    let found = lib
        .run(&["--json", "search", "family"])
        .expect_ok("search")
        .json_array();
    assert_eq!(found.len(), 1, "merged tag is in the search index");
}

#[test]
fn duplicates_within_one_batch_collapse() {
    let lib = TestLib::new();
    let bytes = png_rgb8(120, 90, 2);
    let paths: Vec<_> = (0..6)
        .map(|i| lib.input(&format!("copy{i}.png"), &bytes))
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let (run, lines) = lib.import(&refs, &["--threads", "3"]);
    assert!(run.ok(), "{}", run.stdout);
    let imported = lines.iter().filter(|l| l["status"] == "imported").count();
    let dups = lines.iter().filter(|l| l["status"] == "duplicate").count();
    assert_eq!((imported, dups), (1, 5), "one import, five duplicates");
    let ids: std::collections::HashSet<&str> =
        lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "all outcomes name the same image");
    assert_eq!(lib.originals().len(), 1);
    let id = ids.into_iter().next().unwrap();
    assert_eq!(lib.show(id)["sources"].as_array().unwrap().len(), 6);
}
