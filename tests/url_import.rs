//! Importing from http(s) URLs against a loopback server: names, sources, expired links,
//! retries, redirect limits, size caps, non-images and timeouts.

use std::time::Duration;

use crate::support::http::{Route, Server};
use crate::support::images::*;
use crate::support::TestLib;

fn png_route(bytes: &[u8]) -> Route {
    Route::Ok {
        body: bytes.to_vec(),
        content_type: "image/png".into(),
    }
}

fn import_urls(
    lib: &TestLib,
    urls: &[String],
    extra: &[&str],
) -> (crate::support::Run, Vec<serde_json::Value>) {
    let mut args: Vec<String> = vec!["--json".into(), "import".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(urls.iter().cloned());
    let run = lib.run(&args);
    let lines = run.json_lines();
    (run, lines)
}

#[test]
fn a_url_imports_with_its_source_and_name() {
    let png = png_rgb8(120, 80, 1);
    let server = Server::start(vec![
        ("/img/cat%20photo.png", png_route(&png)),
        ("/s/0", Route::Redirect("/s/1".into())),
        ("/s/1", Route::Redirect("/final/redirected.jpg".into())),
        (
            "/final/redirected.jpg",
            Route::Ok {
                body: jpeg(64, 48, 2),
                content_type: "image/jpeg".into(),
            },
        ),
        (
            "/slow.png",
            Route::Slow {
                body: png_rgb8(90, 60, 3),
                pieces: 4,
                pause: Duration::from_millis(100),
            },
        ),
    ]);
    let lib = TestLib::new();
    let url = server.url("/img/cat%20photo.png?token=abc#frag");
    let (run, lines) = import_urls(&lib, std::slice::from_ref(&url), &["--tag", "web"]);
    assert!(run.ok(), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(lines[0]["status"], "imported");
    assert_eq!(lines[0]["input"], url.as_str(), "the outcome names the URL");
    let id = lines[0]["id"].as_str().unwrap();
    let s = lib.show(id);
    assert_eq!(s["source"], "url", "source kind is url");
    assert_eq!(s["source_url"], url.as_str(), "source_url is the URL given");
    assert!(s["source_path"].is_null());
    assert!(
        s["fetched_at"].as_str().is_some_and(|t| t.ends_with('Z')),
        "fetched_at is set: {}",
        s["fetched_at"]
    );
    assert_eq!(
        s["filename"], "cat photo.png",
        "name from the decoded URL path"
    );
    assert_eq!(s["width"], 120);
    assert_eq!(s["tags"], serde_json::json!(["web"]));
    assert_eq!(
        lib.ls(&["--source", "url"]).len(),
        1,
        "--source url finds it"
    );

    // The same URL again is a duplicate, and the source is not recorded twice.
    let (_, again) = import_urls(&lib, std::slice::from_ref(&url), &[]);
    assert_eq!(again[0]["status"], "duplicate");
    assert_eq!(again[0]["id"], id);
    assert_eq!(lib.show(id)["sources"].as_array().unwrap().len(), 1);

    // A short redirect chain is followed; the name comes from the final URL.
    let (run, lines) = import_urls(&lib, &[server.url("/s/0")], &[]);
    assert!(run.ok(), "{}", run.stdout);
    let s = lib.show(lines[0]["id"].as_str().unwrap());
    assert_eq!(s["filename"], "redirected.jpg");
    assert_eq!(s["format"], "jpeg");

    // A body that trickles in is read whole.
    let (run, lines) = import_urls(&lib, &[server.url("/slow.png")], &[]);
    assert!(run.ok(), "slow body: {}", run.stdout);
    assert_eq!(lib.show(lines[0]["id"].as_str().unwrap())["width"], 90);
}

#[test]
fn failed_downloads_are_clear_errors_and_retries_work() {
    let png = png_rgb8(50, 40, 9);
    let mut routes = vec![
        ("/gone404.png", Route::Status(404)),
        ("/gone410.png", Route::Status(410)),
        ("/forbidden.png", Route::Status(403)),
        (
            "/flaky.png",
            Route::FailThenOk {
                fails: 1,
                body: png.clone(),
            },
        ),
        (
            "/big.png",
            Route::Announce {
                length: 10 * 1024 * 1024,
            },
        ),
        (
            "/chunked.png",
            Route::Chunked {
                length: 3 * 1024 * 1024,
            },
        ),
        (
            "/page.png",
            Route::Ok {
                body: b"<!DOCTYPE html><html><body>Sign in</body></html>".to_vec(),
                content_type: "text/html".into(),
            },
        ),
    ];
    let hops: Vec<(String, String)> = (0..8)
        .map(|i| (format!("/r/{i}"), format!("/r/{}", i + 1)))
        .collect();
    for (from, to) in &hops {
        routes.push((from.as_str(), Route::Redirect(to.clone())));
    }
    routes.push(("/r/8", png_route(&png_rgb8(20, 20, 10))));
    let server = Server::start(routes);
    let lib = TestLib::new();
    let urls: Vec<String> = [
        "/gone404.png",
        "/gone410.png",
        "/forbidden.png",
        "/flaky.png",
        "/r/0",
        "/big.png",
        "/chunked.png",
        "/page.png",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let (run, lines) = import_urls(&lib, &urls, &["--max-file-size", "1MiB"]);
    assert_eq!(run.code(), Some(1), "failures make the batch exit 1");
    assert_eq!(lines.len(), urls.len());
    let get = |path: &str| {
        lines
            .iter()
            .find(|l| l["input"].as_str().unwrap().ends_with(path))
            .unwrap_or_else(|| panic!("outcome for {path}"))
    };
    for (path, code) in [
        ("/gone404.png", 404),
        ("/gone410.png", 410),
        ("/forbidden.png", 403),
    ] {
        let o = get(path);
        assert_eq!(o["status"], "error");
        assert_eq!(o["code"], "link_expired");
        assert_eq!(
            o["error"],
            format!("link expired or not found (HTTP {code})"),
            "{path}"
        );
        assert_eq!(
            server.hits(path),
            1,
            "{path}: an expired link is not retried"
        );
    }
    assert_eq!(get("/flaky.png")["status"], "imported", "a 500 is retried");
    assert_eq!(server.hits("/flaky.png"), 2, "one failure, one success");
    let o = get("/r/0");
    assert_eq!(o["status"], "error");
    assert!(
        o["error"].as_str().unwrap().contains("too many redirects"),
        "{o}"
    );
    for path in ["/big.png", "/chunked.png"] {
        let o = get(path);
        assert_eq!(o["code"], "too_large", "{path}: {o}");
        assert!(o["error"].as_str().unwrap().contains("import limit"));
    }
    assert_eq!(
        server.hits("/big.png"),
        1,
        "an oversize body is not retried"
    );
    let o = get("/page.png");
    assert_eq!(o["code"], "not_an_image");
    assert_eq!(o["error"], "not an image (looks like an HTML page)");
    assert_eq!(
        lib.count("SELECT count(*) FROM images"),
        1,
        "only the retried one"
    );
    assert_eq!(lib.originals().len(), 1);
}

#[test]
fn a_stalled_download_times_out() {
    // Through the library API, with a short timeout and no retries.
    let server = Server::start(vec![(
        "/stall.png",
        Route::Slow {
            body: png_rgb8(40, 40, 1),
            pieces: 4,
            pause: Duration::from_millis(800),
        },
    )]);
    let lib = TestLib::new();
    let library = vitrine::Library::open(&lib.root).unwrap();
    let mut opts = vitrine::import::ImportOptions::default();
    opts.http.timeout = Duration::from_millis(400);
    opts.http.attempts = 1;
    let started = std::time::Instant::now();
    let outcomes = library
        .import(&[server.url("/stall.png")], &opts, &|_| {})
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the timeout stops the download"
    );
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].status, vitrine::import::Status::Error);
    assert_eq!(
        outcomes[0].code,
        Some(vitrine::error::ErrorCode::DownloadFailed),
        "{:?}",
        outcomes[0]
    );
    assert!(
        outcomes[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("download failed"),
        "{:?}",
        outcomes[0].error
    );
    assert!(library
        .catalog()
        .list(&Default::default())
        .unwrap()
        .is_empty());
}

#[test]
fn unreachable_host_is_an_error() {
    // A port nobody listens on (bound, then released).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let lib = TestLib::new();
    let library = vitrine::Library::open(&lib.root).unwrap();
    let mut opts = vitrine::import::ImportOptions::default();
    opts.http.attempts = 2;
    opts.http.backoff = Duration::from_millis(10);
    let out = library
        .import(&[format!("http://127.0.0.1:{port}/x.png")], &opts, &|_| {})
        .unwrap();
    assert_eq!(out[0].code, Some(vitrine::error::ErrorCode::DownloadFailed));
}
