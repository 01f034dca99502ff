//! The library replicated through the bucket, driven through the CLI as scripts do: two and
//! three libraries on one real S3 server (and on a folder remote) converge after concurrent
//! edits; a new library restores the whole catalog; bad log objects are refused whole; a
//! kill -9 during pull, push or compaction loses nothing and applies nothing twice.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

use crate::support::images;
use crate::support::s3::{S3Server, BUCKET};
use crate::support::{Run, TestLib};

/// Libraries attached to one bucket.
struct Cluster {
    s3: S3Server,
    libs: Vec<TestLib>,
}

const LOG: &str = "private/library/log/";

impl Cluster {
    fn new(n: usize) -> Cluster {
        let s3 = S3Server::start();
        let libs = (0..n).map(|_| TestLib::new()).collect();
        let c = Cluster { s3, libs };
        for i in 0..n {
            c.attach(i);
        }
        c
    }

    fn attach(&self, i: usize) {
        let args = self.s3.remote_args(None);
        self.run(i, &args).expect_ok("remote add");
    }

    fn run<S: AsRef<str>>(&self, i: usize, args: &[S]) -> Run {
        self.run_env(i, args, &[])
    }

    fn run_env<S: AsRef<str>>(&self, i: usize, args: &[S], extra: &[(&str, &str)]) -> Run {
        let mut env = self.s3.env();
        env.extend_from_slice(extra);
        self.libs[i].run_env(args, &env)
    }

    fn sync(&self, i: usize) -> Value {
        self.run(i, &["sync", "--once", "--json"])
            .expect_ok("sync --once")
            .json()
    }

    /// Every library syncs twice (push, then everyone pulls everything).
    fn converge(&self) {
        for _ in 0..2 {
            for i in 0..self.libs.len() {
                self.sync(i);
            }
        }
    }

    fn lib(&self, i: usize) -> &TestLib {
        &self.libs[i]
    }

    fn log_keys(&self) -> Vec<String> {
        self.s3
            .keys()
            .into_iter()
            .filter(|k| k.starts_with(LOG))
            .collect()
    }
}

/// What a person sees of each image: the fields two computers must agree on.
fn catalog(lib: &TestLib) -> BTreeMap<String, Value> {
    lib.ls(&["--limit", "100000"])
        .into_iter()
        .map(|r| {
            let id = r["id"].as_str().unwrap().to_string();
            let mut tags: Vec<String> = r["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_lowercase())
                .collect();
            tags.sort();
            let view = serde_json::json!({
                "sha256": r["sha256"],
                "filename": r["filename"],
                "visibility": r["visibility"],
                "tags": tags,
                "format": r["format"],
                "width": r["width"],
                "height": r["height"],
                "created_at": r["created_at"],
            });
            (id, view)
        })
        .collect()
}

fn ids(lib: &TestLib) -> Vec<String> {
    catalog(lib).into_keys().collect()
}

#[test]
fn a_second_library_gets_the_catalog_and_thumbnails_without_the_originals() {
    let c = Cluster::new(2);
    let a = c.lib(0);
    let x = a.add("beach.png", &images::png_rgb8(64, 48, 1));
    let y = a.add("forest.jpg", &images::jpeg(80, 60, 2));
    a.run(&["tag", &x, "--add", "trip", "--add", "Summer"])
        .expect_ok("tag");
    a.run(&["visibility", &y, "unlisted"]).expect_ok("vis");
    // A file kept where it is (as a watched folder keeps its files).
    let kept = a.input("kept/in place.png", &images::png_rgb8(30, 20, 3));
    let (run, lines) = a.import(&[&kept], &["--in-place"]);
    run.expect_ok("import --in-place");
    let z = lines[0]["id"].as_str().unwrap().to_string();
    assert_eq!(a.show(&z)["storage"], "referenced");
    let pushed = c.sync(0);
    assert_eq!(pushed["pushed"].as_u64(), Some(3), "{pushed}");
    assert!(
        c.log_keys().iter().any(|k| k.ends_with(".snap")),
        "the first push is a snapshot: {:?}",
        c.log_keys()
    );
    assert!(
        c.s3.keys().iter().any(|k| k.starts_with("private/thumbs/")),
        "grid thumbnails went up"
    );

    let pulled = c.sync(1);
    assert_eq!(pulled["pulled"].as_u64(), Some(3), "{pulled}");
    let b = c.lib(1);
    assert_eq!(catalog(a), catalog(b), "same ids, names, tags, visibility");
    let shown = b.show(&x);
    assert_eq!(shown["local"], Value::Bool(false), "{shown}");
    assert_eq!(a.show(&x)["local"], Value::Bool(true));
    assert_eq!(shown["sources"], a.show(&x)["sources"]);
    assert!(b.originals().is_empty(), "no original was downloaded");
    // The first computer's file kept in place is, here, an image whose original is elsewhere.
    let other = b.show(&z);
    assert_eq!(other["local"], Value::Bool(false), "{other}");
    assert_eq!(other["filename"], "in place.png");
    assert_eq!(b.thumb(&z, "grid").width(), 30);
    // The grid thumbnail came from the bucket: served without the original.
    let thumb = b.thumb(&x, "grid");
    assert_eq!((thumb.width(), thumb.height()), (64, 48));
    // Searchable like any image.
    let found = b
        .run(&["search", "beach", "--json"])
        .expect_ok("search")
        .json_array();
    assert_eq!(found.len(), 1);
    let found = b
        .run(&["ls", "--tag", "trip", "--json"])
        .expect_ok("ls")
        .json_array();
    assert_eq!(found.len(), 1);

    // A second sync with nothing new applies nothing and sends nothing.
    let again = c.sync(1);
    assert_eq!(
        (again["pulled"].as_u64(), again["pushed"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
}

#[test]
fn concurrent_edits_on_two_computers_converge() {
    let c = Cluster::new(2);
    let (a, b) = (c.lib(0), c.lib(1));
    let x = a.add("x.png", &images::png_rgb8(40, 30, 11));
    let y = a.add("y.png", &images::png_rgb8(40, 30, 12));
    let z = a.add("z.png", &images::png_rgb8(40, 30, 13));
    c.converge();
    assert_eq!(catalog(a), catalog(b));

    // Concurrent: both set x's visibility (B later wins); A tags y while B removes the tag it
    // has not seen; A deletes z while B tags it; the same new file imported on both.
    a.run(&["visibility", &x, "public"]).expect_ok("vis a");
    std::thread::sleep(std::time::Duration::from_millis(20));
    b.run(&["visibility", &x, "unlisted"]).expect_ok("vis b");
    a.run(&["tag", &y, "--add", "keep"]).expect_ok("tag a");
    b.run(&["tag", &y, "--add", "drop"]).expect_ok("tag b");
    b.run(&["tag", &y, "--remove", "drop"]).expect_ok("untag b");
    a.run(&["rm", &z]).expect_ok("rm a");
    b.run(&["tag", &z, "--add", "late"]).expect_ok("tag z on b");
    let same = images::jpeg(50, 40, 99);
    let on_a = a.add("same-a.jpg", &same);
    let on_b = b.add("same-b.jpg", &same);
    assert_ne!(on_a, on_b, "two imports, two ids before they meet");

    // Both rename y; the later name wins everywhere.
    a.run(&["rename", &y, "first name.png"])
        .expect_ok("rename a");
    std::thread::sleep(std::time::Duration::from_millis(20));
    b.run(&["rename", &y, "second name.png"])
        .expect_ok("rename b");

    c.converge();
    let (ca, cb) = (catalog(a), catalog(b));
    assert_eq!(ca, cb, "the two catalogs are equal");
    assert_eq!(ca[&y]["filename"], "second name.png", "the later name wins");
    assert_eq!(
        ca[&x]["visibility"], "unlisted",
        "the later visibility wins"
    );
    assert_eq!(ca[&y]["tags"], serde_json::json!(["keep"]));
    assert!(!ca.contains_key(&z), "the delete wins over a tag");
    let same_id = on_a.clone().min(on_b.clone());
    assert!(ca.contains_key(&same_id), "one image, the smaller id");
    assert_eq!(
        ca.values()
            .filter(|v| v["sha256"] == vitrine::import::sha256_hex(&same))
            .count(),
        1
    );
    // The object is where the final visibility wants it, once.
    c.sync(0);
    c.sync(1);
    let key = a.show(&x)["object_key"].as_str().unwrap().to_string();
    assert!(key.starts_with("public/"), "{key}");
    assert!(c.s3.keys().contains(&key));
    let sha = a.show(&x)["sha256"].as_str().unwrap().to_string();
    assert!(
        !c.s3.keys().iter().any(|k| k.starts_with("private/")
            && k.contains(&sha)
            && !k.starts_with("private/thumbs/")),
        "no leftover private copy"
    );
}

#[test]
fn a_new_computer_restores_the_whole_library_from_the_bucket() {
    let c = Cluster::new(1);
    let a = c.lib(0);
    let mut want = Vec::new();
    for i in 0..12u32 {
        let id = a.add(
            &format!("photo {i} 東京.png"),
            &images::png_rgb8(30 + i, 20, i),
        );
        if i % 3 == 0 {
            a.run(&["tag", &id, "--add", &format!("t{i}")])
                .expect_ok("tag");
        }
        if i % 4 == 0 {
            a.run(&["visibility", &id, "public"]).expect_ok("vis");
        }
        want.push(id);
    }
    a.run(&["rm", &want[5], "--yes"]).expect_ok("rm");
    c.sync(0);
    // More changes after the snapshot: they are in segments.
    a.run(&["tag", &want[1], "--add", "after"]).expect_ok("tag");
    c.sync(0);

    let fresh = TestLib::new();
    let mut env = c.s3.env();
    env.push(("VITRINE_LOG", "info"));
    fresh
        .run_env(&c.s3.remote_args(None), &env)
        .expect_ok("remote add on the new computer");
    let got = fresh
        .run_env(&["sync", "--once", "--json"], &env)
        .expect_ok("restore")
        .json();
    // 11 images from the snapshot, then one tag from the segment after it.
    assert_eq!(got["pulled"].as_u64(), Some(12), "{got}");
    assert_eq!(catalog(a), catalog(&fresh), "restore equals the original");
    for id in ids(&fresh) {
        let t = fresh.thumb(&id, "grid");
        assert!(t.width() > 0);
    }
    assert_eq!(
        fresh.count("SELECT count(*) FROM replica_thumbs"),
        0,
        "every grid thumbnail came down"
    );
    assert_eq!(
        fresh.count("SELECT count(*) FROM replica_thumbs_up"),
        0,
        "none goes back up"
    );
    let device: String = fresh
        .catalog()
        .query_row("SELECT device FROM replica", [], |r| r.get(0))
        .unwrap();
    assert!(
        !c.log_keys().iter().any(|k| k.contains(&device)),
        "a restored library adds nothing to the log until it changes something"
    );
}

#[test]
fn bad_log_objects_are_refused_whole_and_the_rest_applies() {
    let c = Cluster::new(2);
    let a = c.lib(0);
    let x = a.add("x.png", &images::png_rgb8(20, 20, 1));
    c.sync(0);
    let dir = c.lib(1).dir.path().to_path_buf();
    // A truncated object, one from a newer Vitrine, garbage, and hostile values.
    let good = c
        .log_keys()
        .into_iter()
        .find(|k| k.ends_with(".snap"))
        .unwrap();
    let good_bytes = c.s3.get(&good);
    let put = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        c.s3.aws(&[
            "s3",
            "cp",
            path.to_str().unwrap(),
            &format!("s3://{BUCKET}/{LOG}{name}"),
        ])
        .expect_ok("aws s3 cp");
    };
    let gz = |json: &str| {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(json.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    put(
        "0000000000001-00000000000000a1-0000000001.seg",
        &good_bytes[..good_bytes.len() / 2],
    );
    put(
        "0000000000001-00000000000000a2-0000000001.seg",
        &gz(r#"{"format":"vitrine-library-log","version":99,"whatever":[]}"#),
    );
    put(
        "0000000000001-00000000000000a3-0000000001.seg",
        b"not gzip at all",
    );
    let hostile = format!(
        r#"{{"format":"vitrine-library-log","version":1,"device":"00000000000000a4","number":1,
        "written_at":1,"items":[{{"sha256":"{}","id":"../../etc","added":{{"at":5,"by":"a4"}},
        "visibility":{{"value":"public","at":5,"by":"a4"}},"filename":{{"value":"x","at":5,"by":"a4"}}}}]}}"#,
        "0".repeat(64)
    );
    put(
        "0000000000001-00000000000000a4-0000000001.seg",
        &gz(&hostile),
    );

    let got = c.sync(1);
    let errors = got["errors"].as_array().unwrap();
    let refused: Vec<&str> = errors
        .iter()
        .filter(|e| e["code"] == "log_refused")
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(refused.len(), 4, "{got}");
    assert!(
        refused.iter().any(|m| m.contains("newer Vitrine")),
        "{refused:?}"
    );
    assert!(
        refused.iter().any(|m| m.contains("truncated or corrupt")),
        "{refused:?}"
    );
    assert!(
        refused.iter().any(|m| m.contains("not an image id")),
        "{refused:?}"
    );
    assert_eq!(ids(c.lib(1)), vec![x.clone()], "the good snapshot applied");
    // Refused once, not again on every sync.
    let again = c.sync(1);
    assert!(again["errors"].as_array().unwrap().is_empty(), "{again}");
}

#[test]
fn a_kill_during_pull_push_or_compaction_loses_nothing() {
    let c = Cluster::new(2);
    let (a, b) = (c.lib(0), c.lib(1));
    for i in 0..4 {
        a.add(&format!("a{i}.png"), &images::png_rgb8(20, 20, 100 + i));
    }
    c.sync(0);
    let kill = |i: usize, point: &str| {
        let r = c.run_env(
            i,
            &["sync", "--once", "--json"],
            &[("VITRINE_FAILPOINT", &format!("{point}=abort"))],
        );
        assert!(!r.ok(), "{point} killed the sync");
    };
    // Killed while applying (nothing of the object applied), then right after the first one.
    kill(1, "replica:apply");
    assert!(ids(b).is_empty(), "nothing applied in part");
    c.sync(1);
    assert_eq!(catalog(a), catalog(b));

    // Killed after the segment landed, before the outbox was cleared: sent again, merged once.
    let x = ids(a)[0].clone();
    a.run(&["tag", &x, "--add", "once"]).expect_ok("tag");
    kill(0, "replica:after-put");
    c.sync(0);
    c.sync(1);
    assert_eq!(catalog(a), catalog(b));
    assert_eq!(b.show(&x)["tags"], serde_json::json!(["once"]));

    // Killed during compaction (snapshot written, old objects half deleted).
    let env = [
        ("VITRINE_LOG_COMPACT_EVERY", "1"),
        ("VITRINE_LOG_RETENTION_SECS", "0"),
    ];
    a.run(&["tag", &x, "--add", "again"]).expect_ok("tag");
    let r = c.run_env(
        0,
        &["sync", "--once", "--json"],
        &[
            env[0],
            env[1],
            ("VITRINE_FAILPOINT", "replica:compact=abort"),
        ],
    );
    assert!(!r.ok());
    c.run_env(0, &["sync", "--once", "--json"], &env)
        .expect_ok("sync after the kill");
    // A new computer reads the compacted log.
    let fresh = TestLib::new();
    fresh
        .run_env(&c.s3.remote_args(None), &c.s3.env())
        .expect_ok("remote add");
    fresh
        .run_env(&["sync", "--once", "--json"], &c.s3.env())
        .expect_ok("restore");
    c.sync(1);
    assert_eq!(catalog(a), catalog(&fresh));
    assert_eq!(catalog(a), catalog(b));
}

#[test]
fn randomized_interleavings_of_edits_and_syncs_end_equal() {
    let c = Cluster::new(2);
    let files: Vec<Vec<u8>> = (0..6).map(|i| images::png_rgb8(16, 16, 500 + i)).collect();
    // A small deterministic generator (no external seed: the run is reproducible).
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for step in 0..40 {
        let i = next(2) as usize;
        let lib = c.lib(i);
        let current = ids(lib);
        match next(6) {
            0 | 1 => {
                let f = next(files.len() as u64) as usize;
                let p = lib.input(&format!("f{f}-{step}.png"), &files[f]);
                lib.import(&[&p], &[]).0.expect_ok("import");
            }
            2 if !current.is_empty() => {
                let id = &current[next(current.len() as u64) as usize];
                let tag = ["red", "green", "blue"][next(3) as usize];
                let op = if next(2) == 0 { "--add" } else { "--remove" };
                lib.run(&["tag", id, op, tag]).expect_ok("tag");
            }
            3 if !current.is_empty() => {
                let id = &current[next(current.len() as u64) as usize];
                let v = ["private", "unlisted", "public"][next(3) as usize];
                lib.run(&["visibility", id, v]).expect_ok("vis");
            }
            4 if !current.is_empty() => {
                let id = &current[next(current.len() as u64) as usize];
                lib.run(&["rm", id]).expect_ok("rm");
            }
            _ => {
                c.sync(i);
            }
        }
    }
    c.converge();
    assert_eq!(catalog(c.lib(0)), catalog(c.lib(1)));
}

#[test]
fn three_libraries_on_a_folder_remote_converge() {
    let bucket = tempfile::tempdir().unwrap();
    let libs: Vec<TestLib> = (0..3).map(|_| TestLib::new()).collect();
    let folder = bucket.path().to_str().unwrap();
    for l in &libs {
        l.run(&[
            "remote",
            "add",
            "home",
            "--provider",
            "folder",
            "--path",
            folder,
        ])
        .expect_ok("remote add folder");
    }
    let sync = |l: &TestLib| {
        l.run(&["sync", "--once", "--json"])
            .expect_ok("sync")
            .json()
    };
    let x = libs[0].add("one.png", &images::png_rgb8(20, 10, 1));
    libs[1].add("two.png", &images::png_rgb8(20, 10, 2));
    libs[2].add("three.png", &images::png_rgb8(20, 10, 3));
    for _ in 0..2 {
        for l in &libs {
            sync(l);
        }
    }
    libs[2]
        .run(&["tag", &x, "--add", "shared"])
        .expect_ok("tag");
    sync(&libs[2]);
    sync(&libs[0]);
    assert_eq!(libs[0].show(&x)["tags"], serde_json::json!(["shared"]));
    for l in &libs[1..] {
        sync(l);
    }
    let first = catalog(&libs[0]);
    assert_eq!(first.len(), 3);
    for l in &libs[1..] {
        assert_eq!(catalog(l), first);
    }
    assert!(Path::new(folder).join("private/library/log").is_dir());
}
