//! The shared real-image corpus against its manifest: every file imports or errors as
//! expected, with the right size, GPS and AI parameters. Skips when the corpus is not built.

use serde_json::Value;
use std::collections::HashMap;

use crate::support::{corpus, manifest, TestLib};

#[test]
fn corpus_imports_as_the_manifest_says() {
    let Some(dir) = corpus("corpus_imports_as_the_manifest_says") else {
        return;
    };
    let entries = manifest(&dir);
    let lib = TestLib::new();
    let folders: Vec<String> = ["photos", "formats", "bad"]
        .iter()
        .map(|f| dir.join(f).display().to_string())
        .collect();
    let mut args = vec!["--json".to_string(), "import".to_string()];
    args.extend(folders);
    let run = lib.run(&args);
    assert_eq!(run.code(), Some(1), "bad/ has errors, so the batch exits 1");
    let lines = run.json_lines();
    // Outcomes by path relative to the corpus.
    let prefix = format!("{}/", dir.display());
    let mut by_path: HashMap<String, Vec<&Value>> = HashMap::new();
    for l in &lines {
        let input = l["input"].as_str().unwrap();
        let rel = input.strip_prefix(&prefix).unwrap_or(input).to_string();
        by_path.entry(rel).or_default().push(l);
    }
    let mut checked = 0;
    for e in &entries {
        let path = e["path"].as_str().unwrap();
        if path == "bad/symlink-loop/up" {
            // A folder symlink: the walk reports the loop instead of an item for it.
            assert!(
                lines.iter().any(|l| l["code"] == "symlink_loop"
                    && l["input"].as_str().unwrap().contains("symlink-loop/up")),
                "the folder loop is reported"
            );
            continue;
        }
        let outs = by_path
            .get(path)
            .unwrap_or_else(|| panic!("no outcome for {path}"));
        assert_eq!(outs.len(), 1, "{path} is reached exactly once: {outs:?}");
        let o = outs[0];
        let optional = e["optional"].as_bool().unwrap_or(false);
        match e["expected"].as_str().unwrap() {
            "import" if optional && o["status"] == "error" => {
                assert_eq!(o["code"], "unsupported_format", "{path}: {o}");
                assert!(
                    o["error"]
                        .as_str()
                        .unwrap()
                        .starts_with("unsupported format"),
                    "{path}: clear unsupported-format error: {o}"
                );
            }
            "import" => {
                assert_eq!(o["status"], "imported", "{path} imports: {o}");
                let id = o["id"].as_str().unwrap();
                let s = lib.show(id);
                assert_eq!(s["width"], e["width"], "{path}: width");
                assert_eq!(s["height"], e["height"], "{path}: height");
                assert_eq!(s["sha256"], e["sha256"], "{path}: sha256");
                assert_eq!(s["bytes"], e["bytes"], "{path}: bytes");
                let want_format = e["format"].as_str().unwrap();
                assert_eq!(s["format"], want_format, "{path}: format");
                if let Some(gps) = e.get("gps").filter(|g| g.is_object()) {
                    assert_eq!(s["has_gps"], true, "{path}: has_gps");
                    let lat = s["gps"]["latitude"].as_f64().unwrap();
                    let lon = s["gps"]["longitude"].as_f64().unwrap();
                    assert!(
                        (lat - gps["lat"].as_f64().unwrap()).abs() < 1e-3,
                        "{path}: latitude {lat}"
                    );
                    assert!(
                        (lon - gps["lon"].as_f64().unwrap()).abs() < 1e-3,
                        "{path}: longitude {lon}"
                    );
                }
                if let Some(ai) = e.get("ai_parameters").filter(|a| a.is_object()) {
                    let raw = ai["raw"].as_str().unwrap();
                    let prompt = raw.lines().next().unwrap();
                    assert_eq!(s["prompt"], prompt, "{path}: prompt");
                    assert_eq!(s["generator"], "a1111", "{path}: generator");
                    if let Some(seed) = ai.get("seed").and_then(Value::as_u64) {
                        assert_eq!(s["seed"], seed, "{path}: seed");
                    }
                }
                if let Some(o) = e.get("orientation").and_then(Value::as_u64) {
                    assert_eq!(s["orientation"], o, "{path}: orientation");
                }
                if let Some(exif) = e.get("exif").filter(|x| x.is_object()) {
                    for (key, field) in [("make", "camera_make"), ("model", "camera_model")] {
                        if let Some(want) = exif.get(key).and_then(Value::as_str) {
                            assert_eq!(
                                s[field].as_str().map(str::trim),
                                Some(want.trim()),
                                "{path}: {field}"
                            );
                        }
                    }
                    if let Some(dt) = exif.get("datetime_original").and_then(Value::as_str) {
                        let iso =
                            format!("{}-{}-{}T{}", &dt[0..4], &dt[5..7], &dt[8..10], &dt[11..19]);
                        assert!(
                            s["taken_at"].as_str().is_some_and(|t| t.starts_with(&iso)),
                            "{path}: taken_at {} from {dt}",
                            s["taken_at"]
                        );
                    }
                }
            }
            "error" => {
                assert_eq!(o["status"], "error", "{path} is refused: {o}");
                assert!(o["code"].is_string(), "{path}: error code");
                assert!(
                    !o["error"].as_str().unwrap_or("").is_empty(),
                    "{path}: message"
                );
                if e["case"] == "bomb" {
                    assert_eq!(o["code"], "too_many_pixels", "{path}");
                }
            }
            other => panic!("{path}: unknown expectation {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 90, "the whole manifest was checked ({checked})");
    // Nothing outside the manifest was imported (e.g. through the folder loop).
    let imported = lines.iter().filter(|l| l["status"] == "imported").count();
    let expected_imports = entries
        .iter()
        .filter(|e| e["expected"] == "import" && !e["optional"].as_bool().unwrap_or(false))
        .count();
    assert!(
        imported >= expected_imports && imported <= expected_imports + 2,
        "{imported} imported for {expected_imports} expected (+ up to 2 optional)"
    );
    assert!(
        lines.iter().all(|l| l["status"] != "duplicate"),
        "no file seen twice"
    );
    let fsck = lib.run(&["--json", "fsck"]);
    assert_eq!(fsck.json()["problems"], 0, "{}", fsck.stdout);
}
