//! Select all + set visibility on 100,000 images (issue 16): what the app's selection bar runs
//! (`bulk_visibility` with a query selection: the core's chunked bulk action, one catalog
//! transaction per 500 images, the bucket moves queued durably by the catalog's triggers) vs the
//! same through `vitrine visibility ID public` once per image (a script without bulk actions),
//! timed on a sample of 200 images and scaled to the whole library, in the same run.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use vitrine::catalog::{ListQuery, Selection};
use vitrine::library::Library;
use vitrine::model::Visibility;
use vitrine::service::Vitrine;
use vitrine::sync::EngineOptions;

const N: usize = 100_000;
const SAMPLE: usize = 200;

fn queued(lib: &Library) -> i64 {
    lib.catalog_connection()
        .unwrap()
        .conn()
        .query_row("SELECT count(*) FROM sync_queue", [], |r| r.get(0))
        .unwrap()
}

pub fn run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    let lib = Arc::new(Library::open(&root).unwrap());
    {
        let mut cat = lib.catalog_connection().unwrap();
        crate::catalog::fill(&mut cat, N);
    }
    // A folder remote, every image already in it (its private key): making one public queues a move.
    let bucket = dir.path().join("bucket");
    crate::sync::vitrine(
        &root,
        &[
            "remote",
            "add",
            "home",
            "--provider",
            "folder",
            "--path",
            &bucket.display().to_string(),
        ],
    );
    lib.catalog_connection()
        .unwrap()
        .conn()
        .execute_batch(
            "UPDATE images SET remote_state = 'synced', object_key = 'private/' || id || '.jpg';
             DELETE FROM sync_queue;",
        )
        .unwrap();
    let before = queued(&lib);

    let core = Vitrine::new(
        lib.clone(),
        None,
        vitrine::events::discard(),
        EngineOptions::default(),
    );
    let all = Selection::Query {
        query: ListQuery::default(),
        except: Vec::new(),
    };
    // What the app's selection bar does: the job recorded and its first chunk (the newest
    // images) applied — the UI shows it done when this returns — then the rest in the background.
    let t = Instant::now();
    let job = core.start_visibility_job(&all, Visibility::Public).unwrap();
    let answer = t.elapsed();
    core.finish_bulk_jobs().unwrap();
    while core.bulk_job(job.id).unwrap().state == vitrine::catalog::BulkJobState::Running {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let bulk = t.elapsed();
    let end = core.bulk_job(job.id).unwrap();
    let moves = queued(&lib) - before;
    println!(
        "select all + public, {N} images: answer (job durable, first chunk applied) {:6.1} ms; \
         catalog change complete {:8.0} ms ({} changed, {} moves queued in sync_queue)",
        answer.as_secs_f64() * 1e3,
        bulk.as_secs_f64() * 1e3,
        end.changed,
        moves
    );
    // The anchor: one `vitrine visibility` per image (back to private), a sample scaled up.
    let ids: Vec<String> = lib
        .catalog()
        .list(&ListQuery {
            limit: Some(SAMPLE),
            ..ListQuery::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let t = Instant::now();
    for id in &ids {
        crate::sync::vitrine(&root, &["visibility", id, "private"]);
    }
    let per_image = t.elapsed() / ids.len() as u32;
    let scaled = per_image.as_secs_f64() * N as f64;
    println!(
        "vitrine visibility per image:          {:8.1} ms each → {:8.0} s for {N}",
        per_image.as_secs_f64() * 1e3,
        scaled
    );
    println!(
        "answer / per-image: {:.6}x; complete / per-image: {:.4}x",
        answer.as_secs_f64() / scaled,
        bulk.as_secs_f64() / scaled
    );
    let _ = Path::new(&root);
}
