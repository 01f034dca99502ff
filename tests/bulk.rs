//! Many images at once through the CLI, as scripts run it: `visibility`, `tag`, `rm` and
//! `link` on several ids or on selectors (`--query`, `--tag`, `--visibility`), one `--json`
//! line per image `{id, status, error, …}`, unknown ids failing alone (exit 1, the rest done),
//! usage errors (exit 2), `rm`'s `--yes` above 20 selected images, links one per line.
//! The S3 side (presigned links, moves queued and synced) is in `sync.rs`.

use serde_json::Value;
use std::collections::HashSet;

use crate::support::images::jpeg;
use crate::support::s3::{http_get, StaticServer};
use crate::support::TestLib;

const NOSUCH: &str = "01NOSUCHIMAGE0000000000000";

/// Imports `n` JPEGs named `<prefix>-<i>.jpg` in one run (with `extra` import flags); their
/// ids in name order.
pub fn many(lib: &TestLib, prefix: &str, n: u32, seed: u32, extra: &[&str]) -> Vec<String> {
    let paths: Vec<_> = (0..n)
        .map(|i| lib.input(&format!("{prefix}-{i:02}.jpg"), &jpeg(48, 32, seed + i)))
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let (run, lines) = lib.import(&refs, extra);
    assert!(run.ok(), "{}\n{}", run.stdout, run.stderr);
    let mut out: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            assert_eq!(l["status"], "imported", "{l}");
            (
                l["input"].as_str().unwrap().to_string(),
                l["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, id)| id).collect()
}

fn by_id(lines: &[Value]) -> std::collections::HashMap<String, Value> {
    lines
        .iter()
        .map(|l| (l["id"].as_str().unwrap().to_string(), l.clone()))
        .collect()
}

fn visibility_of(lib: &TestLib, id: &str) -> String {
    lib.show(id)["visibility"].as_str().unwrap().to_string()
}

fn ids_of(records: &[Value]) -> HashSet<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn visibility_on_many_ids_and_on_selectors() {
    let lib = TestLib::new();
    let ids = many(&lib, "beach", 4, 10, &["--tag", "trip"]);
    let sunset = lib.add("sunset-over-hills.jpg", &jpeg(48, 32, 99));

    // Several ids and an unknown one: that one fails alone, the rest is done, exit 1.
    let run = lib.run(&["--json", "visibility", &ids[0], &ids[1], NOSUCH, "public"]);
    assert_eq!(
        run.code(),
        Some(1),
        "an unknown id fails the run: {}",
        run.stderr
    );
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3, "one line per image: {}", run.stdout);
    let l = by_id(&lines);
    for id in &ids[..2] {
        assert_eq!(l[id]["status"], "changed");
        assert_eq!(l[id]["error"], Value::Null);
        assert_eq!(
            l[id]["visibility"], "public",
            "old consumers read this field"
        );
        assert_eq!(l[id]["previous"], "private");
        assert_eq!(visibility_of(&lib, id), "public");
    }
    assert_eq!(l[NOSUCH]["status"], "error");
    assert_eq!(l[NOSUCH]["code"], "not_found");
    assert!(l[NOSUCH]["error"].as_str().unwrap().contains(NOSUCH));
    assert!(
        run.stderr.contains(r#""changed":2"#) && run.stderr.contains(r#""failed":1"#),
        "the totals on stderr: {}",
        run.stderr
    );

    // Already so: unchanged, exit 0; text mode says so per image and counts.
    let run = lib
        .run(&["visibility", &ids[0], "public"])
        .expect_ok("unchanged");
    assert_eq!(
        run.stdout.trim(),
        format!("{}  public  (unchanged)", ids[0])
    );
    assert!(run.stderr.contains("1 unchanged"), "{}", run.stderr);

    // --visibility selects, the positional is the new value: every private image unlisted.
    let run = lib
        .run(&[
            "--json",
            "visibility",
            "--visibility",
            "private",
            "unlisted",
        ])
        .expect_ok("selector");
    let changed = ids_of(&run.json_lines());
    let expected: HashSet<String> = [ids[2].clone(), ids[3].clone(), sunset.clone()].into();
    assert_eq!(changed, expected);
    assert_eq!(lib.ls(&["--visibility", "private"]).len(), 0);
    assert_eq!(
        lib.ls(&["--visibility", "public"]).len(),
        2,
        "public ones untouched"
    );

    // --tag and --query (full text), which combine like ls's filters.
    lib.run(&["visibility", "--tag", "trip", "private"])
        .expect_ok("tag selector");
    assert_eq!(
        ids_of(&lib.ls(&["--visibility", "private"])),
        ids.iter().cloned().collect()
    );
    let run = lib
        .run(&["--json", "visibility", "--query", "sunset hills", "public"])
        .expect_ok("query");
    assert_eq!(ids_of(&run.json_lines()), [sunset.clone()].into());
    assert_eq!(visibility_of(&lib, &sunset), "public");
    let none = lib
        .run(&[
            "--json",
            "visibility",
            "--query",
            "nothing-matches",
            "public",
        ])
        .expect_ok("an empty selection is not an error");
    assert!(none.json_lines().is_empty());

    // Usage errors: ids and selectors mixed, nothing selected, no new value.
    for args in [
        vec!["visibility", ids[0].as_str(), "--tag", "trip", "public"],
        vec!["visibility", "public"],
        vec!["visibility", ids[0].as_str()],
    ] {
        let run = lib.run(&args);
        assert_eq!(run.code(), Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("ids"), "{args:?}: {}", run.stderr);
    }
    assert_eq!(visibility_of(&lib, &ids[0]), "private", "nothing changed");
    let bad = lib.run(&["visibility", "--tag", "trip", "secret"]);
    assert_eq!(bad.code(), Some(1));
    assert!(bad.stderr.contains("invalid visibility"), "{}", bad.stderr);
}

#[test]
fn tags_on_many_ids_and_on_selectors() {
    let lib = TestLib::new();
    let ids = many(&lib, "cat", 3, 20, &[]);
    let dog = lib.add("dog-portrait.jpg", &jpeg(48, 32, 98));

    let run = lib.run(&[
        "--json", "tag", &ids[0], &ids[1], NOSUCH, "--add", "pets", "--add", "tmp", "--remove",
        "tmp",
    ]);
    assert_eq!(run.code(), Some(1));
    let l = by_id(&run.json_lines());
    assert_eq!(l[&ids[0]]["status"], "changed");
    assert_eq!(
        l[&ids[0]]["tags"],
        serde_json::json!(["pets"]),
        "removal after adding"
    );
    assert_eq!(l[&ids[1]]["tags"], serde_json::json!(["pets"]));
    assert_eq!(l[NOSUCH]["status"], "error");
    assert_eq!(l[NOSUCH]["code"], "not_found");
    assert_eq!(
        lib.show(&ids[2])["tags"],
        serde_json::json!([]),
        "not named"
    );

    // --query: full text over file names; --tag: what carries the tag.
    let run = lib
        .run(&["--json", "tag", "--query", "dog", "--add", "Pets"])
        .expect_ok("query");
    let lines = run.json_lines();
    assert_eq!(ids_of(&lines), [dog.clone()].into());
    assert_eq!(
        lines[0]["tags"],
        serde_json::json!(["pets"]),
        "the tag's first spelling"
    );
    let run = lib
        .run(&["--json", "tag", "--tag", "pets", "--add", "animal"])
        .expect_ok("tag selector");
    assert_eq!(
        ids_of(&run.json_lines()),
        [ids[0].clone(), ids[1].clone(), dog.clone()].into()
    );
    let run = lib
        .run(&["tag", &ids[0], "--add", "animal"])
        .expect_ok("already tagged");
    assert!(run.stdout.contains("(unchanged)"), "{}", run.stdout);
    lib.run(&["tag", "--tag", "animal", "--remove", "pets"])
        .expect_ok("remove by selector");
    assert!(lib.ls(&["--tag", "pets"]).is_empty());
    assert_eq!(lib.ls(&["--tag", "animal"]).len(), 3);

    let run = lib.run(&["tag", "--add", "x"]);
    assert_eq!(run.code(), Some(2), "nothing selected: {}", run.stderr);
    let run = lib.run(&["tag", &ids[0], "--query", "dog", "--add", "x"]);
    assert_eq!(run.code(), Some(2), "ids and selectors: {}", run.stderr);
    assert!(run.stderr.contains("not both"), "{}", run.stderr);
}

#[test]
fn rm_by_selector_asks_for_yes_above_twenty_images() {
    let lib = TestLib::new();
    let batch = many(&lib, "batch", 22, 40, &["--tag", "batch"]);
    let few = many(&lib, "few", 3, 80, &["--tag", "few"]);

    let run = lib.run(&["--json", "rm", "--tag", "batch"]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("22 images") && run.stderr.contains("--yes"),
        "says how many and what to add: {}",
        run.stderr
    );
    assert_eq!(lib.ls(&[]).len(), 25, "nothing removed");

    // Few enough: no --yes needed. Text mode: one line per image, then the count.
    let run = lib.run(&["rm", "--tag", "few"]).expect_ok("three");
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    assert!(
        run.stdout.lines().all(|l| l.starts_with("removed  ")),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("3 removed"), "{}", run.stderr);
    assert!(lib.ls(&["--tag", "few"]).is_empty());

    let run = lib
        .run(&["--json", "rm", "--tag", "batch", "--yes"])
        .expect_ok("confirmed");
    let lines = run.json_lines();
    assert_eq!(lines.len(), 22);
    assert!(lines
        .iter()
        .all(|l| l["status"] == "removed" && l["error"].is_null()));
    assert_eq!(ids_of(&lines), batch.iter().cloned().collect());
    assert!(lib.ls(&[]).is_empty());
    assert_eq!(lib.stats()["tombstones"], 25);
    assert!(lib.originals().is_empty(), "originals gone");

    // Explicit ids need no --yes; a removed id again is an error of its own.
    let a = many(&lib, "again", 2, 90, &[]);
    let run = lib.run(&["--json", "rm", &a[0], &few[0], &a[1]]);
    assert_eq!(run.code(), Some(1));
    let l = by_id(&run.json_lines());
    assert_eq!(l[&a[0]]["status"], "removed");
    assert_eq!(l[&a[1]]["status"], "removed");
    assert_eq!(l[&few[0]]["code"], "not_found");
    let run = lib.run(&["rm"]);
    assert_eq!(run.code(), Some(2), "nothing selected: {}", run.stderr);
}

#[test]
fn links_for_many_images_one_per_line_in_each_format_with_a_folder_remote() {
    let lib = TestLib::new();
    let dir = tempfile::tempdir().unwrap();
    let remote = dir.path().join("nas");
    let web = StaticServer::start(&remote);
    lib.run(&[
        "remote",
        "add",
        "nas",
        "--provider",
        "folder",
        "--path",
        remote.to_str().unwrap(),
        "--public-url",
        &web.url(),
    ])
    .expect_ok("add folder");
    let ids = many(&lib, "share", 3, 60, &["--visibility", "public"]);
    let private = lib.add("secret.jpg", &jpeg(48, 32, 97));
    lib.run(&["sync", "--once"]).expect_ok("sync");

    let run = lib
        .run(&["link", "--visibility", "public"])
        .expect_ok("urls");
    let urls: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(urls.len(), 3, "one link per line: {}", run.stdout);
    let expected: HashSet<String> = ids
        .iter()
        .map(|id| {
            let key = lib.show(id)["object_key"].as_str().unwrap().to_string();
            format!("{}/{key}", web.url())
        })
        .collect();
    assert_eq!(
        urls.iter().map(|u| u.to_string()).collect::<HashSet<_>>(),
        expected
    );
    for url in &urls {
        assert_eq!(http_get(url).0, 200, "the link serves the image");
    }
    for (format, start, end) in [
        ("markdown", "![share-", ")"),
        ("html", "<img src=\"http", "\">"),
        ("bbcode", "[img]http", "[/img]"),
    ] {
        let run = lib
            .run(&["link", "--tag", "nothing"])
            .expect_ok("empty selection");
        assert!(run.stdout.is_empty());
        let run = lib
            .run(&["link", &ids[0], &ids[1], &ids[2], "--format", format])
            .expect_ok(format);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{format}: {}", run.stdout);
        assert!(
            lines
                .iter()
                .all(|l| l.starts_with(start) && l.ends_with(end)),
            "{format}: {}",
            run.stdout
        );
    }

    // A private image on a folder has no link: its error on stderr, the others' links on
    // stdout (ready to paste), exit 1. --json: one line each.
    let run = lib.run(&["link", &ids[0], &private]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stderr.contains(&private), "{}", run.stderr);
    assert!(run.stderr.contains("unlisted or public"), "{}", run.stderr);
    let run = lib.run(&["--json", "link", &ids[0], &private, NOSUCH]);
    assert_eq!(run.code(), Some(1));
    let l = by_id(&run.json_lines());
    assert_eq!(l[&ids[0]]["status"], "linked");
    assert_eq!(l[&ids[0]]["kind"], "public");
    assert_eq!(l[&ids[0]]["ready"], true);
    assert!(l[&ids[0]]["url"].as_str().unwrap().starts_with("http"));
    assert_eq!(l[&private]["status"], "error");
    assert_eq!(l[&private]["code"], "remote");
    assert_eq!(l[NOSUCH]["code"], "not_found");
}
