//! The command line end to end: global options, JSON shapes, filters, sorting and paging,
//! search, show, tags, visibility, rm, stats and thumbnails.

use serde_json::Value;
use std::collections::HashSet;
use std::path::PathBuf;

use crate::support::exif::{jpeg_with_exif, Exif};
use crate::support::images::*;
use crate::support::{run_cli, TestLib};

/// Twelve images with distinct names (mixed case), sizes, formats and capture dates (some
/// without), imported in one batch; returns (name, id) pairs.
fn populated(lib: &TestLib) -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for i in 0..12u32 {
        let (name, bytes) = match i % 3 {
            0 => {
                let exif = Exif {
                    date_time_original: (i % 2 == 0)
                        .then(|| format!("20{:02}:0{}:1{} 10:00:00", 10 + i, 1 + i % 9, i % 10)),
                    make: Some("TestCam".into()),
                    model: Some(format!("Model {i}")),
                    ..Exif::default()
                };
                (
                    format!("{}photo-{i:02}.jpg", if i % 2 == 0 { "A" } else { "b" }),
                    jpeg_with_exif(&jpeg(40 + i * 10, 30 + i * 5, i), &exif),
                )
            }
            1 => (format!("c-image-{i:02}.png"), png_rgb8(20 + i * 7, 20, i)),
            _ => (format!("Z-pic-{i:02}.gif"), gif_single(16 + i, 16, i)),
        };
        paths.push(lib.input(&name, &bytes));
    }
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let (run, lines) = lib.import(&refs, &["--tag", "all"]);
    assert!(run.ok(), "{}\n{}", run.stdout, run.stderr);
    lines
        .iter()
        .map(|l| {
            let input = l["input"].as_str().unwrap();
            let name = input.rsplit('/').next().unwrap().to_string();
            (name, l["id"].as_str().unwrap().to_string())
        })
        .collect()
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn global_options_go_anywhere_and_the_library_env_works() {
    let lib = TestLib::new();
    let id = lib.add("a.png", &png_rgb8(30, 20, 1));
    let root = lib.root.to_str().unwrap();
    let before = run_cli(&["--json", "--library", root, "ls"], &[]).expect_ok("options before");
    let after = run_cli(&["ls", "--library", root, "--json"], &[]).expect_ok("options after");
    let mixed = run_cli(&["--json", "ls", "--library", root], &[]).expect_ok("mixed");
    let env = run_cli(&["ls", "--json"], &[("VITRINE_LIBRARY", root)]).expect_ok("env");
    for run in [&before, &after, &mixed, &env] {
        assert_eq!(
            ids(&run.json_array()),
            vec![id.clone()],
            "same library, same answer"
        );
    }
    // --library beats the env var.
    let other = lib.dir.path().join("other");
    let run = run_cli(
        &["ls", "--json", "--library", other.to_str().unwrap()],
        &[("VITRINE_LIBRARY", root)],
    )
    .expect_ok("flag over env");
    assert!(
        run.json_array().is_empty(),
        "the flag wins over VITRINE_LIBRARY"
    );
    // Human output works too.
    let human = lib.run(&["ls"]).expect_ok("human ls");
    assert!(human.stdout.contains(&id) && human.stdout.contains("a.png"));
    let usage = lib.run(&["frobnicate"]);
    assert_eq!(usage.code(), Some(2), "unknown subcommand is a usage error");
}

#[test]
fn ls_json_has_every_documented_field() {
    let lib = TestLib::new();
    populated(&lib);
    let records = lib.ls(&[]);
    assert_eq!(records.len(), 12);
    for r in &records {
        for key in [
            "id",
            "sha256",
            "filename",
            "format",
            "bytes",
            "width",
            "height",
            "visibility",
            "tags",
            "source",
            "remote_state",
            "created_at",
            "prompt",
            "negative_prompt",
            "model",
            "seed",
        ] {
            assert!(r.get(key).is_some(), "ls --json record has {key}: {r}");
        }
        assert_eq!(r["source"], "file");
        assert_eq!(r["remote_state"], "local");
        assert_eq!(r["visibility"], "private");
        assert_eq!(r["tags"], serde_json::json!(["all"]));
        assert_eq!(r["sha256"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn filters_select_the_right_images() {
    let lib = TestLib::new();
    let all = populated(&lib);
    let (_, first) = &all[0];
    let (_, second) = &all[1];
    lib.run(&["tag", first, "--add", "red"]).expect_ok("tag");
    lib.run(&["tag", second, "--add", "Red"])
        .expect_ok("tag, other case");
    lib.run(&["visibility", second, "public"])
        .expect_ok("visibility");

    let red: HashSet<String> = ids(&lib.ls(&["--tag", "red"])).into_iter().collect();
    assert_eq!(
        red,
        [first.clone(), second.clone()].into(),
        "tag filter (case-insensitive)"
    );
    assert_eq!(
        ids(&lib.ls(&["--visibility", "public"])),
        vec![second.clone()]
    );
    assert_eq!(lib.ls(&["--visibility", "private"]).len(), 11);
    assert_eq!(lib.ls(&["--status", "local"]).len(), 12);
    assert!(lib.ls(&["--status", "pending"]).is_empty());
    assert_eq!(lib.ls(&["--source", "file"]).len(), 12);
    assert!(lib.ls(&["--source", "url"]).is_empty());
    assert_eq!(
        ids(&lib.ls(&["--tag", "red", "--visibility", "public"])),
        vec![second.clone()],
        "filters combine"
    );
    assert!(lib.ls(&["--tag", "nope"]).is_empty());

    for (args, needle) in [
        (vec!["ls", "--visibility", "secret"], "invalid visibility"),
        (vec!["ls", "--status", "lost"], "invalid remote state"),
        (vec!["ls", "--source", "fax"], "invalid source"),
        (vec!["ls", "--sort", "random"], "invalid sort"),
        (
            vec!["visibility", first.as_str(), "secret"],
            "invalid visibility",
        ),
    ] {
        let run = lib.run(&args);
        assert!(
            matches!(run.code(), Some(1) | Some(2)),
            "{args:?} fails with 1 or 2"
        );
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("use "),
            "{args:?}: the message says what to use: {}",
            run.stderr
        );
    }
}

/// Checks that `records` are in `sort` order.
fn assert_sorted(records: &[Value], sort: &str) {
    for pair in records.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let ok = match sort {
            "newest" => a["created_at"].as_str() >= b["created_at"].as_str(),
            "oldest" => a["created_at"].as_str() <= b["created_at"].as_str(),
            "taken" => a["taken_at"].as_str().unwrap_or("") >= b["taken_at"].as_str().unwrap_or(""),
            "name" => {
                a["filename"].as_str().unwrap().to_lowercase()
                    <= b["filename"].as_str().unwrap().to_lowercase()
            }
            "size" => a["bytes"].as_u64() >= b["bytes"].as_u64(),
            _ => unreachable!(),
        };
        assert!(ok, "--sort {sort}: {} before {}", a, b);
    }
}

#[test]
fn sorting_and_paging_walk_every_image_exactly_once() {
    let lib = TestLib::new();
    populated(&lib);
    let names: Vec<String> = lib
        .ls(&["--sort", "name"])
        .iter()
        .map(|r| r["filename"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names[0], "Aphoto-00.jpg", "name sort ignores case");
    assert!(names.last().unwrap().starts_with("Z-pic"), "{names:?}");
    let taken = lib.ls(&["--sort", "taken"]);
    assert_eq!(
        taken[0]["taken_at"], "2016-07-16T10:00:00",
        "latest capture first"
    );
    assert!(
        taken.last().unwrap()["taken_at"].is_null(),
        "undated images last"
    );

    for sort in ["newest", "oldest", "taken", "name", "size"] {
        let full = lib.ls(&["--sort", sort]);
        assert_eq!(full.len(), 12);
        assert_sorted(&full, sort);
        for limit in [1usize, 5, 12] {
            let mut walked: Vec<String> = Vec::new();
            let mut after: Option<String> = None;
            for _ in 0..20 {
                let limit_s = limit.to_string();
                let mut args = vec!["--sort", sort, "--limit", &limit_s];
                if let Some(a) = &after {
                    args.push("--after");
                    args.push(a);
                }
                let page = ids(&lib.ls(&args));
                assert!(page.len() <= limit, "a page holds at most --limit");
                if page.is_empty() {
                    break;
                }
                after = page.last().cloned();
                walked.extend(page);
            }
            assert_eq!(
                walked,
                ids(&full),
                "--sort {sort} --limit {limit}: pages concatenate to the full list"
            );
            let unique: HashSet<&String> = walked.iter().collect();
            assert_eq!(unique.len(), 12, "--sort {sort}: no overlap between pages");
        }
        // A page by position: the same slice, from the start or after a cursor.
        let all = ids(&full);
        let page = ids(&lib.ls(&["--sort", sort, "--offset", "4", "--limit", "3"]));
        assert_eq!(page, all[4..7].to_vec(), "--sort {sort} --offset 4");
        let page = ids(&lib.ls(&["--sort", sort, "--after", &all[1], "--offset", "2"]));
        assert_eq!(page, all[4..].to_vec(), "--after then --offset");
        assert!(ids(&lib.ls(&["--sort", sort, "--offset", "12"])).is_empty());
    }
    let bad = lib.run(&["ls", "--after", "01NOSUCHIMAGE0000000000000"]);
    assert_eq!(bad.code(), Some(1), "unknown cursor is an error");
    assert!(bad.stderr.contains("no image with id"), "{}", bad.stderr);
}

#[test]
fn show_search_tag_and_visibility() {
    let lib = TestLib::new();
    let bytes = jpeg_with_exif(
        &jpeg(200, 100, 1),
        &Exif {
            make: Some("Canon".into()),
            model: Some("Canon EOS 70D".into()),
            date_time_original: Some("2021:07:04 12:30:05".into()),
            gps: Some((43.5, -4.25, 120.0)),
            ..Exif::default()
        },
    );
    let id = lib.add("Mountain Sunrise.jpg", &bytes);
    let other = lib.add("other.png", &png_rgb8(20, 20, 2));
    let s = lib.show(&id);
    for key in [
        "exif",
        "ai_raw",
        "steps",
        "sampler",
        "cfg",
        "generator",
        "sources",
        "gps",
    ] {
        assert!(s.get(key).is_some(), "show --json has {key}");
    }
    assert_eq!(s["camera_make"], "Canon");
    assert_eq!(s["camera_model"], "Canon EOS 70D");
    assert_eq!(s["taken_at"], "2021-07-04T12:30:05");
    assert_eq!(s["has_gps"], true);
    assert!((s["gps"]["latitude"].as_f64().unwrap() - 43.5).abs() < 1e-4);
    assert!((s["gps"]["longitude"].as_f64().unwrap() + 4.25).abs() < 1e-4);
    assert!((s["gps"]["altitude"].as_f64().unwrap() - 120.0).abs() < 1e-2);
    assert_eq!(s["exif"]["Model"], "Canon EOS 70D", "EXIF tags as JSON");
    assert_eq!(s["sources"][0]["kind"], "file");
    let human = lib.run(&["show", &id]).expect_ok("human show");
    assert!(human.stdout.contains("Canon EOS 70D"));
    let lower = lib
        .run(&["--json", "show", &id.to_lowercase()])
        .expect_ok("lower-case id");
    assert_eq!(lower.json()["id"], id.as_str(), "ids are case-insensitive");
    let missing = lib.run(&["show", "01NOSUCHIMAGE0000000000000"]);
    assert_eq!(missing.code(), Some(1));
    assert!(missing.stderr.contains("no image with id"));

    // search by file name words (prefix), tags
    assert_eq!(
        ids(&lib.run(&["--json", "search", "mountain"]).json_array()),
        vec![id.clone()]
    );
    assert_eq!(
        ids(&lib.run(&["--json", "search", "sunr"]).json_array()),
        vec![id.clone()]
    );
    assert!(lib
        .run(&["--json", "search", "mountain", "other"])
        .json_array()
        .is_empty());
    let weird = lib
        .run(&["--json", "search", "\"AND (x:1"])
        .expect_ok("syntax is quoted");
    assert!(weird.json_array().is_empty());

    let tags = lib
        .run(&[
            "--json", "tag", &id, "--add", "a", "--add", "b", "--remove", "a",
        ])
        .expect_ok("tag")
        .json();
    // Removal is applied after adding: a is gone.
    assert_eq!(tags["tags"], serde_json::json!(["b"]));
    lib.run(&["tag", &id, "--add", "alpine"]).expect_ok("tag");
    assert_eq!(lib.show(&id)["tags"], serde_json::json!(["alpine", "b"]));
    assert_eq!(
        ids(&lib.run(&["--json", "search", "alpine"]).json_array()),
        vec![id.clone()]
    );
    lib.run(&["tag", &id, "--remove", "alpine"])
        .expect_ok("untag");
    assert!(
        lib.run(&["--json", "search", "alpine"])
            .json_array()
            .is_empty(),
        "removed tags leave the search index"
    );
    let none = lib.run(&["tag", &id]);
    assert_eq!(
        none.code(),
        Some(1),
        "tag without --add/--remove is refused"
    );

    let v = lib
        .run(&["--json", "visibility", &id, "public"])
        .expect_ok("visibility")
        .json();
    assert_eq!(v["visibility"], "public");
    assert_eq!(ids(&lib.ls(&["--visibility", "public"])), vec![id.clone()]);
    assert_eq!(ids(&lib.ls(&["--visibility", "private"])), vec![other]);
    lib.run(&["visibility", &id, "UNLISTED"])
        .expect_ok("case-insensitive");
    assert_eq!(lib.show(&id)["visibility"], "unlisted");
}

#[test]
fn rm_removes_row_original_and_thumbnails_and_leaves_a_tombstone() {
    let lib = TestLib::new();
    let bytes = jpeg(300, 200, 1);
    let id = lib.add("gone.jpg", &bytes);
    let keep = lib.add("keep.png", &png_rgb8(20, 20, 2));
    lib.thumb(&id, "preview");
    let sha = lib.show(&id)["sha256"].as_str().unwrap().to_string();
    assert_eq!(lib.originals().len(), 2);
    let run = lib.run(&["--json", "rm", &id, "01NOSUCHIMAGE0000000000000"]);
    assert_eq!(run.code(), Some(1), "an unknown id makes rm fail");
    let lines = run.json_lines();
    assert_eq!(lines[0]["status"], "removed");
    assert_eq!(lines[1]["status"], "error");
    assert_eq!(ids(&lib.ls(&[])), vec![keep], "row gone");
    assert_eq!(lib.originals().len(), 1, "original gone");
    assert!(!lib.originals()[0].contains(&sha));
    assert_eq!(
        lib.thumbs_db()
            .query_row("SELECT count(*) FROM thumbs", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        1,
        "grid and preview of the removed image are gone, the other's grid stays"
    );
    let (tid, tsha): (String, String) = lib
        .catalog()
        .query_row("SELECT id, sha256 FROM tombstones", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((tid, tsha), (id.clone(), sha), "tombstone kept for sync");
    assert_eq!(lib.stats()["tombstones"], 1);
    assert!(
        lib.run(&["--json", "search", "gone"])
            .json_array()
            .is_empty(),
        "out of search"
    );
    // Importing the same bytes again is an image again (not a duplicate of a ghost), under the
    // id this content always had: every computer on the bucket agrees on it.
    let again = lib.add("gone.jpg", &bytes);
    assert_eq!(again, id);
    assert_eq!(lib.show(&again)["filename"], "gone.jpg");
}

#[test]
fn stats_count_by_format_source_visibility_and_state() {
    let lib = TestLib::new();
    let a = lib.add("a.jpg", &jpeg(40, 40, 1));
    lib.add("b.jpg", &jpeg(40, 40, 2));
    lib.add("c.png", &png_rgb8(40, 40, 3));
    lib.run(&["visibility", &a, "public"])
        .expect_ok("visibility");
    let s = lib.stats();
    assert_eq!(s["images"], 3);
    assert_eq!(s["by_format"]["jpeg"]["count"], 2);
    assert_eq!(s["by_format"]["png"]["count"], 1);
    assert_eq!(s["by_source"]["file"]["count"], 3);
    assert_eq!(s["by_visibility"]["public"]["count"], 1);
    assert_eq!(s["by_visibility"]["private"]["count"], 2);
    assert_eq!(s["by_remote_state"]["local"]["count"], 3);
    let total: u64 = lib
        .ls(&[])
        .iter()
        .map(|r| r["bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(s["bytes"], total, "byte total matches the images");
    assert_eq!(s["thumbnails_pending"], 0);
    let human = lib.run(&["stats"]).expect_ok("human stats");
    assert!(human.stdout.contains("3 images"));
}

#[test]
fn thumbs_missing_and_all() {
    let lib = TestLib::new();
    let all = populated(&lib);
    let thumbs = |lib: &TestLib, sql: &str| -> i64 {
        lib.thumbs_db().query_row(sql, [], |r| r.get(0)).unwrap()
    };
    assert_eq!(
        thumbs(&lib, "SELECT count(*) FROM thumbs"),
        12,
        "grids made at import"
    );
    lib.thumbs_db()
        .execute(
            "DELETE FROM thumbs WHERE key IN (SELECT key FROM thumbs WHERE key & 3 = 1 LIMIT 5)",
            [],
        )
        .unwrap();
    assert_eq!(thumbs(&lib, "SELECT count(*) FROM thumbs"), 7);
    let run = lib
        .run(&["--json", "thumbs", "--missing"])
        .expect_ok("thumbs --missing");
    let rep = run.json();
    assert_eq!(rep["rendered"], 5, "only the missing ones are rendered");
    assert_eq!(rep["failed"].as_array().unwrap().len(), 0);
    assert_eq!(thumbs(&lib, "SELECT count(*) FROM thumbs"), 12);
    let run = lib
        .run(&["--json", "thumbs"])
        .expect_ok("thumbs (default = missing)");
    assert_eq!(run.json()["rendered"], 0, "nothing missing any more");

    let run = lib
        .run(&["--json", "thumbs", "--all"])
        .expect_ok("thumbs --all");
    assert_eq!(run.json()["rendered"], 12);
    assert_eq!(
        thumbs(&lib, "SELECT count(*) FROM thumbs WHERE key & 3 = 2"),
        12,
        "--all renders every preview"
    );
    assert_eq!(thumbs(&lib, "SELECT count(*) FROM thumbs"), 24);
    assert_eq!(lib.stats()["thumbnails_pending"], 0, "no job left queued");
    let conflict = lib.run(&["thumbs", "--missing", "--all"]);
    assert_eq!(conflict.code(), Some(2), "--missing and --all conflict");
    let _ = all;
}

#[test]
fn rename_changes_the_name_shown_and_searched_and_refuses_paths() {
    let lib = TestLib::new();
    let id = lib.add("IMG_0001.jpg", &jpeg(40, 30, 7));
    let rec = lib
        .run(&["rename", &id, "  Harbour at dusk.jpg ", "--json"])
        .expect_ok("rename")
        .json();
    assert_eq!(rec["filename"], "Harbour at dusk.jpg");
    assert_eq!(lib.show(&id)["filename"], "Harbour at dusk.jpg");
    let found = lib.run(&["--json", "search", "harbour"]).json_array();
    assert_eq!(ids(&found), vec![id.clone()], "the new name is searchable");
    assert!(
        lib.run(&["--json", "search", "IMG_0001"])
            .json_array()
            .is_empty(),
        "the old name is not"
    );
    for bad in ["", "   ", "a/b.jpg", "..", "tab\there.jpg"] {
        let r = lib.run(&["--json", "rename", &id, bad]);
        assert_eq!(r.code(), Some(1), "{bad:?} is refused: {}", r.stdout);
        assert_eq!(r.json()["code"], "invalid_input", "{bad:?}");
    }
    assert_eq!(lib.show(&id)["filename"], "Harbour at dusk.jpg");
    let r = lib.run(&["--json", "rename", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "x.jpg"]);
    assert_eq!(r.json()["code"], "not_found");
}

/// Filters that combine: generator, model, format, camera, a date range and several tags (any
/// or all), in `ls`, `search` and the bulk selectors; bad values are refused by name.
#[test]
fn ls_filters_combine_generator_model_format_camera_dates_and_tags() {
    use crate::support::png::{with_texts, Text};
    let lib = TestLib::new();
    let a1111 = |seed: u32, model: &str| {
        with_texts(
            &png_rgb8(32, 32, seed),
            Text::Plain,
            &[(
                "parameters",
                &format!("a red fox\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: {seed}, Size: 32x32, Model: {model}"),
            )],
        )
    };
    let camera = |seed: u32, make: &str, model: &str, date: &str| {
        jpeg_with_exif(
            &jpeg(40, 30, seed),
            &Exif {
                make: Some(make.into()),
                model: Some(model.into()),
                date_time_original: Some(date.into()),
                ..Exif::default()
            },
        )
    };
    let fox = lib.add("fox.png", &a1111(1, "sdxl_base"));
    let fox2 = lib.add("fox2.png", &a1111(2, "Juggernaut"));
    let canon = lib.add(
        "canon.jpg",
        &camera(3, "Canon", "EOS R5", "2024:05:01 10:00:00"),
    );
    let pixel = lib.add(
        "pixel.jpg",
        &camera(4, "Google", "Pixel 8", "2023:12:31 23:59:00"),
    );
    let plain = lib.add("plain.png", &png_rgb8(20, 20, 5));
    lib.run(&["tag", &fox, &canon, "--add", "red"])
        .expect_ok("tag");
    lib.run(&["tag", &fox, &pixel, "--add", "blue"])
        .expect_ok("tag");

    let ls = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--json", "ls"];
        all.extend_from_slice(args);
        let mut got = ids(&lib.run(&all).expect_ok("ls").json_array());
        got.sort();
        got
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    assert_eq!(ls(&["--generator", "a1111"]), sorted(vec![&fox, &fox2]));
    assert_eq!(
        ls(&["--generator", "automatic1111"]),
        sorted(vec![&fox, &fox2]),
        "an alias"
    );
    assert_eq!(ls(&["--generator", "any"]), sorted(vec![&fox, &fox2]));
    assert_eq!(
        ls(&["--generator", "none"]),
        sorted(vec![&canon, &pixel, &plain])
    );
    assert_eq!(ls(&["--model", "SDXL_BASE"]), sorted(vec![&fox]));
    assert_eq!(ls(&["--format", "jpg"]), sorted(vec![&canon, &pixel]));
    assert_eq!(
        ls(&["--format", "png", "--generator", "none"]),
        sorted(vec![&plain])
    );
    assert_eq!(ls(&["--camera", "canon"]), sorted(vec![&canon]), "by make");
    assert_eq!(
        ls(&["--camera", "pixel 8"]),
        sorted(vec![&pixel]),
        "by model"
    );
    assert!(!ls(&["--from", "2024-01-01"]).contains(&pixel));
    assert_eq!(
        ls(&[
            "--from",
            "2023-12-31",
            "--to",
            "2024-05-01",
            "--format",
            "jpeg"
        ]),
        sorted(vec![&canon, &pixel]),
        "taken dates, both ends included"
    );
    assert_eq!(
        ls(&["--to", "2024-04-30", "--format", "jpeg"]),
        sorted(vec![&pixel])
    );
    // Images without a taken date count from the day they were added (today).
    assert!(ls(&["--from", "2025-01-01"]).contains(&plain));
    assert_eq!(
        ls(&["--tag", "red", "--tag", "blue"]),
        sorted(vec![&fox, &canon, &pixel]),
        "any"
    );
    assert_eq!(
        ls(&["--tag", "red", "--tag", "blue", "--all-tags"]),
        sorted(vec![&fox]),
        "all"
    );
    assert_eq!(
        ls(&["--tag", "red", "--generator", "a1111"]),
        sorted(vec![&fox])
    );
    let found = ids(&lib
        .run(&["--json", "search", "fox", "--model", "juggernaut"])
        .expect_ok("search")
        .json_array());
    assert_eq!(found, vec![fox2.clone()]);

    // The bulk selectors take the same filters (but --format, which is link's own flag).
    let changed = lib
        .run(&[
            "--json",
            "visibility",
            "--generator",
            "none",
            "--camera",
            "Canon",
            "public",
        ])
        .expect_ok("visibility by selectors")
        .json_lines();
    assert_eq!(changed.len(), 1);
    assert_eq!(lib.show(&canon)["visibility"], "public");

    for (flag, bad) in [
        ("--generator", "dalle3"),
        ("--format", "psd"),
        ("--from", "yesterday"),
        ("--to", "2024-13-01"),
    ] {
        let r = lib.run(&["--json", "ls", flag, bad]);
        assert!(!r.ok(), "{flag} {bad} is refused");
        let v = r.json();
        assert_eq!(v["code"], "invalid_input", "{flag} {bad}: {v}");
        assert!(v["error"].as_str().unwrap().contains(bad), "{v}");
    }
}

/// `--orientation` (as displayed: EXIF orientations 5-8 turn the stored picture) and `--size`
/// (pixel count: small < 1 MP <= medium < 8 MP <= large) combine with the other filters in
/// `ls`, `search` and the bulk selectors; bad values are refused by name.
#[test]
fn ls_filters_by_orientation_and_size() {
    let lib = TestLib::new();
    let turned = |w: u32, h: u32, seed: u32, orientation: u16| {
        jpeg_with_exif(
            &jpeg(w, h, seed),
            &Exif {
                orientation: Some(orientation),
                ..Exif::default()
            },
        )
    };
    // Stored 4000×2000 (8 MP exactly): landscape; the same turned a quarter: portrait.
    let wide_large = lib.add("wide-large.png", &png_rgb8(4000, 2000, 1));
    let tall_large = lib.add("tall-large.jpg", &turned(4000, 2000, 2, 6));
    let tall_small = lib.add("tall-small.jpg", &jpeg(300, 400, 3));
    let turned_small = lib.add("turned-small.jpg", &turned(400, 300, 4, 8));
    let wide_medium = lib.add("wide-medium.png", &png_rgb8(1200, 1000, 5));
    let tall_medium = lib.add("tall-medium.png", &png_rgb8(1000, 1500, 6));
    let square = lib.add("square.png", &png_rgb8(200, 200, 7));
    // Mirrored horizontally (2) keeps the stored shape.
    let mirrored = lib.add("mirrored.jpg", &turned(500, 300, 8, 2));
    lib.run(&["tag", &wide_medium, &tall_large, "--add", "blue"])
        .expect_ok("tag");

    let ls = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--json", "ls"];
        all.extend_from_slice(args);
        let mut got = ids(&lib.run(&all).expect_ok("ls").json_array());
        got.sort();
        got
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    assert_eq!(
        ls(&["--orientation", "portrait"]),
        sorted(vec![&tall_large, &tall_small, &turned_small, &tall_medium]),
        "orientations 6 and 8 count as displayed"
    );
    assert_eq!(
        ls(&["--orientation", "landscape"]),
        sorted(vec![&wide_large, &wide_medium, &mirrored])
    );
    assert_eq!(ls(&["--orientation", "SQUARE"]), vec![square.clone()]);
    assert_eq!(
        ls(&["--size", "large"]),
        sorted(vec![&wide_large, &tall_large]),
        "8 MP and more"
    );
    assert_eq!(
        ls(&["--size", "medium"]),
        sorted(vec![&wide_medium, &tall_medium])
    );
    assert_eq!(
        ls(&["--orientation", "portrait", "--size", "large"]),
        vec![tall_large.clone()]
    );
    assert_eq!(
        ls(&[
            "--orientation",
            "portrait",
            "--format",
            "jpeg",
            "--size",
            "small"
        ]),
        sorted(vec![&tall_small, &turned_small])
    );
    assert_eq!(
        ls(&["--size", "medium", "--tag", "blue"]),
        vec![wide_medium.clone()]
    );
    assert_eq!(
        ls(&["--orientation", "landscape", "--format", "png"]),
        sorted(vec![&wide_large, &wide_medium])
    );
    let found = ids(&lib
        .run(&["--json", "search", "tall", "--size", "small"])
        .expect_ok("search")
        .json_array());
    assert_eq!(found, vec![tall_small.clone()]);

    let changed = lib
        .run(&[
            "--json",
            "visibility",
            "--orientation",
            "portrait",
            "--size",
            "medium",
            "public",
        ])
        .expect_ok("visibility by selectors")
        .json_lines();
    assert_eq!(changed.len(), 1);
    assert_eq!(lib.show(&tall_medium)["visibility"], "public");
    assert_eq!(lib.show(&tall_small)["visibility"], "private");

    for (flag, bad) in [("--orientation", "tall"), ("--size", "huge")] {
        let r = lib.run(&["--json", "ls", flag, bad]);
        assert!(!r.ok(), "{flag} {bad} is refused");
        let v = r.json();
        assert_eq!(v["code"], "invalid_input", "{flag} {bad}: {v}");
        assert!(v["error"].as_str().unwrap().contains(bad), "{v}");
    }
}
