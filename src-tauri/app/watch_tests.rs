//! The app's folder watcher and its commands, without a window.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::watch::FolderWatcher;
use crate::catalog::FolderOptions;
use crate::library::Library;
use crate::model::FolderStatus;
use crate::watch::service::Notice;

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn jpeg(path: &std::path::Path, shade: u8) {
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, shade]))
        .save(path)
        .expect("save jpeg");
}

#[test]
fn the_app_watcher_imports_reports_and_stops_promptly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = Arc::new(Library::open(&dir.path().join("lib")).expect("open"));
    let folder = dir.path().join("shots");
    std::fs::create_dir_all(&folder).unwrap();
    jpeg(&folder.join("before.jpg"), 10);
    crate::watch::add_folder(&lib, &folder, &FolderOptions::default()).expect("add");

    let seen: Arc<Mutex<Vec<Notice>>> = Arc::default();
    let sink = {
        let seen = seen.clone();
        Arc::new(move |n: Notice| seen.lock().unwrap().push(n))
    };
    let watcher = FolderWatcher::default();
    watcher.start(lib.clone(), sink);
    let changes = |kind: &str| {
        seen.lock()
            .unwrap()
            .iter()
            .filter(|n| matches!(n, Notice::Change { kind: k, .. } if k == kind))
            .count()
    };
    wait_for("the file already there is imported", || {
        changes("added") == 1
    });
    wait_for("watching", || {
        seen.lock().unwrap().iter().any(
            |n| matches!(n, Notice::Folder { folder } if folder.status == FolderStatus::Watching),
        )
    });
    jpeg(&folder.join("after.jpg"), 200);
    wait_for("a new file is imported", || changes("added") == 2);
    assert_eq!(lib.catalog().count().unwrap(), 2);

    // A second watcher on the same library waits its turn and says so.
    let other_seen: Arc<Mutex<Vec<Notice>>> = Arc::default();
    let other = FolderWatcher::default();
    {
        let s = other_seen.clone();
        other.start(lib.clone(), Arc::new(move |n| s.lock().unwrap().push(n)));
    }
    wait_for("the second one is told", || {
        other_seen
            .lock()
            .unwrap()
            .iter()
            .any(|n| matches!(n, Notice::WatchedElsewhere))
    });
    other.shutdown();

    let t = Instant::now();
    watcher.shutdown();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    let f = &crate::watch::folders(&lib).unwrap()[0];
    assert_eq!(f.status, FolderStatus::Stopped);
    assert_eq!(f.files, 2);
}

#[cfg(feature = "tauri-test")]
mod ipc {
    use serde_json::json;
    use tauri::test::mock_builder;
    use tauri::WebviewWindowBuilder;

    use super::super::tests::ipc::invoke;
    use crate::app::{watch, AppState};
    use crate::library::Library;

    #[test]
    fn watched_folder_commands_answer_like_the_ui_expects() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = Library::open(&dir.path().join("lib")).expect("open");
        let folder = dir.path().join("renders");
        std::fs::create_dir_all(&folder).unwrap();
        let app = mock_builder()
            .manage(AppState::new(lib).expect("state"))
            .invoke_handler(tauri::generate_handler![
                watch::watched_folders,
                watch::add_watched_folder,
                watch::remove_watched_folder,
                watch::pause_watched_folder,
                watch::watch_events,
            ])
            .build(tauri::generate_context!())
            .expect("mock app");
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("webview");
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
