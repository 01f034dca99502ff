//! Albums through the CLI: `album create/add/remove/list/show/rm` on ids and selectors, the
//! `--album` filter of `ls` and of selectors, typed errors; publishing against the real S3
//! server (s3s-fs on loopback, served by a static web server as the public URL) and a folder
//! remote: the page, its JSON and every image and thumbnail it names fetched over HTTP, GPS
//! stripped from the copies, the images' visibility untouched, a new slug per publish (the old
//! one emptied), `--keep-slug`, a publish killed before its page finished by the next run, and
//! nothing left under the slug after `unpublish` (listed with the aws CLI).

use serde_json::Value;
use std::collections::HashSet;

use crate::support::exif::{jpeg_with_exif, Exif};
use crate::support::images::{jpeg, png_rgba8};
use crate::support::s3::{http_get, S3Server, StaticServer, BUCKET};
use crate::support::{Run, TestLib};

const NOSUCH: &str = "01NOSUCHIMAGE0000000000000";

fn gps_jpeg(seed: u32) -> Vec<u8> {
    jpeg_with_exif(
        &jpeg(320, 200, seed),
        &Exif {
            make: Some("Sony".into()),
            model: Some("NEX-3N".into()),
            gps: Some((48.8584, 2.2945, 35.0)),
            ..Default::default()
        },
    )
}

fn ids(v: &Value) -> Vec<String> {
    v["images"]
        .as_array()
        .unwrap_or_else(|| panic!("images is an array: {v}"))
        .iter()
        .map(|i| i.as_str().unwrap().to_string())
        .collect()
}

fn ls_album(lib: &TestLib, name: &str) -> HashSet<String> {
    lib.ls(&["--album", name])
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn error_code(r: &Run) -> String {
    r.json()["code"].as_str().unwrap_or_default().to_string()
}

#[test]
fn albums_from_ids_and_selectors() {
    let lib = TestLib::new();
    let a = lib.add("a.jpg", &jpeg(48, 32, 1));
    let b = lib.add("b.jpg", &jpeg(48, 32, 2));
    let c = lib.add("c.png", &png_rgba8(40, 30, 3));
    lib.run(&["tag", &b, &c, "--add", "beach"]).expect_ok("tag");

    // Empty, then with ids; `--json` before or after the subcommand.
    let v = lib
        .run(&["album", "create", "Empty", "--json"])
        .expect_ok("create empty")
        .json();
    assert_eq!(
        (v["name"].as_str(), v["images"].as_u64()),
        (Some("Empty"), Some(0))
    );
    assert_eq!(v["added"], 0);
    let v = lib
        .run(&["--json", "album", "create", "Trip", &a, &b])
        .expect_ok("create with ids")
        .json();
    assert_eq!(
        (v["images"].as_u64(), v["added"].as_u64()),
        (Some(2), Some(2)),
        "{v}"
    );

    // Add with a selector: the tag adds c, b is already in.
    let v = lib
        .run(&["--json", "album", "add", "trip", "--tag", "beach"])
        .expect_ok("add by tag")
        .json();
    assert_eq!(
        (
            v["name"].as_str(),
            v["images"].as_u64(),
            v["added"].as_u64()
        ),
        (Some("Trip"), Some(3), Some(1)),
        "{v}"
    );
    let show = lib
        .run(&["--json", "album", "show", "TRIP"])
        .expect_ok("show")
        .json();
    assert_eq!(
        ids(&show),
        [a.clone(), b.clone(), c.clone()],
        "in the order added"
    );
    assert_eq!(show["published_url"], Value::Null);
    assert_eq!(
        ls_album(&lib, "Trip"),
        HashSet::from([a.clone(), b.clone(), c.clone()])
    );
    // The album is a selector too, combined with the others.
    let both: HashSet<String> = lib
        .ls(&["--album", "Trip", "--tag", "beach"])
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(both, HashSet::from([b.clone(), c.clone()]));
    // Selectors combine with the album: the PNG of Trip (c) goes into Empty.
    let v = lib
        .run(&[
            "--json", "album", "add", "Empty", "--album", "trip", "--query", "c.png",
        ])
        .expect_ok("add from another album")
        .json();
    assert_eq!(v["added"], 1, "{v}");
    assert_eq!(ls_album(&lib, "empty"), HashSet::from([c.clone()]));

    // Remove by id and by selector; the images stay in the library.
    let v = lib
        .run(&["--json", "album", "remove", "Trip", &a])
        .expect_ok("remove id")
        .json();
    assert_eq!(
        (v["images"].as_u64(), v["removed"].as_u64()),
        (Some(2), Some(1)),
        "{v}"
    );
    assert!(v.get("added").is_none(), "remove says removed: {v}");
    let v = lib
        .run(&["--json", "album", "remove", "Trip", "--query", "c.png"])
        .expect_ok("remove by query")
        .json();
    assert_eq!(v["removed"], 1, "{v}");
    assert_eq!(ls_album(&lib, "trip"), HashSet::from([b.clone()]));
    assert_eq!(lib.ls(&[]).len(), 3, "no image left the library");

    // Deleting an image takes it out of its albums.
    lib.run(&["rm", &b]).expect_ok("rm image");
    let show = lib
        .run(&["--json", "album", "show", "Trip"])
        .expect_ok("show")
        .json();
    assert!(ids(&show).is_empty(), "{show}");

    let list = lib
        .run(&["album", "list", "--json"])
        .expect_ok("list")
        .json();
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), 2);
    for a in list {
        for k in ["name", "images", "published_url", "created_at"] {
            assert!(a.get(k).is_some(), "{k} in {a}");
        }
    }
    assert_eq!(list[1]["name"], "Trip");

    lib.run(&["--json", "album", "rm", "trip"])
        .expect_ok("rm album");
    let list = lib
        .run(&["--json", "album", "list"])
        .expect_ok("list")
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[test]
fn album_errors_are_typed_and_say_what_to_do() {
    let lib = TestLib::new();
    let a = lib.add("a.jpg", &jpeg(48, 32, 1));
    lib.run(&["album", "create", "Trip"]).expect_ok("create");

    let r = lib.run(&["--json", "album", "create", "trip"]);
    assert_eq!(r.code(), Some(1));
    assert_eq!(error_code(&r), "album_exists", "{}", r.stdout);

    for args in [
        vec!["--json", "album", "show", "Nope"],
        vec!["--json", "album", "add", "Nope", a.as_str()],
        vec!["--json", "album", "rm", "Nope"],
        vec!["--json", "album", "publish", "Nope"],
        vec!["--json", "ls", "--album", "Nope"],
    ] {
        let r = lib.run(&args);
        assert_eq!(r.code(), Some(1), "{args:?}");
        assert_eq!(error_code(&r), "album_not_found", "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.contains("album list"),
            "says how to see them: {}",
            r.stderr
        );
    }

    // An unknown id changes nothing, not even a new album.
    let r = lib.run(&["--json", "album", "create", "New", &a, NOSUCH]);
    assert_eq!(r.code(), Some(1));
    assert_eq!(error_code(&r), "not_found", "{}", r.stdout);
    let list = lib.run(&["--json", "album", "list"]).json();
    assert_eq!(list.as_array().unwrap().len(), 1, "no album was created");
    let r = lib.run(&["album", "add", "Trip", &a, NOSUCH]);
    assert_eq!(r.code(), Some(1));
    let show = lib.run(&["--json", "album", "show", "Trip"]).json();
    assert!(ids(&show).is_empty(), "nothing added: {show}");

    // Neither ids nor selectors, or both: usage errors.
    assert_eq!(lib.run(&["album", "add", "Trip"]).code(), Some(2));
    assert_eq!(
        lib.run(&["album", "remove", "Trip", &a, "--tag", "x"])
            .code(),
        Some(2)
    );

    // Publishing needs a remote, and one with a public URL.
    let r = lib.run(&["--json", "album", "publish", "Trip"]);
    assert_eq!(r.code(), Some(1));
    assert_eq!(error_code(&r), "no_remote", "{}", r.stdout);
    assert!(r.stderr.contains("remote add"), "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    lib.run(&[
        "remote",
        "add",
        "nas",
        "--provider",
        "folder",
        "--path",
        dir.path().join("nas").to_str().unwrap(),
    ])
    .expect_ok("folder remote without a public URL");
    let r = lib.run(&["--json", "album", "publish", "Trip"]);
    assert_eq!(r.code(), Some(1));
    assert_eq!(error_code(&r), "no_public_url", "{}", r.stdout);
    assert!(
        r.stderr.contains("--public-url"),
        "says how to set one: {}",
        r.stderr
    );
}

/// Every `href`/`src` of the page, resolved against its folder.
fn page_links(page_url: &str, html: &str) -> Vec<String> {
    let base = page_url.rsplit_once('/').unwrap().0;
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            let link = part.split('"').next().unwrap();
            assert!(
                !link.contains("://") && !link.starts_with('/'),
                "links are relative: {link}"
            );
            out.push(format!("{base}/{link}"));
        }
    }
    out
}

/// Fetches the page, its JSON and every image and thumbnail both name; checks the copies.
/// Returns album.json.
fn check_page(url: &str, originals: &[(&str, &[u8], bool)]) -> Value {
    let (code, html) = http_get(url);
    assert_eq!(code, 200, "the page is served at {url}");
    let html = String::from_utf8(html).unwrap();
    let links = page_links(url, &html);
    assert_eq!(
        links.len(),
        originals.len() * 2,
        "a link and a thumbnail per image: {html}"
    );
    for l in &links {
        let (code, body) = http_get(l);
        assert_eq!(code, 200, "{l}");
        image::load_from_memory(&body).unwrap_or_else(|e| panic!("{l} is an image: {e}"));
    }
    let json_url = url.replace("/index.html", "/album.json");
    let (code, body) = http_get(&json_url);
    assert_eq!(code, 200, "{json_url}");
    let json: Value = serde_json::from_slice(&body).expect("album.json is JSON");
    let items = json["images"].as_array().expect("images");
    assert_eq!(items.len(), originals.len(), "{json}");
    for (item, (id, original, gps)) in items.iter().zip(originals) {
        assert_eq!(item["id"], *id, "in album order");
        for k in ["file_name", "width", "height", "url", "thumbnail_url"] {
            assert!(!item[k].is_null(), "{k} in {item}");
        }
        let (code, copy) = http_get(item["url"].as_str().unwrap());
        assert_eq!(code, 200, "{item}");
        let (code, thumb) = http_get(item["thumbnail_url"].as_str().unwrap());
        assert_eq!(code, 200, "{item}");
        image::load_from_memory(&thumb).expect("the thumbnail decodes");
        let a = image::load_from_memory(original).unwrap().to_rgba8();
        let b = image::load_from_memory(&copy).unwrap().to_rgba8();
        assert_eq!(a, b, "the copy has the original's pixels");
        if *gps {
            assert_ne!(&copy, original, "a GPS image is published stripped");
            let exif = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(&copy));
            if let Ok(exif) = exif {
                assert!(
                    exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
                        .is_none()
                        && exif
                            .get_field(exif::Tag::Model, exif::In::PRIMARY)
                            .is_none(),
                    "no location or camera left"
                );
            }
        } else {
            assert_eq!(&copy, original, "other images are published as they are");
        }
    }
    json
}

/// The bucket's keys under a prefix, listed by the aws CLI.
fn listed(s3: &S3Server, prefix: &str) -> Vec<String> {
    let r = s3.aws(&[
        "s3api",
        "list-objects-v2",
        "--bucket",
        BUCKET,
        "--prefix",
        prefix,
    ]);
    assert!(r.ok(), "{}", r.stderr);
    if r.stdout.trim().is_empty() {
        return Vec::new();
    }
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    v["Contents"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|o| o["Key"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// `public/albums/<slug>/` of a page URL.
fn slug_dir(url: &str) -> String {
    let i = url
        .find("public/albums/")
        .expect("the page is under public/albums/");
    url[i..].trim_end_matches("index.html").to_string()
}

#[test]
fn publish_to_s3_serves_every_image_and_unpublish_leaves_nothing() {
    let lib = TestLib::new();
    let s3 = S3Server::start();
    let web = StaticServer::start(&s3.root.join(BUCKET));
    let env = s3.env();
    let run = |args: &[&str]| lib.run_env(args, &env);
    run(&s3
        .remote_args(Some(&web.url()))
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>())
    .expect_ok("remote add");
    let plain = jpeg(200, 150, 1);
    let located = gps_jpeg(2);
    let alpha = png_rgba8(64, 48, 3);
    let offloaded = jpeg(180, 120, 4);
    let a = lib.add("plain <&> \"one\".jpg", &plain);
    let g = lib.add("gps.jpg", &located);
    let p = lib.add("alpha.png", &alpha);
    let o = lib.add("away.jpg", &offloaded);
    assert_eq!(lib.show(&g)["has_gps"], true);
    run(&["visibility", &p, "unlisted"]).expect_ok("one unlisted");
    run(&["sync", "--once"]).expect_ok("sync");
    // One original is only in the bucket: publishing reads the bucket's copy.
    let v = run(&["--json", "offload", &o]).expect_ok("offload").json();
    assert_eq!(v["offloaded"], 1, "{v}");
    let before: Vec<Value> = [&a, &g, &p, &o].iter().map(|id| lib.show(id)).collect();

    run(&[
        "album",
        "create",
        "Paris <2024> & \"friends\"",
        &a,
        &g,
        &p,
        &o,
    ])
    .expect_ok("create");
    let v = run(&["--json", "album", "publish", "Paris <2024> & \"friends\""])
        .expect_ok("publish")
        .json();
    assert_eq!(v["images"], 4, "{v}");
    let url = v["url"].as_str().expect("url").to_string();
    assert!(
        url.starts_with(&web.url()) && url.ends_with("/index.html"),
        "{url}"
    );
    let dir = slug_dir(&url);
    let slug = dir
        .trim_start_matches("public/albums/")
        .trim_end_matches('/');
    assert!(slug.len() >= 16, "a long random slug: {slug}");
    let originals = [
        (a.as_str(), plain.as_slice(), false),
        (g.as_str(), located.as_slice(), true),
        (p.as_str(), alpha.as_slice(), false),
        (o.as_str(), offloaded.as_slice(), false),
    ];
    let json = check_page(&url, &originals);
    assert_eq!(json["name"], "Paris <2024> & \"friends\"");
    let html = String::from_utf8(http_get(&url).1).unwrap();
    assert!(
        html.contains("Paris &lt;2024&gt; &amp; &quot;friends&quot;"),
        "escaped: {html}"
    );
    assert!(
        !html.contains("<2024>") && !html.contains("<&>"),
        "no raw name: {html}"
    );
    // The images themselves did not change.
    for (id, was) in [&a, &g, &p, &o].iter().zip(&before) {
        let now = lib.show(id);
        for k in ["visibility", "object_key", "local", "remote_state"] {
            assert_eq!(now[k], was[k], "{k} of {id}");
        }
    }
    let page_objects = listed(&s3, &dir);
    assert_eq!(
        page_objects.len(),
        2 + 2 * 4,
        "page, JSON, a copy and a thumbnail each: {page_objects:?}"
    );
    let shown = run(&["--json", "album", "show", "paris <2024> & \"friends\""])
        .expect_ok("show")
        .json();
    assert_eq!(shown["published_url"], url.as_str());
    let list = run(&["--json", "album", "list"]).expect_ok("list").json();
    assert_eq!(list[0]["published_url"], url.as_str());

    // Again: a new slug, and the old one is emptied.
    let name = "Paris <2024> & \"friends\"";
    let v = run(&["--json", "album", "publish", name])
        .expect_ok("again")
        .json();
    let url2 = v["url"].as_str().unwrap().to_string();
    assert_ne!(url2, url, "a new address");
    assert!(
        listed(&s3, &dir).is_empty(),
        "the old slug's objects are gone"
    );
    assert_eq!(http_get(&url).0, 404);
    check_page(&url2, &originals);

    // --keep-slug: the same address, rewritten in place (an image out, its copy gone).
    run(&["album", "remove", name, &a]).expect_ok("remove one");
    let v = run(&["--json", "album", "publish", name, "--keep-slug"])
        .expect_ok("keep")
        .json();
    assert_eq!(v["url"], url2.as_str(), "same address");
    assert_eq!(v["images"], 3);
    check_page(&url2, &originals[1..]);
    let dir2 = slug_dir(&url2);
    let keys = listed(&s3, &dir2);
    assert_eq!(keys.len(), 2 + 2 * 3, "{keys:?}");
    assert!(
        !keys.iter().any(|k| k.contains(&a)),
        "the removed image's copy is gone: {keys:?}"
    );

    // Unpublish: nothing left under the slug, the album stays, unpublished.
    let v = run(&["--json", "album", "unpublish", name])
        .expect_ok("unpublish")
        .json();
    assert_eq!(v["name"], name);
    assert_eq!(v["removed"], 8, "{v}");
    assert!(listed(&s3, &dir2).is_empty(), "nothing left under the slug");
    assert!(
        listed(&s3, "public/albums/").is_empty(),
        "nothing left of any album"
    );
    assert_eq!(http_get(&url2).0, 404);
    let shown = run(&["--json", "album", "show", name])
        .expect_ok("show")
        .json();
    assert_eq!(shown["published_url"], Value::Null);
    assert_eq!(ids(&shown).len(), 3);
    // Every image's own object is still where it was.
    for (id, was) in [&g, &p].iter().zip(&before[1..3]) {
        let key = was["object_key"].as_str().unwrap();
        assert!(s3.head(key).is_some(), "{id}'s own object stays");
    }
    // Unpublishing again does nothing.
    let v = run(&["--json", "album", "unpublish", name])
        .expect_ok("again")
        .json();
    assert_eq!(v["removed"], 0);
}

#[test]
fn a_publish_killed_before_its_page_is_finished_by_the_next_run() {
    let lib = TestLib::new();
    let s3 = S3Server::start();
    let web = StaticServer::start(&s3.root.join(BUCKET));
    let env = s3.env();
    lib.run_env(
        &s3.remote_args(Some(&web.url()))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &env,
    )
    .expect_ok("remote add");
    let one = jpeg(120, 90, 7);
    let a = lib.add("a.jpg", &one);
    lib.run(&["album", "create", "A", &a]).expect_ok("create");
    let mut crash_env = env.clone();
    crash_env.push(("VITRINE_FAILPOINT", "album:before-page=abort"));
    let r = lib.run_env(&["album", "publish", "A"], &crash_env);
    assert!(!r.ok(), "killed");
    let half = listed(&s3, "public/albums/");
    assert_eq!(half.len(), 2, "the copy and thumbnail, no page: {half:?}");
    assert!(!half.iter().any(|k| k.ends_with("index.html")));
    let shown = lib.run(&["--json", "album", "show", "A"]).json();
    assert_eq!(shown["published_url"], Value::Null, "not published yet");

    let v = lib
        .run_env(&["--json", "album", "publish", "A"], &env)
        .expect_ok("publish again")
        .json();
    let url = v["url"].as_str().unwrap();
    check_page(url, &[(a.as_str(), one.as_slice(), false)]);
    let all = listed(&s3, "public/albums/");
    assert_eq!(
        all.len(),
        4,
        "the killed run's objects were removed: {all:?}"
    );
    assert!(all.iter().all(|k| k.starts_with(&slug_dir(url))), "{all:?}");
}

#[test]
fn a_folder_remote_publishes_and_unpublishes() {
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
    let plain = jpeg(160, 100, 11);
    let located = gps_jpeg(12);
    let a = lib.add("a.jpg", &plain);
    let g = lib.add("g.jpg", &located);
    lib.run(&["album", "create", "Nas", &a, &g])
        .expect_ok("create");
    let v = lib
        .run(&["--json", "album", "publish", "Nas"])
        .expect_ok("publish")
        .json();
    let url = v["url"].as_str().unwrap();
    check_page(
        url,
        &[
            (a.as_str(), plain.as_slice(), false),
            (g.as_str(), located.as_slice(), true),
        ],
    );
    let albums = remote.join("public/albums");
    assert_eq!(crate::support::files_under(&albums).len(), 6);
    assert_eq!(
        lib.show(&a)["visibility"],
        "private",
        "visibility unchanged"
    );
    lib.run(&["album", "unpublish", "Nas"])
        .expect_ok("unpublish");
    assert!(
        crate::support::files_under(&albums).is_empty(),
        "nothing left"
    );
    // A published album deleted is unpublished first.
    lib.run(&["album", "publish", "Nas"]).expect_ok("publish");
    assert_eq!(crate::support::files_under(&albums).len(), 6);
    lib.run(&["album", "rm", "Nas"]).expect_ok("rm");
    assert!(
        crate::support::files_under(&albums).is_empty(),
        "rm unpublished it"
    );
}
