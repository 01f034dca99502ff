//! Publishing an album as one unlisted link: a static page in the remote's public area,
//! `<prefix>public/albums/<slug>/` (`index.html`, `album.json`, `images/<id>.<ext>` and
//! `thumbs/<id>.<jpg|webp>`), under a random slug nobody can guess. The images' copies are
//! stripped of location and serial numbers as public copies are (`sync::strip`), whatever the
//! images' own visibility, which publishing never changes.
//!
//! Crash-safe and idempotent: every object is recorded in `album_objects` before it is
//! written and marked done after, so a re-run after a kill skips what is done and removes what
//! is no longer wanted (another slug's objects, images taken out of the album). The page
//! (`album.json`, then `index.html`) is written after every image it names; old objects go
//! after the new page is up.

pub mod page;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::catalog::{Album, ImageRecord};
use crate::error::{Error, ErrorCode, Result};
use crate::library::Library;
use crate::model::{now_ms, rfc3339};
use crate::storage::keys::url_encode;
use crate::storage::{PutMeta, PUBLIC_CACHE_CONTROL};
use crate::sync::Remote;
use crate::thumbs::ThumbSize;
use page::PageImage;

/// What `album publish` prints and the app's `publish_album` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Published {
    /// The page: `<public-url>/<prefix>public/albums/<slug>/index.html`.
    pub url: String,
    /// How many images it shows.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub images: u64,
}

/// What `album unpublish` prints and the app's `unpublish_album` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Unpublished {
    pub name: String,
    /// Objects deleted from the remote.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub removed: u64,
}

/// The page and its JSON change on every publish: short caching.
const PAGE_CACHE_CONTROL: &str = "public, max-age=60";

/// 32 characters of `[0-9a-z]` (Crockford's base 32, lower case): 160 random bits.
pub fn new_slug() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut out = String::with_capacity(32);
    for _ in 0..2 {
        let mut bits = ulid::Ulid::new().random(); // 80 random bits
        for _ in 0..16 {
            out.push(ALPHABET[(bits & 31) as usize] as char);
            bits >>= 5;
        }
    }
    out
}

/// Publishes (or publishes again) the album `name` to `remote`. A new slug unless
/// `keep_slug` and the album has one; then its page is rewritten in place.
pub fn publish(lib: &Library, remote: &Remote, name: &str, keep_slug: bool) -> Result<Published> {
    let cat = lib.catalog_connection()?;
    let album = cat.album(name)?;
    if remote.row.public_url.is_none() {
        return Err(no_public_url(remote));
    }
    let slug = match (&album.slug, keep_slug) {
        (Some(s), true) => s.clone(),
        _ => new_slug(),
    };
    cat.set_album_slug(album.id, &slug)?;
    let dir = remote.layout.album_dir(&slug);
    let url = |key: &str| remote.public_url(key).unwrap_or_default();
    let recorded: HashMap<String, bool> = cat
        .album_objects(album.id)?
        .into_iter()
        .map(|o| (o.key, o.done))
        .collect();
    // Thumbnails already written under this slug, by image id (`thumbs/<id>.<ext>`).
    let thumbs_dir = format!("{dir}thumbs/");
    let done_thumbs: HashMap<&str, &str> = recorded
        .iter()
        .filter(|(_, done)| **done)
        .filter_map(|(k, _)| {
            let id = k.strip_prefix(&thumbs_dir)?.split('.').next()?;
            Some((id, k.as_str()))
        })
        .collect();
    let mut wanted: HashSet<String> = HashSet::new();
    let members = cat.album_images(album.id)?;
    let mut images = Vec::with_capacity(members.len());
    let cache = lib.thumb_cache()?;
    for rec in &members {
        // The image's copy.
        let rel = format!("images/{}.{}", rec.id, rec.ext);
        let key = format!("{dir}{rel}");
        if recorded.get(&key) != Some(&true) {
            let bytes = public_copy(lib, remote, rec, cat.is_sensitive(rec.seq)?)?;
            put(
                &cat,
                remote,
                album.id,
                &key,
                bytes,
                &rec.mime,
                PUBLIC_CACHE_CONTROL,
            )?;
        }
        wanted.insert(key.clone());
        // Its grid thumbnail (JPEG, or WebP for images with transparency).
        let thumb_key = match done_thumbs.get(rec.id.as_str()) {
            Some(k) => k.to_string(),
            None => {
                let (data, mime) = thumbnail(lib, &cache, remote, rec)?;
                let ext = if mime == "image/webp" { "webp" } else { "jpg" };
                let k = format!("{dir}thumbs/{}.{ext}", rec.id);
                put(
                    &cat,
                    remote,
                    album.id,
                    &k,
                    data,
                    &mime,
                    PUBLIC_CACHE_CONTROL,
                )?;
                k
            }
        };
        wanted.insert(thumb_key.clone());
        let (width, height) = if (5..=8).contains(&rec.orientation) {
            (rec.height, rec.width)
        } else {
            (rec.width, rec.height)
        };
        images.push(PageImage {
            id: rec.id.clone(),
            file_name: rec.filename.clone(),
            width,
            height,
            mime: rec.mime.clone(),
            path: url_encode(&rel),
            url: url(&key),
            thumbnail_path: url_encode(thumb_key.strip_prefix(&dir).unwrap_or(&thumb_key)),
            thumbnail_url: url(&thumb_key),
        });
    }
    // The page last: everything it names is in place.
    crate::failpoint::hit("album:before-page");
    let json_key = format!("{dir}album.json");
    let json = page::AlbumJson {
        version: 1,
        name: &album.name,
        published_at: rfc3339(now_ms()),
        images: &images,
    };
    let body = serde_json::to_vec_pretty(&json).expect("album.json serializes");
    put(
        &cat,
        remote,
        album.id,
        &json_key,
        body,
        "application/json",
        PAGE_CACHE_CONTROL,
    )?;
    wanted.insert(json_key);
    let page_key = format!("{dir}index.html");
    let html = page::index_html(&album.name, &images).into_bytes();
    put(
        &cat,
        remote,
        album.id,
        &page_key,
        html,
        "text/html; charset=utf-8",
        PAGE_CACHE_CONTROL,
    )?;
    wanted.insert(page_key.clone());
    let page_url = url(&page_key);
    cat.set_album_published(album.id, &page_url)?;
    // What the page no longer names: an earlier slug's objects, images taken out.
    let stale = cat
        .album_objects(album.id)?
        .into_iter()
        .filter(|o| !wanted.contains(&o.key));
    for o in stale {
        delete(remote, &o.key)?;
        cat.forget_album_object(album.id, &o.key)?;
    }
    log::info!("album published: {} images", images.len());
    Ok(Published {
        url: page_url,
        images: images.len() as u64,
    })
}

/// Deletes everything the album's publishing wrote (and anything else under its slug) and
/// clears its published state. Nothing published: nothing to do.
pub fn unpublish(lib: &Library, remote: &Remote, name: &str) -> Result<Unpublished> {
    let cat = lib.catalog_connection()?;
    let album = cat.album(name)?;
    let removed = remove_all(&cat, remote, &album)?;
    cat.clear_album_published(album.id)?;
    Ok(Unpublished {
        name: album.name,
        removed,
    })
}

fn remove_all(cat: &crate::catalog::Catalog, remote: &Remote, album: &Album) -> Result<u64> {
    let mut keys: Vec<String> = cat
        .album_objects(album.id)?
        .into_iter()
        .map(|o| o.key)
        .collect();
    if let Some(slug) = &album.slug {
        for o in remote.storage.list(&remote.layout.album_dir(slug))? {
            if !keys.contains(&o.key) {
                keys.push(o.key);
            }
        }
    }
    // The page goes first: nobody follows a link into a half-removed album.
    keys.sort_by_key(|k| (!k.ends_with("/index.html"), !k.ends_with("/album.json")));
    let mut removed = 0;
    for key in keys {
        if delete(remote, &key)? {
            removed += 1;
        }
        cat.forget_album_object(album.id, &key)?;
    }
    Ok(removed)
}

/// Records, writes, marks done.
fn put(
    cat: &crate::catalog::Catalog,
    remote: &Remote,
    album: i64,
    key: &str,
    bytes: Vec<u8>,
    mime: &str,
    cache_control: &str,
) -> Result<()> {
    let sha = crate::import::sha256_hex(&bytes);
    cat.album_object_intent(album, key)?;
    let meta = PutMeta {
        content_type: mime.to_string(),
        cache_control: Some(cache_control.to_string()),
        sha256: sha.clone(),
    };
    remote.storage.put_bytes(key, bytes, &meta)?;
    cat.album_object_done(album, key, &sha)?;
    Ok(())
}

/// Deletes `key`: true when it was there.
fn delete(remote: &Remote, key: &str) -> Result<bool> {
    match remote.storage.head(key) {
        Err(e) if e.is_not_found() => return Ok(false),
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    match remote.storage.delete(key) {
        Ok(()) => Ok(true),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The bytes the page serves: the original, stripped as a public copy is (location and
/// serial numbers) when the remote strips them.
fn public_copy(
    lib: &Library,
    remote: &Remote,
    rec: &ImageRecord,
    sensitive: bool,
) -> Result<Vec<u8>> {
    let bytes = original_bytes(lib, remote, rec)?;
    if !(sensitive && remote.row.strip_location) {
        return Ok(bytes);
    }
    crate::sync::strip::strip(&rec.format, &bytes).map_err(|e| {
        Error::remote(
            ErrorCode::Remote,
            format!("cannot publish {} ({}): {e}", rec.id, rec.filename),
        )
    })
}

/// The original's bytes: from this computer, or (offloaded, or imported on another computer)
/// from the bucket — the private original, else the image's own synced object. Never fetched
/// into place: publishing leaves the image where it is.
fn original_bytes(lib: &Library, remote: &Remote, rec: &ImageRecord) -> Result<Vec<u8>> {
    let path = lib.original_path(rec);
    if let Ok(b) = std::fs::read(&path) {
        if crate::import::sha256_hex(&b) == rec.sha256 {
            return Ok(b);
        }
        if rec.storage == crate::model::Storage::Referenced {
            return Err(Error::remote(
                ErrorCode::Remote,
                format!(
                    "{} changed since it was imported; import it again to publish the new version",
                    path.display()
                ),
            ));
        }
    }
    let private = remote
        .layout
        .original(crate::storage::Area::Private, &rec.sha256, &rec.ext);
    match remote.storage.get(&private) {
        Ok(b) if crate::import::sha256_hex(&b) == rec.sha256 => return Ok(b),
        Ok(_) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e.into()),
    }
    // A public image's synced object (maybe already stripped: stripping again changes nothing).
    if let Some(key) = rec.object_key.as_deref().filter(|k| *k != private) {
        match remote.storage.get(key) {
            Ok(b) => return Ok(b),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::remote(
        ErrorCode::NotInBucket,
        format!(
            "the original of {} ({}) is not on this computer and not in the bucket yet; sync the computer that has it, then publish again",
            rec.id, rec.filename
        ),
    ))
}

/// The grid thumbnail: from the cache, rendered from the original here, or the library's
/// copy in the bucket (pushed by the computer that has the original).
fn thumbnail(
    lib: &Library,
    cache: &crate::thumbs::ThumbCache,
    remote: &Remote,
    rec: &ImageRecord,
) -> Result<(Vec<u8>, String)> {
    if let Some(t) = cache.get(&rec.sha256, ThumbSize::Grid)? {
        return Ok((t.data, t.mime.to_string()));
    }
    if lib.original_path(rec).is_file()
        && lib.render_thumbs(rec, ThumbSize::Grid.bit(), cache).is_ok()
    {
        if let Some(t) = cache.get(&rec.sha256, ThumbSize::Grid)? {
            return Ok((t.data, t.mime.to_string()));
        }
    }
    let key = remote.layout.private_thumbnail(&rec.sha256);
    let info = remote.storage.head(&key);
    match (info, remote.storage.get(&key)) {
        (Ok(info), Ok(data)) => Ok((
            data,
            info.content_type
                .unwrap_or_else(|| "image/jpeg".to_string()),
        )),
        _ => {
            // Last resort: render from the bytes (fetched from the bucket if need be).
            let t = lib.thumbnail(&rec.id, ThumbSize::Grid)?;
            Ok((t.data, t.mime.to_string()))
        }
    }
}

fn no_public_url(remote: &Remote) -> Error {
    Error::remote(
        ErrorCode::NoPublicUrl,
        format!(
            "remote {:?} has no public URL, so a published album would have no address; add it again \
             with --public-url URL (the address that serves the bucket, e.g. a CDN or the bucket's \
             website), or set \"Public URL\" in the app's Settings → Bucket sync",
            remote.row.name
        ),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_long_url_safe_and_new_each_time() {
        let a = super::new_slug();
        let b = super::new_slug();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
        assert_ne!(a, b);
    }
}
