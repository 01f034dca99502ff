//! The app's album commands over Tauri's mock IPC: a `Selection` as the UI sends it (ids, or
//! a query minus exceptions), results and `{code, message}` errors as the UI receives them,
//! each change announced; publishing into a folder remote (the S3 side is in tests/albums.rs).

#[cfg(feature = "tauri-test")]
mod ipc {
    use serde_json::json;
    use tauri::Manager;

    use super::super::tests::ipc::{invoke, mock_app};
    use crate::app::AppState;
    use crate::events::{ChangeReason, Collector};
    use crate::testing::library_with_one_image;

    #[test]
    fn album_commands_answer_like_the_ui_expects() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (lib, _, id) = library_with_one_image(dir.path());
        let events = Collector::default();
        let (app, webview) = mock_app(AppState::new(lib, None, events.sink()).expect("state"));

        let c = invoke(
            &webview,
            "create_album",
            json!({"name": "Trip", "selection": null}),
        )
        .expect("create empty");
        assert_eq!(c, json!({"name": "Trip", "images": 0, "added": 0}));
        let all = json!({"kind": "query", "query": {"visibility": "private"}, "except": []});
        let c = invoke(
            &webview,
            "add_to_album",
            json!({"name": "trip", "selection": all}),
        )
        .expect("add a query");
        assert_eq!(
            (c["images"].as_u64(), c["added"].as_u64()),
            (Some(1), Some(1)),
            "{c}"
        );
        assert!(
            events.changes().contains(&ChangeReason::Edit),
            "the gallery is told"
        );
        let page = invoke(&webview, "list_images", json!({"query": {"album": "TRIP"}}))
            .expect("the album as a gallery filter");
        assert_eq!(page[0]["id"], id.as_str());
        let count = invoke(
            &webview,
            "count_images",
            json!({"query": {"album": "Trip"}}),
        )
        .expect("count");
        assert_eq!(count, json!(1));

        let albums = invoke(&webview, "albums", json!({})).expect("albums");
        assert_eq!(albums[0]["name"], "Trip");
        assert_eq!(albums[0]["images"], 1);
        assert_eq!(albums[0]["published_url"], json!(null));
        let detail = invoke(&webview, "album", json!({"name": "Trip"})).expect("album");
        assert_eq!(detail["images"], json!([id]));

        let err = invoke(
            &webview,
            "publish_album",
            json!({"name": "Trip", "keepSlug": false}),
        )
        .expect_err("no remote");
        assert_eq!(err["code"], "no_remote", "{err}");
        let lib = app.state::<AppState>().lib().clone();
        let bucket = dir.path().join("bucket");
        crate::sync::engine_tests::add_folder_remote(
            &lib,
            &bucket,
            Some("https://cdn.example.com"),
        );
        let p = invoke(
            &webview,
            "publish_album",
            json!({"name": "Trip", "keepSlug": false}),
        )
        .expect("publish");
        let url = p["url"].as_str().unwrap();
        assert!(
            url.starts_with("https://cdn.example.com/public/albums/"),
            "{url}"
        );
        assert_eq!(p["images"], 1);
        let key = url.trim_start_matches("https://cdn.example.com/");
        assert!(bucket.join(key).is_file(), "the page is in the folder");
        let u = invoke(&webview, "unpublish_album", json!({"name": "Trip"})).expect("unpublish");
        assert_eq!(u, json!({"name": "Trip", "removed": 4}));

        let s = invoke(
            &webview,
            "rename_album",
            json!({"name": "Trip", "newName": "Journey"}),
        )
        .expect("rename");
        assert_eq!(s["name"], "Journey");
        let one = json!({"kind": "ids", "ids": [id]});
        let c = invoke(
            &webview,
            "remove_from_album",
            json!({"name": "Journey", "selection": one}),
        )
        .expect("remove");
        assert_eq!(c, json!({"name": "Journey", "images": 0, "removed": 1}));
        let err = invoke(
            &webview,
            "add_to_album",
            json!({"name": "Journey", "selection": {"kind": "ids", "ids": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]}}),
        )
        .expect_err("unknown id");
        assert_eq!(err["code"], "not_found", "{err}");
        invoke(&webview, "delete_album", json!({"name": "Journey"})).expect("delete");
        let err = invoke(&webview, "album", json!({"name": "Journey"})).expect_err("gone");
        assert_eq!(err["code"], "album_not_found", "{err}");
    }
}
