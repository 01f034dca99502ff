//! `Library`: the facade the CLI and the app use. Owns the folder layout, the per-process
//! workspace and a catalog connection; opens one connection per worker thread.
//!
//! ```text
//! <library>/catalog.db     SQLite catalog (WAL)
//! <library>/thumbs.db      thumbnail cache
//! <library>/originals/     managed originals, ab/cd/<sha256>.<ext>
//! <library>/tmp/<token>/   per-process temp files (locked while the process lives)
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use crate::catalog::{Catalog, ImageRecord};
use crate::error::{Error, Result};
use crate::import::sniff::{sniff, Format, Sniffed};
use crate::import::{self, Blob, ImportEvent, ImportOptions, Outcome};
use crate::model::Storage;
use crate::thumbs::{self, Thumb, ThumbCache, ThumbSize};
use crate::workspace::Workspace;

/// Env var that overrides the default library location.
pub const LIBRARY_ENV: &str = "VITRINE_LIBRARY";

#[derive(Debug, Clone)]
pub struct LibraryPaths {
    pub root: PathBuf,
    pub catalog: PathBuf,
    pub thumbs: PathBuf,
    pub originals: PathBuf,
    pub tmp: PathBuf,
}

impl LibraryPaths {
    pub fn new(root: &Path) -> Self {
        LibraryPaths {
            root: root.to_path_buf(),
            catalog: root.join("catalog.db"),
            thumbs: root.join("thumbs.db"),
            originals: root.join("originals"),
            tmp: root.join("tmp"),
        }
    }
}

/// The OS data dir: `$XDG_DATA_HOME/vitrine` on Linux, `~/Library/Application Support/Vitrine`
/// on macOS, `%APPDATA%\Vitrine` on Windows.
pub fn default_root() -> Result<PathBuf> {
    let base = directories::BaseDirs::new().ok_or_else(|| Error::Invalid {
        what: "home directory",
        value: String::new(),
        hint: "set HOME, or pass --library DIR / VITRINE_LIBRARY",
    })?;
    let name = if cfg!(any(target_os = "macos", windows)) {
        "Vitrine"
    } else {
        "vitrine"
    };
    Ok(base.data_dir().join(name))
}

/// Logs an import batch: its counts, each failure, or why the whole batch failed.
fn log_import(what: &str, inputs: usize, r: Result<Vec<Outcome>>) -> Result<Vec<Outcome>> {
    match &r {
        Ok(outcomes) => {
            let t = import::Tally::of(outcomes);
            log::info!(
                "{what}: {inputs} input(s), {} file(s): {} imported, {} duplicate(s), {} failed",
                outcomes.len(),
                t.imported,
                t.duplicates,
                t.failed
            );
            for o in outcomes
                .iter()
                .filter(|o| o.status == import::Status::Error)
            {
                log::warn!(
                    "{what}: {}: {}",
                    o.input,
                    o.error.as_deref().unwrap_or("failed")
                );
            }
        }
        Err(e) => log::error!("{what} failed: {}", crate::logging::error_chain(e)),
    }
    r
}

/// What `recover` did on open.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Recovery {
    pub originals_finalized: usize,
    pub thumbnails_made: usize,
    pub jobs_failed: usize,
    pub temp_dirs_swept: usize,
}

/// Brings back an original that is not on this computer. The library knows no remote; the
/// service sets one of these (`offload::EngineFetcher`) so that a preview, an export or
/// "Reveal" of an offloaded image fetches it first.
pub trait OriginalFetcher: Send + Sync {
    /// Puts the original of `id` back in place (and marks it local); returns its path.
    fn fetch(&self, library: &Library, id: &str) -> Result<PathBuf>;
}

pub struct Library {
    paths: LibraryPaths,
    workspace: Workspace,
    catalog: Mutex<Catalog>,
    fetcher: RwLock<Option<Arc<dyn OriginalFetcher>>>,
    holds: crate::originals::Holds,
}

/// Automatic recovery gives up on a job after this many failed attempts (fsck/thumbs retry it).
const AUTO_ATTEMPTS: u32 = 3;

impl Library {
    /// Opens (creating on first use) the library at `root`, migrates the catalog, and finishes
    /// work a crashed process left behind.
    pub fn open(root: &Path) -> Result<Self> {
        let lib = Self::open_without_recovery(root)?;
        let recovery = lib.recover()?;
        log::info!("library opened at {}", root.display());
        if recovery.originals_finalized + recovery.thumbnails_made + recovery.jobs_failed > 0 {
            log::info!("recovered unfinished work: {recovery:?}");
        }
        Ok(lib)
    }

    /// Opens without touching leftover work (fsck reports it before repairing).
    pub fn open_without_recovery(root: &Path) -> Result<Self> {
        let paths = LibraryPaths::new(root);
        let io = |e| Error::LibraryIo {
            path: root.to_path_buf(),
            source: e,
        };
        std::fs::create_dir_all(&paths.originals).map_err(io)?;
        // Create the cache file now so readers never race its creation; beside the catalog,
        // as the two are separate files (a new library's two schemas are made at once).
        let (catalog, thumbs) = std::thread::scope(|s| {
            let thumbs = s.spawn(|| ThumbCache::open(&paths.thumbs).map(drop));
            let catalog = Catalog::open(&paths.catalog);
            let thumbs = thumbs
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (catalog, thumbs)
        });
        let catalog = catalog?;
        thumbs?;
        let workspace = Workspace::create(&paths.tmp).map_err(io)?;
        Ok(Library {
            paths,
            workspace,
            catalog: Mutex::new(catalog),
            fetcher: RwLock::new(None),
            holds: Default::default(),
        })
    }

    pub fn paths(&self) -> &LibraryPaths {
        &self.paths
    }

    pub fn root(&self) -> &Path {
        &self.paths.root
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The shared connection (for quick reads and single writes from one thread).
    pub fn catalog(&self) -> MutexGuard<'_, Catalog> {
        self.catalog.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new connection for a worker thread.
    pub fn catalog_connection(&self) -> Result<Catalog> {
        self.catalog().reopen()
    }

    pub fn thumb_cache(&self) -> Result<ThumbCache> {
        ThumbCache::open(&self.paths.thumbs)
    }

    /// Where the original of an image is on disk.
    pub fn original_path(&self, record: &ImageRecord) -> PathBuf {
        match record.storage {
            Storage::Managed => self.paths.originals.join(&record.path),
            Storage::Referenced => PathBuf::from(&record.path),
        }
    }

    /// Sets what brings back originals that are not on this computer.
    pub fn set_original_fetcher(&self, fetcher: Arc<dyn OriginalFetcher>) {
        *self.fetcher.write().unwrap_or_else(|p| p.into_inner()) = Some(fetcher);
    }

    /// The original's path, fetched from the bucket first when a managed original is not on
    /// this computer (offloaded, pulled from another computer, or lost). Without a fetcher an
    /// offloaded image is an error that says so; a missing local file is left to the reader.
    pub fn ensure_original(&self, record: &ImageRecord) -> Result<PathBuf> {
        let path = self.original_path(record);
        if record.storage != Storage::Managed || path.is_file() {
            return Ok(path);
        }
        let fetcher = self
            .fetcher
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match fetcher {
            Some(f) => f.fetch(self, &record.id),
            None if !record.local => Err(Error::remote(
                crate::error::ErrorCode::NoRemote,
                format!(
                    "the original of {} is missing on this computer (offloaded to the bucket), and nothing here can fetch it",
                    record.id
                ),
            )),
            None => Ok(path),
        }
    }

    /// Holds one original (by sha256) against concurrent fetches and offloads in this process.
    pub fn hold_original(&self, sha256: &str) -> crate::originals::Hold<'_> {
        self.holds.hold(sha256)
    }

    /// Imports files, folders and URLs. `on_event` sees each outcome as it lands.
    pub fn import(
        &self,
        inputs: &[String],
        opts: &ImportOptions,
        on_event: &(dyn Fn(ImportEvent) + Sync),
    ) -> Result<Vec<Outcome>> {
        log_import(
            "import",
            inputs.len(),
            import::import_inputs(self, inputs, opts, on_event),
        )
    }

    /// Imports in-memory images (paste, dropped image data).
    pub fn import_blobs(
        &self,
        blobs: &[Blob],
        opts: &ImportOptions,
        on_event: &(dyn Fn(ImportEvent) + Sync),
    ) -> Result<Vec<Outcome>> {
        log_import(
            "import of pasted images",
            blobs.len(),
            import::import_blobs(self, blobs, opts, on_event),
        )
    }

    /// Finishes jobs whose owner process is gone (renames originals into place, makes
    /// thumbnails), then sweeps dead processes' temp folders.
    pub fn recover(&self) -> Result<Recovery> {
        let mut report = Recovery::default();
        let jobs = self.catalog().thumb_jobs()?;
        let me = self.workspace.token().to_string();
        let mut thumbs_cache = None;
        for job in jobs {
            if job
                .owner
                .as_deref()
                .is_some_and(|o| self.workspace.is_alive(o))
            {
                continue;
            }
            if job.attempts >= AUTO_ATTEMPTS && job.original_tmp.is_none() {
                continue;
            }
            if !self
                .catalog()
                .claim_thumb_job(job.seq, job.owner.as_deref(), &me)?
            {
                continue;
            }
            let record = self.catalog().get_by_seq(job.seq)?;
            if let Some(tmp) = &job.original_tmp {
                let tmp = self.paths.root.join(tmp);
                let target = self.original_path(&record);
                if tmp.exists() {
                    crate::originals::commit_temp(&tmp, &target)
                        .map_err(|e| Error::io(format!("finishing {}", target.display()), e))?;
                    report.originals_finalized += 1;
                }
                self.catalog().clear_original_tmp(job.seq)?;
            }
            if thumbs_cache.is_none() {
                thumbs_cache = Some(self.thumb_cache()?);
            }
            let cache = thumbs_cache.as_ref().expect("opened above");
            match self.render_thumbs(&record, job.sizes, cache) {
                Ok(()) => {
                    self.catalog().finish_thumb_job(job.seq)?;
                    report.thumbnails_made += 1;
                }
                Err(e) => {
                    self.catalog().fail_thumb_job(job.seq, &e.to_string())?;
                    report.jobs_failed += 1;
                }
            }
        }
        report.temp_dirs_swept = self.workspace.sweep();
        Ok(report)
    }

    /// Decodes the original once and caches the requested sizes. Background work: an original
    /// that is not on this computer is not fetched for it (see [`Library::view_thumbnail_with`]).
    pub fn render_thumbs(&self, record: &ImageRecord, sizes: u8, cache: &ThumbCache) -> Result<()> {
        self.render(record, sizes, cache, false)
    }

    /// `fetch`: an original that is not on this computer is fetched from the bucket first.
    fn render(
        &self,
        record: &ImageRecord,
        sizes: u8,
        cache: &ThumbCache,
        fetch: bool,
    ) -> Result<()> {
        let fail = |reason: String| Error::Thumbnail {
            id: record.id.clone(),
            reason,
        };
        let path = if fetch {
            self.ensure_original(record)?
        } else if !record.local && !self.original_path(record).is_file() {
            return Err(fail(
                "the original is not on this computer (it is in the bucket)".into(),
            ));
        } else {
            self.original_path(record)
        };
        let bytes = std::fs::read(&path)
            .map_err(|e| fail(format!("cannot read the original {}: {e}", path.display())))?;
        let format = original_format(record, &bytes).map_err(fail)?;
        let largest = ThumbSize::in_mask(sizes)
            .map(ThumbSize::long_edge)
            .max()
            .unwrap_or(ThumbSize::Grid.long_edge());
        let decoded = thumbs::decode(&bytes, format, largest, &recheck_limits(record))
            .map_err(|e| fail(e.to_string()))?;
        let icc = crate::import::icc_profile(format, &bytes);
        for size in ThumbSize::in_mask(sizes) {
            let thumb = thumbs::render(
                &decoded,
                size.long_edge(),
                record.orientation,
                icc.as_deref(),
                size.quality(),
            )
            .map_err(fail)?;
            cache.put(&record.sha256, size, &thumb)?;
        }
        Ok(())
    }

    /// The original as a web view can show it (the app's "original size"): its own bytes and
    /// MIME type for what web views display (see [`Format::web_displayable`]); for HEIC, AVIF,
    /// JPEG XL, TIFF and TGA a full-size rendering, upright and in sRGB (JPEG, or lossless WebP
    /// when there is alpha), made on each request and not cached. An original that is not on
    /// this computer is fetched from the bucket first.
    pub fn viewable_original(&self, record: &ImageRecord) -> Result<(String, Vec<u8>)> {
        let path = self.ensure_original(record)?;
        let bytes = std::fs::read(&path).map_err(|e| Error::io(path.display().to_string(), e))?;
        let fail = |reason: String| Error::Thumbnail {
            id: record.id.clone(),
            reason,
        };
        let format = original_format(record, &bytes).map_err(fail)?;
        if format.web_displayable() {
            return Ok((record.mime.clone(), bytes));
        }
        let decoded = thumbs::decode(&bytes, format, u32::MAX, &recheck_limits(record))
            .map_err(|e| fail(e.to_string()))?;
        let icc = crate::import::icc_profile(format, &bytes);
        let long_edge = decoded.width.max(decoded.height);
        let full = thumbs::render(&decoded, long_edge, record.orientation, icc.as_deref(), 90)
            .map_err(fail)?;
        Ok((full.mime.to_string(), full.data))
    }

    /// A thumbnail from the cache, rendered (and cached) on first request; an original that is
    /// not on this computer is fetched from the bucket to render it.
    pub fn thumbnail(&self, id: &str, size: ThumbSize) -> Result<Thumb> {
        let record = self.catalog().get(id)?;
        self.thumbnail_of(&record, size, &self.thumb_cache()?, true)
    }

    /// A thumbnail someone is looking at (the app's `vitrine://` protocol), with the caller's
    /// own connections: like [`Library::thumbnail_with`], and an original that is not on this
    /// computer is fetched from the bucket to render it (a preview of an offloaded image).
    pub fn view_thumbnail_with(
        &self,
        catalog: &Catalog,
        cache: &ThumbCache,
        id: &str,
        size: ThumbSize,
    ) -> Result<Thumb> {
        let record = catalog.get(id)?;
        self.thumbnail_of(&record, size, cache, true)
    }

    /// [`Library::thumbnail`] with the caller's own connections (a server thread keeps its own,
    /// so requests never wait on the shared one), for background work: an original that is not
    /// on this computer is not fetched for it.
    pub fn thumbnail_with(
        &self,
        catalog: &Catalog,
        cache: &ThumbCache,
        id: &str,
        size: ThumbSize,
    ) -> Result<Thumb> {
        let record = catalog.get(id)?;
        self.thumbnail_of(&record, size, cache, false)
    }

    fn thumbnail_of(
        &self,
        record: &ImageRecord,
        size: ThumbSize,
        cache: &ThumbCache,
        fetch: bool,
    ) -> Result<Thumb> {
        if let Some(t) = cache.get(&record.sha256, size)? {
            return Ok(t);
        }
        self.render(record, size.bit(), cache, fetch)?;
        cache
            .get(&record.sha256, size)?
            .ok_or_else(|| Error::Thumbnail {
                id: record.id.clone(),
                reason: "rendered but not cached".into(),
            })
    }

    /// Removes an image: catalog row (a tombstone stays), managed original and thumbnails.
    pub fn remove(&self, id: &str) -> Result<ImageRecord> {
        self.remove_with(id, true)
    }

    /// Removes an image from the library but leaves its objects in the bucket.
    pub fn forget(&self, id: &str) -> Result<ImageRecord> {
        self.remove_with(id, false)
    }

    fn remove_with(&self, id: &str, delete_remote: bool) -> Result<ImageRecord> {
        let record = if delete_remote {
            self.catalog().remove(id)?
        } else {
            self.catalog().forget(id)?
        };
        let cache = self.thumb_cache()?;
        self.remove_files(&cache, &record)?;
        Ok(record)
    }

    /// After its row is gone: a removed image's managed original and its thumbnails.
    pub fn remove_files(&self, cache: &ThumbCache, record: &ImageRecord) -> Result<()> {
        if record.storage == Storage::Managed {
            let path = self.original_path(record);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(format!("removing {}", path.display()), e)),
            }
        }
        cache.remove(&record.sha256)?;
        Ok(())
    }
}

/// The import pipeline writes into the library through this (it never names `Library`).
impl import::Destination for Library {
    fn root(&self) -> &Path {
        &self.paths.root
    }

    fn originals(&self) -> &Path {
        &self.paths.originals
    }

    fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    fn catalog_connection(&self) -> Result<Catalog> {
        Library::catalog_connection(self)
    }

    fn thumb_cache(&self) -> Result<ThumbCache> {
        Library::thumb_cache(self)
    }
}

/// Which thumbnails `make_thumbnails` renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThumbMode {
    /// Queued jobs (any owner that is gone, any attempts) and images without a grid thumbnail.
    Missing,
    /// Grid and preview for every image, replacing what is cached.
    All,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ThumbReport {
    pub checked: usize,
    pub rendered: usize,
    pub failed: Vec<ThumbFailure>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ThumbFailure {
    pub id: String,
    pub error: String,
}

impl Library {
    /// Renders thumbnails on every core; `progress(done, total)` after each image.
    pub fn make_thumbnails(
        &self,
        mode: ThumbMode,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ThumbReport> {
        let me = self.workspace.token().to_string();
        let records: Vec<ImageRecord> = {
            let catalog = self.catalog();
            let all = catalog.list(&crate::catalog::ListQuery::default())?;
            match mode {
                // Offloaded originals are not fetched back just to render again.
                ThumbMode::All => all
                    .into_iter()
                    .filter(|r| r.local || r.storage != Storage::Managed)
                    .collect(),
                ThumbMode::Missing => {
                    let cache = self.thumb_cache()?;
                    let queued: std::collections::HashSet<i64> = catalog
                        .thumb_jobs()?
                        .into_iter()
                        .filter(|j| {
                            !j.owner
                                .as_deref()
                                .is_some_and(|o| o != me && self.workspace.is_alive(o))
                        })
                        .map(|j| j.seq)
                        .collect();
                    let mut todo = Vec::new();
                    for r in all {
                        if queued.contains(&r.seq) || !cache.has(&r.sha256, ThumbSize::Grid)? {
                            todo.push(r);
                        }
                    }
                    todo
                }
            }
        };
        let sizes = match mode {
            ThumbMode::All => ThumbSize::Grid.bit() | ThumbSize::Preview.bit(),
            ThumbMode::Missing => ThumbSize::Grid.bit(),
        };
        let total = records.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let report = Mutex::new(ThumbReport {
            checked: total,
            ..ThumbReport::default()
        });
        crate::parallel::for_each(
            &records,
            crate::parallel::threads(0),
            || Ok::<_, Error>((self.catalog_connection()?, self.thumb_cache()?)),
            |(catalog, cache), record| {
                let _ = catalog.queue_thumb_job(record.seq, sizes, &me);
                let result = self.render_thumbs(record, sizes, cache);
                let mut rep = report.lock().unwrap_or_else(|p| p.into_inner());
                match result {
                    Ok(()) => {
                        let _ = catalog.finish_thumb_job(record.seq);
                        rep.rendered += 1;
                    }
                    Err(e) => {
                        let _ = catalog.fail_thumb_job(record.seq, &e.to_string());
                        rep.failed.push(ThumbFailure {
                            id: record.id.clone(),
                            error: e.to_string(),
                        });
                    }
                }
                drop(rep);
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(n, total);
            },
        )?;
        Ok(report.into_inner().unwrap_or_else(|p| p.into_inner()))
    }
}

/// The format an original decodes as: what its bytes sniff as, else the format recorded at
/// import (a camera RAW taken as a TIFF before RAWs were named still renders as it did).
fn original_format(record: &ImageRecord, bytes: &[u8]) -> std::result::Result<Format, String> {
    let gone = || "the original is no longer a readable image".to_string();
    match sniff(bytes) {
        Sniffed::Image(format) => Ok(format),
        Sniffed::Unsupported(_) => Format::from_name(&record.format).ok_or_else(gone),
        Sniffed::NotImage(_) => Err(gone()),
    }
}

/// The pixel cap was checked at import; checking it again guards referenced files.
fn recheck_limits(record: &ImageRecord) -> thumbs::Limits {
    thumbs::Limits {
        max_pixels: import::DEFAULT_MAX_PIXELS.max(record.width as u64 * record.height as u64),
    }
}
