//! `vitrine fsck`: checks catalog ↔ originals ↔ thumbnails and, with `--repair`, mends what
//! can be mended. Files in `originals/` that no row knows are moved to `lost+found/`, never
//! deleted; missing managed originals are downloaded from the bucket when it has them, and
//! otherwise stay reported.

use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

use crate::catalog::FileRow;
use crate::error::{Error, Result};
use crate::library::{Library, ThumbMode};
use crate::model::Storage;
use crate::thumbs::{cache_key, ThumbSize};

#[derive(Debug, Clone, Serialize)]
pub struct MissingOriginal {
    pub id: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SizeMismatch {
    pub id: String,
    pub path: String,
    pub expected: u64,
    pub actual: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FsckReport {
    pub images: usize,
    pub catalog_errors: Vec<String>,
    pub thumbnail_cache_errors: Vec<String>,
    pub missing_originals: Vec<MissingOriginal>,
    pub size_mismatches: Vec<SizeMismatch>,
    pub orphan_originals: Vec<String>,
    pub missing_thumbnails: Vec<String>,
    pub orphan_thumbnails: usize,
    pub search_index_rows: i64,
    pub queued_jobs: usize,
    /// Managed originals that are only in the bucket (offloaded, or from another computer):
    /// not a problem; they are fetched when needed.
    pub offloaded: usize,
    /// Offloaded images whose file is still here (an offload interrupted before it removed
    /// it): not a problem; `--repair` keeps the file when its sha256 matches.
    pub offload_leftovers: Vec<String>,
    pub repaired: bool,
    /// What `--repair` did.
    pub actions: Vec<String>,
    /// Problems left after this run (0 = healthy).
    pub problems: usize,
}

pub fn fsck(lib: &Library, repair: bool) -> Result<FsckReport> {
    let mut r = check(lib)?;
    if !repair {
        r.problems = count(&r);
        return Ok(r);
    }
    let mut actions = Vec::new();
    if !r.orphan_originals.is_empty() {
        let lost = lib.root().join("lost+found");
        for rel in &r.orphan_originals {
            let from = lib.paths().originals.join(rel);
            let to = lost.join(rel.replace('/', "_"));
            std::fs::create_dir_all(&lost)
                .and_then(|_| std::fs::rename(&from, &to))
                .map_err(|e| Error::io(format!("moving {} to lost+found", from.display()), e))?;
        }
        actions.push(format!(
            "moved {} unknown file(s) from originals/ to lost+found/",
            r.orphan_originals.len()
        ));
    }
    if !r.missing_originals.is_empty() {
        // The bucket is the truth for the data: bring back what it has.
        let remote = crate::remote::open_active(&lib.catalog_connection()?, None);
        if let Ok(remote) = remote {
            let restored = r
                .missing_originals
                .iter()
                .filter(|m| crate::sync::fetch_original(lib, &remote, &m.id).is_ok())
                .count();
            actions.push(format!(
                "restored {restored} of {} missing original(s) from the bucket",
                r.missing_originals.len()
            ));
        }
    }
    if !r.offload_leftovers.is_empty() {
        let cat = lib.catalog_connection()?;
        let mut kept = 0;
        for id in &r.offload_leftovers {
            let rec = cat.get(id)?;
            let whole = std::fs::read(lib.original_path(&rec))
                .is_ok_and(|b| crate::import::sha256_hex(&b) == rec.sha256);
            if whole {
                cat.set_local(id, true)?;
                kept += 1;
            }
        }
        actions.push(format!(
            "kept {kept} original(s) an interrupted offload left behind"
        ));
    }
    if r.orphan_thumbnails > 0 {
        let cache = lib.thumb_cache()?;
        let expected = thumb_keys(&lib.catalog().all_files()?);
        let orphans: Vec<i64> = cache
            .keys()?
            .into_iter()
            .filter(|k| !expected.contains(k))
            .collect();
        cache.remove_keys(&orphans)?;
        actions.push(format!("removed {} orphan thumbnail(s)", orphans.len()));
    }
    let (rows, fts) = lib.catalog().fts_counts()?;
    if rows != fts {
        lib.catalog().rebuild_fts()?;
        actions.push(format!("rebuilt the search index ({rows} rows)"));
    }
    let recovered = lib.recover()?;
    if recovered.originals_finalized > 0 || recovered.temp_dirs_swept > 0 {
        actions.push(format!(
            "finished {} interrupted import(s), removed {} stale temp folder(s)",
            recovered.originals_finalized, recovered.temp_dirs_swept
        ));
    }
    if !r.missing_thumbnails.is_empty() || r.queued_jobs > 0 {
        let t = lib.make_thumbnails(ThumbMode::Missing, &|_, _| {})?;
        actions.push(format!(
            "rendered {} thumbnail(s), {} failed",
            t.rendered,
            t.failed.len()
        ));
    }
    let mut after = check(lib)?;
    after.repaired = true;
    after.actions = actions;
    after.problems = count(&after);
    Ok(after)
}

fn count(r: &FsckReport) -> usize {
    r.catalog_errors.len()
        + r.thumbnail_cache_errors.len()
        + r.missing_originals.len()
        + r.size_mismatches.len()
        + r.orphan_originals.len()
        + r.missing_thumbnails.len()
        + r.orphan_thumbnails
        + usize::from(r.search_index_rows != r.images as i64)
}

/// Every cache key the catalog's images may have (grid and preview of each).
fn thumb_keys(files: &[FileRow]) -> HashSet<i64> {
    files
        .iter()
        .flat_map(|f| ThumbSize::ALL.map(|s| cache_key(&f.sha256, s)))
        .collect()
}

fn check(lib: &Library) -> Result<FsckReport> {
    let catalog = lib.catalog();
    let mut r = FsckReport {
        catalog_errors: catalog.quick_check()?,
        ..FsckReport::default()
    };
    let cache = lib.thumb_cache()?;
    r.thumbnail_cache_errors = cache.quick_check()?;
    let files = catalog.all_files()?;
    r.images = files.len();
    r.search_index_rows = catalog.fts_counts()?.1;
    r.queued_jobs = catalog.thumb_jobs()?.len();
    drop(catalog);

    let mut known: HashSet<String> = HashSet::new();
    for f in &files {
        let full = match f.storage {
            Storage::Managed => {
                known.insert(f.path.clone());
                lib.paths().originals.join(&f.path)
            }
            Storage::Referenced => Path::new(&f.path).to_path_buf(),
        };
        if f.storage == Storage::Managed && !f.local {
            r.offloaded += 1;
            if full.is_file() {
                r.offload_leftovers.push(f.id.clone());
            }
            if !cache.has(&f.sha256, ThumbSize::Grid)? {
                r.missing_thumbnails.push(f.id.clone());
            }
            continue;
        }
        match std::fs::metadata(&full) {
            Ok(m) if m.len() != f.bytes => r.size_mismatches.push(SizeMismatch {
                id: f.id.clone(),
                path: full.display().to_string(),
                expected: f.bytes,
                actual: m.len(),
            }),
            Ok(_) => {}
            Err(_) => r.missing_originals.push(MissingOriginal {
                id: f.id.clone(),
                path: full.display().to_string(),
            }),
        }
        if !cache.has(&f.sha256, ThumbSize::Grid)? {
            r.missing_thumbnails.push(f.id.clone());
        }
    }
    let expected = thumb_keys(&files);
    r.orphan_thumbnails = cache
        .keys()?
        .iter()
        .filter(|k| !expected.contains(k))
        .count();
    let root = &lib.paths().originals;
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if !known.contains(&rel) {
            r.orphan_originals.push(rel);
        }
    }
    r.orphan_originals.sort();
    Ok(r)
}
