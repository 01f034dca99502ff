//! The background sync engine without a window: a folder remote, events collected in a Vec.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::engine::{EngineOptions, MassDelete, SyncEngine, SyncStatus};
use crate::events::{Collector, Event};
use crate::model::{RemoteState, Visibility};
use crate::remote::{Provider, RemoteSpec};
use crate::secrets::{Credentials, MemoryStore, Secret, SecretStore};
use crate::sync::SyncEvent;
use crate::testing::library_with_one_image;
use crate::Library;

pub(crate) fn add_folder_remote(lib: &Library, dir: &std::path::Path, public_url: Option<&str>) {
    // As `remote add` and the settings do: the folder exists before it is a remote.
    std::fs::create_dir_all(dir).expect("remote folder");
    let row = RemoteSpec {
        path: Some(dir.display().to_string()),
        public_url: public_url.map(str::to_string),
        ..RemoteSpec::new("main", Provider::Folder)
    }
    .resolve()
    .expect("folder spec");
    lib.catalog().add_remote(&row).expect("add remote");
}

/// Every event the engine reported.
#[derive(Clone, Default)]
pub(crate) struct Reports(Collector);

impl Reports {
    pub(crate) fn sink(&self) -> crate::events::EventSink {
        self.0.sink()
    }

    fn statuses(&self) -> Vec<SyncStatus> {
        self.0
            .events()
            .into_iter()
            .filter_map(|r| match r {
                Event::SyncStatus(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    fn images(&self) -> Vec<(String, RemoteState)> {
        self.0
            .events()
            .into_iter()
            .filter_map(|r| match r {
                Event::Sync(SyncEvent::Image { id, state, .. }) => Some((id, state)),
                _ => None,
            })
            .collect()
    }
}

pub(crate) fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn idle_and_empty(engine: &SyncEngine) -> bool {
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
    let engine = SyncEngine::new(lib.clone(), None, EngineOptions::default());
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
    let lib = crate::testing::library_with_unreachable_minio(dir.path());
    let store = Arc::new(MemoryStore::default());
    let lib = Arc::new(lib);
    let engine = SyncEngine::new(
        lib.clone(),
        Some(store.clone() as Arc<dyn SecretStore>),
        EngineOptions::default(),
    );
    let reports = Reports::default();
    engine.start(reports.sink());

    let code = |s: &SyncStatus| s.error.as_ref().map(|e| e.code);
    wait_for("the credentials error", || {
        reports
            .statuses()
            .last()
            .is_some_and(|s| code(s) == Some(crate::error::ErrorCode::CredentialsMissing))
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

    let row = crate::remote::active(&lib.catalog()).expect("remote");
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
/// Originals under a bucket folder (the grid thumbnails and the library's log that live in
/// `private/` too are not counted).
fn files_under(dir: &std::path::Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| !matches!(e.file_name().to_str(), Some("thumbs" | "library")))
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
    let engine = SyncEngine::new(lib.clone(), None, EngineOptions::default());
    let reports = Reports::default();
    engine.start(reports.sink());
    wait_for("30 images in the bucket", || files_under(&private) == 30);
    wait_for("the drain to end", || idle_and_empty(&engine));

    // 25 of 30 removed from the library: the sync stops and asks, and deletes nothing.
    for id in &ids[..25] {
        lib.remove(id).expect("remove");
    }
    let code = |s: &SyncStatus| s.error.as_ref().map(|e| e.code);
    let asked = |from: usize| {
        reports.statuses()[from..]
            .iter()
            .any(|s| code(s) == Some(crate::error::ErrorCode::MassDelete))
    };
    let n = reports.statuses().len();
    engine.kick();
    wait_for("the mass-delete stop", || asked(n));
    let st = engine.status().expect("status");
    assert_eq!(
        code(&st),
        Some(crate::error::ErrorCode::MassDelete),
        "{st:?}"
    );
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

/// Deletes that arrive a few at a time (a script's `rm` loop, a watched folder emptied file by
/// file) add up across the engine's drains, as they did in one long watching run.
#[test]
fn deletes_arriving_a_few_at_a_time_add_up_to_a_mass_delete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = Library::open(&dir.path().join("lib")).expect("open");
    let ids = import_jpegs(&lib, &dir.path().join("src"), 0..30);
    let bucket = dir.path().join("bucket");
    add_folder_remote(&lib, &bucket, None);
    let private = bucket.join("private");
    let lib = Arc::new(lib);
    // One worker: a delete counts once it is done, never while a parallel one finishes.
    let engine = SyncEngine::new(
        lib.clone(),
        None,
        EngineOptions {
            workers: Some(1),
            ..EngineOptions::default()
        },
    );
    let reports = Reports::default();
    engine.start(reports.sink());
    wait_for("30 images in the bucket", || files_under(&private) == 30);
    wait_for("the drain to end", || idle_and_empty(&engine));

    // Four batches of five: each drain is small and goes through (20 deletes in all).
    for batch in ids[..20].chunks(5) {
        for id in batch {
            lib.remove(id).expect("remove");
        }
        let left = files_under(&private) - batch.len();
        engine.kick();
        wait_for("the batch deleted", || files_under(&private) == left);
        wait_for("the drain to end", || idle_and_empty(&engine));
    }
    assert!(engine.halted().is_none());
    // The fifth makes 25 of the 30: held, however small the batch.
    for id in &ids[20..25] {
        lib.remove(id).expect("remove");
    }
    engine.kick();
    wait_for("the mass-delete stop", || engine.halted().is_some());
    assert_eq!(
        engine.halted().map(|e| e.code),
        Some(crate::error::ErrorCode::MassDelete)
    );
    assert_eq!(files_under(&private), 10, "the fifth batch is held");
    engine.shutdown(Duration::from_secs(5));
}
