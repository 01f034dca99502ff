//! The core's background jobs driven through the service, as every front end drives them, with
//! a sink that collects events (no window, no `gui` feature).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::catalog::FolderOptions;
use crate::events::{ChangeReason, Collector, Event};
use crate::library::Library;
use crate::model::{FolderStatus, RemoteState};
use crate::service::Vitrine;
use crate::sync::engine_tests::add_folder_remote;
use crate::sync::{EngineOptions, SyncEvent};
use crate::watch::service::{Notice, ServiceOptions};

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

fn changes(events: &Collector, kind: &str) -> usize {
    events
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Watch(Notice::Change { kind: k, .. }) if k.as_str() == kind))
        .count()
}

fn synced(events: &Collector) -> Vec<String> {
    events
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Sync(SyncEvent::Image {
                id,
                state: RemoteState::Synced,
                ..
            }) => Some(id),
            _ => None,
        })
        .collect()
}

#[test]
fn the_watcher_and_the_sync_engine_run_through_the_core_and_report_events() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = Arc::new(Library::open(&dir.path().join("lib")).expect("open"));
    let bucket = dir.path().join("bucket");
    add_folder_remote(&lib, &bucket, None);
    let folder = dir.path().join("shots");
    std::fs::create_dir_all(&folder).unwrap();
    jpeg(&folder.join("before.jpg"), 10);
    crate::watch::add_folder(&lib, &folder, &FolderOptions::default()).expect("add");

    let events = Collector::default();
    let core = Vitrine::new(lib.clone(), None, events.sink(), EngineOptions::default());
    let sync = core.start_sync();
    let mut watcher = core.start_watcher(ServiceOptions::default(), true);

    wait_for("the file already there is imported", || {
        changes(&events, "added") == 1
    });
    wait_for("watching", || {
        events.events().iter().any(|e| {
            matches!(e, Event::Watch(Notice::Folder { folder }) if folder.status == FolderStatus::Watching)
        })
    });
    jpeg(&folder.join("after.jpg"), 200);
    wait_for("a new file is imported", || changes(&events, "added") == 2);
    assert_eq!(
        lib.catalog()
            .count(&crate::catalog::ListQuery::default())
            .unwrap(),
        2
    );
    assert!(
        events.changes().contains(&ChangeReason::Watch),
        "the core announced the watcher's changes: {:?}",
        events.changes()
    );
    // The watcher's imports reach the bucket without anyone kicking the engine.
    wait_for("both images synced", || synced(&events).len() >= 2);
    for id in synced(&events) {
        let rec = lib.catalog().get(&id).expect("record");
        assert_eq!(rec.remote_state, RemoteState::Synced);
        let key = rec.object_key.expect("object key");
        assert!(bucket.join(&key).is_file(), "{key} is in the bucket folder");
    }

    // A second process's core waits its turn and says so.
    let other_events = Collector::default();
    let other = Vitrine::new(
        lib.clone(),
        None,
        other_events.sink(),
        EngineOptions::default(),
    );
    let other_watcher = other.start_watcher(ServiceOptions::default(), true);
    wait_for("the second one is told", || {
        other_events
            .events()
            .iter()
            .any(|e| matches!(e, Event::Watch(Notice::WatchedElsewhere)))
    });
    drop(other_watcher);

    // Dropping the handles stops the jobs promptly.
    let t = Instant::now();
    watcher.stop();
    drop(sync);
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
    let f = &crate::watch::folders(&lib).unwrap()[0];
    assert_eq!(f.status, FolderStatus::Stopped);
    assert_eq!(f.files, 2);
}

#[test]
fn operations_announce_their_changes_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (lib, src, id) = crate::testing::library_with_one_image(dir.path());
    let events = Collector::default();
    let core = Vitrine::new(Arc::new(lib), None, events.sink(), EngineOptions::default());

    core.edit_tags(&id, &["trip".into()], &[]).expect("tag");
    core.set_visibility(&id, crate::model::Visibility::Public)
        .expect("visibility");
    assert_eq!(
        events.changes(),
        vec![ChangeReason::Edit, ChangeReason::Edit]
    );

    // An import announces the new image (and streams its progress).
    let copy = dir.path().join("copy.png");
    image::RgbImage::from_fn(32, 32, |x, _| image::Rgb([x as u8, 1, 2]))
        .save(&copy)
        .unwrap();
    let out = core
        .import(
            &[copy.display().to_string(), src.display().to_string()],
            &crate::import::ImportOptions::default(),
            &|_| {},
        )
        .expect("import");
    assert_eq!(out.len(), 2);
    assert_eq!(events.changes().last(), Some(&ChangeReason::Import));
    assert!(events
        .events()
        .iter()
        .any(|e| matches!(e, Event::ImportProgress(p) if p.done == 2 && p.total == 2)));

    // A duplicate merges its tags into the image: announced; a batch that only failed
    // changed nothing: not announced.
    let before = events.changes().len();
    let tagged = crate::import::ImportOptions {
        tags: vec!["again".into()],
        ..Default::default()
    };
    core.import(&[src.display().to_string()], &tagged, &|_| {})
        .expect("import again");
    assert_eq!(events.changes().len(), before + 1, "{:?}", events.changes());
    let missing = dir.path().join("missing.jpg").display().to_string();
    let out = core
        .import(
            &[missing],
            &crate::import::ImportOptions::default(),
            &|_| {},
        )
        .expect("import a missing file");
    assert_eq!(out[0].status, crate::import::Status::Error);
    assert_eq!(events.changes().len(), before + 1, "{:?}", events.changes());

    core.remove(std::slice::from_ref(&id)).expect("remove");
    assert_eq!(events.changes().last(), Some(&ChangeReason::Delete));
    let err = core.remove(&["nope".into()]).unwrap_err();
    assert_eq!(err.code(), crate::error::ErrorCode::NotFound);
    assert_eq!(
        events.changes().last(),
        Some(&ChangeReason::Delete),
        "a failed delete announces nothing new"
    );
}
