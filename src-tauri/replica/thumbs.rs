//! Grid thumbnails through the bucket: this library's go up (private area) when their image's
//! metadata does; those of images pulled from other computers come down into the cache, so a
//! restored or second computer shows the whole gallery without downloading originals.
//!
//! Both are durable lists in the catalog (`replica_thumbs_up`, `replica_thumbs`) worked off
//! in parallel; what fails stays listed for the next sync.

use std::sync::Mutex;

use crate::library::Library;
use crate::storage::PutMeta;
use crate::sync::Remote;
use crate::thumbs::{Thumb, ThumbSize};

/// Parallel transfers of thumbnails (small objects: latency-bound).
const WORKERS: usize = 16;

fn list(library: &Library, table: &str) -> Vec<String> {
    let Ok(cat) = library.catalog_connection() else {
        return Vec::new();
    };
    let Ok(mut stmt) = cat.conn().prepare(&format!("SELECT sha256 FROM {table}")) else {
        return Vec::new();
    };
    stmt.query_map([], |r| r.get(0))
        .map(|rows| rows.filter_map(|r| r.ok()).collect())
        .unwrap_or_default()
}

fn done(library: &Library, table: &str, shas: &[String]) {
    let Ok(mut cat) = library.catalog_connection() else {
        return;
    };
    let Ok(tx) = cat.write() else {
        return;
    };
    if let Ok(mut stmt) = tx.prepare(&format!("DELETE FROM {table} WHERE sha256 = ?1")) {
        for sha in shas {
            let _ = stmt.execute([sha]);
        }
    }
    let _ = tx.commit();
}

/// Puts the grid thumbnails of images whose metadata went up.
pub fn upload(library: &Library, remote: &Remote) {
    let shas = list(library, "replica_thumbs_up");
    if shas.is_empty() {
        return;
    }
    let finished = Mutex::new(Vec::new());
    let _ = crate::parallel::for_each(
        &shas,
        WORKERS,
        || Ok::<_, crate::error::Error>((library.catalog_connection()?, library.thumb_cache()?)),
        |(cat, cache), sha| {
            let id: Option<(String, bool)> = cat
                .conn()
                .query_row(
                    "SELECT id, local FROM images WHERE sha256 = ?1",
                    [sha],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .ok();
            let Some((id, _)) = id else {
                // Removed since: nothing to show.
                finished.lock().unwrap().push(sha.clone());
                return;
            };
            let thumb = match library.thumbnail_with(cat, cache, &id, ThumbSize::Grid) {
                Ok(t) => t,
                Err(e) => {
                    log::debug!("no grid thumbnail of {id} to upload yet: {e}");
                    return;
                }
            };
            let meta = PutMeta {
                content_type: thumb.mime.to_string(),
                cache_control: None,
                sha256: crate::import::sha256_hex(&thumb.data),
            };
            match remote
                .storage
                .put_bytes(&remote.layout.private_thumbnail(sha), thumb.data, &meta)
            {
                Ok(()) => finished.lock().unwrap().push(sha.clone()),
                Err(e) => log::info!("uploading the thumbnail of {id}: {e}"),
            }
        },
    );
    done(
        library,
        "replica_thumbs_up",
        &finished.into_inner().unwrap(),
    );
}

/// Fetches the grid thumbnails of images pulled from other computers: the workers GET, one
/// writer stores them a few hundred per transaction (one write lock for many, instead of 16
/// connections taking turns for one row each).
pub fn fetch(library: &Library, remote: &Remote) {
    let mut shas = list(library, "replica_thumbs");
    if shas.is_empty() {
        return;
    }
    if let Ok(cache) = library.thumb_cache() {
        let (cached, missing): (Vec<String>, Vec<String>) = shas
            .into_iter()
            .partition(|sha| cache.has(sha, ThumbSize::Grid).unwrap_or(false));
        done(library, "replica_thumbs", &cached);
        shas = missing;
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<(String, Option<Thumb>)>(WORKERS * 4);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            let Ok(cache) = library.thumb_cache() else {
                return;
            };
            let mut batch: Vec<(String, Thumb)> = Vec::new();
            let mut finished: Vec<String> = Vec::new();
            let flush = |batch: &mut Vec<(String, Thumb)>, finished: &mut Vec<String>| {
                if !batch.is_empty() && cache.put_many(ThumbSize::Grid, batch).is_ok() {
                    finished.extend(batch.iter().map(|(s, _)| s.clone()));
                }
                batch.clear();
                done(library, "replica_thumbs", finished);
                finished.clear();
            };
            for (sha, thumb) in rx {
                match thumb {
                    Some(t) => batch.push((sha, t)),
                    // Not an image: the gallery renders it when it can instead.
                    None => finished.push(sha),
                }
                if batch.len() >= 256 {
                    flush(&mut batch, &mut finished);
                }
            }
            flush(&mut batch, &mut finished);
        });
        let _ = crate::parallel::for_each(
            &shas,
            WORKERS,
            || Ok::<_, ()>(tx.clone()),
            |tx, sha| {
                let storage = &remote.storage;
                let got = storage
                    .get(&remote.layout.private_thumbnail(sha))
                    .or_else(|_| storage.get(&remote.layout.thumbnail(sha)));
                let Ok(data) = got else {
                    return;
                };
                let thumb = thumb_of(data);
                if thumb.is_none() {
                    log::warn!(
                        "the bucket's thumbnail of {sha} is not an image; rendering instead"
                    );
                }
                let _ = tx.send((sha.clone(), thumb));
            },
        );
        drop(tx);
        let _ = writer.join();
    });
}

/// A thumbnail's kind and size from its bytes (JPEG or WebP, as Vitrine writes them).
fn thumb_of(data: Vec<u8>) -> Option<Thumb> {
    let format = image::guess_format(&data).ok()?;
    let mime = match format {
        image::ImageFormat::Jpeg => "image/jpeg",
        image::ImageFormat::WebP => "image/webp",
        image::ImageFormat::Png => "image/png",
        _ => return None,
    };
    let (width, height) = image::ImageReader::with_format(std::io::Cursor::new(&data), format)
        .into_dimensions()
        .ok()?;
    if width > 4096 || height > 4096 {
        return None;
    }
    Some(Thumb {
        mime,
        width,
        height,
        data,
    })
}
