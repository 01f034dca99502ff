//! Sync to a real S3-compatible server (s3s-fs on loopback), driven through the CLI exactly as
//! scripts do, checked with the aws CLI: uploads with headers and sha256, idempotent re-runs,
//! visibility moves (server-side copy; stripped public copies of GPS images), links (presigned
//! expiry, public URL), deletes through the trash, the mass-delete guard, quarantine and
//! `--retry-failed`, multipart, credentials errors.

use serde_json::Value;
use std::path::Path;

use crate::support::exif::{jpeg_with_exif, Exif};
use crate::support::images;
use crate::support::s3::{curl_get, http_get, S3Server, StaticServer, BUCKET, SECRET_KEY};
use crate::support::{Run, TestLib};

fn sha(b: &[u8]) -> String {
    vitrine::import::sha256_hex(b)
}

struct Setup {
    lib: TestLib,
    s3: S3Server,
    web: StaticServer,
}

impl Setup {
    /// A library with the loopback server as its remote; the public URL is a static web
    /// server over the bucket's folder.
    fn new() -> Setup {
        let lib = TestLib::new();
        let s3 = S3Server::start();
        let web = StaticServer::start(&s3.root.join(BUCKET));
        let s = Setup { lib, s3, web };
        let args = s.s3.remote_args(Some(&s.web.url()));
        s.run(&args).expect_ok("remote add");
        s
    }

    fn run<S: AsRef<str>>(&self, args: &[S]) -> Run {
        self.run_env(args, &[])
    }

    fn run_env<S: AsRef<str>>(&self, args: &[S], extra: &[(&str, &str)]) -> Run {
        let mut env = self.s3.env();
        env.extend_from_slice(extra);
        self.lib.run_env(args, &env)
    }

    /// `sync --watch --json` in the background.
    fn spawn_watch(&self) -> std::process::Child {
        std::process::Command::new(crate::support::bin())
            .args(["--library", self.lib.root.to_str().unwrap()])
            .args(["--json", "sync", "--watch"])
            .envs(self.s3.env())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn sync(&self) -> Value {
        self.run(&["sync", "--once", "--json"])
            .expect_ok("sync --once")
            .json()
    }

    fn record(&self, id: &str) -> Value {
        self.lib.show(id)
    }

    fn key(&self, id: &str) -> String {
        self.record(id)["object_key"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} has no object_key"))
            .to_string()
    }
}

fn counts(v: &Value) -> (u64, u64, u64, u64) {
    (
        v["uploaded"].as_u64().unwrap(),
        v["moved"].as_u64().unwrap(),
        v["deleted"].as_u64().unwrap(),
        v["failed"].as_u64().unwrap(),
    )
}

fn gps_jpeg(seed: u32) -> Vec<u8> {
    jpeg_with_exif(
        &images::jpeg(320, 200, seed),
        &Exif {
            orientation: Some(6),
            make: Some("Sony".into()),
            model: Some("NEX-3N".into()),
            gps: Some((48.8584, 2.2945, 35.0)),
            ..Default::default()
        },
    )
}

#[test]
fn sync_uploads_originals_with_headers_and_is_idempotent() {
    let s = Setup::new();
    let jpg = images::jpeg(640, 480, 1);
    let png = images::png_rgba8(300, 200, 2);
    let a = s.lib.add("a.jpg", &jpg);
    let b = s.lib.add("b.png", &png);
    assert_eq!(s.record(&a)["remote_state"], "pending", "queued at import");

    let summary = s.sync();
    assert_eq!(counts(&summary), (2, 0, 0, 0), "{summary}");
    for (id, bytes, mime) in [(&a, &jpg, "image/jpeg"), (&b, &png, "image/png")] {
        let rec = s.record(id);
        assert_eq!(rec["remote_state"], "synced");
        assert_eq!(rec["remote_error"], Value::Null);
        let key = s.key(id);
        assert_eq!(
            key,
            format!(
                "private/{}/{}.{}",
                &sha(bytes)[..2],
                sha(bytes),
                if mime == "image/png" { "png" } else { "jpg" }
            )
        );
        let head = s.s3.head(&key).expect("object landed");
        assert_eq!(head["ContentType"], mime);
        assert_eq!(head["ContentLength"].as_u64(), Some(bytes.len() as u64));
        assert_eq!(
            head["Metadata"]["sha256"].as_str(),
            Some(sha(bytes).as_str())
        );
        assert!(
            head.get("CacheControl").is_none(),
            "private objects are not cached publicly"
        );
        assert_eq!(&s.s3.get(&key), bytes, "byte-identical original");
    }
    // ls --json carries the remote fields.
    let ls = s.lib.ls(&["--status", "synced"]);
    assert_eq!(ls.len(), 2);
    assert!(ls.iter().all(|r| r["object_key"].is_string()));

    // Nothing to do: nothing done, nothing uploaded again.
    let before = s.s3.keys();
    assert_eq!(counts(&s.sync()), (0, 0, 0, 0));
    assert_eq!(s.s3.keys(), before);

    // The same bytes imported again are one image and cost nothing.
    let again = s.lib.input("copy-of-a.jpg", &jpg);
    s.lib.import(&[&again], &[]);
    assert_eq!(counts(&s.sync()), (0, 0, 0, 0));

    // A new remote on the same bucket finds the objects already there (HEAD, no re-upload).
    s.run(&["remote", "remove", "main"])
        .expect_ok("remote remove");
    assert_eq!(s.record(&a)["remote_state"], "local");
    let args = s.s3.remote_args(None);
    let added = s
        .run(&[&["--json".to_string()][..], &args[..]].concat())
        .expect_ok("re-add")
        .json();
    assert_eq!(added["queued"], 2);
    let summary = s.sync();
    assert_eq!(counts(&summary), (0, 0, 0, 0), "found in place: {summary}");
    assert_eq!(s.record(&b)["remote_state"], "synced");
}

#[test]
fn visibility_moves_objects_and_links_follow() {
    let s = Setup::new();
    let jpg = images::jpeg(500, 300, 7);
    let id = s.lib.add("photo.jpg", &jpg);
    s.sync();
    let private_key = s.key(&id);

    // Private: a presigned link that works, then expires.
    let link = s
        .run(&["--json", "link", &id, "--expires", "2s"])
        .expect_ok("link")
        .json();
    assert!(link["expires_at"].is_string());
    let url = link["url"].as_str().unwrap();
    assert_eq!(
        http_get(url),
        (200, jpg.clone()),
        "presigned link serves the bytes"
    );
    let md = s
        .run(&["link", &id, "--format", "markdown"])
        .expect_ok("link markdown");
    assert!(
        md.stdout.trim().starts_with("![photo.jpg](http"),
        "{}",
        md.stdout
    );
    std::thread::sleep(std::time::Duration::from_millis(3200));
    assert_eq!(curl_get(url).0, 403, "an expired presigned link is refused");

    // Public: a server-side move, long cache, a stable public URL and a feed entry.
    s.run(&["visibility", &id, "public"]).expect_ok("public");
    assert_eq!(s.record(&id)["remote_state"], "pending", "queued instantly");
    let summary = s.sync();
    assert_eq!(counts(&summary), (0, 1, 0, 0), "{summary}");
    let public_key = s.key(&id);
    assert!(public_key.starts_with("public/"), "{public_key}");
    let head = s.s3.head(&public_key).unwrap();
    assert_eq!(head["CacheControl"], "public, max-age=31536000, immutable");
    assert_eq!(
        head["Metadata"]["sha256"].as_str(),
        Some(sha(&jpg).as_str())
    );
    assert!(
        s.s3.head(&private_key).is_none(),
        "the private copy is gone"
    );
    let public = s
        .run(&["--json", "link", &id])
        .expect_ok("public link")
        .json();
    let public_url = public["url"].as_str().unwrap().to_string();
    assert_eq!(public_url, format!("{}/{public_key}", s.web.url()));
    assert_eq!(public["ready"], true);
    assert_eq!(http_get(&public_url), (200, jpg.clone()));
    let feed: Value = serde_json::from_slice(&s.s3.get("public/feed.json")).unwrap();
    assert_eq!(feed["items"][0]["id"], id.as_str());
    assert_eq!(feed["items"][0]["url"], public_url.as_str());
    let thumb =
        s.s3.head(&format!("public/thumbs/{}/{}", &sha(&jpg)[..2], sha(&jpg)));
    assert!(thumb.is_some(), "the feed's thumbnail is published");
    assert!(s.s3.head("public/index.html").is_some());

    // Unlisted: same public object, not in the feed.
    s.run(&["visibility", &id, "unlisted"])
        .expect_ok("unlisted");
    assert_eq!(counts(&s.sync()), (0, 0, 0, 0));
    assert_eq!(s.key(&id), public_key);
    let feed: Value = serde_json::from_slice(&s.s3.get("public/feed.json")).unwrap();
    assert_eq!(
        feed["items"].as_array().unwrap().len(),
        0,
        "unlisted is not listed"
    );

    // Back to private: the public link stops working; a presigned one works.
    s.run(&["visibility", &id, "private"]).expect_ok("private");
    assert_eq!(counts(&s.sync()), (0, 1, 0, 0));
    assert_eq!(s.key(&id), private_key);
    assert_eq!(http_get(&public_url).0, 404, "public link is dead");
    let link = s.run(&["--json", "link", &id]).expect_ok("link").json();
    assert_eq!(http_get(link["url"].as_str().unwrap()), (200, jpg));
    let e = s.run(&["link", &id, "--expires", "8d"]);
    assert_eq!(e.code(), Some(1));
    assert!(e.stderr.contains("at most 7d"), "{}", e.stderr);
}

#[test]
fn public_copies_of_gps_images_are_stripped_losslessly() {
    let s = Setup::new();
    let original = gps_jpeg(3);
    let id = s.lib.add("gps.jpg", &original);
    assert_eq!(s.record(&id)["has_gps"], true);
    s.sync();
    let private_key = s.key(&id);
    assert_eq!(s.s3.get(&private_key), original, "private keeps everything");

    s.run(&["visibility", &id, "public"]).expect_ok("public");
    let summary = s.sync();
    assert_eq!(summary["failed"], 0, "{summary}");
    let public = s.s3.get(&s.key(&id));
    assert_ne!(public, original);
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&public))
        .expect("the public copy keeps a minimal EXIF");
    assert!(
        exif.fields()
            .all(|f| f.ifd_num == exif::In::PRIMARY && f.tag == exif::Tag::Orientation),
        "only the orientation is left: {:?}",
        exif.fields().map(|f| f.tag).collect::<Vec<_>>()
    );
    assert!(exif
        .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
        .is_none());
    // Pixels untouched: both decode to the same image.
    let a = image::load_from_memory(&original).unwrap().to_rgb8();
    let b = image::load_from_memory(&public).unwrap().to_rgb8();
    assert_eq!(a, b, "stripping does not re-encode");
    // The bucket still holds the full original (the truth for the data), privately.
    assert_eq!(
        s.s3.get(&private_key),
        original,
        "the private original stays"
    );
    // The local original is untouched.
    let local = s.lib.run(&["--json", "show", &id]).expect_ok("show").json();
    assert_eq!(local["sha256"].as_str(), Some(sha(&original).as_str()));

    let public_key = s.key(&id);
    // Back to private: the kept original is used (not a copy of the stripped one).
    s.run(&["visibility", &id, "private"]).expect_ok("private");
    let summary = s.sync();
    assert_eq!(counts(&summary), (0, 1, 0, 0), "{summary}");
    assert_eq!(s.key(&id), private_key);
    assert_eq!(s.s3.get(&private_key), original);
    assert!(
        s.s3.head(&public_key).is_none(),
        "the stripped public copy is gone"
    );

    // Public again, then removed: both copies go to the trash.
    s.run(&["visibility", &id, "public"]).expect_ok("public");
    s.sync();
    s.lib.run(&["rm", &id]).expect_ok("rm");
    let summary = s.sync();
    assert_eq!(summary["deleted"], 1, "{summary}");
    assert!(s.s3.head(&public_key).is_none() && s.s3.head(&private_key).is_none());
    assert_eq!(s.s3.get(&format!("trash/{private_key}")), original);
}

#[test]
fn deletes_go_through_the_trash_and_never_come_back() {
    let s = Setup::new();
    let jpg = images::jpeg(200, 200, 11);
    let keep = s.lib.add("keep.jpg", &images::jpeg(200, 200, 12));
    let id = s.lib.add("gone.jpg", &jpg);
    s.sync();
    let key = s.key(&id);
    s.lib.run(&["rm", &id]).expect_ok("rm");
    let summary = s.sync();
    assert_eq!(counts(&summary), (0, 0, 1, 0), "{summary}");
    assert!(s.s3.head(&key).is_none(), "deleted from its place");
    let trash = s.s3.head(&format!("trash/{key}")).expect("kept in trash/");
    assert_eq!(
        trash["Metadata"]["sha256"].as_str(),
        Some(sha(&jpg).as_str())
    );
    assert_eq!(
        counts(&s.sync()),
        (0, 0, 0, 0),
        "a tombstone is never re-uploaded"
    );
    assert!(s.s3.head(&s.key(&keep)).is_some());

    // Removed and imported again before a sync: the delete must not take the new object.
    let id2 = s.lib.add("back.jpg", &jpg);
    s.sync();
    assert!(s.s3.head(&s.key(&id2)).is_some());
    s.lib.run(&["rm", &id2]).expect_ok("rm");
    let id3 = s.lib.add("back-again.jpg", &jpg);
    let summary = s.sync();
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(s.record(&id3)["remote_state"], "synced");
    assert!(
        s.s3.head(&s.key(&id3)).is_some(),
        "the live image keeps its object"
    );
}

#[test]
fn a_sync_that_would_delete_most_of_the_bucket_stops_and_asks() {
    let s = Setup::new();
    let ids: Vec<String> = (0..30)
        .map(|i| {
            s.lib
                .add(&format!("{i}.jpg"), &images::jpeg(64, 64, 100 + i))
        })
        .collect();
    s.sync();
    let mut rm = vec!["rm".to_string()];
    rm.extend(ids[..25].iter().cloned());
    s.lib.run(&rm).expect_ok("rm 25");
    let r = s.run(&["--json", "sync", "--once"]);
    assert_eq!(r.code(), Some(1));
    let v = r.json();
    assert_eq!(v["code"], "mass_delete");
    assert!(
        v["error"].as_str().unwrap().contains("--allow-deletes"),
        "{v}"
    );
    assert_eq!(
        s.s3.keys()
            .iter()
            .filter(|k| k.starts_with("private/") && !crate::support::s3::is_library_key(k))
            .count(),
        30
    );
    let v = s
        .run(&["--json", "sync", "--once", "--allow-deletes"])
        .expect_ok("confirmed")
        .json();
    assert_eq!(v["deleted"], 25);
    assert_eq!(
        s.s3.keys()
            .iter()
            .filter(|k| k.starts_with("private/") && !crate::support::s3::is_library_key(k))
            .count(),
        5
    );
}

#[test]
fn a_failing_item_is_quarantined_with_its_error_and_retried_on_request() {
    let s = Setup::new();
    let good = s.lib.add("good.jpg", &images::jpeg(100, 100, 21));
    let bad_bytes = images::jpeg(100, 100, 22);
    let bad = s.lib.add("bad.jpg", &bad_bytes);
    // The managed original vanishes (disk trouble): the item fails, the rest syncs.
    let path = s.lib.root.join("originals").join(
        s.lib
            .catalog()
            .query_row("SELECT path FROM images WHERE id = ?1", [&bad], |r| {
                r.get::<_, String>(0)
            })
            .unwrap(),
    );
    let saved = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let r = s.run(&["--json", "sync", "--once"]);
    assert_eq!(r.code(), Some(1), "non-zero when items failed");
    let v = r.json();
    assert_eq!(
        (v["uploaded"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(1)),
        "{v}"
    );
    assert_eq!(v["errors"][0]["id"], bad.as_str());
    assert!(
        v["errors"][0]["message"].as_str().unwrap().contains("fsck"),
        "{v}"
    );
    let rec = s.record(&bad);
    assert_eq!(rec["remote_state"], "failed");
    assert!(rec["remote_error"]
        .as_str()
        .unwrap()
        .contains("not readable"));
    assert_eq!(s.record(&good)["remote_state"], "synced");
    assert_eq!(s.lib.ls(&["--status", "failed"]).len(), 1);
    // Quarantined: a plain sync leaves it (and still reports it).
    let v = s.run(&["--json", "sync", "--once"]).json();
    assert_eq!(v["failed"], 1);

    std::fs::write(&path, saved).unwrap();
    let v = s
        .run(&["--json", "sync", "--retry-failed"])
        .expect_ok("retry-failed")
        .json();
    assert_eq!(counts(&v), (1, 0, 0, 0), "{v}");
    assert_eq!(s.record(&bad)["remote_state"], "synced");
    assert_eq!(s.s3.get(&s.key(&bad)), bad_bytes);
}

#[test]
fn large_files_go_up_in_parts() {
    let s = Setup::new();
    // Noise compresses badly: a ~7 MB PNG, sent in 5 MiB parts.
    let big = images::noise_png(1600, 1500, 0x9E3779B97F4A7C15);
    assert!(big.len() > 6 << 20, "{} bytes", big.len());
    let id = s.lib.add("big.png", &big);
    let v = s
        .run_env(
            &["--json", "sync", "--once"],
            &[
                ("VITRINE_MULTIPART_THRESHOLD", "5242880"),
                ("VITRINE_PART_SIZE", "5242880"),
            ],
        )
        .expect_ok("sync")
        .json();
    assert_eq!(counts(&v), (1, 0, 0, 0));
    let key = s.key(&id);
    let head = s.s3.head(&key).unwrap();
    assert!(
        head["ETag"].as_str().unwrap().ends_with("-2\""),
        "a two-part upload: {}",
        head["ETag"]
    );
    assert_eq!(
        head["Metadata"]["sha256"].as_str(),
        Some(sha(&big).as_str())
    );
    assert_eq!(s.s3.get(&key), big);
    assert_eq!(s.s3.pending_uploads(), 0);
    assert_eq!(s.lib.count("SELECT count(*) FROM sync_uploads"), 0);
}

#[test]
fn credential_and_bucket_errors_name_the_fix() {
    let s = Setup::new();
    s.lib.add("a.jpg", &images::jpeg(64, 64, 31));

    let r = s.run_env(
        &["--json", "sync", "--once"],
        &[("AWS_SECRET_ACCESS_KEY", "wrong-secret-value")],
    );
    assert_eq!(r.code(), Some(1));
    assert_eq!(r.json()["code"], "remote_auth");
    assert!(
        r.stderr.contains("secret access key is wrong"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("wrong-secret-value"));
    assert_eq!(
        s.lib.ls(&["--status", "pending"]).len(),
        1,
        "the item waits, not failed"
    );

    let t = s.run_env(
        &["--json", "remote", "test"],
        &[("AWS_SECRET_ACCESS_KEY", "wrong-secret-value")],
    );
    assert_eq!(t.code(), Some(1));
    let report = t.json();
    assert_eq!(report["ok"], false);
    let bucket = &report["checks"][1];
    assert_eq!(bucket["check"], "bucket");
    assert_eq!(bucket["status"], "fail");
    assert!(
        bucket["fix"].as_str().unwrap().contains("access key"),
        "{report}"
    );

    // The right credentials: every check passes (the public URL too, via the web server).
    let ok = s
        .run(&["--json", "remote", "test"])
        .expect_ok("remote test")
        .json();
    assert_eq!(ok["ok"], true, "{ok}");
    for c in ok["checks"].as_array().unwrap() {
        assert_eq!(c["status"], "pass", "{c}");
    }
    // The probe leaves nothing behind.
    assert!(
        s.s3.keys().iter().all(|k| !k.contains("probe")),
        "{:?}",
        s.s3.keys()
    );

    // A bucket that does not exist, and a server that is not there.
    let lib2 = TestLib::new();
    let endpoint = s.s3.endpoint();
    lib2.run_env(
        &[
            "remote",
            "add",
            "x",
            "--provider",
            "minio",
            "--endpoint",
            &endpoint,
            "--bucket",
            "nope",
        ],
        &s.s3.env(),
    )
    .expect_ok("add");
    let t = lib2.run_env(&["remote", "test"], &s.s3.env());
    assert_eq!(t.code(), Some(1));
    assert!(
        t.stdout.contains("bucket \"nope\" does not exist"),
        "{}",
        t.stdout
    );
    let lib3 = TestLib::new();
    lib3.run_env(
        &[
            "remote",
            "add",
            "x",
            "--provider",
            "s3",
            "--endpoint",
            "http://127.0.0.1:9",
            "--bucket",
            "b",
        ],
        &s.s3.env(),
    )
    .expect_ok("add");
    lib3.add("a.jpg", &images::jpeg(64, 64, 32));
    let r = lib3.run_env(
        &["sync", "--once"],
        &[("VITRINE_SYNC_ATTEMPTS", "1"), ("VITRINE_S3_ATTEMPTS", "1")]
            .iter()
            .chain(s.s3.env().iter())
            .cloned()
            .collect::<Vec<_>>(),
    );
    assert_eq!(r.code(), Some(1));
    assert!(
        r.stdout.contains("cannot reach") || r.stderr.contains("cannot reach"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn remote_commands_validate_and_show_no_secret() {
    let s = Setup::new();
    let show = s.run(&["--json", "remote", "show"]).expect_ok("show");
    let v = show.json();
    assert_eq!(v["provider"], "minio");
    assert_eq!(v["path_style"], true);
    assert_eq!(v["credentials"], "environment");
    assert!(!show.stdout.contains(SECRET_KEY));
    // One remote at a time.
    let r = s.run(&[
        "remote",
        "add",
        "other",
        "--provider",
        "folder",
        "--path",
        "/tmp/x",
    ]);
    assert_eq!(r.code(), Some(1));
    assert!(
        r.stderr.contains("remove the current one first"),
        "{}",
        r.stderr
    );
    let r = s
        .lib
        .run(&["remote", "add", "x", "--provider", "r2", "--bucket", "b"]);
    assert_eq!(r.code(), Some(1));
    assert!(r.stderr.contains("--endpoint"), "{}", r.stderr);
    // Global options after the subcommand work too.
    let v = s
        .run(&["remote", "show", "--json"])
        .expect_ok("show")
        .json();
    assert_eq!(v["bucket"], BUCKET);
    s.run(&["remote", "remove", "main"]).expect_ok("remove");
    let r = s.run(&["--json", "remote", "show"]);
    assert_eq!(r.code(), Some(1));
    assert_eq!(r.json()["code"], "no_remote");
}

#[test]
fn folder_remote_syncs_and_serves_public_links() {
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
    let jpg = images::jpeg(300, 200, 41);
    let id = lib.add("p.jpg", &jpg);
    let v = lib
        .run(&["--json", "sync", "--once"])
        .expect_ok("sync")
        .json();
    assert_eq!(counts(&v), (1, 0, 0, 0));
    let key = lib.show(&id)["object_key"].as_str().unwrap().to_string();
    assert_eq!(std::fs::read(remote.join(&key)).unwrap(), jpg);
    let r = lib.run(&["link", &id]);
    assert_eq!(r.code(), Some(1), "no presigned links on a folder");
    assert!(r.stderr.contains("unlisted or public"), "{}", r.stderr);
    lib.run(&["visibility", &id, "unlisted"])
        .expect_ok("unlisted");
    lib.run(&["sync"]).expect_ok("sync");
    let url = lib
        .run(&["link", &id])
        .expect_ok("link")
        .stdout
        .trim()
        .to_string();
    assert_eq!(http_get(&url), (200, jpg));
    assert!(!Path::new(&remote.join("private")).join(&key[8..]).exists());
    let t = lib
        .run(&["--json", "remote", "test"])
        .expect_ok("test")
        .json();
    assert_eq!(t["ok"], true, "{t}");

    // The disk is unplugged: sync stops with a clear message and creates nothing there.
    let away = dir.path().join("nas-unplugged");
    std::fs::rename(&remote, &away).unwrap();
    let id2 = lib.add("q.jpg", &images::jpeg(300, 200, 42));
    let r = lib.run(&["sync", "--once"]);
    assert_eq!(r.code(), Some(1));
    assert!(r.stderr.contains("mount the disk"), "{}", r.stderr);
    assert!(!remote.exists(), "the remote folder is not recreated");
    assert_eq!(
        lib.show(&id2)["remote_state"],
        "pending",
        "waits, not failed"
    );
    std::fs::rename(&away, &remote).unwrap();
    let v = lib
        .run(&["--json", "sync", "--once"])
        .expect_ok("plugged back")
        .json();
    assert_eq!(counts(&v), (1, 0, 0, 0));
}

#[test]
fn a_skewed_clock_is_named_by_the_probe_and_sync_gets_through() {
    let s = Setup::new();
    s.lib.add("a.jpg", &images::jpeg(64, 64, 51));
    assert_eq!(counts(&s.sync()), (1, 0, 0, 0));
    s.lib.add("b.jpg", &images::jpeg(64, 64, 52));
    // libfaketime moves the process's clock two hours back (installed by scripts/setup --test).
    let faketime = ["/usr/bin/faketime", "/usr/local/bin/faketime"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("faketime is missing: run scripts/setup --test (apt install faketime)");
    let skewed = |args: &[&str]| {
        let out = std::process::Command::new(faketime)
            .args(["-f", "-2h", crate::support::bin()])
            .args(["--library", s.lib.root.to_str().unwrap()])
            .args(args)
            .envs(s.s3.env())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    // "Test bucket" names the problem and the fix (its first request is refused).
    let (code, out) = skewed(&["remote", "test"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("clock is 1") && out.contains("minutes off"),
        "{out}"
    );
    assert!(out.contains("time sync"), "names the fix: {out}");
    // Sync itself gets through: the first refusal carries the server's time, and the SDK
    // signs the following requests with the corrected clock.
    let (code, out) = skewed(&["--json", "sync", "--once"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("\"uploaded\":1"), "{out}");
    assert_eq!(counts(&s.sync()), (0, 0, 0, 0));
}

#[test]
fn sync_watch_picks_up_new_work_and_stops_cleanly_on_sigterm() {
    let s = Setup::new();
    let child = s.spawn_watch();
    // Work that arrives while it runs (another process imports and edits).
    let a = s.lib.add("a.jpg", &images::jpeg(80, 60, 61));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while s.record(&a)["remote_state"] != "synced" {
        assert!(
            std::time::Instant::now() < deadline,
            "not synced by the watcher"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    s.run(&["visibility", &a, "public"]).expect_ok("public");
    while !s.key(&a).starts_with("public/") || s.record(&a)["remote_state"] != "synced" {
        assert!(
            std::time::Instant::now() < deadline,
            "the move was not picked up"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let t = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        t.elapsed() < std::time::Duration::from_secs(5),
        "stops promptly"
    );
    assert!(
        out.status.success(),
        "clean exit: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("a summary on exit");
    assert_eq!(counts(&v), (1, 1, 0, 0), "{v}");
    assert_eq!(
        s.lib
            .count("SELECT count(*) FROM sync_queue WHERE owner IS NOT NULL"),
        0
    );
}

#[test]
fn fsck_repair_brings_missing_originals_back_from_the_bucket() {
    let s = Setup::new();
    let jpg = images::jpeg(150, 100, 71);
    let id = s.lib.add("lost.jpg", &jpg);
    let unsynced = s.lib.add("unsynced.jpg", &images::jpeg(150, 100, 72));
    s.run(&["sync", "--once"]).expect_ok("sync");
    s.lib.add("later.jpg", &images::jpeg(150, 100, 73));
    let path_of = |id: &str| {
        s.lib.root.join("originals").join(
            s.lib
                .catalog()
                .query_row("SELECT path FROM images WHERE id = ?1", [id], |r| {
                    r.get::<_, String>(0)
                })
                .unwrap(),
        )
    };
    std::fs::remove_file(path_of(&id)).unwrap();
    let v = s.run(&["--json", "fsck"]).json();
    assert_eq!(v["missing_originals"].as_array().unwrap().len(), 1);
    let v = s
        .run(&["--json", "fsck", "--repair"])
        .expect_ok("repair")
        .json();
    assert!(v["actions"].to_string().contains("restored 1 of 1"), "{v}");
    assert_eq!(
        std::fs::read(path_of(&id)).unwrap(),
        jpg,
        "byte-identical, sha256-checked"
    );
    assert_eq!(v["problems"], 0);
    let _ = unsynced;
}

#[test]
fn a_watching_sync_stops_when_a_bulk_delete_arrives() {
    let s = Setup::new();
    let ids: Vec<String> = (0..30)
        .map(|i| {
            s.lib
                .add(&format!("{i}.jpg"), &images::jpeg(64, 64, 300 + i))
        })
        .collect();
    s.sync();
    let child = s.spawn_watch();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut rm = vec!["rm".to_string()];
    rm.extend(ids[..25].iter().cloned());
    s.lib.run(&rm).expect_ok("rm 25");
    let mut child = child;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("sync --watch did not stop on the bulk delete");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["code"], "mass_delete", "{v}");
    let left =
        s.s3.keys()
            .iter()
            .filter(|k| k.starts_with("private/") && !crate::support::s3::is_library_key(k))
            .count();
    // Deletes the run did one by one count toward the limit (more than 20 and a quarter).
    assert!(
        left >= 9,
        "stopped by the 21st delete at the latest: {left} left"
    );
}

/// `link` on many images (issue 16): a presigned link living `--expires` for each private
/// image and the stable public URL for each public one, one `--json` line each.
#[test]
fn links_for_many_images_are_presigned_for_private_ones_and_public_for_public_ones() {
    let s = Setup::new();
    let ids = crate::bulk::many(&s.lib, "mixed", 3, 500, &["--tag", "share"]);
    s.run(&["visibility", &ids[2], "public"])
        .expect_ok("public");
    s.sync();
    let run = s
        .run(&["--json", "link", "--tag", "share", "--expires", "2s"])
        .expect_ok("links");
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    let mut presigned = Vec::new();
    for l in &lines {
        assert_eq!(l["status"], "linked", "{l}");
        assert_eq!(l["error"], Value::Null);
        let url = l["url"].as_str().unwrap().to_string();
        if l["id"] == ids[2].as_str() {
            assert_eq!(l["kind"], "public");
            assert_eq!(
                l["expires_at"],
                Value::Null,
                "a public link does not expire"
            );
            assert_eq!(url, format!("{}/{}", s.web.url(), s.key(&ids[2])));
        } else {
            assert_eq!(l["kind"], "presigned");
            let at = humantime::parse_rfc3339(l["expires_at"].as_str().unwrap()).unwrap();
            let left = at
                .duration_since(std::time::SystemTime::now())
                .unwrap_or_default()
                .as_millis();
            assert!(left <= 2500, "expires in about 2 s: {left} ms");
            assert!(url.contains("X-Amz-Expires=2&"), "{url}");
            presigned.push((url, l["id"].as_str().unwrap().to_string()));
        }
        assert_eq!(http_get(l["url"].as_str().unwrap()).0, 200, "{l}");
    }
    assert_eq!(presigned.len(), 2);
    std::thread::sleep(std::time::Duration::from_millis(3200));
    for (url, id) in &presigned {
        assert_eq!(curl_get(url).0, 403, "{id}'s link expired");
    }
    assert_eq!(
        http_get(&format!("{}/{}", s.web.url(), s.key(&ids[2]))).0,
        200,
        "the public one stays"
    );
    // Text mode: one link per line, ready to paste.
    let md = s
        .run(&["link", "--tag", "share", "--format", "bbcode"])
        .expect_ok("bbcode");
    assert_eq!(md.stdout.lines().count(), 3);
    assert!(
        md.stdout.lines().all(|l| l.starts_with("[img]http")),
        "{}",
        md.stdout
    );
}

/// A bulk visibility change queues each image's move at once; one sync carries them out.
#[test]
fn a_bulk_visibility_change_queues_the_moves_and_sync_makes_them() {
    let s = Setup::new();
    let ids = crate::bulk::many(&s.lib, "move", 4, 600, &[]);
    let keep = s.lib.add("stays.jpg", &images::jpeg(48, 32, 650));
    s.sync();
    let private: Vec<String> = ids.iter().map(|id| s.key(id)).collect();
    let run = s
        .run(&["--json", "visibility", "--query", "move", "public"])
        .expect_ok("bulk public");
    assert_eq!(run.json_lines().len(), 4);
    for id in &ids {
        assert_eq!(s.record(id)["remote_state"], "pending", "queued instantly");
    }
    assert_eq!(s.record(&keep)["remote_state"], "synced", "not selected");
    let summary = s.sync();
    assert_eq!(counts(&summary), (0, 4, 0, 0), "{summary}");
    for (id, old) in ids.iter().zip(&private) {
        let key = s.key(id);
        assert!(key.starts_with("public/"), "{key}");
        assert!(s.s3.head(&key).is_some(), "moved to {key}");
        assert!(s.s3.head(old).is_none(), "the private copy is gone");
    }
    assert!(s.s3.head(&s.key(&keep)).is_some());
}
