//! Command-layer tests without a window: the `vitrine://` protocol and link formatting.

use tauri::http::{Request, StatusCode};

use super::protocol::handle;
use super::{format_link, LinkFormat};
use crate::import::{ImportOptions, Status};
use crate::Library;

fn get(lib: &Library, uri: &str) -> tauri::http::Response<Vec<u8>> {
    let req = Request::builder()
        .uri(uri)
        .body(Vec::new())
        .expect("request");
    handle(lib, &req)
}

fn jpeg(dir: &std::path::Path) -> std::path::PathBuf {
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let path = dir.join("photo.jpg");
    img.save(&path).expect("save jpeg");
    path
}

#[test]
fn protocol_serves_catalog_ids_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = Library::open(&dir.path().join("lib")).expect("open");
    let src = jpeg(dir.path());
    let out = lib
        .import(
            &[src.display().to_string()],
            &ImportOptions::default(),
            &|_| {},
        )
        .expect("import");
    assert_eq!(out[0].status, Status::Imported);
    let id = out[0].id.clone().expect("id");

    let grid = get(&lib, &format!("vitrine://localhost/thumb/{id}/grid"));
    assert_eq!(grid.status(), StatusCode::OK);
    assert_eq!(grid.headers()["content-type"], "image/jpeg");
    assert!(grid.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let thumb = image::load_from_memory(grid.body()).expect("a decodable thumbnail");
    assert_eq!((thumb.width(), thumb.height()), (320, 240));

    // convertFileSrc encodes the slashes; Windows uses http://vitrine.localhost.
    let encoded = get(&lib, &format!("vitrine://localhost/thumb%2F{id}%2Fpreview"));
    assert_eq!(
        encoded.status(),
        StatusCode::OK,
        "percent-encoded paths work"
    );
    let windows = get(&lib, &format!("http://vitrine.localhost/original/{id}"));
    assert_eq!(windows.status(), StatusCode::OK);
    assert_eq!(
        windows.body(),
        &std::fs::read(&src).unwrap(),
        "the original, byte for byte"
    );

    let unknown = get(
        &lib,
        "vitrine://localhost/thumb/01ARZ3NDEKTSV4RRFFQ69G5FAV/grid",
    );
    assert_eq!(
        unknown.status(),
        StatusCode::NOT_FOUND,
        "unknown ids are 404"
    );
    for bad in [
        "vitrine://localhost/original/..%2F..%2Fetc%2Fpasswd",
        "vitrine://localhost/file/etc/passwd",
        &format!("vitrine://localhost/thumb/{id}/huge"),
    ] {
        assert_eq!(
            get(&lib, bad).status(),
            StatusCode::BAD_REQUEST,
            "{bad} is refused"
        );
    }
}

#[test]
fn links_in_every_format() {
    let url = "file:///lib/a%20b.jpg";
    assert_eq!(format_link(url, "a b.jpg", LinkFormat::Url), url);
    assert_eq!(
        format_link(url, "a [b].jpg", LinkFormat::Markdown),
        "![a b.jpg](file:///lib/a%20b.jpg)"
    );
    assert_eq!(
        format_link(url, "<x>\"", LinkFormat::Html),
        "<img src=\"file:///lib/a%20b.jpg\" alt=\"&lt;x&gt;&quot;\">"
    );
    assert_eq!(
        format_link(url, "x", LinkFormat::Bbcode),
        "[img]file:///lib/a%20b.jpg[/img]"
    );
    assert_eq!(
        super::file_url(std::path::Path::new("/tmp/ünï name#1.jpg")),
        "file:///tmp/%C3%BCn%C3%AF%20name%231.jpg"
    );
}
