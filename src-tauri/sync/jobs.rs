//! The image and delete jobs.

use rusqlite::OptionalExtension;
use std::path::PathBuf;

use super::{multipart, strip, Did, JobError, Run, SyncEvent};
use crate::catalog::{Catalog, SyncJob};
use crate::model::{RemoteState, Storage as Kept, Visibility};
use crate::storage::{Area, ErrorKind, PutMeta, StorageError, PUBLIC_CACHE_CONTROL};
use crate::thumbs::ThumbSize;

/// What the engine needs to know about an image.
pub(super) struct Subject {
    pub id: String,
    pub sha256: String,
    pub ext: String,
    pub mime: String,
    pub bytes: u64,
    pub visibility: Visibility,
    pub object_key: Option<String>,
    pub sensitive: bool,
    pub storage: Kept,
    pub path: String,
    pub format: String,
    /// The original is on this computer (not: pulled from another one, or offloaded).
    pub local: bool,
}

pub(super) fn subject(cat: &Catalog, id: &str) -> Result<Option<Subject>, JobError> {
    Ok(cat
        .conn()
        .query_row(
            "SELECT id, sha256, ext, mime, bytes, visibility, object_key, has_gps OR has_serial,
                    storage, path, format, local
             FROM images WHERE id = ?1",
            [id],
            |r| {
                let vis: String = r.get(5)?;
                let storage: String = r.get(8)?;
                Ok(Subject {
                    id: r.get(0)?,
                    sha256: r.get(1)?,
                    ext: r.get(2)?,
                    mime: r.get(3)?,
                    bytes: r.get::<_, i64>(4)? as u64,
                    visibility: vis.parse().unwrap_or(Visibility::Private),
                    object_key: r.get(6)?,
                    sensitive: r.get(7)?,
                    storage: storage.parse().unwrap_or(Kept::Managed),
                    path: r.get(9)?,
                    format: r.get(10)?,
                    local: r.get(11)?,
                })
            },
        )
        .optional()?)
}

impl Run<'_> {
    fn original_path(&self, s: &Subject) -> PathBuf {
        match s.storage {
            Kept::Managed => self.library.paths().originals.join(&s.path),
            Kept::Referenced => PathBuf::from(&s.path),
        }
    }

    /// Public copies of images with GPS or serial numbers are stripped (unless opted out).
    fn strips(&self, s: &Subject, area: Area) -> bool {
        area == Area::Public && s.sensitive && self.remote.row.strip_location
    }
}

fn meta_for(area: Area, mime: &str, sha256: &str) -> PutMeta {
    PutMeta {
        content_type: mime.to_string(),
        cache_control: (area == Area::Public).then(|| PUBLIC_CACHE_CONTROL.to_string()),
        sha256: sha256.to_string(),
    }
}

/// After a write: the object must be there with our size and sha256.
fn verify(run: &Run<'_>, key: &str, size: u64, sha256: &str) -> Result<(), StorageError> {
    let info = run.remote.storage.head(key).map_err(|e| {
        if e.is_not_found() {
            StorageError::transient(format!("{key} is missing right after it was written"))
        } else {
            e
        }
    })?;
    if info.size != size || info.sha256.as_deref() != Some(sha256) {
        return Err(StorageError::transient(format!(
            "{key} did not verify after upload (size {} of {size}, sha256 {})",
            info.size,
            info.sha256.as_deref().unwrap_or("missing")
        )));
    }
    Ok(())
}

/// Is the object at `key` already what we would write?
fn already_there(run: &Run<'_>, key: &str, size: u64, sha256: &str) -> Result<bool, StorageError> {
    match run.remote.storage.head(key) {
        Ok(info) => Ok(info.size == size && info.sha256.as_deref() == Some(sha256)),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Brings an image's object to where its visibility wants it.
pub(super) fn image(run: &Run<'_>, cat: &mut Catalog, job: &SyncJob) -> Result<Did, JobError> {
    let id = job.image_id.as_deref().unwrap_or_default();
    let Some(s) = subject(cat, id)? else {
        cat.finish_sync_job(job)?;
        return Ok(Did::Nothing);
    };
    let area = Area::of(s.visibility);
    let layout = &run.remote.layout;
    let target = layout.original(area, &s.sha256, &s.ext);
    let strip = run.strips(&s, area);
    let storage = &run.remote.storage;

    // A file kept in place may have been edited since it was imported: never upload other
    // bytes under this image's sha256.
    if s.storage == Kept::Referenced && !already_there(run, &target, s.bytes, &s.sha256)? {
        let path = run.original_path(&s);
        let mut f = std::fs::File::open(&path).map_err(|e| missing(&s, run, e))?;
        let mut hasher = sha2::Sha256::default();
        std::io::copy(&mut f, &mut hasher).map_err(|e| missing(&s, run, e))?;
        let found: String = sha2::Digest::finalize(hasher)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if found != s.sha256 {
            return Err(StorageError::permanent(format!(
                "{} changed since it was imported; import it again to sync the new version",
                path.display()
            ))
            .into());
        }
    }
    // The bytes this area serves: the original, or a stripped copy.
    let stripped = if strip {
        let original = original_bytes(run, &s)?;
        Some(strip::strip(&s.format, &original).map_err(StorageError::permanent)?)
    } else {
        None
    };
    let (size, sha) = match &stripped {
        Some(b) => (b.len() as u64, crate::import::sha256_hex(b)),
        None => (s.bytes, s.sha256.clone()),
    };
    let meta = meta_for(area, &s.mime, &sha);

    let mut did = Did::Nothing;
    if !already_there(run, &target, size, &sha)? {
        let old = s.object_key.as_deref().filter(|k| *k != target);
        // The old object holds the original's bytes unless it is a stripped public copy.
        let old_is_original = old.is_some_and(|k| {
            !(layout.area_of(k) == Some(Area::Public)
                && s.sensitive
                && run.remote.row.strip_location)
        });
        let copied = match old {
            Some(from) if stripped.is_none() && old_is_original => {
                match storage.copy(from, &target, &meta) {
                    Ok(()) => true,
                    // The old object is gone (deleted by hand?): upload instead.
                    Err(e) if e.is_not_found() => false,
                    Err(e) => return Err(e.into()),
                }
            }
            _ => false,
        };
        // Not on this computer (pulled from another one): the bucket has it somewhere, maybe
        // moved already by the computer that changed it.
        let copied = copied
            || (!s.local && stripped.is_none() && copy_from_bucket(run, &s, &target, &meta)?);
        if copied {
            did = Did::Moved;
        } else if !s.local && stripped.is_none() {
            return Err(StorageError::transient(format!(
                "the original of {} is not on this computer and not in the bucket yet (the \
                 computer that imported it has not uploaded it)",
                s.id
            ))
            .into());
        } else {
            match stripped {
                Some(bytes) => storage.put_bytes(&target, bytes, &meta)?,
                None => {
                    let path = run.original_path(&s);
                    if !path.is_file() {
                        return Err(missing(&s, run, std::io::ErrorKind::NotFound.into()).into());
                    }
                    if s.bytes > run.opts.multipart_threshold {
                        multipart::upload(run, cat, &s, &target, &path, &meta)?;
                    } else {
                        storage.put_file(&target, &path, &meta)?;
                    }
                }
            }
            did = if old.is_some() {
                Did::Moved
            } else {
                Did::Uploaded
            };
        }
        verify(run, &target, size, &sha)?;
    } else if s.object_key.as_deref().is_some_and(|k| k != target) {
        did = Did::Moved;
    } else if s.object_key.is_none() && job.attempts > 0 {
        // An earlier attempt of this job wrote it but never heard back (a lost reply).
        did = Did::Uploaded;
    }

    if s.visibility == Visibility::Public {
        publish_thumbnail(run, &s)?;
    }
    // A multipart upload of this image that a killed process completed (or left open).
    if let Some(st) = cat.upload_state(&s.id)? {
        if let Some(id) = &st.upload_id {
            let _ = storage.multipart_abort(&st.object_key, id);
        }
        cat.end_upload_state(&s.id)?;
    }
    // The copy left behind goes, except the full private original of an image whose public
    // copy is stripped: the bucket keeps every original whole.
    let leftover = s
        .object_key
        .as_deref()
        .filter(|k| *k != target)
        .filter(|k| !(strip && layout.area_of(k) == Some(Area::Private)));
    let exists = cat.record_object(job, &s.id, &target, leftover)?;
    if exists {
        (run.on_event)(SyncEvent::Image {
            id: s.id.clone(),
            state: RemoteState::Synced,
            error: None,
        });
    }
    Ok(did)
}

/// Copies the original to `target` from wherever the bucket has it (either area); false when
/// it has it nowhere.
fn copy_from_bucket(
    run: &Run<'_>,
    s: &Subject,
    target: &str,
    meta: &PutMeta,
) -> Result<bool, StorageError> {
    let layout = &run.remote.layout;
    for area in [Area::Private, Area::Public] {
        let from = layout.original(area, &s.sha256, &s.ext);
        if from == target || !already_there(run, &from, s.bytes, &s.sha256)? {
            continue;
        }
        match run.remote.storage.copy(&from, target, meta) {
            Ok(()) => return Ok(true),
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// The original's bytes: from disk, or (not on this computer) the bucket's full copy.
fn original_bytes(run: &Run<'_>, s: &Subject) -> Result<Vec<u8>, StorageError> {
    match std::fs::read(run.original_path(s)) {
        Ok(b) => Ok(b),
        Err(e) if s.local => Err(missing(s, run, e)),
        Err(_) => {
            let key = run.remote.layout.original(Area::Private, &s.sha256, &s.ext);
            let bytes = run.remote.storage.get(&key).map_err(|e| {
                if e.is_not_found() {
                    StorageError::transient(format!(
                        "the original of {} is not on this computer and not in the bucket yet",
                        s.id
                    ))
                } else {
                    e
                }
            })?;
            if crate::import::sha256_hex(&bytes) != s.sha256 {
                return Err(StorageError::permanent(format!(
                    "the bucket's copy of {} at {key} is not the original",
                    s.id
                )));
            }
            Ok(bytes)
        }
    }
}

fn missing(s: &Subject, run: &Run<'_>, e: std::io::Error) -> StorageError {
    StorageError::new(
        ErrorKind::Permanent,
        format!(
            "the original of {} is not readable at {} ({e}); run `vitrine fsck`",
            s.id,
            run.original_path(s).display()
        ),
    )
}

/// The feed's thumbnail of a public image (small; written again only if missing).
fn publish_thumbnail(run: &Run<'_>, s: &Subject) -> Result<(), JobError> {
    let thumb = run.library.thumbnail(&s.id, ThumbSize::Grid)?;
    let key = run.remote.layout.thumbnail(&s.sha256);
    let sha = crate::import::sha256_hex(&thumb.data);
    if already_there(run, &key, thumb.data.len() as u64, &sha)? {
        return Ok(());
    }
    run.remote
        .storage
        .put_bytes(&key, thumb.data, &meta_for(Area::Public, thumb.mime, &sha))?;
    Ok(())
}

/// Removes an object: a removed image's goes to `trash/` first; a move's leftover just goes.
pub(super) fn delete(run: &Run<'_>, cat: &mut Catalog, job: &SyncJob) -> Result<Did, JobError> {
    let Some(key) = job.object_key.as_deref() else {
        cat.finish_sync_job(job)?;
        return Ok(Did::Nothing);
    };
    let layout = &run.remote.layout;
    let storage = &run.remote.storage;
    // A live image (the same content imported again) may have or want this very key.
    if let Some(sha) = job.sha256.as_deref() {
        if in_use(run, cat, sha, key)? {
            cat.finish_sync_job(job)?;
            return Ok(Did::Nothing);
        }
    }
    if job.trash {
        copy_to_trash(run, key)?;
    }
    storage.delete(key)?;
    // A removed image whose public copy was stripped also has its full original in private/.
    if job.trash && layout.area_of(key) == Some(Area::Public) {
        if let Some(twin) = private_twin(layout, key) {
            let in_use = match job.sha256.as_deref() {
                Some(sha) => in_use(run, cat, sha, &twin)?,
                None => false,
            };
            if !in_use && copy_to_trash(run, &twin)? {
                storage.delete(&twin)?;
            }
        }
    }
    if layout.area_of(key) == Some(Area::Public) {
        if let Some(sha) = job.sha256.as_deref() {
            let still_public: bool = cat
                .conn()
                .query_row(
                    "SELECT 1 FROM images WHERE sha256 = ?1 AND visibility = 'public'",
                    [sha],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !still_public {
                storage.delete(&layout.thumbnail(sha))?;
            }
        }
    }
    cat.finish_sync_job(job)?;
    Ok(if job.trash {
        Did::Deleted
    } else {
        Did::Nothing
    })
}

/// Copies an object to `trash/` with its content type and sha256; false when it is not there.
fn copy_to_trash(run: &Run<'_>, key: &str) -> Result<bool, JobError> {
    let storage = &run.remote.storage;
    let info = match storage.head(key) {
        Ok(info) => info,
        Err(e) if e.is_not_found() => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let meta = PutMeta {
        content_type: info
            .content_type
            .unwrap_or_else(|| "application/octet-stream".into()),
        cache_control: None,
        sha256: info.sha256.unwrap_or_default(),
    };
    storage.copy(key, &run.remote.layout.trash(key), &meta)?;
    Ok(true)
}

/// `<prefix>public/ab/x.jpg` → `<prefix>private/ab/x.jpg`.
pub(super) fn private_twin(layout: &crate::storage::KeyLayout, key: &str) -> Option<String> {
    let rest = key.strip_prefix(layout.prefix())?.strip_prefix("public/")?;
    (!rest.starts_with("thumbs/")).then(|| format!("{}private/{rest}", layout.prefix()))
}

/// Whether a live image with this content has or wants `key` (a stripped public image also
/// keeps its private original).
fn in_use(run: &Run<'_>, cat: &Catalog, sha256: &str, key: &str) -> Result<bool, JobError> {
    if !cat.sha_in_use(sha256)? {
        return Ok(false);
    }
    let (vis, ext, object_key, sensitive): (String, String, Option<String>, bool) = cat
        .conn()
        .query_row(
        "SELECT visibility, ext, object_key, has_gps OR has_serial FROM images WHERE sha256 = ?1",
        [sha256],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let layout = &run.remote.layout;
    let area = Area::of(vis.parse().unwrap_or(Visibility::Private));
    let wanted = layout.original(area, sha256, &ext);
    let keeps_private = area == Area::Public && sensitive && run.remote.row.strip_location;
    Ok(object_key.as_deref() == Some(key)
        || wanted == key
        || (keeps_private && layout.original(Area::Private, sha256, &ext) == key))
}
