//! Bulk actions through the service, chunked small: results per image, progress per chunk,
//! one announcement per chunk that changed something, the sync work queued as for one image.

use std::sync::Arc;

use crate::catalog::selection::tests::fake;
use crate::catalog::{ListQuery, Selection};
use crate::error::ErrorCode;
use crate::events::{ChangeReason, Collector, Progress};
use crate::library::Library;
use crate::model::Visibility;
use crate::service::{ItemStatus, Vitrine};
use crate::sync::engine_tests::add_folder_remote;
use crate::sync::links::LinkFormat;
use crate::sync::EngineOptions;

/// A library of `n` file-less rows (`img-<i>.jpg`), bulk chunks of 2.
fn setup(dir: &std::path::Path, n: usize, remote: bool) -> (Vitrine, Collector, Vec<String>) {
    let lib = Library::open(&dir.join("lib")).expect("open");
    if remote {
        add_folder_remote(&lib, &dir.join("bucket"), Some("https://cdn.example/b"));
    }
    let ids = (0..n)
        .map(|i| {
            let img = fake(i, &format!("img-{i}.jpg"), Visibility::Private);
            lib.catalog()
                .insert_image(&img, &[], 0, "test", None)
                .expect("insert");
            img.id
        })
        .collect();
    let events = Collector::default();
    let core = Vitrine::new(Arc::new(lib), None, events.sink(), EngineOptions::default())
        .with_chunk_size(2);
    (core, events, ids)
}

fn everything() -> Selection {
    Selection::Query {
        query: ListQuery::default(),
        except: vec![],
    }
}

#[test]
fn a_bulk_visibility_change_queues_each_move_and_announces_once_per_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let (core, events, ids) = setup(dir.path(), 5, true);
    let queued = |core: &Vitrine| -> i64 {
        core.library()
            .catalog()
            .conn()
            .query_row(
                "SELECT count(*) FROM sync_queue WHERE kind = 'image'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    // The import queued the uploads; a visibility change re-queues (not duplicates) them.
    core.library()
        .catalog()
        .conn()
        .execute("DELETE FROM sync_queue", [])
        .unwrap();
    let sel = Selection::Query {
        query: ListQuery::default(),
        except: vec![ids[4].clone()],
    };
    let mut seen = Vec::new();
    let mut progress = Vec::new();
    let tally = core
        .set_visibility_many(&sel, Visibility::Public, &mut |items, p| {
            seen.extend(items.into_iter().map(|i| (i.id, i.status)));
            progress.push(p);
        })
        .unwrap();
    assert_eq!(tally.changed, 4);
    assert_eq!(
        seen,
        ids[..4]
            .iter()
            .map(|id| (id.clone(), ItemStatus::Changed))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        progress,
        vec![
            Progress { done: 2, total: 4 },
            Progress { done: 4, total: 4 }
        ]
    );
    assert_eq!(
        events.changes(),
        vec![ChangeReason::Edit, ChangeReason::Edit],
        "one announcement per chunk"
    );
    assert_eq!(queued(&core), 4, "a move queued for each changed image");
    let rec = core.library().catalog().get(&ids[0]).unwrap();
    assert_eq!(rec.remote_state.as_str(), "pending");
    assert_eq!(
        core.library().catalog().get(&ids[4]).unwrap().visibility,
        Visibility::Private,
        "the exception is left alone"
    );

    // Again: nothing changes, nothing is queued or announced.
    let tally = core
        .set_visibility_many(&sel, Visibility::Public, &mut |_, _| {})
        .unwrap();
    assert_eq!((tally.changed, tally.unchanged), (0, 4));
    assert_eq!(events.changes().len(), 2, "nothing new announced");
}

#[test]
fn unknown_ids_fail_alone_and_the_rest_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let (core, events, ids) = setup(dir.path(), 3, false);
    let sel = Selection::ids(&[ids[0].as_str(), "01NOSUCHIMAGE0000000000000", &ids[2]]);
    let mut items = Vec::new();
    let tally = core
        .remove_many(&sel, &mut |chunk, _| items.extend(chunk))
        .unwrap();
    assert_eq!((tally.removed, tally.failed), (2, 1));
    assert_eq!(items[1].status, ItemStatus::Error);
    assert_eq!(items[1].code(), Some(ErrorCode::NotFound));
    assert_eq!(items[1].id, "01NOSUCHIMAGE0000000000000");
    assert_eq!(
        events.changes(),
        vec![ChangeReason::Delete, ChangeReason::Delete],
        "each chunk that removed something"
    );
    let left = core
        .library()
        .catalog()
        .list(&ListQuery::default())
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, ids[1]);
    assert_eq!(core.library().catalog().tombstones().unwrap().len(), 2);

    // The one-id operations are the bulk ones' first item.
    let err = core.remove(&["nope".into()]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    let tags = core.edit_tags(&ids[1], &["a".into()], &[]).unwrap();
    assert_eq!(tags, vec!["a".to_string()]);
    assert_eq!(
        core.edit_tags("nope", &["a".into()], &[])
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn links_for_many_images_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (core, _events, ids) = setup(dir.path(), 3, true);
    core.set_visibility_many(
        &Selection::ids(&ids[..2]),
        Visibility::Public,
        &mut |_, _| {},
    )
    .unwrap();
    let mut links = Vec::new();
    let tally = core
        .links_many(
            &everything(),
            LinkFormat::Markdown,
            None,
            &mut |items, _| links.extend(items),
        )
        .unwrap();
    assert_eq!((tally.linked, tally.failed), (2, 1));
    for (i, item) in links.iter().enumerate().take(2) {
        let link = item.value.as_ref().unwrap();
        assert!(
            link.text
                .starts_with(&format!("![img-{i}.jpg](https://cdn.example/b/public/")),
            "{}",
            link.text
        );
    }
    assert_eq!(
        links[2].code(),
        Some(ErrorCode::LinkUnavailable),
        "a private image not in the bucket yet has no link, the others do: {:?}",
        links[2].error
    );
}

/// Waits (up to 10 s) for the `BulkJob` event that ends job `id`.
fn job_end(events: &Collector, id: i64) -> crate::catalog::BulkJob {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let end = events.events().into_iter().find_map(|e| match e {
            crate::events::Event::BulkJob(j)
                if j.id == id && j.state != crate::catalog::BulkJobState::Running =>
            {
                Some(j)
            }
            _ => None,
        });
        if let Some(j) = end {
            return j;
        }
        assert!(std::time::Instant::now() < deadline, "job {id} never ended");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_visibility_job_answers_after_its_first_chunk_and_finishes_in_the_background() {
    use crate::catalog::BulkJobState;
    let dir = tempfile::tempdir().unwrap();
    let (core, events, ids) = setup(dir.path(), 7, true);
    core.library()
        .catalog()
        .conn()
        .execute("DELETE FROM sync_queue", [])
        .unwrap();
    let job = core
        .start_visibility_job(&everything(), Visibility::Public)
        .unwrap();
    assert_eq!((job.total, job.done), (7, 2), "the first chunk is applied");
    assert_eq!(job.state, BulkJobState::Running);
    assert_eq!(
        core.library().catalog().get(&ids[6]).unwrap().visibility,
        Visibility::Public,
        "the newest image (first on screen) is public when the call returns"
    );

    let end = job_end(&events, job.id);
    assert_eq!(
        (end.state, end.done, end.changed),
        (BulkJobState::Done, 7, 7)
    );
    assert!(
        events.changes().contains(&ChangeReason::Edit),
        "the end is announced"
    );
    let public = core
        .library()
        .catalog()
        .count(&ListQuery {
            visibility: Some(Visibility::Public),
            ..ListQuery::default()
        })
        .unwrap();
    assert_eq!(public, 7);
    let queued: i64 = core
        .library()
        .catalog()
        .conn()
        .query_row(
            "SELECT count(*) FROM sync_queue WHERE kind = 'image'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(queued, 7, "a move queued for each image, durably");

    // Undo: every image back to private, in the background too.
    core.library()
        .catalog()
        .set_visibility(&ids[3], Visibility::Unlisted)
        .unwrap();
    let undo = core.undo_bulk_job(job.id).unwrap();
    let end = job_end(&events, undo.id);
    assert_eq!((end.state, end.changed), (BulkJobState::Done, 6));
    assert_eq!(
        core.library().catalog().get(&ids[0]).unwrap().visibility,
        Visibility::Private
    );
    assert_eq!(
        core.library().catalog().get(&ids[3]).unwrap().visibility,
        Visibility::Unlisted,
        "changed since the job: left alone"
    );
}

#[test]
fn a_job_left_running_by_a_killed_process_is_resumed() {
    use crate::catalog::BulkJobState;
    let dir = tempfile::tempdir().unwrap();
    let (core, events, _ids) = setup(dir.path(), 5, false);
    // Recorded and one chunk applied, then the process is gone.
    let id = {
        let mut cat = core.library().catalog();
        let job = cat
            .create_visibility_job(&everything(), Visibility::Unlisted)
            .unwrap();
        cat.bulk_job_step(job.id, 2).unwrap();
        job.id
    };
    assert_eq!(core.resume_bulk_jobs().unwrap(), 1);
    let end = job_end(&events, id);
    assert_eq!(
        (end.state, end.done, end.changed),
        (BulkJobState::Done, 5, 5)
    );
    assert_eq!(
        core.resume_bulk_jobs().unwrap(),
        0,
        "nothing left to resume"
    );
}
