//! Free up space: managed originals whose bucket copy verifies *now* (a HEAD: size and the
//! sha256 Vitrine writes as metadata) leave this computer (`images.local = 0`); thumbnails and
//! previews stay in the cache. `fetch` brings them back, and anything that needs an original's
//! bytes (a preview, an export, "Reveal") fetches it on demand through [`EngineFetcher`], the
//! [`OriginalFetcher`] the service sets on the library.
//!
//! Crash safety: an offload marks the row first and removes the file after, so a process killed
//! in between leaves a whole file with `local = 0` (harmless: `fetch` and `fsck --repair` take
//! it back after checking its sha256); a fetch writes the file atomically first and marks the
//! row after, so a kill in between leaves the same harmless state.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::{Mutex, Weak};
use std::time::Duration;

use crate::catalog::{Catalog, Holding};
use crate::error::{Error, ErrorCode, Result};
use crate::library::{Library, OriginalFetcher};
use crate::model::{now_ms, RemoteState, Storage};
use crate::storage::Area;
use crate::sync::{Remote, SyncEngine};

/// Which originals to offload. Ids, or `all`, name the candidates (neither: every local
/// image); `older_than` keeps those not viewed for that long; `keep_under` goes least recently
/// viewed first and stops once the local managed originals take at most that many bytes.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub ids: Vec<String>,
    pub all: bool,
    pub older_than: Option<Duration>,
    pub keep_under: Option<u64>,
}

impl Request {
    fn check(&self) -> Result<()> {
        if !self.ids.is_empty() && self.all {
            return Err(Error::Invalid {
                what: "offload selection",
                value: "ids and --all".into(),
                hint: "give image ids or --all, not both",
            });
        }
        if self.ids.is_empty()
            && !self.all
            && self.older_than.is_none()
            && self.keep_under.is_none()
        {
            return Err(Error::Invalid {
                what: "offload selection",
                value: String::new(),
                hint: "give image ids, --all, --older-than DURATION or --keep-under SIZE",
            });
        }
        Ok(())
    }
}

/// What an offload did (`offload --json`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(
    feature = "gui",
    derive(ts_rs::TS),
    ts(export, rename = "OffloadSummary")
)]
pub struct Summary {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub offloaded: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub bytes_freed: u64,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(
    feature = "gui",
    derive(ts_rs::TS),
    ts(export, rename = "OffloadSkipped")
)]
pub struct Skipped {
    pub id: String,
    pub reason: String,
}

/// Why an image keeps its local original.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Skip {
    #[error("no such image")]
    NotFound,
    #[error("its original is a file Vitrine does not manage (imported in place or from a watched folder); only copies kept in the library are offloaded")]
    NotManaged,
    #[error("already offloaded: the original is only in the bucket")]
    AlreadyOffloaded,
    #[error("viewed in the last {0}")]
    RecentlyViewed(String),
    #[error("no remote is set up: there is no bucket copy to rely on")]
    NoRemote,
    #[error("not synced to the bucket yet ({0}): run a sync first")]
    NotSynced(RemoteState),
    #[error("the bucket has no object at {0}")]
    Missing(String),
    #[error("the bucket copy at {key} does not match the original (size {size} of {expected}, sha256 {sha256})")]
    Differs {
        key: String,
        size: u64,
        expected: u64,
        sha256: String,
    },
    #[error("the bucket holds only a public copy stripped of its location data ({0}), not the full original")]
    OnlyStripped(String),
    #[error("the bucket could not be checked: {0}")]
    Unreachable(String),
    #[error("the image changed while it was being checked; try again")]
    Changed,
    #[error("the local copy could not be removed: {0}")]
    Io(String),
}

/// Images verified at once (HEADs in flight), and how many are tried per round.
const VERIFY_WORKERS: usize = 8;
const BATCH: usize = 64;

/// Offloads what `req` selects. `remote`: the active remote (`None`: none is set up, and
/// every image is skipped).
pub fn offload(lib: &Library, remote: Option<&Remote>, req: &Request) -> Result<Summary> {
    req.check()?;
    let cat = lib.catalog_connection()?;
    let mut skipped = Vec::new();
    let mut skip = |id: &str, why: Skip| {
        skipped.push(Skipped {
            id: id.to_string(),
            reason: why.to_string(),
        })
    };
    let named = !req.ids.is_empty();
    let mut candidates: Vec<Holding> = Vec::new();
    if named {
        let mut seen = std::collections::HashSet::new();
        for id in &req.ids {
            match cat.holding(id)? {
                Some(h) if seen.insert(h.id.clone()) => candidates.push(h),
                Some(_) => {}
                None => skip(id, Skip::NotFound),
            }
        }
        candidates.sort_by_key(|h| h.viewed_ms);
    } else {
        candidates = cat.holdings(true)?;
    }
    if let Some(age) = req.older_than {
        let cutoff = now_ms() - age.as_millis().min(i64::MAX as u128) as i64;
        candidates.retain(|h| {
            let old = h.viewed_ms <= cutoff;
            if !old && named {
                skip(
                    &h.id,
                    Skip::RecentlyViewed(humantime::format_duration(age).to_string()),
                );
            }
            old
        });
    }
    let mut summary = Summary::default();
    let mut local_bytes = cat.local_managed_bytes()?;
    let mut rest = candidates.into_iter();
    loop {
        // The next few to try, least recently viewed first: with --keep-under, as many as
        // would bring the total under the limit if each went. Their HEADs run in parallel.
        let mut batch = Vec::new();
        let mut projected = local_bytes;
        while batch.len() < BATCH && req.keep_under.is_none_or(|limit| projected > limit) {
            let Some(h) = rest.next() else { break };
            if h.local && h.storage == Storage::Managed {
                projected = projected.saturating_sub(h.bytes);
            }
            batch.push(h);
        }
        if batch.is_empty() {
            break;
        }
        let results: Vec<Mutex<Option<std::result::Result<u64, Skip>>>> =
            batch.iter().map(|_| Mutex::new(None)).collect();
        let indexed: Vec<usize> = (0..batch.len()).collect();
        crate::parallel::for_each(
            &indexed,
            VERIFY_WORKERS,
            || lib.catalog_connection(),
            |cat, &i| {
                let r = offload_one(lib, cat, remote, &batch[i]);
                *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
            },
        )?;
        for (h, r) in batch.iter().zip(results) {
            match r.into_inner().unwrap_or_else(|p| p.into_inner()) {
                Some(Ok(freed)) => {
                    summary.offloaded += 1;
                    summary.bytes_freed += freed;
                    local_bytes = local_bytes.saturating_sub(h.bytes);
                }
                Some(Err(why)) => skip(&h.id, why),
                None => skip(&h.id, Skip::Changed),
            }
        }
    }
    summary.skipped = skipped;
    if summary.offloaded > 0 {
        log::info!(
            "offloaded {} original(s), {} bytes freed; {} kept",
            summary.offloaded,
            summary.bytes_freed,
            summary.skipped.len()
        );
    }
    Ok(summary)
}

/// One image: verify its bucket copy, mark it, remove the file. The bytes freed.
fn offload_one(
    lib: &Library,
    cat: &Catalog,
    remote: Option<&Remote>,
    h: &Holding,
) -> std::result::Result<u64, Skip> {
    if h.storage != Storage::Managed {
        return Err(Skip::NotManaged);
    }
    if !h.local {
        return Err(Skip::AlreadyOffloaded);
    }
    let remote = remote.ok_or(Skip::NoRemote)?;
    let key = match (&h.object_key, h.remote_state) {
        (Some(key), RemoteState::Synced) => key.clone(),
        (_, state) => return Err(Skip::NotSynced(state)),
    };
    verify(remote, &key, h)?;
    // The gallery keeps showing it: its grid thumbnail is made now if it was missing.
    if let Err(e) = lib.thumbnail(&h.id, crate::thumbs::ThumbSize::Grid) {
        log::warn!("offload: no grid thumbnail for {}: {e}", h.id);
    }
    let _hold = lib.hold_original(&h.sha256);
    let rec = cat.get(&h.id).map_err(|_| Skip::Changed)?;
    let path = lib.original_path(&rec);
    if !cat
        .mark_offloaded(&h.id, &key)
        .map_err(|e| Skip::Io(e.to_string()))?
    {
        return Err(Skip::Changed);
    }
    // A crash here leaves a whole file marked offloaded: `fetch` or `fsck --repair` keep it.
    if crate::failpoint::hit("offload:after-mark") {
        let _ = cat.set_local(&h.id, true);
        return Err(Skip::Io("injected failure".into()));
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(size),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => {
            let _ = cat.set_local(&h.id, true);
            Err(Skip::Io(format!("{}: {e}", path.display())))
        }
    }
}

/// The bucket holds the whole original: at `key`, or — for a public copy stripped of its
/// location data — at the private key beside it.
fn verify(remote: &Remote, key: &str, h: &Holding) -> std::result::Result<(), Skip> {
    let first = check_object(remote, key, h);
    if first.is_ok() || remote.layout.area_of(key) != Some(Area::Public) {
        return first;
    }
    let private = remote.layout.original(Area::Private, &h.sha256, &h.ext);
    check_object(remote, &private, h).map_err(|e| match (e, first) {
        // Written by Vitrine with other bytes: the copy stripped of GPS and serial numbers.
        (Skip::Missing(_), Err(Skip::Differs { key, sha256, .. })) if sha256 != "missing" => {
            Skip::OnlyStripped(key)
        }
        (Skip::Missing(_), first) => first.err().unwrap_or(Skip::Changed),
        (other, _) => other,
    })
}

fn check_object(remote: &Remote, key: &str, h: &Holding) -> std::result::Result<(), Skip> {
    match remote.storage.head(key) {
        Ok(info) if info.size == h.bytes && info.sha256.as_deref() == Some(h.sha256.as_str()) => {
            Ok(())
        }
        Ok(info) => Err(Skip::Differs {
            key: key.to_string(),
            size: info.size,
            expected: h.bytes,
            sha256: info.sha256.unwrap_or_else(|| "missing".into()),
        }),
        Err(e) if e.is_not_found() => Err(Skip::Missing(key.to_string())),
        Err(e) => Err(Skip::Unreachable(e.message)),
    }
}

// --- fetch ---------------------------------------------------------------------------------

/// What a fetch did (`fetch --json`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(
    feature = "gui",
    derive(ts_rs::TS),
    ts(export, rename = "FetchSummary")
)]
pub struct FetchSummary {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub fetched: u64,
    /// Bytes downloaded.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub bytes: u64,
    pub failed: Vec<FetchFailure>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct FetchFailure {
    pub id: String,
    pub error: String,
}

/// Downloads at once, at most.
const FETCH_WORKERS: usize = 4;

/// Brings originals back: `ids`, or (`all`) every managed original not on this computer.
/// Downloads run a few at a time; each is sha256-checked and marks its image local.
pub fn fetch(lib: &Library, remote: &Remote, ids: &[String], all: bool) -> Result<FetchSummary> {
    if ids.is_empty() != all {
        return Err(Error::Invalid {
            what: "fetch selection",
            value: String::new(),
            hint: "give image ids or --all (not both)",
        });
    }
    let targets: Vec<String> = if all {
        let cat = lib.catalog_connection()?;
        cat.holdings(false)?
            .into_iter()
            .filter(|h| h.storage == Storage::Managed)
            .map(|h| h.id)
            .collect()
    } else {
        ids.to_vec()
    };
    let summary = Mutex::new(FetchSummary::default());
    crate::parallel::for_each(
        &targets,
        FETCH_WORKERS,
        || Ok::<_, Error>(()),
        |_, id| {
            let result = fetch_one(lib, remote, id);
            let mut s = summary.lock().unwrap_or_else(|p| p.into_inner());
            match result {
                Ok(Some(bytes)) => {
                    s.fetched += 1;
                    s.bytes += bytes;
                }
                Ok(None) => {}
                Err(e) => s.failed.push(FetchFailure {
                    id: id.clone(),
                    error: e.to_string(),
                }),
            }
        },
    )?;
    let mut s = summary.into_inner().unwrap_or_else(|p| p.into_inner());
    s.failed.sort_by(|a, b| a.id.cmp(&b.id));
    if s.fetched > 0 {
        log::info!("fetched {} original(s), {} bytes", s.fetched, s.bytes);
    }
    Ok(s)
}

/// One original back into place, marked local: `Some(bytes downloaded)`, or `None` when it
/// already was on this computer.
pub fn fetch_one(lib: &Library, remote: &Remote, id: &str) -> Result<Option<u64>> {
    let cat = lib.catalog_connection()?;
    let sha256 = cat.get(id)?.sha256;
    // One fetch of an original at a time; the second caller finds it in place.
    let _hold = lib.hold_original(&sha256);
    let rec = cat.get(id)?;
    let path = lib.original_path(&rec);
    if path.is_file() {
        if rec.local {
            return Ok(None);
        }
        // Left behind by an interrupted offload: kept when it is whole.
        if std::fs::read(&path).is_ok_and(|b| crate::import::sha256_hex(&b) == rec.sha256) {
            cat.set_local(&rec.id, true)?;
            return Ok(Some(0));
        }
    }
    crate::sync::fetch_original(lib, remote, &rec.id).map_err(|e| match e.code() {
        ErrorCode::RemoteNotFound => Error::remote(
            ErrorCode::NotInBucket,
            format!(
                "the original of {} is not on this computer and the bucket has no copy of it ({e})",
                rec.id
            ),
        ),
        _ => e,
    })?;
    cat.set_local(&rec.id, true)?;
    Ok(Some(rec.bytes))
}

/// Fetches originals on demand through the sync engine's remote (set on the library by the
/// service; weak, so the library does not keep the engine alive).
pub struct EngineFetcher(pub Weak<SyncEngine>);

impl OriginalFetcher for EngineFetcher {
    fn fetch(&self, lib: &Library, id: &str) -> Result<PathBuf> {
        let no_remote = || {
            Error::remote(
                ErrorCode::NoRemote,
                format!("the original of {id} is missing on this computer, and no remote is set up to fetch it from"),
            )
        };
        let engine = self.0.upgrade().ok_or_else(no_remote)?;
        let remote = engine
            .remote(&lib.catalog_connection()?)
            .map_err(|e| match e.code() {
                ErrorCode::NoRemote => no_remote(),
                _ => e,
            })?;
        fetch_one(lib, &remote, id)?;
        let rec = lib.catalog_connection()?.get(id)?;
        Ok(lib.original_path(&rec))
    }
}

// --- the policy ----------------------------------------------------------------------------

/// Settings → Storage: which originals stay on this computer after each sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(tag = "keep", rename_all = "snake_case")]
pub enum KeepPolicy {
    /// Every original stays.
    #[default]
    All,
    /// Those viewed (or added) in the last `days` days.
    Viewed { days: u32 },
    /// The most recently viewed, up to `bytes`.
    Size {
        #[cfg_attr(feature = "gui", ts(type = "number"))]
        bytes: u64,
    },
}

const POLICY_KEY: &str = "storage.keep_originals";

impl KeepPolicy {
    pub fn load(cat: &Catalog) -> Result<KeepPolicy> {
        Ok(cat
            .setting(POLICY_KEY)?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    pub fn save(self, cat: &Catalog) -> Result<()> {
        let bad = |value: String| Error::Invalid {
            what: "originals to keep",
            value,
            hint: "keep at least one day's or one megabyte's worth",
        };
        match self {
            KeepPolicy::Viewed { days: 0 } => return Err(bad("0 days".into())),
            KeepPolicy::Size { bytes } if bytes < 1_000_000 => {
                return Err(bad(format!("{bytes} bytes")))
            }
            _ => {}
        }
        let json = serde_json::to_string(&self).map_err(|e| Error::Invalid {
            what: "originals to keep",
            value: e.to_string(),
            hint: "all, viewed or size",
        })?;
        cat.set_setting(POLICY_KEY, &json)
    }

    /// The offload this policy asks for, if any.
    fn request(self) -> Option<Request> {
        match self {
            KeepPolicy::All => None,
            KeepPolicy::Viewed { days } => Some(Request {
                older_than: Some(Duration::from_secs(u64::from(days) * 86_400)),
                ..Request::default()
            }),
            KeepPolicy::Size { bytes } => Some(Request {
                keep_under: Some(bytes),
                ..Request::default()
            }),
        }
    }
}

/// Applies Settings → Storage (after each sync): offloads, least recently viewed first, what
/// the policy does not keep.
pub fn apply_policy(lib: &Library, remote: &Remote) -> Result<Summary> {
    let policy = KeepPolicy::load(&lib.catalog_connection()?)?;
    match policy.request() {
        None => Ok(Summary::default()),
        Some(req) => offload(lib, Some(remote), &req),
    }
}

/// [`apply_policy`] at the end of a successful sync drain: an error is logged (the sync itself
/// went through). True when originals were offloaded (the library changed).
pub fn apply_policy_after_sync(lib: &Library, remote: &Remote) -> bool {
    match apply_policy(lib, remote) {
        Ok(s) => s.offloaded > 0,
        Err(e) => {
            log::warn!("keeping originals per Settings → Storage failed: {e}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_names_what_to_offload() {
        assert!(Request::default().check().is_err(), "nothing selected");
        let both = Request {
            ids: vec!["A".into()],
            all: true,
            ..Request::default()
        };
        assert!(both.check().is_err(), "ids and --all");
        let aged = Request {
            older_than: Some(Duration::from_secs(60)),
            ..Request::default()
        };
        assert!(aged.check().is_ok());
    }

    #[test]
    fn policies_round_trip_and_refuse_nonsense() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let cat = lib.catalog_connection().unwrap();
        assert_eq!(KeepPolicy::load(&cat).unwrap(), KeepPolicy::All, "default");
        KeepPolicy::Size {
            bytes: 10_000_000_000,
        }
        .save(&cat)
        .unwrap();
        assert_eq!(
            KeepPolicy::load(&cat).unwrap(),
            KeepPolicy::Size {
                bytes: 10_000_000_000
            }
        );
        assert!(KeepPolicy::Viewed { days: 0 }.save(&cat).is_err());
        assert_eq!(
            serde_json::to_value(KeepPolicy::Viewed { days: 30 }).unwrap(),
            serde_json::json!({"keep": "viewed", "days": 30})
        );
        assert!(KeepPolicy::All.request().is_none());
    }

    #[test]
    fn the_policy_offloads_after_a_sync_what_was_not_viewed_lately() {
        use crate::sync::engine_tests::{add_folder_remote, idle_and_empty, wait_for, Reports};
        use crate::sync::{EngineOptions, SyncEngine};
        use std::sync::Arc;

        let dir = tempfile::tempdir().unwrap();
        let (lib, _, id) = crate::testing::library_with_one_image(dir.path());
        add_folder_remote(&lib, &dir.path().join("bucket"), None);
        let cat = lib.catalog_connection().unwrap();
        KeepPolicy::Viewed { days: 7 }.save(&cat).unwrap();
        cat.conn()
            .execute(
                "UPDATE images SET accessed_at = ?1",
                [now_ms() - 8 * 86_400_000],
            )
            .unwrap();
        let path = lib.original_path(&cat.get(&id).unwrap());
        let lib = Arc::new(lib);
        let engine = SyncEngine::new(lib.clone(), None, EngineOptions::default());
        engine.start(Reports::default().sink());
        wait_for("the drain to end", || idle_and_empty(&engine));
        wait_for("the policy to offload it", || {
            !cat.get(&id).unwrap().local && !path.exists()
        });
        engine.shutdown(Duration::from_secs(5));
    }
}
