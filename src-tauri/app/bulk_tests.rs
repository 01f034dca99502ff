//! The selection's commands over Tauri's mock IPC, as the gallery calls them.

use serde_json::{json, Value};

use super::tests::ipc::{invoke, mock_app};
use super::AppState;
use crate::import::{ImportOptions, Status};
use crate::library::Library;

/// A library of `n` small PNGs of different colours; their ids in import order.
fn library(dir: &std::path::Path, n: u8) -> (Library, Vec<String>) {
    let lib = Library::open(&dir.join("lib")).expect("open");
    let paths: Vec<String> = (0..n)
        .map(|i| {
            let p = dir.join(format!("p{i}.png"));
            image::RgbImage::from_pixel(8, 6, image::Rgb([i, 100, 200]))
                .save(&p)
                .expect("save");
            p.display().to_string()
        })
        .collect();
    let out = lib
        .import(&paths, &ImportOptions::default(), &|_| {})
        .expect("import");
    let ids = out
        .iter()
        .map(|o| {
            assert_eq!(o.status, Status::Imported, "{o:?}");
            o.id.clone().expect("id")
        })
        .collect();
    (lib, ids)
}

fn visibility(webview: &tauri::WebviewWindow<tauri::test::MockRuntime>, id: &str) -> Value {
    invoke(webview, "get_image", json!({"id": id})).expect("detail")["visibility"].clone()
}

#[test]
fn a_query_selection_minus_exceptions_is_changed_by_a_job_and_undone_by_its_revert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (lib, ids) = library(dir.path(), 6);
    let (_app, webview) =
        mock_app(AppState::new(lib, None, crate::events::discard()).expect("state"));
    invoke(
        &webview,
        "bulk_visibility",
        json!({"selection": {"kind": "ids", "ids": [ids[0]]}, "visibility": "unlisted"}),
    )
    .expect("one unlisted");

    // Select all (no filter) minus ids[5], made public.
    let all_but_last = json!({"kind": "query", "query": {}, "except": [ids[5]]});
    let got = invoke(
        &webview,
        "resolve_selection",
        json!({"selection": all_but_last}),
    )
    .expect("resolve");
    let mut got: Vec<String> = serde_json::from_value(got).expect("ids");
    got.sort();
    let mut want = ids[..5].to_vec();
    want.sort();
    assert_eq!(got, want);

    let r = invoke(
        &webview,
        "bulk_visibility",
        json!({"selection": all_but_last, "visibility": "public"}),
    )
    .expect("bulk");
    // Five images fit in the first chunk: the job is done when the call returns.
    assert_eq!(r["kind"], "visibility", "{r}");
    assert_eq!(r["visibility"], "public", "{r}");
    assert_eq!(r["state"], "done", "{r}");
    assert_eq!(
        (r["total"].clone(), r["changed"].clone()),
        (json!(5), json!(5)),
        "{r}"
    );
    assert_eq!(visibility(&webview, &ids[2]), "public");
    assert_eq!(
        visibility(&webview, &ids[5]),
        "private",
        "the exception is untouched"
    );

    // Undo: each image back to what it was.
    let undo = invoke(&webview, "undo_bulk_job", json!({"job": r["id"]})).expect("undo");
    assert_eq!(undo["kind"], "revert", "{undo}");
    assert_eq!(undo["reverts"], r["id"], "{undo}");
    assert_eq!(
        (undo["state"].clone(), undo["changed"].clone()),
        (json!("done"), json!(5))
    );
    assert_eq!(visibility(&webview, &ids[0]), "unlisted");
    assert_eq!(visibility(&webview, &ids[3]), "private");
    let err = invoke(&webview, "undo_bulk_job", json!({"job": 999})).expect_err("unknown job");
    assert!(err.to_string().contains("no such job"), "{err}");

    // An unknown id is one failed item, not a failed action.
    let r = invoke(
        &webview,
        "bulk_tags",
        json!({"selection": {"kind": "ids", "ids": [ids[1], "01ARZ3NDEKTSV4RRFFQ69G5FAV"]},
               "add": ["picked"], "remove": []}),
    )
    .expect("tags");
    assert_eq!(
        (r["changed"].clone(), r["failed"].clone()),
        (json!(1), json!(1)),
        "{r}"
    );
    assert_eq!(r["errors"][0]["code"], "not_found", "{r}");
    let tagged = invoke(
        &webview,
        "count_images",
        json!({"query": {"tag": "picked"}}),
    )
    .expect("count");
    assert_eq!(tagged, json!(1));
}

#[test]
fn links_come_one_per_line_and_export_writes_a_zip_of_the_selection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (lib, ids) = library(dir.path(), 3);
    let (_app, webview) =
        mock_app(AppState::new(lib, None, crate::events::discard()).expect("state"));
    let sel = json!({"kind": "ids", "ids": [ids[0], ids[2]]});
    let r = invoke(
        &webview,
        "bulk_links",
        json!({"selection": sel, "format": "markdown", "expires": null}),
    )
    .expect("links");
    assert_eq!(r["linked"], 2, "{r}");
    let lines: Vec<&str> = r["text"].as_str().expect("text").lines().collect();
    assert_eq!(lines.len(), 2, "{r}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("![") && l.contains("file://")),
        "{lines:?}"
    );

    let zip = dir.path().join("out.zip");
    let r = invoke(
        &webview,
        "export_images",
        json!({"selection": sel, "path": zip.display().to_string()}),
    )
    .expect("export");
    assert_eq!(r["images"], 2, "{r}");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("read");
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).expect("entry").name().to_string())
        .collect();
    assert!(names.iter().any(|n| n.starts_with(&ids[0])), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with(&ids[1])),
        "only the selection: {names:?}"
    );
}
