//! `vitrine watch …`: folders whose images are cataloged and synced by themselves.

use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::output::{Bar, Out};
use crate::catalog::{FolderOptions, ScanProgress, WatchedFolder};
use crate::error::{Error, Result};
use crate::events::Event;
use crate::library::Library;
use crate::model::{OnDelete, Visibility};
use crate::service::Vitrine;
use crate::sync::{EngineOptions, SyncOptions};
use crate::watch::apply::Change;
use crate::watch::service::Notice;
use crate::watch::{self, service, FirstScan, ScanReport, ScanSink, WatchLock};

#[derive(Subcommand, Debug)]
pub enum WatchCmd {
    /// Watch a folder: its images (now and to come) are cataloged and synced by themselves
    Add(AddArgs),
    /// Watched folders with their options and status
    List,
    /// Stop watching a folder (its images stay in the library)
    Remove { dir: PathBuf },
    /// Pause watching a folder (changes are picked up on resume)
    Pause { dir: PathBuf },
    /// Resume a paused folder (rescans it)
    Resume { dir: PathBuf },
    /// Watch every folder and run the sync engine until SIGINT/SIGTERM
    Run {
        /// Scan every folder once, sync once, and exit (for cron and scripts)
        #[arg(long)]
        once: bool,
        /// Apply deletion rules (and bucket deletes) even when most of a folder vanished at
        /// once, which is otherwise held back as a probably unmounted disk
        #[arg(long)]
        allow_deletes: bool,
    },
    /// What the watcher did recently: added, moved, edited, deleted, failed
    Log {
        dir: Option<PathBuf>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    dir: PathBuf,
    /// Include subfolders
    #[arg(long)]
    recursive: bool,
    /// Tag every image from this folder (repeatable)
    #[arg(long = "tag", value_name = "T")]
    tags: Vec<String>,
    /// private (default), unlisted or public
    #[arg(long, value_name = "V", default_value = "private")]
    visibility: String,
    /// Copy files into the library instead of referencing them in place
    #[arg(long)]
    copy: bool,
    /// What deleting a file in the folder does: keep (default), remove (from the library;
    /// the bucket copy stays) or remove-remote (from the library and the bucket)
    #[arg(long, value_name = "RULE", default_value = "keep")]
    on_delete: String,
    /// Only files matching this pattern, e.g. "*.png" or "renders/**" (repeatable)
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files matching this pattern (repeatable; temp, partial and hidden files are
    /// always skipped)
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Check by rescanning every few seconds instead of file events (network filesystems)
    #[arg(long)]
    poll: bool,
    /// Do not import what is already in the folder now (the watcher does it)
    #[arg(long)]
    no_scan: bool,
}

pub fn watch_cmd(lib: &Arc<Library>, cmd: WatchCmd, out: &Out) -> Result<bool> {
    match cmd {
        WatchCmd::Add(a) => add(lib, a, out),
        WatchCmd::List => {
            let all = watch::folders(lib)?;
            let human = if all.is_empty() {
                "no watched folders: add one with `vitrine watch add DIR`".to_string()
            } else {
                all.iter().map(describe).collect::<Vec<_>>().join("\n")
            };
            out.value(&all, &human);
            Ok(true)
        }
        WatchCmd::Remove { dir } => {
            let f = watch::find_folder(lib, &dir)?;
            lib.catalog().remove_watched(f.id)?;
            out.value(
                &serde_json::json!({"removed": f.path}),
                &format!(
                    "stopped watching {} (its images stay in the library)",
                    f.path
                ),
            );
            Ok(true)
        }
        WatchCmd::Pause { dir } => set_paused(lib, &dir, true, out),
        WatchCmd::Resume { dir } => set_paused(lib, &dir, false, out),
        WatchCmd::Run {
            once,
            allow_deletes,
        } => {
            if once {
                run_once(lib, out, allow_deletes)
            } else {
                run(lib, out, allow_deletes)
            }
        }
        WatchCmd::Log { dir, limit } => {
            let folder = dir.map(|d| watch::find_folder(lib, &d)).transpose()?;
            let events = lib
                .catalog()
                .watch_events(folder.map(|f| f.id), limit.clamp(1, 10_000))?;
            let human = events
                .iter()
                .rev()
                .map(|e| {
                    format!(
                        "{} {:<9} {}{}{}",
                        e.at,
                        e.kind,
                        e.path,
                        e.image_id
                            .as_deref()
                            .map(|i| format!(" [{i}]"))
                            .unwrap_or_default(),
                        e.detail
                            .as_deref()
                            .map(|d| format!(": {d}"))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out.value(&events, &human);
            Ok(true)
        }
    }
}

fn describe(f: &WatchedFolder) -> String {
    let o = &f.options;
    let mut flags = vec![
        if o.recursive {
            "recursive"
        } else {
            "top level only"
        }
        .to_string(),
        o.visibility.to_string(),
        if o.copy { "copied in" } else { "in place" }.to_string(),
        format!("on delete: {}", o.on_delete),
    ];
    if !o.tags.is_empty() {
        flags.push(format!("tags: {}", o.tags.join(", ")));
    }
    if o.poll {
        flags.push("polled".into());
    }
    format!(
        "{}\n  {}{} · {} files{}\n  {}{}",
        f.path,
        f.status,
        f.detail
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default(),
        f.files,
        if f.errors > 0 {
            format!(", {} failed (see `vitrine watch log`)", f.errors)
        } else {
            String::new()
        },
        flags.join(" · "),
        f.last_error
            .as_deref()
            .map(|e| format!("\n  problem: {e}"))
            .unwrap_or_default()
    )
}

fn add(lib: &Library, a: AddArgs, out: &Out) -> Result<bool> {
    let opts = FolderOptions {
        recursive: a.recursive,
        include: a.include,
        exclude: a.exclude,
        tags: a.tags,
        visibility: a.visibility.parse::<Visibility>()?,
        copy: a.copy,
        on_delete: a.on_delete.parse::<OnDelete>()?,
        poll: a.poll,
    };
    let added = watch::add_and_scan(lib, &a.dir, &opts, !a.no_scan, &Printer::new(out))?;
    let scan = match added.scan {
        FirstScan::Done(report) => Some(report),
        FirstScan::ByWatcher => {
            if !out.json {
                eprintln!("the running watcher picks it up now");
            }
            None
        }
        FirstScan::Skipped => None,
    };
    let human = scan
        .as_ref()
        .map(report_line)
        .unwrap_or_else(|| "not scanned yet".into());
    out.value(
        &serde_json::json!({"folder": added.folder, "created": added.created, "scan": scan}),
        &human,
    );
    Ok(scan.as_ref().is_none_or(|s| s.failed == 0))
}

fn report_line(r: &ScanReport) -> String {
    let mut s = format!(
        "{}: {} files · {} added, {} already in the library, {} moved, {} edited, {} deleted, {} failed",
        r.path, r.files, r.added, r.duplicates, r.moved, r.edited, r.deleted, r.failed
    );
    if r.held > 0 {
        s.push_str(&format!(", {} deletions held back", r.held));
    }
    if r.waiting > 0 {
        s.push_str(&format!(
            ", {} still being written (the watcher imports them)",
            r.waiting
        ));
    }
    for p in &r.problems {
        s.push_str(&format!("\n  {}: {}", p.path, p.error));
    }
    s
}

/// Prints a one-off scan as it goes: what was added, a progress bar per folder, and
/// failures as they happen (nothing but the final JSON with `--json`).
struct Printer<'a> {
    out: &'a Out,
    bar: Mutex<Option<Bar>>,
}

impl<'a> Printer<'a> {
    fn new(out: &'a Out) -> Self {
        Printer {
            out,
            bar: Mutex::new(None),
        }
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, Option<Bar>> {
        self.bar.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ScanSink for Printer<'_> {
    fn added(&self, folder: &WatchedFolder, created: bool) {
        if !self.out.json {
            eprintln!(
                "{} {}",
                if created { "watching" } else { "updated" },
                folder.path
            );
        }
    }

    fn started(&self, _: &WatchedFolder) {
        *self.bar() = Some(self.out.progress("scanning"));
    }

    fn progress(&self, _: &WatchedFolder, p: ScanProgress) {
        if let Some(bar) = &*self.bar() {
            match p.total {
                // Still listing: how many files so far.
                None => bar.update(0, p.done as usize),
                Some(total) => bar.update(p.done as usize, total as usize),
            }
        }
    }

    fn change(&self, _: &WatchedFolder, path: &str, change: &Change) {
        if self.out.json {
            return;
        }
        if let Change::Failed { message, .. } = change {
            match &*self.bar() {
                Some(bar) => bar.suspend(|| eprintln!("failed   {path}: {message}")),
                None => eprintln!("failed   {path}: {message}"),
            }
        }
    }

    fn finished(&self, _: &WatchedFolder) {
        if let Some(bar) = self.bar().take() {
            bar.finish();
        }
    }
}

fn set_paused(lib: &Library, dir: &Path, paused: bool, out: &Out) -> Result<bool> {
    let f = watch::find_folder(lib, dir)?;
    lib.catalog().set_watched_paused(f.id, paused)?;
    let word = if paused { "paused" } else { "resumed" };
    out.value(
        &serde_json::json!({ word: f.path }),
        &format!(
            "{word} {}{}",
            f.path,
            if paused {
                ""
            } else {
                " (changes made meanwhile are picked up by the next scan)"
            }
        ),
    );
    Ok(true)
}

fn run_once(lib: &Library, out: &Out, allow_deletes: bool) -> Result<bool> {
    let Some(lock) = WatchLock::try_take(lib)? else {
        return Err(elsewhere());
    };
    let stop = super::remote::stop_on_signal();
    let scanned = watch::scan_all(lib, &lock, allow_deletes, &stop, &Printer::new(out))?;
    let mut ok = true;
    let mut reports = Vec::new();
    for s in &scanned {
        if let Err(e) = &s.result {
            ok = false;
            eprintln!("{}: {e}", s.folder.path);
            reports.push(serde_json::json!({"path": s.folder.path, "error": e.to_string()}));
        }
    }
    for r in scanned.iter().filter_map(|s| s.result.as_ref().ok()) {
        if !out.json {
            eprintln!("{}", report_line(r));
        }
        reports.push(serde_json::to_value(r).unwrap_or_default());
    }
    let mut synced = serde_json::Value::Null;
    if lib.catalog().active_remote()?.is_some() && !stop.load(Ordering::SeqCst) {
        let r = crate::remote::open_active(&lib.catalog(), None)?;
        let opts = SyncOptions {
            stop: stop.clone(),
            allow_mass_delete: allow_deletes,
            ..SyncOptions::default()
        };
        let summary = crate::sync::run(lib, &r, &opts, &|_| {})?;
        if !out.json {
            eprintln!(
                "sync: {} uploaded, {} moved, {} deleted, {} failed",
                summary.uploaded, summary.moved, summary.deleted, summary.failed
            );
        }
        ok &= summary.failed == 0;
        synced = serde_json::to_value(&summary).unwrap_or_default();
    }
    if out.json {
        out.value(&serde_json::json!({"folders": reports, "sync": synced}), "");
    }
    Ok(ok)
}

fn elsewhere() -> Error {
    Error::remote(
        crate::error::ErrorCode::WatchedElsewhere,
        "another process watches this library (the app or `vitrine watch run`); stop it first",
    )
}

/// The foreground daemon: the core's watcher and sync engine (the ones the app runs), until
/// SIGINT/SIGTERM. `--json`: one line per watcher notice.
fn run(lib: &Arc<Library>, out: &Out, allow_deletes: bool) -> Result<bool> {
    let stop = super::remote::stop_on_signal();
    let json = out.json;
    let elsewhere_seen = Arc::new(AtomicBool::new(false));
    let seen = elsewhere_seen.clone();
    let core = Vitrine::new(
        lib.clone(),
        None,
        Arc::new(move |e: Event| {
            if let Event::Watch(Notice::WatchedElsewhere) = e {
                seen.store(true, Ordering::SeqCst);
                return;
            }
            if !json {
                super::output::print_event(&e);
            } else if let Event::Watch(n) = &e {
                if let Ok(line) = serde_json::to_string(n) {
                    println!("{line}");
                }
            }
        }),
        EngineOptions {
            allow_mass_delete: allow_deletes,
            workers: None,
        },
    );
    // Nothing starts (no sync beside another process's) while another process watches.
    if WatchLock::try_take(lib)?.is_none() {
        return Err(elsewhere());
    }
    if watch::folders(lib)?.is_empty() && !json {
        eprintln!("no watched folders yet: add one with `vitrine watch add DIR` (picked up while running)");
    }
    if lib.catalog().active_remote()?.is_none() && !json {
        eprintln!("no remote set up: images stay local (`vitrine remote add` to sync)");
    }
    let opts = service::ServiceOptions {
        allow_mass_deletes: allow_deletes,
        ..service::ServiceOptions::default()
    };
    let mut watcher = core.start_watcher(opts, false);
    let sync = core.start_sync();
    let _monitor = core.start_change_monitor()?;
    if !json {
        eprintln!("watching; press Ctrl-C to stop");
    }
    while !stop.load(Ordering::SeqCst) && !watcher.is_finished() {
        std::thread::sleep(Duration::from_millis(100));
    }
    watcher.stop();
    drop(sync);
    if let Some(e) = watcher.take_failure() {
        return Err(e);
    }
    if elsewhere_seen.load(Ordering::SeqCst) {
        return Err(elsewhere());
    }
    if !json {
        eprintln!("stopped");
    }
    Ok(true)
}
