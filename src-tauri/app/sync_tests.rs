//! The background sync engine without a window (a folder remote, events collected in a Vec),
//! and the bucket commands over Tauri's mock runtime with an in-memory keychain.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::sync::{MassDelete, Report, SyncEngine, SyncStatus};
use super::tests::library_with_one_image;
use crate::model::{RemoteState, Visibility};
use crate::remote::RemoteSpec;
use crate::secrets::{Credentials, MemoryStore, Secret, SecretStore};
use crate::sync::SyncEvent;
use crate::Library;

fn add_folder_remote(lib: &Library, dir: &std::path::Path, public_url: Option<&str>) {
    // As `remote add` and the settings do: the folder exists before it is a remote.
    std::fs::create_dir_all(dir).expect("remote folder");
    let row = RemoteSpec {
        name: "main".into(),
        provider: "folder".into(),
        path: Some(dir.display().to_string()),
        public_url: public_url.map(str::to_string),
        ..Default::default()
    }
    .resolve()
    .expect("folder spec");
    lib.catalog().add_remote(&row).expect("add remote");
}

/// Collects every report; `wait` polls until one matches.
#[derive(Clone, Default)]
struct Reports(Arc<Mutex<Vec<Report>>>);

impl Reports {
    fn sink(&self) -> super::sync::Sink {
        let me = self.clone();
        Arc::new(move |r| me.0.lock().unwrap().push(r))
    }

    fn statuses(&self) -> Vec<SyncStatus> {
        let all = self.0.lock().unwrap();
        all.iter()
            .filter_map(|r| match r {
                Report::Status(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    fn images(&self) -> Vec<(String, RemoteState)> {
        let all = self.0.lock().unwrap();
        all.iter()
            .filter_map(|r| match r {
                Report::Sync(SyncEvent::Image { id, state, .. }) => Some((id.clone(), *state)),
                _ => None,
            })
            .collect()
    }
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn idle_and_empty(engine: &SyncEngine) -> bool {
    engine
        .status()
        .is_ok_and(|s| !s.running && s.queued == 0 && s.remote.is_some())
}

#[test]
fn engine_drains_on_kicks_reports_and_stops_for_settings_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (lib, _, id) = library_with_one_image(dir.path());
    let bucket = dir.path().join("bucket");
    add_folder_remote(&lib, &bucket, Some("http://127.0.0.1:9/pics"));
    let lib = Arc::new(lib);
    let engine = SyncEngine::new(lib.clone(), None);
    let reports = Reports::default();
    engine.start(reports.sink());

    wait_for("the image to be synced", || {
        reports
            .images()
            .contains(&(id.clone(), RemoteState::Synced))
    });
    wait_for("the drain to end", || idle_and_empty(&engine));
    let sha = lib.catalog().get(&id).expect("record").sha256;
    let private = bucket.join("private").join(&sha[..2]);
    assert!(
        std::fs::read_dir(&private).is_ok_and(|mut d| d.next().is_some()),
        "the original is in the folder's private area"
    );
    let st = reports.statuses();
    assert!(
        st.iter().any(|s| s.running && s.queued >= 1),
        "a running status was reported: {st:?}"
    );
    let last = st.last().expect("a status");
    assert_eq!(last.remote.as_deref(), Some("main"));
    assert_eq!(last.last.as_ref().map(|s| s.uploaded), Some(1), "{last:?}");
    assert_eq!(last.done, 1, "one image synced by the run: {last:?}");

    // A visibility change queues a move; a kick runs it.
    lib.catalog()
        .set_visibility(&id, Visibility::Unlisted)
        .expect("visibility");
    engine.kick();
    wait_for("the move to the public area", || {
        std::fs::read_dir(bucket.join("public").join(&sha[..2]))
            .is_ok_and(|mut d| d.next().is_some())
    });
    wait_for("the drain to end", || idle_and_empty(&engine));

    // Settings change under a pause: no drain runs until the guard goes.
    {
        let _paused = engine.pause();
        lib.catalog().remove_remote("main").expect("remove");
    }
    wait_for("the status to show no remote", || {
        reports
            .statuses()
            .last()
            .is_some_and(|s| s.remote.is_none())
    });
    assert_eq!(
        lib.catalog().get(&id).expect("record").remote_state,
        RemoteState::Local
    );
    engine.shutdown(Duration::from_secs(5));
}

#[test]
fn missing_credentials_halt_the_engine_until_retry() {
    if Credentials::from_env().is_some() {
        eprintln!("skipped: AWS_* credentials in the environment would be used");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (lib, _, _) = library_with_one_image(dir.path());
    let row = RemoteSpec {
        name: "main".into(),
        provider: "minio".into(),
        endpoint: Some("http://127.0.0.1:9".into()),
        bucket: Some("pics".into()),
        ..Default::default()
    }
    .resolve()
    .expect("spec");
    lib.catalog().add_remote(&row).expect("add");
    let store = Arc::new(MemoryStore::default());
    let lib = Arc::new(lib);
    let engine = SyncEngine::new(lib.clone(), Some(store.clone() as Arc<dyn SecretStore>));
    let reports = Reports::default();
    engine.start(reports.sink());

    let code = |s: &SyncStatus| s.error.as_ref().map(|e| e.code.clone());
    wait_for("the credentials error", || {
        reports
            .statuses()
            .last()
            .is_some_and(|s| code(s).as_deref() == Some("credentials_missing"))
    });
    let msg = reports
        .statuses()
        .last()
        .and_then(|s| s.error.clone())
        .unwrap();
    assert!(msg.message.contains("credentials"), "{msg:?}");
    // Halted: kicks do nothing until a retry.
    let n = reports.statuses().len();
    engine.kick();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(reports.statuses().len(), n, "a halted engine ignores kicks");

    let account = crate::remote::account(&lib.catalog(), &row).expect("account");
    store
        .set(
            &account,
            &Credentials {
                access_key_id: Secret::new("ak-test"),
                secret_access_key: Secret::new("sk-test"),
                session_token: None,
            },
        )
        .expect("store");
    engine.retry();
    wait_for("a drain with the new credentials", || {
        reports.statuses()[n..]
            .iter()
            .any(|s| s.running && s.error.is_none())
    });
    engine.shutdown(Duration::from_secs(5));
}

/// Different JPEGs (noise, one per seed) written into `dir` and imported: their ids.
fn import_jpegs(lib: &Library, dir: &std::path::Path, seeds: std::ops::Range<u32>) -> Vec<String> {
    std::fs::create_dir_all(dir).expect("source folder");
    let paths: Vec<String> = seeds
        .map(|seed| {
            let img = image::RgbImage::from_fn(48, 32, |x, y| {
                let h = (x.wrapping_mul(0x9E37_79B1) ^ y.wrapping_mul(0x85EB_CA77) ^ seed)
                    .wrapping_mul(0xC2B2_AE3D);
                image::Rgb([(h >> 24) as u8, (h >> 16) as u8, (h >> 8) as u8])
            });
            let path = dir.join(format!("{seed}.jpg"));
            img.save(&path).expect("save jpeg");
            path.display().to_string()
        })
        .collect();
    lib.import(&paths, &crate::import::ImportOptions::default(), &|_| {})
        .expect("import")
        .into_iter()
        .map(|o| {
            assert_eq!(o.status, crate::import::Status::Imported, "{o:?}");
            o.id.expect("id")
        })
        .collect()
}

/// Files under `dir` (recursively; none when it does not exist).
fn files_under(dir: &std::path::Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count()
}

#[test]
fn a_mass_delete_halts_until_the_user_confirms_it_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = Library::open(&dir.path().join("lib")).expect("open");
    let ids = import_jpegs(&lib, &dir.path().join("src"), 0..30);
    let bucket = dir.path().join("bucket");
    add_folder_remote(&lib, &bucket, None);
    let (private, trash) = (bucket.join("private"), bucket.join("trash"));
    let lib = Arc::new(lib);
    let engine = SyncEngine::new(lib.clone(), None);
    let reports = Reports::default();
    engine.start(reports.sink());
    wait_for("30 images in the bucket", || files_under(&private) == 30);
    wait_for("the drain to end", || idle_and_empty(&engine));

    // 25 of 30 removed from the library: the sync stops and asks, and deletes nothing.
    for id in &ids[..25] {
        lib.remove(id).expect("remove");
    }
    let code = |s: &SyncStatus| s.error.as_ref().map(|e| e.code.clone());
    let asked = |from: usize| {
        reports.statuses()[from..]
            .iter()
            .any(|s| code(s).as_deref() == Some("mass_delete"))
    };
    let n = reports.statuses().len();
    engine.kick();
    wait_for("the mass-delete stop", || asked(n));
    let st = engine.status().expect("status");
    assert_eq!(code(&st).as_deref(), Some("mass_delete"), "{st:?}");
    assert_eq!(
        st.mass_delete,
        Some(MassDelete {
            deletes: 25,
            total: 30
        }),
        "{st:?}"
    );
    let message = &st.error.as_ref().expect("error").message;
    assert!(message.contains("25 of 30"), "{message}");
    assert!(
        !message.contains("--allow-deletes"),
        "no CLI flag in the app: {message}"
    );
    assert!(!st.running);
    assert_eq!(files_under(&private), 30, "nothing deleted");
    assert_eq!(files_under(&trash), 0);

    // Halted: a kick does nothing; a plain Retry asks again.
    let n = reports.statuses().len();
    engine.kick();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(reports.statuses().len(), n, "a halted engine ignores kicks");
    engine.retry();
    wait_for("the stop again after a plain retry", || asked(n));
    assert_eq!(files_under(&private), 30, "a plain retry deletes nothing");

    // Confirmed: the next drain deletes them (into trash/).
    engine.retry_allowing_deletes();
    wait_for("the deletes", || files_under(&private) == 5);
    wait_for("the drain to end", || idle_and_empty(&engine));
    let st = engine.status().expect("status");
    assert!(st.error.is_none() && st.mass_delete.is_none(), "{st:?}");
    assert_eq!(st.last.as_ref().map(|s| s.deleted), Some(25), "{st:?}");
    assert_eq!(
        files_under(&trash),
        25,
        "removed images' files go to trash/"
    );

    // The confirmation was for that sync only: the next mass delete stops again.
    let more = import_jpegs(&lib, &dir.path().join("src2"), 30..60);
    engine.kick();
    wait_for("35 images in the bucket", || files_under(&private) == 35);
    wait_for("the drain to end", || idle_and_empty(&engine));
    for id in &more[..25] {
        lib.remove(id).expect("remove");
    }
    let n = reports.statuses().len();
    engine.kick();
    wait_for("the second mass-delete stop", || asked(n));
    let st = engine.status().expect("status");
    assert_eq!(
        st.mass_delete,
        Some(MassDelete {
            deletes: 25,
            total: 35
        }),
        "{st:?}"
    );
    assert_eq!(
        files_under(&private),
        35,
        "nothing deleted without a new confirmation"
    );

    // A confirmation given while the settings change does not carry over to them.
    let n = reports.statuses().len();
    {
        let _paused = engine.pause();
        engine.retry_allowing_deletes();
    }
    wait_for("the stop after new settings", || asked(n));
    assert_eq!(files_under(&private), 35);
    engine.shutdown(Duration::from_secs(5));
}

/// The bucket commands as the UI calls them, over the mock runtime with the app's real
/// capabilities; credentials go to an in-memory keychain.
#[cfg(feature = "tauri-test")]
mod ipc {
    use serde_json::{json, Value};
    use std::sync::Arc;
    use tauri::test::mock_builder;
    use tauri::WebviewWindowBuilder;

    use super::super::tests::ipc::invoke;
    use crate::app::{bucket, commands, AppState};
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

    fn app(
        state: AppState,
    ) -> (
        tauri::App<tauri::test::MockRuntime>,
        tauri::WebviewWindow<tauri::test::MockRuntime>,
    ) {
        let app = mock_builder()
            .manage(state)
            .invoke_handler(tauri::generate_handler![
                commands::image_link,
                commands::set_visibility,
                bucket::get_remote,
                bucket::set_remote,
                bucket::remove_remote,
                bucket::sync_status,
                bucket::retry_failed_sync,
                bucket::sync_allow_deletes,
            ])
            .build(tauri::generate_context!())
            .expect("mock app");
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("webview");
        (app, webview)
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
        let (lib, _, id) = super::library_with_one_image(dir.path());
        let root = lib.root().to_path_buf();
        let lib_id = lib.catalog().library_id().expect("library id");
        let store = Arc::new(MemoryStore::default());
        let state = AppState::with_secrets(lib, Some(store.clone() as Arc<dyn SecretStore>))
            .expect("state");
        let (_app, w) = app(state);

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
        assert_eq!(view["credentials"], "keychain");
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
    fn the_webview_may_confirm_a_mass_delete() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (lib, _, _) = super::library_with_one_image(dir.path());
        let (_app, w) = app(AppState::new(lib).expect("state"));
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
        let (lib, _, _) = super::library_with_one_image(dir.path());
        let state = AppState::with_secrets(lib, Some(Arc::new(NoKeychain))).expect("state");
        let (_app, w) = app(state);
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
        assert_eq!(view["credentials"], "not needed");
        assert_eq!(view["strip_location"], false);
        assert!(folder.is_dir());
    }
}

#[test]
fn the_protocol_brings_a_missing_original_back_from_the_bucket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (lib, _, id) = library_with_one_image(dir.path());
    add_folder_remote(&lib, &dir.path().join("bucket"), None);
    let lib = Arc::new(lib);
    let engine = SyncEngine::new(lib.clone(), None);
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
    let with = super::protocol::handle_with(&lib, Some(&engine), &req);
    assert_eq!(with.status(), 200);
    assert_eq!(with.body(), &bytes, "served from the bucket");
    assert_eq!(
        std::fs::read(&path).expect("restored"),
        bytes,
        "and put back in place"
    );
    engine.shutdown(Duration::from_secs(5));
}
