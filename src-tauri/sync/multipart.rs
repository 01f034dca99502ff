//! Multipart uploads that survive the process: the upload id and every finished part are in
//! `sync_uploads`/`sync_parts` before the next step, so a new process resumes where a killed
//! one stopped, and aborts uploads nobody will finish.

use std::path::Path;

use super::jobs::Subject;
use super::{JobError, Run};
use crate::catalog::{Catalog, UploadState};
use crate::model::now_ms;
use crate::storage::{PutMeta, StorageError, UploadedPart};

/// Uploads `path` to `key` in parts, resuming a persisted upload of the same bytes.
pub(super) fn upload(
    run: &Run<'_>,
    cat: &mut Catalog,
    s: &Subject,
    key: &str,
    path: &Path,
    meta: &PutMeta,
) -> Result<(), JobError> {
    let storage = &run.remote.storage;
    for attempt in 0..2 {
        // A resumed upload may be unknown to the server by now (completed by the process that
        // died, expired, or aborted): some servers say NoSuchUpload, others AccessDenied.
        let mut resumed = false;
        let state = match cat.upload_state(&s.id)? {
            Some(st)
                if st.object_key == key && st.sha256 == meta.sha256 && st.upload_id.is_some() =>
            {
                resumed = true;
                st
            }
            stale => {
                if let Some(st) = stale {
                    // Best effort: an upload left behind costs storage, not correctness.
                    let _ = abort(run, &st);
                    cat.end_upload_state(&st.image_id)?;
                }
                let mut st = UploadState {
                    created_at: now_ms(),
                    image_id: s.id.clone(),
                    object_key: key.to_string(),
                    upload_id: None,
                    part_size: run.opts.part_size,
                    sha256: meta.sha256.clone(),
                };
                // Intent first: if we die before the id is stored, the next run aborts
                // whatever upload the server started for this key.
                cat.begin_upload_state(&st)?;
                let id = storage.multipart_begin(key, meta)?;
                cat.set_upload_id(&s.id, &id)?;
                st.upload_id = Some(id);
                st
            }
        };
        let upload_id = state.upload_id.clone().unwrap_or_default();
        let done: std::collections::HashMap<u32, String> =
            cat.upload_parts(&s.id)?.into_iter().collect();
        let part_size = state.part_size.max(1);
        let count = s.bytes.div_ceil(part_size).max(1) as u32;
        let mut parts = Vec::with_capacity(count as usize);
        let mut lost = false;
        for n in 1..=count {
            if run.stopped() {
                return Err(StorageError::transient("stopped").into());
            }
            if let Some(etag) = done.get(&n) {
                parts.push(UploadedPart {
                    number: n,
                    etag: etag.clone(),
                });
                continue;
            }
            let offset = (n as u64 - 1) * part_size;
            let len = part_size.min(s.bytes - offset);
            match storage.multipart_part(key, &upload_id, n, path, offset, len) {
                Ok(etag) => {
                    cat.add_upload_part(&s.id, n, &etag)?;
                    parts.push(UploadedPart { number: n, etag });
                }
                Err(e) if gone(&e, resumed) => {
                    lost = true;
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        if !lost {
            match storage.multipart_complete(key, &upload_id, &parts) {
                Ok(()) => {
                    cat.end_upload_state(&s.id)?;
                    return Ok(());
                }
                Err(e) => {
                    // A lost reply to a completion that happened: the object is there.
                    if let Ok(info) = storage.head(key) {
                        if info.sha256.as_deref() == Some(meta.sha256.as_str())
                            && info.size == s.bytes
                        {
                            cat.end_upload_state(&s.id)?;
                            return Ok(());
                        }
                    }
                    if !gone(&e, resumed) {
                        return Err(e.into());
                    }
                }
            }
        }
        // The server forgot the upload (expired or aborted): start over once.
        cat.end_upload_state(&s.id)?;
        if attempt == 1 {
            return Err(StorageError::transient(format!(
                "the server lost the multipart upload of {key}; will start over"
            ))
            .into());
        }
    }
    unreachable!("the loop returns")
}

/// Whether an error means the server no longer knows the upload.
fn gone(e: &StorageError, resumed: bool) -> bool {
    e.is_not_found() || (resumed && e.kind == crate::storage::ErrorKind::Auth)
}

/// Aborts a persisted upload; with no id stored, every unknown upload of its key.
fn abort(run: &Run<'_>, st: &UploadState) -> Result<(), StorageError> {
    let storage = &run.remote.storage;
    match &st.upload_id {
        Some(id) => storage.multipart_abort(&st.object_key, id),
        None => {
            // The process died while asking for an upload id: the server may still be
            // creating that upload. Give it a moment, then abort whatever it made.
            let age = now_ms() - st.created_at;
            if (0..2000).contains(&age) {
                std::thread::sleep(std::time::Duration::from_millis((2000 - age) as u64));
            }
            for u in storage.multipart_list(&st.object_key)? {
                if u.key == st.object_key {
                    storage.multipart_abort(&u.key, &u.upload_id)?;
                }
            }
            Ok(())
        }
    }
}

/// Before a run: abort uploads of images that are gone or moved elsewhere, and (once a day)
/// unknown uploads under our prefix older than a day.
pub(super) fn sweep(run: &Run<'_>) -> Result<(), JobError> {
    let cat = run.library.catalog_connection()?;
    for st in cat.all_upload_states()? {
        let live = super::jobs::subject(&cat, &st.image_id)?.is_some_and(|s| {
            run.remote
                .layout
                .original(crate::storage::Area::of(s.visibility), &s.sha256, &s.ext)
                == st.object_key
        });
        let (queued, claimed): (bool, bool) = cat
            .conn()
            .query_row(
                "SELECT count(*) > 0, count(owner) > 0 FROM sync_queue WHERE image_id = ?1",
                [&st.image_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(crate::error::Error::from)?;
        // Stale: its image is gone or wants another key, its job is done (the process died
        // after completing it), or the server never told us its id.
        if (!live || !queued || st.upload_id.is_none()) && !claimed {
            // Best effort (some servers cannot list or abort unknown uploads).
            let _ = abort(run, &st);
            cat.end_upload_state(&st.image_id)?;
        }
    }
    const DAY: i64 = 24 * 3600 * 1000;
    let last: i64 = cat
        .setting("sync.orphans_swept_at")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if now_ms() - last > DAY {
        let known: std::collections::HashSet<String> = cat
            .all_upload_states()?
            .into_iter()
            .filter_map(|s| s.upload_id)
            .collect();
        if let Ok(pending) = run
            .remote
            .storage
            .multipart_list(run.remote.layout.prefix())
        {
            for u in pending {
                let old = u.initiated_ms.is_some_and(|t| now_ms() - t > DAY);
                if old && !known.contains(&u.upload_id) {
                    let _ = run.remote.storage.multipart_abort(&u.key, &u.upload_id);
                }
            }
        }
        cat.set_setting("sync.orphans_swept_at", &now_ms().to_string())?;
    }
    Ok(())
}
