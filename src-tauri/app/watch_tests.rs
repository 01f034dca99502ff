//! The app's watched-folder commands, without a window (the watcher itself is tested in the
//! core: `service_tests.rs`).

#[cfg(feature = "tauri-test")]
mod ipc {
    use serde_json::json;

    use super::super::tests::ipc::{invoke, mock_app};
    use crate::app::AppState;
    use crate::library::Library;

    #[test]
    fn watched_folder_commands_answer_like_the_ui_expects() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = Library::open(&dir.path().join("lib")).expect("open");
        let folder = dir.path().join("renders");
        std::fs::create_dir_all(&folder).unwrap();
        let (_app, webview) =
            mock_app(AppState::new(lib, None, crate::events::discard()).expect("state"));
        let options = json!({
            "recursive": true, "include": ["*.png"], "exclude": [], "tags": ["ai"],
            "visibility": "public", "copy": false, "on_delete": "remove-remote", "poll": false
        });
        let added = invoke(
            &webview,
            "add_watched_folder",
            json!({"path": folder.to_str().unwrap(), "options": options}),
        )
        .expect("add");
        assert_eq!(added["on_delete"], "remove-remote");
        assert_eq!(added["include"], json!(["*.png"]));
        let id = added["id"].as_i64().unwrap();
        let all = invoke(&webview, "watched_folders", json!({})).expect("list");
        assert_eq!(all[0]["status"], "stopped", "no watcher runs in this test");
        invoke(
            &webview,
            "pause_watched_folder",
            json!({"id": id, "paused": true}),
        )
        .expect("pause");
        let all = invoke(&webview, "watched_folders", json!({})).expect("list");
        assert_eq!(
            (all[0]["paused"].clone(), all[0]["status"].clone()),
            (json!(true), json!("paused"))
        );
        let events = invoke(&webview, "watch_events", json!({"folderId": id})).expect("log");
        assert_eq!(events, json!([]));

        let err = invoke(
            &webview,
            "add_watched_folder",
            json!({"path": "/no/such/folder", "options": options}),
        )
        .expect_err("missing folder");
        assert!(
            err["message"].as_str().unwrap().contains("/no/such/folder"),
            "{err}"
        );
        invoke(&webview, "remove_watched_folder", json!({"id": id})).expect("remove");
        let all = invoke(&webview, "watched_folders", json!({})).expect("list");
        assert_eq!(all, json!([]));
    }
}
