//! The library replicated through the bucket: every computer attached to one bucket and prefix
//! holds the same catalog, and a new computer restores it from the bucket alone.
//!
//! # How
//! - **Outbox.** Triggers (catalog schema 6) record every change to an image (import, tags,
//!   visibility, file name, delete, sources) in the same transaction as the change: the
//!   image's merge state (`replica_items`, `replica_tags`: clocks of a hybrid logical clock)
//!   and its content hash in the outbox (`replica_dirty`).
//! - **Push.** After a sync's uploads, the states of the images in the outbox go up as one
//!   *segment*: an immutable, gzip'd JSON object under `<prefix>/private/library/log/`, named
//!   `<time>-<library>-<number>.seg`. The first push of a library to a bucket writes its
//!   whole state as a *snapshot* (`.snap`); every [`COMPACT_EVERY`] segments it writes a new
//!   one and deletes its own segments older than [`RETENTION`].
//! - **Pull.** One LIST of the log starting after the last time seen (less [`MARGIN`], for
//!   clocks that differ and uploads in flight); objects already applied are known by key. A
//!   library seen for the first time (or with a gap in its segment numbers: it compacted them
//!   away while we were offline) is read from its newest snapshot, then its later segments.
//!   A restore is that with nothing seen yet: a snapshot per library and a short tail.
//! - **Merge.** States merge as a join (see [`state`]); applying the same object twice, or
//!   objects in any order, gives the same catalog. A pulled change is applied with
//!   `replica.applying` set, so it is not recorded in the outbox again.
//! - **Bad objects** (truncated, corrupt, newer format, hostile values, too large) are refused
//!   whole, remembered with their reason, reported, and never applied in part. A kill at any
//!   point is safe: an object and the record that it was applied commit together, and a
//!   segment is only taken out of the outbox after it landed (sent twice, it merges once).

pub mod format;
pub mod local;
pub mod state;
mod thumbs;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use crate::error::Result;
use crate::library::Library;
use crate::model::now_ms;
use crate::storage::{PutMeta, StorageError};
use crate::sync::Remote;
use format::{Kind, LogKey};
use state::ItemState;

/// How far before the last time seen a LIST starts (clock differences, slow uploads).
pub const MARGIN: Duration = Duration::from_secs(15 * 60);
/// A library writes a new snapshot after this many segments.
pub const COMPACT_EVERY: u64 = 200;
/// Segments and snapshots replaced by a newer snapshot stay this long (a computer offline for
/// longer reads the snapshot).
pub const RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);
fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// [`COMPACT_EVERY`], or `VITRINE_LOG_COMPACT_EVERY` (tests, and people who sync a lot).
fn compact_every() -> u64 {
    env_u64("VITRINE_LOG_COMPACT_EVERY")
        .unwrap_or(COMPACT_EVERY)
        .max(1)
}

/// [`RETENTION`], or `VITRINE_LOG_RETENTION_SECS`.
fn retention_ms() -> i64 {
    env_u64("VITRINE_LOG_RETENTION_SECS")
        .map(|s| s as i64 * 1000)
        .unwrap_or(RETENTION.as_millis() as i64)
}

/// Images applied per transaction.
const APPLY_CHUNK: usize = 1000;
/// Images per segment.
const SEGMENT_ITEMS: usize = 5000;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Refusal {
    pub key: String,
    pub reason: String,
}

/// What a pull did: images changed here by other computers' changes, and the log objects it
/// refused (with why).
pub struct Pulled {
    pub applied: u64,
    pub refused: Vec<Refusal>,
}

/// An error of the replica: the catalog's or the bucket's.
#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error(transparent)]
    Library(#[from] crate::error::Error),
    #[error("{0}")]
    Remote(#[from] StorageError),
}

impl From<rusqlite::Error> for ReplicaError {
    fn from(e: rusqlite::Error) -> Self {
        ReplicaError::Library(e.into())
    }
}

type RResult<T> = std::result::Result<T, ReplicaError>;

/// Which bucket (and prefix) the replica's bookkeeping is about: not the endpoint, which may
/// change for the same bucket.
fn identity(remote: &Remote) -> String {
    let row = &remote.row;
    format!(
        "{}:{}|{}",
        remote.storage.kind(),
        row.path.as_deref().unwrap_or(&row.bucket),
        remote.layout.prefix()
    )
}

/// Runs a bucket request again on transient errors (network, 5xx), backing off; the engine's
/// job retries do not cover the log's few requests.
fn retry<T>(mut f: impl FnMut() -> Result<T, StorageError>) -> Result<T, StorageError> {
    let attempts = env_u64("VITRINE_SYNC_ATTEMPTS").unwrap_or(8).clamp(1, 30);
    let base = env_u64("VITRINE_SYNC_BACKOFF_MS").unwrap_or(200);
    let mut n = 0;
    loop {
        match f() {
            Err(e) if e.kind == crate::storage::ErrorKind::Transient && n + 1 < attempts => {
                n += 1;
                log::info!("library log: retrying ({e})");
                std::thread::sleep(Duration::from_millis((base << n.min(5)).min(5000)));
            }
            other => return other,
        }
    }
}

/// Starts the bookkeeping afresh when the library was attached to another bucket: the
/// whole state goes up again as a snapshot, and the log is read from its start.
fn attach(library: &Library, remote: &Remote) -> Result<local::Replica> {
    let me = identity(remote);
    let cat = library.catalog_connection()?;
    let rep = local::replica(cat.conn())?;
    if rep.remote.as_deref() != Some(me.as_str()) {
        cat.conn().execute_batch(
            "BEGIN IMMEDIATE;
             DELETE FROM replica_seen; DELETE FROM replica_devices;
             DELETE FROM replica_thumbs_up;
             COMMIT;",
        )?;
        cat.conn().execute(
            "UPDATE replica SET remote = ?1, based = 0, watermark = 0",
            [&me],
        )?;
    }
    local::replica(cat.conn())
}

/// Fetches the grid thumbnails of images pulled from other computers.
pub fn fetch_thumbnails(library: &Library, remote: &Remote) {
    thumbs::fetch(library, remote);
}

/// Applies what other computers wrote since the last pull.
pub fn pull(library: &Library, remote: &Remote) -> RResult<Pulled> {
    let rep = attach(library, remote)?;
    let mut out = Pulled {
        applied: 0,
        refused: Vec::new(),
    };
    let full = rep.watermark == 0;
    if !pull_listing(library, remote, &rep, full, &mut out)? && !full {
        // A library we must read from its snapshot, which lies before the window.
        pull_listing(library, remote, &rep, true, &mut out)?;
    }
    Ok(out)
}

/// One LIST and what it brings; false when a snapshot was needed but not in this listing.
fn pull_listing(
    library: &Library,
    remote: &Remote,
    rep: &local::Replica,
    full: bool,
    out: &mut Pulled,
) -> RResult<bool> {
    let prefix = remote.layout.replica_log();
    let margin = MARGIN.as_millis() as i64;
    let after = (!full).then(|| format::start_after(&prefix, rep.watermark - margin));
    let listing = retry(|| remote.storage.list_after(&prefix, after.as_deref()))?;
    let mut newest = rep.watermark;
    let mut by_device: BTreeMap<String, Vec<(LogKey, u64)>> = BTreeMap::new();
    for obj in &listing {
        let Some(k) = format::parse_key(&prefix, &obj.key) else {
            continue;
        };
        newest = newest.max(k.time);
        if k.device != rep.device {
            by_device
                .entry(k.device.clone())
                .or_default()
                .push((k, obj.size));
        }
    }
    let mut complete = true;
    let mut cat = library.catalog_connection()?;
    for (device, mut objs) in by_device {
        let last: Option<u64> = cat
            .conn()
            .query_row(
                "SELECT last FROM replica_devices WHERE device = ?1",
                [&device],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .map(|n| n as u64);
        objs.sort_by_key(|(k, _)| (k.number, k.time));
        let mut segments: Vec<&(LogKey, u64)> = objs
            .iter()
            .filter(|(k, _)| k.kind == Kind::Segment && last.is_none_or(|l| k.number > l))
            .collect();
        let snapshot = objs
            .iter()
            .filter(|(k, _)| k.kind == Kind::Snapshot)
            .max_by_key(|(k, _)| (k.number, k.time));
        let gap = match last {
            None => true,
            Some(l) => segments.first().is_some_and(|(k, _)| k.number > l + 1),
        };
        if gap {
            match snapshot {
                Some(snap) if last.is_none_or(|l| snap.0.number >= l) => {
                    apply_object(library, &mut cat, remote, snap, out)?;
                    segments.retain(|(k, _)| k.number > snap.0.number);
                }
                Some(_) => {}
                None if !full => {
                    complete = false;
                    continue;
                }
                None => {}
            }
        }
        for seg in segments {
            apply_object(library, &mut cat, remote, seg, out)?;
        }
    }
    if complete {
        // Never past this computer's clock: a computer whose clock runs ahead names its objects
        // in the future, and a LIST from there would skip everyone else's.
        let newest = newest.min(now_ms());
        let keep_from = newest - 2 * margin;
        let tx = cat.write()?;
        tx.execute(
            "UPDATE replica SET watermark = max(watermark, ?1), pulled_at = ?2",
            params![newest, now_ms()],
        )?;
        tx.execute("DELETE FROM replica_seen WHERE at < ?1", [keep_from])?;
        tx.commit()?;
    }
    Ok(complete)
}

/// Reads and checks one log object whole, then applies it (or refuses it whole).
fn apply_object(
    library: &Library,
    cat: &mut crate::catalog::Catalog,
    remote: &Remote,
    (key, size): &(LogKey, u64),
    out: &mut Pulled,
) -> RResult<()> {
    let seen: Option<Option<String>> = cat
        .conn()
        .query_row(
            "SELECT error FROM replica_seen WHERE key = ?1",
            [&key.key],
            |r| r.get(0),
        )
        .optional()?;
    if seen.is_some() {
        return Ok(());
    }
    let body = if *size > format::MAX_OBJECT {
        Err(format::Refused::TooLarge(*size))
    } else {
        let bytes = match retry(|| remote.storage.get(&key.key)) {
            Ok(b) => b,
            // Compacted away since the LIST: its snapshot has it.
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        format::decode(&bytes, key)
    };
    if let Err(why) = &body {
        log::warn!("library log: refused {}: {why}", key.key);
        out.refused.push(Refusal {
            key: key.key.clone(),
            reason: format!("{} {why}", key.key),
        });
    }
    // A snapshot of a large library goes in chunks, each its own short transaction, so the
    // other writers (the app, the watcher) are never held up for long; the last one records
    // the object as applied. Killed part-way, it is applied again: merging is idempotent.
    let items = body.as_ref().map(|b| b.items.as_slice()).unwrap_or(&[]);
    let chunks: Vec<&[ItemState]> = if items.is_empty() {
        vec![&[]]
    } else {
        items.chunks(APPLY_CHUNK).collect()
    };
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.into_iter().enumerate() {
        let tx = cat.write()?;
        let mut applied = local::Applied::default();
        if !chunk.is_empty() {
            tx.execute("UPDATE replica SET applying = 1", [])?;
            let mut clock = 0;
            for item in chunk {
                local::apply(&tx, item, &remote.layout, &mut applied)?;
                clock = clock.max(item.max_clock());
            }
            tx.execute(
                "UPDATE replica SET applying = 0, clock = max(clock, ?1)",
                [clock],
            )?;
        }
        if i == last {
            // A crash here: nothing of this (one-chunk) object was applied.
            crate::failpoint::hit("replica:apply");
            tx.execute(
                "INSERT OR REPLACE INTO replica_seen (key, at, error) VALUES (?1, ?2, ?3)",
                params![
                    key.key,
                    key.time,
                    body.as_ref().err().map(|e| e.to_string())
                ],
            )?;
            tx.execute(
                "INSERT INTO replica_devices (device, last) VALUES (?1, ?2)
                 ON CONFLICT (device) DO UPDATE SET last = max(last, excluded.last)",
                params![key.device, key.number as i64],
            )?;
        }
        tx.commit()?;
        out.applied += applied.changed;
        remove_files(library, &applied.removed)?;
    }
    // A crash here: this object was applied and recorded, the ones after it were not.
    crate::failpoint::hit("replica:after-apply");
    Ok(())
}

/// The local files of images a delete from another computer removed.
fn remove_files(library: &Library, removed: &[crate::catalog::ImageRecord]) -> Result<()> {
    if removed.is_empty() {
        return Ok(());
    }
    let cache = library.thumb_cache()?;
    for record in removed {
        if record.local {
            if let Err(e) = library.remove_files(&cache, record) {
                log::warn!("removing the files of {}: {e}", record.id);
            }
        } else {
            let _ = cache.remove(&record.sha256);
        }
    }
    Ok(())
}

/// Sends this library's changes (its whole state the first time) to the log.
pub fn push(library: &Library, remote: &Remote) -> RResult<u64> {
    let rep = attach(library, remote)?;
    let pushed = if !rep.based && !authored_anything(library)? {
        // A library restored from the bucket (or an empty one) adds nothing the log does not
        // have: no snapshot of its own until it changes something.
        library
            .catalog_connection()?
            .conn()
            .execute("UPDATE replica SET based = 1, snapshot = segment", [])?;
        0
    } else if !rep.based {
        snapshot(library, remote)?
    } else {
        let mut n = 0;
        while let Some(sent) = segment(library, remote)? {
            n += sent;
        }
        let rep = local::replica(library.catalog_connection()?.conn())?;
        if rep.segment >= rep.snapshot + compact_every() {
            snapshot(library, remote)?;
        }
        n
    };
    thumbs::upload(library, remote);
    Ok(pushed)
}

/// Whether anything in this library's state was written here (not only pulled).
fn authored_anything(library: &Library) -> Result<bool> {
    let cat = library.catalog_connection()?;
    Ok(cat.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM replica_dirty)
             OR EXISTS (SELECT 1 FROM replica_items, replica r
                        WHERE added_by = r.device OR deleted_by = r.device
                           OR vis_by = r.device OR name_by = r.device)
             OR EXISTS (SELECT 1 FROM replica_tags, replica r WHERE by = r.device)",
        [],
        |r| r.get(0),
    )?)
}

fn put(remote: &Remote, key: &str, bytes: Vec<u8>) -> RResult<()> {
    let meta = PutMeta {
        content_type: "application/gzip".into(),
        cache_control: None,
        sha256: crate::import::sha256_hex(&bytes),
    };
    retry(|| remote.storage.put_bytes(key, bytes.clone(), &meta))?;
    Ok(())
}

/// The segment time: never behind anything this library has seen (its clock).
fn segment_time(clock: i64) -> i64 {
    now_ms().max(clock >> 16)
}

/// One segment of up to [`SEGMENT_ITEMS`] changed images; None when the outbox is empty.
fn segment(library: &Library, remote: &Remote) -> RResult<Option<u64>> {
    let mut cat = library.catalog_connection()?;
    let rows: Vec<(i64, String)> = cat
        .conn()
        .prepare("SELECT seq, sha256 FROM replica_dirty ORDER BY seq LIMIT ?1")?
        .query_map([SEGMENT_ITEMS as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let Some(max_seq) = rows.last().map(|r| r.0) else {
        return Ok(None);
    };
    let mut shas: Vec<String> = rows.into_iter().map(|r| r.1).collect();
    shas.sort();
    shas.dedup();
    let (items, with_meta) = read_states(&cat, &shas, false)?;
    let rep = local::replica(cat.conn())?;
    let number = rep.segment + 1;
    let key = format::key(
        &remote.layout.replica_log(),
        segment_time(rep.clock),
        &rep.device,
        number,
        Kind::Segment,
    );
    if !items.is_empty() {
        put(remote, &key, format::encode(&rep.device, number, &items))?;
        // A crash here: the segment landed and the outbox still lists it (sent again).
        crate::failpoint::hit("replica:after-put");
    }
    let tx = cat.write()?;
    tx.execute("DELETE FROM replica_dirty WHERE seq <= ?1", [max_seq])?;
    if !items.is_empty() {
        tx.execute("UPDATE replica SET segment = ?1", [number as i64])?;
    }
    mark_published(&tx, &with_meta)?;
    tx.commit()?;
    Ok(Some(items.len() as u64))
}

/// The states of these images; metadata for those never sent (or all, for a snapshot).
fn read_states(
    cat: &crate::catalog::Catalog,
    shas: &[String],
    all_meta: bool,
) -> Result<(Vec<ItemState>, Vec<String>)> {
    let mut items = Vec::with_capacity(shas.len());
    let mut with_meta = Vec::new();
    let mut published = cat
        .conn()
        .prepare_cached("SELECT published FROM replica_items WHERE sha256 = ?1")?;
    for sha in shas {
        let sent: bool = published
            .query_row([sha], |r| r.get(0))
            .optional()?
            .unwrap_or(true);
        if let Some(item) = local::read(cat.conn(), sha, all_meta || !sent)? {
            if item.meta.is_some() {
                with_meta.push(sha.clone());
            }
            items.push(item);
        }
    }
    Ok((items, with_meta))
}

fn mark_published(tx: &rusqlite::Transaction, shas: &[String]) -> Result<()> {
    let mut up = tx.prepare_cached("UPDATE replica_items SET published = 1 WHERE sha256 = ?1")?;
    // Only the thumbnails of images added here: those of images pulled from the bucket are
    // there already.
    let mut thumb = tx.prepare_cached(
        "INSERT OR IGNORE INTO replica_thumbs_up (sha256)
         SELECT sha256 FROM replica_items
         WHERE sha256 = ?1 AND added_by = (SELECT device FROM replica)",
    )?;
    for sha in shas {
        up.execute([sha])?;
        thumb.execute([sha])?;
    }
    Ok(())
}

/// Writes this library's whole state; its older segments and snapshots then go (after
/// [`RETENTION`]).
fn snapshot(library: &Library, remote: &Remote) -> RResult<u64> {
    let mut cat = library.catalog_connection()?;
    // The outbox first: every change it lists is in the states read after it.
    let max_seq: i64 =
        cat.conn()
            .query_row("SELECT coalesce(max(seq), 0) FROM replica_dirty", [], |r| {
                r.get(0)
            })?;
    let shas = local::all_shas(cat.conn())?;
    let (items, with_meta) = read_states(&cat, &shas, true)?;
    let rep = local::replica(cat.conn())?;
    let prefix = remote.layout.replica_log();
    let key = format::key(
        &prefix,
        segment_time(rep.clock),
        &rep.device,
        rep.segment,
        Kind::Snapshot,
    );
    put(
        remote,
        &key,
        format::encode(&rep.device, rep.segment, &items),
    )?;
    crate::failpoint::hit("replica:snapshot");
    let tx = cat.write()?;
    tx.execute("DELETE FROM replica_dirty WHERE seq <= ?1", [max_seq])?;
    tx.execute(
        "UPDATE replica SET based = 1, snapshot = ?1",
        [rep.segment as i64],
    )?;
    mark_published(&tx, &with_meta)?;
    tx.commit()?;
    compact(remote, &rep.device, &key)?;
    Ok(items.len() as u64)
}

/// Deletes this library's own log objects that its newest snapshot replaced, once they are
/// older than [`RETENTION`]; the newest two snapshots always stay.
fn compact(remote: &Remote, device: &str, newest: &str) -> RResult<()> {
    let prefix = remote.layout.replica_log();
    let Some(newest) = format::parse_key(&prefix, newest) else {
        return Ok(());
    };
    let cutoff = now_ms() - retention_ms();
    let mine: Vec<LogKey> = retry(|| remote.storage.list(&prefix))?
        .iter()
        .filter_map(|o| format::parse_key(&prefix, &o.key))
        .filter(|k| k.device == device)
        .collect();
    let mut snaps: Vec<&LogKey> = mine.iter().filter(|k| k.kind == Kind::Snapshot).collect();
    snaps.sort_by_key(|k| std::cmp::Reverse((k.number, k.time)));
    let keep: HashSet<&str> = snaps.iter().take(2).map(|k| k.key.as_str()).collect();
    for k in &mine {
        let replaced = match k.kind {
            Kind::Segment => k.number <= newest.number,
            Kind::Snapshot => !keep.contains(k.key.as_str()),
        };
        if replaced && k.time < cutoff && k.key != newest.key {
            retry(|| remote.storage.delete(&k.key))?;
            crate::failpoint::hit("replica:compact");
        }
    }
    Ok(())
}
