//! Durable bulk jobs against a real catalog: recorded without changing anything, applied
//! newest first in chunks, bounded to the images there when recorded, resumed after the
//! process is gone, and undone exactly (later changes left alone, a running job stopped).

use crate::catalog::selection::tests::{catalog, fake, populate};
use crate::catalog::{BulkJobKind, BulkJobState, Catalog, ListQuery, Selection};
use crate::model::Visibility;

fn all_except(except: &[&str]) -> Selection {
    Selection::Query {
        query: ListQuery::default(),
        except: except.iter().map(|s| s.to_string()).collect(),
    }
}

fn visibility(cat: &Catalog, id: &str) -> Visibility {
    cat.get(id).unwrap().visibility
}

fn count(cat: &Catalog, v: Visibility) -> i64 {
    cat.conn()
        .query_row(
            "SELECT count(*) FROM images WHERE visibility = ?1",
            [v.as_str()],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_query_job_is_recorded_then_applied_newest_first_and_never_reaches_later_imports() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 1000);
    cat.set_visibility(&ids[10], Visibility::Public).unwrap();
    let job = cat
        .create_visibility_job(&all_except(&[&ids[999]]), Visibility::Public)
        .unwrap();
    assert_eq!(job.total, 999);
    assert_eq!(
        job.kind,
        BulkJobKind::Visibility {
            visibility: Visibility::Public
        }
    );
    assert_eq!(job.state, BulkJobState::Running);
    assert_eq!(
        count(&cat, Visibility::Public),
        1,
        "recording changes nothing"
    );
    assert_eq!(cat.running_bulk_jobs().unwrap(), vec![job.id]);

    // An image imported after the job was recorded is not part of it.
    let late = fake(5000, "late.jpg", Visibility::Private);
    cat.insert_image(&late, &[], 0, "test", None).unwrap();

    let first = cat.bulk_job_step(job.id, 100).unwrap();
    assert_eq!((first.done, first.changed), (100, 100));
    assert_eq!(
        visibility(&cat, &ids[998]),
        Visibility::Public,
        "newest first"
    );
    assert_eq!(visibility(&cat, &ids[899]), Visibility::Public);
    assert_eq!(
        visibility(&cat, &ids[898]),
        Visibility::Private,
        "not reached yet"
    );
    assert_eq!(visibility(&cat, &ids[999]), Visibility::Private, "excepted");

    let mut last = first;
    while last.state == BulkJobState::Running {
        last = cat.bulk_job_step(job.id, 100).unwrap();
    }
    assert_eq!(last.state, BulkJobState::Done);
    assert_eq!(last.done, 999);
    assert_eq!(last.changed, 998, "the one already public is not counted");
    assert_eq!(count(&cat, Visibility::Public), 999);
    assert_eq!(visibility(&cat, &late.id), Visibility::Private);
    assert_eq!(visibility(&cat, &ids[999]), Visibility::Private);
    assert!(cat.running_bulk_jobs().unwrap().is_empty());
    // A finished job stays finished.
    assert_eq!(cat.bulk_job_step(job.id, 100).unwrap(), last);
}

#[test]
fn an_id_job_counts_unknown_ids_as_failed() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 5);
    let sel = Selection::ids(&[ids[0].as_str(), "NOPE", &ids[3], &ids[0]]);
    let job = cat
        .create_visibility_job(&sel, Visibility::Unlisted)
        .unwrap();
    assert_eq!(job.total, 3, "an id given twice counts once");
    let mut j = job.clone();
    while j.state == BulkJobState::Running {
        j = cat.bulk_job_step(job.id, 2).unwrap();
    }
    assert_eq!((j.changed, j.failed), (2, 1));
    assert_eq!(visibility(&cat, &ids[0]), Visibility::Unlisted);
    assert_eq!(visibility(&cat, &ids[3]), Visibility::Unlisted);
    assert_eq!(visibility(&cat, &ids[1]), Visibility::Private);
}

#[test]
fn a_job_killed_half_way_is_resumed_by_the_next_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let (ids, job) = {
        let mut cat = Catalog::open(&path).unwrap();
        let ids = populate(&mut cat, 700);
        let job = cat
            .create_visibility_job(&all_except(&[]), Visibility::Public)
            .unwrap();
        cat.bulk_job_step(job.id, 300).unwrap();
        (ids, job.id)
        // dropped here: the process is gone with the job running
    };
    let mut cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.running_bulk_jobs().unwrap(), vec![job]);
    assert_eq!(count(&cat, Visibility::Public), 300);
    let mut j = cat.bulk_job(job).unwrap();
    assert_eq!(j.done, 300);
    while j.state == BulkJobState::Running {
        j = cat.bulk_job_step(job, 300).unwrap();
    }
    assert_eq!((j.done, j.changed), (700, 700));
    assert_eq!(count(&cat, Visibility::Public), 700);
    assert_eq!(visibility(&cat, &ids[0]), Visibility::Public);
}

#[test]
fn undo_puts_back_what_the_job_changed_and_leaves_later_changes_alone() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 30);
    cat.set_visibility(&ids[0], Visibility::Unlisted).unwrap();
    cat.set_visibility(&ids[1], Visibility::Public).unwrap();
    let job = cat
        .create_visibility_job(&all_except(&[]), Visibility::Public)
        .unwrap();
    while cat.bulk_job_step(job.id, 7).unwrap().state == BulkJobState::Running {}
    // Changed again after the job: the undo leaves it as the user set it last.
    cat.set_visibility(&ids[2], Visibility::Unlisted).unwrap();

    let undo = cat.create_revert_job(job.id).unwrap();
    assert_eq!(undo.kind, BulkJobKind::Revert { reverts: job.id });
    assert_eq!(undo.total, 29, "every image the job changed");
    let mut u = undo.clone();
    while u.state == BulkJobState::Running {
        u = cat.bulk_job_step(undo.id, 7).unwrap();
    }
    assert_eq!(u.changed, 28);
    assert_eq!(
        visibility(&cat, &ids[0]),
        Visibility::Unlisted,
        "as before the job"
    );
    assert_eq!(
        visibility(&cat, &ids[1]),
        Visibility::Public,
        "was public already"
    );
    assert_eq!(
        visibility(&cat, &ids[2]),
        Visibility::Unlisted,
        "changed since"
    );
    assert_eq!(count(&cat, Visibility::Private), 27);
    assert!(
        cat.create_revert_job(undo.id).is_err(),
        "an undo is not undone by another revert"
    );
}

#[test]
fn undo_of_a_running_job_stops_it_first() {
    let (_d, mut cat) = catalog();
    populate(&mut cat, 50);
    let job = cat
        .create_visibility_job(&all_except(&[]), Visibility::Public)
        .unwrap();
    cat.bulk_job_step(job.id, 20).unwrap();
    let undo = cat.create_revert_job(job.id).unwrap();
    assert_eq!(undo.total, 20);
    let stopped = cat.bulk_job(job.id).unwrap();
    assert_eq!(stopped.state, BulkJobState::Cancelled);
    assert_eq!(
        cat.bulk_job_step(job.id, 20).unwrap().done,
        20,
        "a cancelled job does nothing more"
    );
    assert_eq!(cat.running_bulk_jobs().unwrap(), vec![undo.id]);
    while cat.bulk_job_step(undo.id, 20).unwrap().state == BulkJobState::Running {}
    assert_eq!(count(&cat, Visibility::Public), 0);
}
