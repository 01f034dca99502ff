//! Free up space: `offload` removes local copies of originals only when their bucket copy
//! verifies now (real S3 server and a folder remote), `fetch` brings identical bytes back,
//! thumbnails stay, export and previews fetch on demand, fsck is clean with offloaded images.

use serde_json::Value;
use std::path::PathBuf;

use crate::support::images;
use crate::support::s3::{S3Server, BUCKET};
use crate::support::{sha256_hex, Run, TestLib};

struct Setup {
    lib: TestLib,
    s3: S3Server,
}

impl Setup {
    fn new() -> Setup {
        let s = Setup {
            lib: TestLib::new(),
            s3: S3Server::start(),
        };
        let args = s.s3.remote_args(None);
        s.run(&args).expect_ok("remote add");
        s
    }

    fn run<S: AsRef<str>>(&self, args: &[S]) -> Run {
        self.lib.run_env(args, &self.s3.env())
    }

    /// `thumb ID --size SIZE` with the bucket's credentials (a preview may fetch).
    fn thumb(&self, id: &str, size: &str) -> image::DynamicImage {
        let out = self.lib.dir.path().join(format!("thumb-{id}-{size}"));
        self.run(&["thumb", id, "--size", size, "--out", out.to_str().unwrap()])
            .expect_ok("thumb");
        image::load_from_memory(&std::fs::read(&out).unwrap()).expect("thumbnail decodes")
    }

    fn sync(&self) {
        let v = self
            .run(&["sync", "--once", "--json"])
            .expect_ok("sync")
            .json();
        assert_eq!(v["failed"], 0, "{v}");
    }
}

/// The managed original's path on disk.
fn original(lib: &TestLib, id: &str) -> PathBuf {
    let rel: String = lib
        .catalog()
        .query_row("SELECT path FROM images WHERE id = ?1", [id], |r| r.get(0))
        .unwrap();
    lib.root.join("originals").join(rel)
}

fn local(lib: &TestLib, id: &str) -> bool {
    lib.show(id)["local"]
        .as_bool()
        .expect("show --json has local")
}

fn skipped(v: &Value) -> Vec<(String, String)> {
    v["skipped"]
        .as_array()
        .unwrap_or_else(|| panic!("no skipped list: {v}"))
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Sets when an image was last viewed, `days` ago.
fn viewed_days_ago(lib: &TestLib, id: &str, days: i64) {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - days * 86_400_000;
    lib.catalog()
        .execute(
            "UPDATE images SET accessed_at = ?1 WHERE id = ?2",
            rusqlite::params![ms, id],
        )
        .unwrap();
}

#[test]
fn offload_refuses_images_the_bucket_cannot_vouch_for() {
    let s = Setup::new();
    let good = s.lib.add("good.jpg", &images::jpeg(200, 150, 1));
    let tampered = s.lib.add("tampered.jpg", &images::jpeg(200, 150, 2));
    let in_place = s.lib.input("kept.png", &images::png_rgba8(64, 64, 3));
    let (r, lines) = s.lib.import(&[&in_place], &["--in-place"]);
    assert!(r.ok(), "{}", r.stderr);
    let referenced = lines[0]["id"].as_str().unwrap().to_string();
    s.sync();
    let unsynced = s.lib.add("later.jpg", &images::jpeg(200, 150, 4));
    // Someone replaced the bucket's copy with other bytes (no sha256 of ours on it).
    let key = s.lib.show(&tampered)["object_key"]
        .as_str()
        .unwrap()
        .to_string();
    let other = s.lib.input("other.bin", b"not the original at all");
    let cp = s.s3.aws(&[
        "s3",
        "cp",
        other.to_str().unwrap(),
        &format!("s3://{BUCKET}/{key}"),
    ]);
    assert!(cp.ok(), "{}", cp.stderr);

    let r = s.run(&[
        "offload",
        &good,
        &tampered,
        &referenced,
        &unsynced,
        "NOSUCHIMAGE",
        "--json",
    ]);
    assert_eq!(r.code(), Some(1), "named images were kept: {}", r.stdout);
    let v = r.json();
    assert_eq!(v["offloaded"], 1, "{v}");
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["bytes_freed", "offloaded", "skipped"],
        "exactly these fields"
    );
    let reasons = skipped(&v);
    let reason = |id: &str| {
        reasons
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("{id} not skipped: {v}"))
    };
    assert!(reason(&tampered).contains("does not match"), "{v}");
    assert!(reason(&tampered).contains(&key), "names the object: {v}");
    assert!(reason(&unsynced).contains("not synced"), "{v}");
    assert!(reason(&referenced).contains("does not manage"), "{v}");
    assert!(reason("NOSUCHIMAGE").contains("no such image"), "{v}");
    assert_eq!(reasons.len(), 4, "{v}");
    // Nothing unverified left this computer.
    for id in [&tampered, &unsynced] {
        assert!(original(&s.lib, id).is_file(), "{id} keeps its original");
        assert!(local(&s.lib, id));
    }
    assert!(in_place.is_file(), "a referenced file is never touched");
    assert!(!original(&s.lib, &good).exists());
    assert!(!local(&s.lib, &good));

    // Again: it is already offloaded.
    let v = s.run(&["--json", "offload", &good]).json();
    assert_eq!(v["offloaded"], 0);
    assert!(skipped(&v)[0].1.contains("already offloaded"), "{v}");

    // No remote at all: nothing can be verified, nothing goes.
    let bare = TestLib::new();
    let id = bare.add("x.jpg", &images::jpeg(100, 80, 5));
    let v = bare
        .run(&["--json", "offload", "--all"])
        .expect_ok("a selection")
        .json();
    assert_eq!(v["offloaded"], 0);
    assert!(skipped(&v)[0].1.contains("no remote"), "{v}");
    assert!(original(&bare, &id).is_file());

    // Nothing selected is a usage error.
    assert_eq!(s.run(&["offload"]).code(), Some(2));
    assert_eq!(s.run(&["fetch"]).code(), Some(2));
    assert_eq!(s.run(&["offload", &good, "--all"]).code(), Some(2));
}

#[test]
fn offloaded_originals_free_space_and_come_back_identical() {
    let s = Setup::new();
    let a_bytes = images::jpeg(640, 480, 11);
    let b_bytes = images::png_rgba8(300, 200, 12);
    let a = s.lib.add("a.jpg", &a_bytes);
    let b = s.lib.add("b.png", &b_bytes);
    s.sync();
    let grid_before = s
        .lib
        .thumbs_db()
        .query_row("SELECT count(*) FROM thumbs", [], |r| r.get::<_, i64>(0));

    let v = s
        .run(&["--json", "offload", "--all"])
        .expect_ok("offload --all")
        .json();
    assert_eq!(v["offloaded"], 2, "{v}");
    assert_eq!(
        v["bytes_freed"].as_u64(),
        Some((a_bytes.len() + b_bytes.len()) as u64)
    );
    assert_eq!(skipped(&v).len(), 0, "{v}");
    for id in [&a, &b] {
        assert!(!original(&s.lib, id).exists(), "the local copy is gone");
        assert!(!local(&s.lib, id), "show --json says so");
    }
    let ls = s.lib.ls(&[]);
    assert!(ls.iter().all(|r| r["local"] == false), "ls --json too");
    // The bucket still has them.
    assert_eq!(
        s.s3.get(s.lib.show(&a)["object_key"].as_str().unwrap()),
        a_bytes
    );

    // Grid thumbnails are still served, without fetching anything.
    let thumb = s.thumb(&a, "grid");
    assert_eq!(thumb.width(), 320);
    assert!(!local(&s.lib, &a), "a grid thumbnail needs no original");
    if let Ok(n) = grid_before {
        let after: i64 = s
            .lib
            .thumbs_db()
            .query_row("SELECT count(*) FROM thumbs", [], |r| r.get(0))
            .unwrap();
        assert!(after >= n, "no thumbnail was dropped");
    }

    // fsck is clean: an offloaded original is not a missing one.
    let f = s.run(&["--json", "fsck"]).expect_ok("fsck").json();
    assert_eq!(f["problems"], 0, "{f}");
    assert_eq!(f["offloaded"], 2, "{f}");
    assert_eq!(f["missing_originals"].as_array().unwrap().len(), 0);

    // Export fetches on demand: byte-identical originals in the zip.
    let zip = s.lib.dir.path().join("out.zip");
    s.run(&["export", &b, "--zip", zip.to_str().unwrap()])
        .expect_ok("export of an offloaded image");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut entry = archive.by_name(&format!("{b}-b.png")).unwrap();
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut got).unwrap();
    assert_eq!(got, b_bytes, "the export holds the original");
    assert!(local(&s.lib, &b), "and it is on this computer again");

    // A preview needs the original: fetched on demand too.
    let preview = s.thumb(&a, "preview");
    assert!(preview.width() >= 320, "a preview was rendered");
    assert!(local(&s.lib, &a));
    assert_eq!(std::fs::read(original(&s.lib, &a)).unwrap(), a_bytes);

    // Offload again, then fetch brings identical bytes back.
    let v = s
        .run(&["offload", "--all", "--json"])
        .expect_ok("offload")
        .json();
    assert_eq!(v["offloaded"], 2, "{v}");
    let v = s
        .run(&["fetch", "--all", "--json"])
        .expect_ok("fetch --all")
        .json();
    assert_eq!(v["fetched"], 2, "{v}");
    assert_eq!(
        v["bytes"].as_u64(),
        Some((a_bytes.len() + b_bytes.len()) as u64)
    );
    assert_eq!(v["failed"].as_array().unwrap().len(), 0);
    for (id, bytes) in [(&a, &a_bytes), (&b, &b_bytes)] {
        let disk = std::fs::read(original(&s.lib, id)).unwrap();
        assert_eq!(sha256_hex(&disk), sha256_hex(bytes), "sha256-identical");
        assert!(local(&s.lib, id));
    }
    // Fetching what is here does nothing; an unknown id fails.
    let r = s.run(&["--json", "fetch", &a, "NOSUCHIMAGE"]);
    assert_eq!(r.code(), Some(1));
    let v = r.json();
    assert_eq!(v["fetched"], 0, "{v}");
    assert_eq!(v["failed"][0]["id"], "NOSUCHIMAGE", "{v}");
}

#[test]
fn keep_under_and_older_than_go_least_recently_viewed_first() {
    let s = Setup::new();
    let bytes: Vec<Vec<u8>> = (0..3)
        .map(|i| images::png_rgba8(200, 200, 20 + i))
        .collect();
    let ids: Vec<String> = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| s.lib.add(&format!("{i}.png"), b))
        .collect();
    s.sync();
    // Viewed: 0 forty days ago, 1 ten days ago, 2 today.
    viewed_days_ago(&s.lib, &ids[0], 40);
    viewed_days_ago(&s.lib, &ids[1], 10);
    viewed_days_ago(&s.lib, &ids[2], 0);

    let v = s
        .run(&["offload", "--older-than", "30d", "--json"])
        .expect_ok("older than")
        .json();
    assert_eq!(v["offloaded"], 1, "{v}");
    assert!(!local(&s.lib, &ids[0]) && local(&s.lib, &ids[1]) && local(&s.lib, &ids[2]));

    // Keep at most what the most recently viewed one takes: 1 goes, 2 stays.
    let limit = bytes[2].len() as u64;
    let v = s
        .run(&["--json", "offload", "--keep-under", &limit.to_string()])
        .expect_ok("keep under")
        .json();
    assert_eq!(v["offloaded"], 1, "{v}");
    assert_eq!(v["bytes_freed"].as_u64(), Some(bytes[1].len() as u64));
    assert!(!local(&s.lib, &ids[1]), "the least recently viewed went");
    assert!(local(&s.lib, &ids[2]), "the most recently viewed stayed");

    // Sizes are read with units; nonsense is refused.
    let v = s
        .run(&["--json", "offload", "--keep-under", "1.5GiB"])
        .expect_ok("units")
        .json();
    assert_eq!(v["offloaded"], 0, "already under 1.5 GiB: {v}");
    assert_eq!(s.run(&["offload", "--keep-under", "lots"]).code(), Some(1));
    assert_eq!(s.run(&["offload", "--older-than", "soon"]).code(), Some(1));
}

#[test]
fn a_folder_remote_verifies_too() {
    let lib = TestLib::new();
    let nas = lib.dir.path().join("nas");
    lib.run(&[
        "remote",
        "add",
        "nas",
        "--provider",
        "folder",
        "--path",
        nas.to_str().unwrap(),
    ])
    .expect_ok("add folder");
    let keep = images::jpeg(300, 200, 31);
    let a = lib.add("a.jpg", &keep);
    let b = lib.add("b.jpg", &images::jpeg(300, 200, 32));
    lib.run(&["sync", "--once"]).expect_ok("sync");
    let key_b = lib.show(&b)["object_key"].as_str().unwrap().to_string();
    std::fs::write(nas.join(&key_b), b"truncated").unwrap();

    let r = lib.run(&["--json", "offload", &a, &b]);
    assert_eq!(r.code(), Some(1));
    let v = r.json();
    assert_eq!(v["offloaded"], 1, "{v}");
    let reasons = skipped(&v);
    assert_eq!(reasons[0].0, b);
    assert!(reasons[0].1.contains("does not match"), "{v}");
    assert!(original(&lib, &b).is_file());

    let v = lib.run(&["--json", "fetch", &a]).expect_ok("fetch").json();
    assert_eq!(v["fetched"], 1, "{v}");
    assert_eq!(std::fs::read(original(&lib, &a)).unwrap(), keep);
    assert!(local(&lib, &a));
}

#[test]
fn a_public_image_stripped_of_its_location_is_verified_by_its_private_original() {
    use crate::support::exif::{jpeg_with_exif, Exif};
    let s = Setup::new();
    let original_bytes = jpeg_with_exif(
        &images::jpeg(320, 200, 41),
        &Exif {
            gps: Some((48.8584, 2.2945, 35.0)),
            ..Default::default()
        },
    );
    let id = s.lib.add("gps.jpg", &original_bytes);
    // Made public before it was ever synced: the bucket gets only the stripped copy.
    let early = s.lib.add(
        "early.jpg",
        &jpeg_with_exif(
            &images::jpeg(320, 200, 42),
            &Exif {
                gps: Some((1.0, 2.0, 3.0)),
                ..Default::default()
            },
        ),
    );
    s.run(&["visibility", &early, "public"]).expect_ok("public");
    s.sync();
    s.run(&["visibility", &id, "public"]).expect_ok("public");
    s.sync();
    let r = s.run(&["--json", "offload", &early]);
    assert_eq!(r.code(), Some(1));
    let v = r.json();
    assert_eq!(v["offloaded"], 0, "{v}");
    assert!(
        skipped(&v)[0].1.contains("stripped of its location data"),
        "no full original in the bucket: {v}"
    );
    assert!(original(&s.lib, &early).is_file());

    let public_key = s.lib.show(&id)["object_key"].as_str().unwrap().to_string();
    assert!(public_key.starts_with("public/"), "{public_key}");
    assert_ne!(
        s.s3.get(&public_key),
        original_bytes,
        "the public copy is stripped"
    );

    let v = s
        .run(&["--json", "offload", &id])
        .expect_ok("offload")
        .json();
    assert_eq!(
        v["offloaded"], 1,
        "the private original vouches for it: {v}"
    );
    let v = s.run(&["--json", "fetch", &id]).expect_ok("fetch").json();
    assert_eq!(v["fetched"], 1, "{v}");
    assert_eq!(
        std::fs::read(original(&s.lib, &id)).unwrap(),
        original_bytes,
        "the full original came back, location and all"
    );
}

#[test]
fn a_crash_between_marking_and_removing_leaves_a_consistent_library() {
    let s = Setup::new();
    let bytes = images::jpeg(240, 160, 51);
    let id = s.lib.add("k.jpg", &bytes);
    s.sync();
    let crash = [("VITRINE_FAILPOINT", "offload:after-mark=abort")];
    let mut env = s.s3.env();
    env.extend_from_slice(&crash);
    let r = s.lib.run_env(&["offload", &id], &env);
    assert!(!r.ok() && r.code() != Some(1), "killed: {r:?}");
    // Marked offloaded, the whole file still here: not a problem for fsck.
    assert!(!local(&s.lib, &id));
    assert!(original(&s.lib, &id).is_file());
    let f = s.run(&["--json", "fsck"]).expect_ok("fsck").json();
    assert_eq!(f["problems"], 0, "{f}");
    assert_eq!(f["offload_leftovers"][0], id.as_str(), "{f}");
    // fetch takes the file back without downloading it (its sha256 checked).
    let v = s.run(&["--json", "fetch", &id]).expect_ok("fetch").json();
    assert_eq!(
        (v["fetched"].as_u64(), v["bytes"].as_u64()),
        (Some(1), Some(0)),
        "{v}"
    );
    assert!(local(&s.lib, &id));

    // Again, and this time fsck --repair keeps it.
    let r = s.lib.run_env(&["offload", &id], &env);
    assert!(!r.ok() && r.code() != Some(1));
    let f = s
        .run(&["--json", "fsck", "--repair"])
        .expect_ok("repair")
        .json();
    assert!(f["actions"].to_string().contains("kept 1 original"), "{f}");
    assert!(local(&s.lib, &id));
    assert_eq!(std::fs::read(original(&s.lib, &id)).unwrap(), bytes);
    // A later offload finishes the job.
    let v = s
        .run(&["--json", "offload", &id])
        .expect_ok("offload")
        .json();
    assert_eq!(v["offloaded"], 1, "{v}");
    assert!(!original(&s.lib, &id).exists());
}
