//! The bucket commands over Tauri's mock runtime with an in-memory keychain.

use std::sync::Arc;
use std::time::Duration;

use crate::sync::engine_tests::{add_folder_remote, idle_and_empty, wait_for, Reports};
use crate::sync::{EngineOptions, SyncEngine};
use crate::testing::library_with_one_image;

/// The bucket commands as the UI calls them, over the mock runtime with the app's real
/// capabilities; credentials go to an in-memory keychain.
#[cfg(feature = "tauri-test")]
mod ipc {
    use serde_json::{json, Value};
    use std::sync::Arc;

    use super::super::tests::ipc::{invoke, mock_app};
    use crate::app::AppState;
    use crate::secrets::{Credentials, MemoryStore, SecretStore, SecretsError};

    /// A keychain that is not there.
    struct NoKeychain;
    impl SecretStore for NoKeychain {
        fn get(&self, _: &str) -> Result<Option<Credentials>, SecretsError> {
            Err(Self::err())
        }
        fn set(&self, _: &str, _: &Credentials) -> Result<(), SecretsError> {
            Err(Self::err())
        }
        fn delete(&self, _: &str) -> Result<(), SecretsError> {
            Err(Self::err())
        }
    }
    impl NoKeychain {
        fn err() -> SecretsError {
            SecretsError::Unavailable {
                reason: "no Secret Service on the session bus".into(),
                fix: "start gnome-keyring".into(),
            }
        }
    }

    fn minio_form(endpoint: &str) -> Value {
        json!({
            "name": null, "provider": "minio", "endpoint": endpoint, "bucket": "pics",
            "region": "", "prefix": "", "path_style": false, "path": null,
            "public_url": "http://127.0.0.1:9/pics", "strip_location": true
        })
    }

    #[test]
    fn bucket_settings_keep_secrets_in_the_keychain_only() {
        if Credentials::from_env().is_some() {
            eprintln!("skipped: AWS_* credentials in the environment would be used");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let (lib, _, id) = crate::testing::library_with_one_image(dir.path());
        let root = lib.root().to_path_buf();
        let lib_id = lib.catalog().library_id().expect("library id");
        let store = Arc::new(MemoryStore::default());
        let state = AppState::new(
            lib,
            Some(store.clone() as Arc<dyn SecretStore>),
            crate::events::discard(),
        )
        .expect("state");
        let (_app, w) = mock_app(state);

        assert_eq!(
            invoke(&w, "get_remote", json!({})).expect("get"),
            Value::Null
        );
        let link = invoke(&w, "image_link", json!({"id": id, "format": "url"})).expect("link");
        assert_eq!(link["kind"], "local");
        assert!(link["url"].as_str().unwrap().starts_with("file://"));

        // No credentials for a new bucket: refused, nothing saved.
        let err = invoke(
            &w,
            "set_remote",
            json!({"remote": minio_form("http://127.0.0.1:9")}),
        )
        .expect_err("no credentials");
        assert_eq!(err["code"], "credentials_missing", "{err}");
        let err = invoke(
            &w,
            "set_remote",
            json!({"remote": minio_form("http://127.0.0.1:9"), "accessKeyId": "only-the-id"}),
        )
        .expect_err("half the credentials");
        assert_eq!(err["code"], "invalid_input", "{err}");
        assert_eq!(
            invoke(&w, "get_remote", json!({})).expect("get"),
            Value::Null
        );

        let secret = "s3cr3t-never-in-the-catalog";
        let view = invoke(
            &w,
            "set_remote",
            json!({"remote": minio_form("http://127.0.0.1:9"),
                   "accessKeyId": "AKIDVITRINETEST", "secretAccessKey": secret}),
        )
        .expect("saved");
        assert_eq!(view["provider"], "minio");
        assert_eq!(view["path_style"], true, "the MinIO preset uses path-style");
        assert_eq!(view["region"], "us-east-1");
        assert_eq!(view["credentials"], json!({"source": "keychain"}));
        let shown = serde_json::to_string(&view).unwrap();
        assert!(
            !shown.contains(secret) && !shown.contains("AKIDVITRINETEST"),
            "{shown}"
        );
        let fetched = invoke(&w, "get_remote", json!({})).expect("get");
        assert_eq!(fetched, view);

        // The secret is in the keychain and nowhere in the library folder.
        let stored = store
            .get(&format!("{lib_id}/main"))
            .expect("get")
            .expect("entry");
        assert_eq!(stored.secret_access_key.expose(), secret);
        for entry in walkdir::WalkDir::new(&root).into_iter().flatten() {
            if entry.file_type().is_file() {
                let bytes = std::fs::read(entry.path()).unwrap_or_default();
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "the secret is in {}",
                    entry.path().display()
                );
            }
        }

        // Saving again without typing credentials keeps the saved ones.
        invoke(
            &w,
            "set_remote",
            json!({"remote": minio_form("http://127.0.0.1:10")}),
        )
        .expect("kept credentials");
        let status = invoke(&w, "sync_status", json!({})).expect("status");
        assert_eq!(status["remote"], "main");
        assert!(
            status["queued"].as_u64() >= Some(1),
            "the image is queued: {status}"
        );

        // Links: unlisted → the stable public URL (not synced yet); private → not in the bucket.
        invoke(
            &w,
            "set_visibility",
            json!({"id": id, "visibility": "unlisted"}),
        )
        .expect("vis");
        let link = invoke(
            &w,
            "image_link",
            json!({"id": id, "format": "markdown", "expires": 600}),
        )
        .expect("link");
        assert_eq!(link["kind"], "public");
        assert_eq!(link["ready"], false);
        assert!(
            link["url"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:9/pics/public/"),
            "{link}"
        );
        assert!(link["text"].as_str().unwrap().starts_with("!["), "{link}");
        invoke(
            &w,
            "set_visibility",
            json!({"id": id, "visibility": "private"}),
        )
        .expect("vis");
        let err = invoke(
            &w,
            "image_link",
            json!({"id": id, "format": "url", "expires": 600}),
        )
        .expect_err("not synced");
        assert_eq!(err["code"], "link_unavailable", "{err}");
        let err = invoke(
            &w,
            "image_link",
            json!({"id": id, "format": "url", "expires": 8 * 86400}),
        )
        .expect_err("too long");
        assert_eq!(err["code"], "invalid_input", "{err}");

        invoke(&w, "remove_remote", json!({"name": "main"})).expect("removed");
        assert!(store.get(&format!("{lib_id}/main")).expect("get").is_none());
        assert_eq!(
            invoke(&w, "get_remote", json!({})).expect("get"),
            Value::Null
        );
        let status = invoke(&w, "sync_status", json!({})).expect("status");
        assert_eq!(status["remote"], Value::Null);
    }

    #[test]
    fn the_webview_reads_the_provider_presets_from_the_core() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (lib, _, _) = crate::testing::library_with_one_image(dir.path());
        let (_app, w) =
            mock_app(AppState::new(lib, None, crate::events::discard()).expect("state"));
        let presets = invoke(&w, "providers", json!({})).expect("allowed by the capabilities");
        assert_eq!(
            presets,
            serde_json::to_value(crate::remote::PRESETS).unwrap()
        );
        let ids: Vec<&str> = presets
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            ["aws", "r2", "b2", "tigris", "minio", "garage", "s3", "folder"]
        );
        assert_eq!(presets[1]["endpoint"], "required", "{}", presets[1]);
        assert_eq!(presets[3]["default_endpoint"], "https://t3.storage.dev");
    }

    #[test]
    fn free_up_space_and_keep_on_this_computer_from_the_webview() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (lib, _, id) = crate::testing::library_with_one_image(dir.path());
        crate::sync::engine_tests::add_folder_remote(&lib, &dir.path().join("bucket"), None);
        let (app, w) = mock_app(AppState::new(lib, None, crate::events::discard()).expect("state"));
        let unsynced = invoke(&w, "offload_images", json!({"ids": [id]})).expect("allowed");
        assert_eq!(unsynced["offloaded"], 0, "{unsynced}");
        assert!(
            unsynced["skipped"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("not synced"),
            "{unsynced}"
        );

        let lib = {
            use tauri::Manager;
            app.state::<AppState>().lib().clone()
        };
        let remote = crate::remote::open_active(&lib.catalog(), None).expect("remote");
        crate::sync::run(&lib, &remote, &Default::default(), &|_| {}).expect("sync");
        let done = invoke(&w, "offload_images", json!({"ids": [id]})).expect("offload");
        assert_eq!(done["offloaded"], 1, "{done}");
        let page = invoke(&w, "list_images", json!({"query": {"limit": 10}})).expect("list");
        assert_eq!(page[0]["local"], false, "the gallery can say so");

        // Its grid thumbnail is served as it is; a preview fetches the original to render.
        let get = |uri: String| {
            let req = tauri::http::Request::builder()
                .uri(uri)
                .body(Vec::new())
                .expect("request");
            crate::app::protocol::handle(&lib, &req).status()
        };
        assert_eq!(get(format!("vitrine://localhost/thumb/{id}/grid")), 200);
        assert!(!lib.catalog().get(&id).expect("record").local);
        assert_eq!(get(format!("vitrine://localhost/thumb/{id}/preview")), 200);
        assert!(lib.catalog().get(&id).expect("record").local);
        invoke(&w, "offload_images", json!({"ids": [id]})).expect("offload again");

        // The original is fetched when the webview asks for it.
        let req = tauri::http::Request::builder()
            .uri(format!("vitrine://localhost/original/{id}"))
            .body(Vec::new())
            .expect("request");
        assert_eq!(crate::app::protocol::handle(&lib, &req).status(), 200);
        assert!(lib.catalog().get(&id).expect("record").local);

        invoke(&w, "offload_images", json!({"ids": [id]})).expect("offload again");
        let back = invoke(&w, "fetch_originals", json!({"ids": [id]})).expect("fetch");
        assert_eq!(back["fetched"], 1, "{back}");
        assert!(lib.catalog().get(&id).expect("record").local);
    }

    #[test]
    fn the_webview_may_confirm_a_mass_delete() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (lib, _, _) = crate::testing::library_with_one_image(dir.path());
        let (_app, w) =
            mock_app(AppState::new(lib, None, crate::events::discard()).expect("state"));
        // Nothing stopped: a plain status back, nothing confirmed.
        let status =
            invoke(&w, "sync_allow_deletes", json!({})).expect("allowed by the capabilities");
        assert_eq!(status["remote"], Value::Null, "{status}");
        assert_eq!(status["error"], Value::Null, "{status}");
        assert_eq!(status["mass_delete"], Value::Null, "{status}");
    }

    #[test]
    fn no_keychain_means_no_save_and_a_clear_error() {
        if Credentials::from_env().is_some() {
            eprintln!("skipped: AWS_* credentials in the environment would be used");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let (lib, _, _) = crate::testing::library_with_one_image(dir.path());
        let state = AppState::new(lib, Some(Arc::new(NoKeychain)), crate::events::discard())
            .expect("state");
        let (_app, w) = mock_app(state);
        let err = invoke(
            &w,
            "set_remote",
            json!({"remote": minio_form("http://127.0.0.1:9"),
                   "accessKeyId": "AKID", "secretAccessKey": "secret"}),
        )
        .expect_err("no keychain");
        assert_eq!(err["code"], "keychain_unavailable", "{err}");
        assert!(
            err["message"].as_str().unwrap().contains("gnome-keyring"),
            "{err}"
        );
        assert_eq!(
            invoke(&w, "get_remote", json!({})).expect("get"),
            Value::Null
        );

        // A folder needs no keychain.
        let folder = dir.path().join("out");
        let view = invoke(
            &w,
            "set_remote",
            json!({"remote": {"name": null, "provider": "folder", "endpoint": null, "bucket": null,
                   "region": null, "prefix": "", "path_style": false,
                   "path": folder.display().to_string(), "public_url": "", "strip_location": false}}),
        )
        .expect("folder saved");
        assert_eq!(view["credentials"], json!({"source": "not_needed"}));
        assert_eq!(view["strip_location"], false);
        assert!(folder.is_dir());

        // "Test bucket" words its fixes for the app: no CLI flags.
        let report = invoke(&w, "test_remote", json!({})).expect("probe");
        assert_eq!(report["ok"], true, "{report}");
        assert_eq!(report["checks"][0]["check"], "credentials");
        let public = report["checks"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(public["status"], "skip", "{public}");
        let message = public["message"].as_str().unwrap();
        assert!(
            message.contains("Settings → Bucket") && !message.contains("--public-url"),
            "{public}"
        );
    }
}

#[test]
fn the_protocol_brings_a_missing_original_back_from_the_bucket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (lib, _, id) = library_with_one_image(dir.path());
    add_folder_remote(&lib, &dir.path().join("bucket"), None);
    let lib = Arc::new(lib);
    let engine = SyncEngine::new(lib.clone(), None, EngineOptions::default());
    engine.start(Reports::default().sink());
    wait_for("the drain to end", || idle_and_empty(&engine));
    let record = lib.catalog().get(&id).expect("record");
    let path = lib.original_path(&record);
    let bytes = std::fs::read(&path).expect("original");
    std::fs::remove_file(&path).expect("lose the original");

    let req = tauri::http::Request::builder()
        .uri(format!("vitrine://localhost/original/{id}"))
        .body(Vec::new())
        .expect("request");
    let without = super::protocol::handle(&lib, &req);
    assert_eq!(without.status(), 404, "no bucket to ask");
    let engine = Arc::new(engine);
    lib.set_original_fetcher(Arc::new(crate::offload::EngineFetcher(Arc::downgrade(
        &engine,
    ))));
    let with = super::protocol::handle(&lib, &req);
    assert_eq!(with.status(), 200);
    assert_eq!(with.body(), &bytes, "served from the bucket");
    assert_eq!(
        std::fs::read(&path).expect("restored"),
        bytes,
        "and put back in place"
    );
    engine.shutdown(Duration::from_secs(5));
}
