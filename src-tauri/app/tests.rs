//! Command-layer tests without a window: the `vitrine://` protocol and link formatting.

use tauri::http::{Request, StatusCode};

use super::protocol::handle;
use crate::testing::library_with_one_image;
use crate::Library;

fn get(lib: &Library, uri: &str) -> tauri::http::Response<Vec<u8>> {
    let req = Request::builder()
        .uri(uri)
        .body(Vec::new())
        .expect("request");
    handle(lib, &req)
}

#[test]
fn protocol_serves_catalog_ids_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (lib, src, id) = library_with_one_image(dir.path());

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

/// The real command handlers over Tauri's mock IPC: arguments as the UI sends them, results
/// and `{code, message}` errors as the UI receives them.
#[cfg(feature = "tauri-test")]
pub(super) mod ipc {
    use serde_json::{json, Value};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
    use tauri::webview::InvokeRequest;
    use tauri::WebviewWindowBuilder;

    use crate::app::AppState;

    /// The app over Tauri's mock runtime with its real handlers and its real context (the
    /// capabilities decide what the webview may call), and its main webview.
    pub(in crate::app) fn mock_app(
        state: AppState,
    ) -> (
        tauri::App<tauri::test::MockRuntime>,
        tauri::WebviewWindow<tauri::test::MockRuntime>,
    ) {
        let app = mock_builder()
            .manage(state)
            .invoke_handler(crate::app::handlers())
            .build(tauri::generate_context!())
            .expect("mock app");
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("webview");
        (app, webview)
    }

    pub(in crate::app) fn invoke(
        webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
        cmd: &str,
        args: Value,
    ) -> Result<Value, Value> {
        get_ipc_response(
            webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("url"),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().expect("json"))
    }

    #[test]
    fn commands_answer_like_the_ui_expects() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (lib, _, id) = super::library_with_one_image(dir.path());
        let (_app, webview) =
            mock_app(AppState::new(lib, None, crate::events::discard()).expect("state"));

        let page = invoke(&webview, "list_images", json!({"query": {"limit": 10}})).expect("list");
        assert_eq!(page.as_array().map(Vec::len), Some(1));
        assert_eq!(page[0]["id"], id.as_str());
        let tiles = invoke(
            &webview,
            "list_grid",
            json!({"query": {"limit": 10, "offset": 0}}),
        )
        .expect("tiles");
        assert_eq!(tiles[0]["id"], id.as_str());
        assert_eq!(
            (tiles[0]["width"].clone(), tiles[0]["local"].clone()),
            (json!(640), json!(true))
        );
        let past = invoke(&webview, "list_grid", json!({"query": {"offset": 1}})).expect("past");
        assert_eq!(past, json!([]), "a page by position past the end is empty");
        // The photo is 640×480.
        for (orientation, n) in [("landscape", 1), ("portrait", 0)] {
            let count = invoke(
                &webview,
                "count_images",
                json!({"query": {"limit": 0, "orientation": orientation}}),
            )
            .expect("count");
            assert_eq!(count, json!(n), "{orientation}: the limit does not count");
        }
        let facets = invoke(&webview, "facets", json!({})).expect("facets");
        assert_eq!(
            facets["formats"],
            json!([{"value": page[0]["format"], "count": 1}]),
            "{facets}"
        );
        for list in ["generators", "models", "cameras"] {
            assert!(facets[list].is_array(), "{list}: {facets}");
        }

        let rec = invoke(
            &webview,
            "set_visibility",
            json!({"id": id, "visibility": "public"}),
        )
        .expect("set");
        assert_eq!(rec["visibility"], "public");
        let tags = invoke(
            &webview,
            "edit_tags",
            json!({"id": id, "add": ["sky", "sea"], "remove": []}),
        )
        .expect("tags");
        assert_eq!(tags, json!(["sea", "sky"]));
        let rec = invoke(
            &webview,
            "rename_image",
            json!({"id": id, "name": "  harbour at dusk.png "}),
        )
        .expect("rename");
        assert_eq!(rec["filename"], "harbour at dusk.png");
        let err = invoke(
            &webview,
            "rename_image",
            json!({"id": id, "name": "../escape.png"}),
        )
        .expect_err("a path is not a file name");
        assert_eq!(err["code"], "invalid_input", "{err}");
        let detail = invoke(&webview, "get_image", json!({"id": id})).expect("detail");
        assert_eq!(detail["visibility"], "public");
        assert!(
            detail["accessed_at"].is_string(),
            "opening the detail view marks it accessed"
        );

        let err = invoke(
            &webview,
            "get_image",
            json!({"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}),
        )
        .expect_err("unknown id");
        assert_eq!(err["code"], "not_found", "{err}");
        assert!(err["message"]
            .as_str()
            .unwrap_or("")
            .contains("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        let err = invoke(
            &webview,
            "set_visibility",
            json!({"id": id, "visibility": "secret"}),
        )
        .expect_err("bad value");
        assert!(
            err.to_string().contains("secret"),
            "a bad argument is refused: {err}"
        );
    }

    /// The command list is written once (`command_names.rs`); the capabilities, the handlers
    /// and the UI's `CommandName` type must all say the same. Rewrites `CommandName.ts` (the
    /// bindings drift check then fails if it changed).
    #[test]
    fn command_lists_agree() {
        use crate::app::COMMANDS;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let caps: Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("capabilities/main.json")).expect("caps"),
        )
        .expect("json");
        let mut granted: Vec<String> = caps["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        granted.sort();
        let mut listed: Vec<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
        listed.sort();
        assert_eq!(
            granted, listed,
            "capabilities/main.json grants exactly the commands of command_names.rs"
        );

        // Every listed command has a handler, and nothing else answers.
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = crate::Library::open(&dir.path().join("lib")).expect("open");
        let (_app, webview) =
            mock_app(AppState::new(lib, None, crate::events::discard()).expect("state"));
        let missing = |answer: &Result<Value, Value>| {
            answer
                .as_ref()
                .err()
                .map(|e| e.to_string())
                .is_some_and(|e| e.contains("not found") && e.contains("command"))
        };
        // Only commands that change nothing are called for real; the others get arguments
        // the handler refuses, which still proves a handler answered.
        for cmd in COMMANDS {
            let answer = invoke(&webview, cmd, json!({"__probe": true}));
            assert!(!missing(&answer), "{cmd} has no handler: {answer:?}");
        }
        let unknown = invoke(&webview, "no_such_command", json!({}));
        assert!(
            missing(&unknown),
            "an unknown command is told apart: {unknown:?}"
        );

        let ts = format!(
            "// This file was generated from COMMANDS in src-tauri/app/command_names.rs. Do not edit this file manually.\n\n/**\n * Every command the webview may call (`invoke(name)`).\n */\nexport type CommandName = {};\n",
            COMMANDS
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let path = root.join("ui/src/lib/ipc/bindings/CommandName.ts");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(ts.as_str()) {
            std::fs::write(&path, ts).expect("write CommandName.ts");
        }
    }
}
