//! The public feed (`<prefix>/public/feed.json` + a static `index.html`) and the trash purge.

use serde::Serialize;

use super::{Did, JobError, Run};
use crate::catalog::{Catalog, SyncJob};
use crate::model::{now_ms, rfc3339};
use crate::storage::keys::url_encode;
use crate::storage::{Area, PutMeta};

#[derive(Serialize)]
struct FeedItem {
    id: String,
    /// Relative to feed.json (always works) and absolute when a public URL is set.
    path: String,
    url: Option<String>,
    thumbnail_path: String,
    thumbnail_url: Option<String>,
    width: u32,
    height: u32,
    bytes: u64,
    mime: String,
    title: String,
    prompt: Option<String>,
    tags: Vec<String>,
    created_at: String,
}

#[derive(Serialize)]
struct Feed {
    version: u32,
    generated_at: String,
    items: Vec<FeedItem>,
}

const INDEX_HTML: &str = include_str!("feed_index.html");

/// Rebuilds feed.json from the catalog's public, synced images (newest first).
pub(super) fn publish(run: &Run<'_>, cat: &mut Catalog, job: &SyncJob) -> Result<Did, JobError> {
    let layout = &run.remote.layout;
    let mut stmt = cat.conn().prepare(
        "SELECT i.id, i.sha256, i.object_key, i.width, i.height, i.bytes, i.mime, i.filename,
                i.prompt, i.created_at,
                (SELECT group_concat(t.name, char(31)) FROM image_tags it JOIN tags t ON t.id = it.tag_id
                 WHERE it.image_seq = i.seq)
         FROM images i
         WHERE i.visibility = 'public' AND i.remote_state = 'synced' AND i.object_key IS NOT NULL
         ORDER BY i.created_at DESC, i.seq DESC",
    )?;
    let public_dir = format!("{}public/", layout.prefix());
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, u32>(3)?,
            r.get::<_, u32>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, Option<String>>(8)?,
            r.get::<_, i64>(9)?,
            r.get::<_, Option<String>>(10)?,
        ))
    })?;
    let mut items = Vec::new();
    for row in rows {
        let (id, sha, key, width, height, bytes, mime, filename, prompt, created, tags) = row?;
        if layout.area_of(&key) != Some(Area::Public) {
            continue;
        }
        let thumb_key = layout.thumbnail(&sha);
        let rel = |k: &str| url_encode(k.strip_prefix(&public_dir).unwrap_or(k));
        items.push(FeedItem {
            path: rel(&key),
            url: run.remote.public_url(&key),
            thumbnail_path: rel(&thumb_key),
            thumbnail_url: run.remote.public_url(&thumb_key),
            width,
            height,
            bytes: bytes as u64,
            mime,
            title: prompt
                .as_deref()
                .map(|p| {
                    let mut t = p.to_string();
                    crate::model::truncate_utf8(&mut t, 140);
                    t
                })
                .unwrap_or(filename),
            prompt,
            tags: tags
                .map(|t| t.split('\u{1f}').map(str::to_string).collect())
                .unwrap_or_default(),
            created_at: rfc3339(created),
            id,
        });
    }
    drop(stmt);
    let feed = Feed {
        version: 1,
        generated_at: rfc3339(now_ms()),
        items,
    };
    let body = serde_json::to_vec_pretty(&feed).expect("feed serializes");
    let meta = |mime: &str, body: &[u8]| PutMeta {
        content_type: mime.to_string(),
        cache_control: Some("public, max-age=60".into()),
        sha256: crate::import::sha256_hex(body),
    };
    let storage = &run.remote.storage;
    let m = meta("application/json", &body);
    storage.put_bytes(&layout.feed(), body, &m)?;
    let page = INDEX_HTML.as_bytes().to_vec();
    let m = meta("text/html; charset=utf-8", &page);
    storage.put_bytes(&layout.feed_page(), page, &m)?;
    cat.finish_sync_job(job)?;
    Ok(Did::Nothing)
}

/// Deletes trashed objects older than 30 days (at most once a day; failures wait a day).
pub(super) fn purge_trash(run: &Run<'_>) -> Result<(), JobError> {
    const DAY: i64 = 24 * 3600 * 1000;
    let cat = run.library.catalog_connection()?;
    let last: i64 = cat
        .setting("sync.trash_purged_at")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if now_ms() - last < DAY {
        return Ok(());
    }
    cat.set_setting("sync.trash_purged_at", &now_ms().to_string())?;
    let cutoff = now_ms() - 30 * DAY;
    for obj in run.remote.storage.list(&run.remote.layout.trash_prefix())? {
        if obj.modified_ms.is_some_and(|t| t < cutoff) {
            run.remote.storage.delete(&obj.key)?;
        }
    }
    Ok(())
}
