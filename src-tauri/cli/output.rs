//! How the CLI prints: JSON for scripts, aligned text for people, progress bars on a terminal.

use serde::Serialize;
use std::path::Path;

use crate::catalog::{ImageDetail, ImageRecord, Stats};
use crate::error::Error;
use crate::fsck::FsckReport;
use crate::import::{Outcome, Status, Tally};

pub struct Out {
    pub json: bool,
}

fn to_json<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|e| format!("{{\"error\":\"serialising output: {e}\"}}"))
}

pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

impl Out {
    pub fn new(json: bool) -> Self {
        Out { json }
    }

    /// One value: JSON object, or a line of text.
    pub fn value<T: Serialize>(&self, v: &T, human: &str) {
        if self.json {
            println!("{}", to_json(v));
        } else {
            println!("{human}");
        }
    }

    /// One item of a stream (one JSON object per line).
    pub fn item(&self, v: &serde_json::Value, human: &str) {
        self.value(v, human);
    }

    pub fn outcome(&self, o: &Outcome) {
        if self.json {
            println!("{}", to_json(o));
            return;
        }
        match o.status {
            Status::Imported => {
                println!("imported   {}  {}", o.id.as_deref().unwrap_or(""), o.input)
            }
            Status::Duplicate => {
                println!("duplicate  {}  {}", o.id.as_deref().unwrap_or(""), o.input)
            }
            Status::Error => println!(
                "error      {}: {}",
                o.input,
                o.error.as_deref().unwrap_or("unknown error")
            ),
        }
    }

    /// The totals of an import, on stderr (stdout holds one line per input): a line of text,
    /// or with `--json` one object `{imported, duplicates, failed, skipped}`.
    pub fn import_totals(&self, t: &Tally, skipped: usize) {
        if self.json {
            let totals = serde_json::json!({
                "imported": t.imported,
                "duplicates": t.duplicates,
                "failed": t.failed,
                "skipped": skipped,
            });
            eprintln!("{totals}");
            return;
        }
        let not_images = match skipped {
            0 => String::new(),
            1 => ", 1 file was not an image".to_string(),
            n => format!(", {n} files were not images"),
        };
        eprintln!(
            "{} imported, {} duplicate(s), {} failed{not_images}",
            t.imported, t.duplicates, t.failed
        );
    }

    pub fn records(&self, records: &[ImageRecord], limit: Option<usize>) {
        if self.json {
            println!("{}", to_json(records));
            return;
        }
        if records.is_empty() {
            eprintln!("no images");
            return;
        }
        for r in records {
            let ai = r
                .prompt
                .as_deref()
                .map(|p| {
                    let mut p: String = p.chars().take(40).collect();
                    p = p.replace('\n', " ");
                    format!("  \"{p}\"")
                })
                .unwrap_or_default();
            println!(
                "{}  {:>5}x{:<5} {:<4} {:>10}  {:<8} {:<7} {}{}{}",
                r.id,
                r.width,
                r.height,
                r.format,
                human_bytes(r.bytes),
                r.visibility,
                r.remote_state,
                r.filename,
                if r.tags.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", r.tags.join(", "))
                },
                ai
            );
        }
        if let (Some(limit), Some(last)) = (limit, records.last()) {
            if records.len() == limit {
                eprintln!("more: --after {}", last.id);
            }
        }
    }

    pub fn detail(&self, d: &ImageDetail, original: &Path) {
        if self.json {
            println!("{}", to_json(d));
            return;
        }
        let r = &d.record;
        let mut lines: Vec<(String, String)> = vec![
            ("id".into(), r.id.clone()),
            ("file".into(), r.filename.clone()),
            ("format".into(), format!("{} ({})", r.format, r.mime)),
            (
                "size".into(),
                format!("{}x{}, {}", r.width, r.height, human_bytes(r.bytes)),
            ),
            ("sha256".into(), r.sha256.clone()),
            (
                "original".into(),
                if r.local {
                    original.display().to_string()
                } else {
                    format!(
                        "{} (not on this computer: in the bucket; `vitrine fetch {}`)",
                        original.display(),
                        r.id
                    )
                },
            ),
            ("visibility".into(), r.visibility.to_string()),
            ("remote".into(), r.remote_state.to_string()),
            ("tags".into(), r.tags.join(", ")),
            ("added".into(), r.created_at.clone()),
        ];
        let opt = |lines: &mut Vec<(String, String)>, k: &str, v: &Option<String>| {
            if let Some(v) = v {
                lines.push((k.into(), v.clone()));
            }
        };
        opt(&mut lines, "taken", &r.taken_at);
        opt(
            &mut lines,
            "camera",
            &r.camera_make
                .as_ref()
                .map(|m| format!("{m} {}", r.camera_model.clone().unwrap_or_default())),
        );
        if let Some(g) = &d.gps {
            lines.push(("gps".into(), g.to_string()));
        }
        for s in &d.sources {
            lines.push(("source".into(), format!("{}: {}", s.kind, s.source)));
        }
        opt(&mut lines, "generator", &r.generator);
        opt(&mut lines, "prompt", &r.prompt);
        opt(&mut lines, "negative", &r.negative_prompt);
        opt(&mut lines, "model", &r.model);
        opt(&mut lines, "seed", &r.seed.as_ref().map(|s| s.to_string()));
        opt(&mut lines, "steps", &r.steps.map(|s| s.to_string()));
        opt(&mut lines, "sampler", &r.sampler);
        opt(&mut lines, "cfg", &r.cfg.map(|c| c.to_string()));
        for (k, v) in lines {
            println!("{k:>11}  {v}");
        }
        if let Some(serde_json::Value::Object(exif)) = &d.exif {
            println!("       exif");
            for (k, v) in exif {
                println!("{:>24}  {}", k, v.as_str().unwrap_or(""));
            }
        }
        if let Some(serde_json::Value::Object(raw)) = &d.ai_raw {
            for (k, v) in raw {
                println!("  [{k}]\n{}", v.as_str().unwrap_or(""));
            }
        }
    }

    pub fn stats(&self, s: &Stats) {
        if self.json {
            println!("{}", to_json(s));
            return;
        }
        println!("{} images, {}", s.images, human_bytes(s.bytes));
        let groups = [
            ("format", &s.by_format),
            ("source", &s.by_source),
            ("visibility", &s.by_visibility),
            ("remote", &s.by_remote_state),
        ];
        for (name, map) in groups {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, b)| format!("{k} {} ({})", b.count, human_bytes(b.bytes)))
                .collect();
            println!("{name:>11}  {}", parts.join(", "));
        }
        println!("{:>11}  {}", "tags", s.tags);
        println!("{:>11}  {}", "AI params", s.with_ai_parameters);
        println!("{:>11}  {}", "thumbs todo", s.thumbnails_pending);
        println!("{:>11}  {}", "failed", s.failed.len());
        for f in &s.failed {
            println!(
                "             {} {}: {}",
                f.id,
                f.filename,
                f.error.as_deref().unwrap_or("")
            );
        }
    }

    pub fn fsck(&self, r: &FsckReport) {
        if self.json {
            println!("{}", to_json(r));
            return;
        }
        println!("{} images checked", r.images);
        if r.offloaded > 0 {
            println!("{} original(s) only in the bucket (offloaded)", r.offloaded);
        }
        for id in &r.offload_leftovers {
            println!("offloaded but still here (an interrupted offload): {id}");
        }
        for e in r.catalog_errors.iter().chain(&r.thumbnail_cache_errors) {
            println!("database: {e}");
        }
        for m in &r.missing_originals {
            println!("missing original: {} ({})", m.id, m.path);
        }
        for m in &r.size_mismatches {
            println!(
                "size mismatch: {} ({}): {} bytes, expected {}",
                m.id, m.path, m.actual, m.expected
            );
        }
        for o in &r.orphan_originals {
            println!("unknown file in originals/: {o}");
        }
        if !r.missing_thumbnails.is_empty() {
            println!(
                "{} image(s) without a grid thumbnail",
                r.missing_thumbnails.len()
            );
        }
        if r.orphan_thumbnails > 0 {
            println!("{} orphan thumbnail(s)", r.orphan_thumbnails);
        }
        if r.search_index_rows != r.images as i64 {
            println!(
                "search index has {} rows for {} images",
                r.search_index_rows, r.images
            );
        }
        for a in &r.actions {
            println!("repaired: {a}");
        }
        if r.problems == 0 {
            println!("ok");
        } else {
            println!(
                "{} problem(s){}",
                r.problems,
                if r.repaired {
                    " left"
                } else {
                    "; run `vitrine fsck --repair`"
                }
            );
        }
    }

    pub fn fatal(&self, e: &Error) {
        if self.json {
            println!(
                "{}",
                to_json(&serde_json::json!({"error": e.to_string(), "code": e.code()}))
            );
        }
        eprintln!("error: {e}");
    }

    pub fn progress(&self, label: &'static str) -> Bar {
        Bar {
            bar: (!self.json && super::interactive()).then(|| {
                let b = indicatif::ProgressBar::new(0);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{msg} [{bar:30}] {pos}/{len} {per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                b.set_message(label);
                b
            }),
        }
    }
}

/// A progress bar that exists only on a terminal.
pub struct Bar {
    bar: Option<indicatif::ProgressBar>,
}

impl Bar {
    pub fn update(&self, done: usize, total: usize) {
        if let Some(b) = &self.bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    }

    pub fn suspend(&self, f: impl FnOnce()) {
        match &self.bar {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// How a long-running command (`sync --watch`, `watch run`) prints the core's events for
/// people, on stderr: file changes, folder status, sync states, retries.
pub fn print_event(e: &crate::events::Event) {
    use crate::events::Event;
    use crate::sync::SyncEvent;
    use crate::watch::service::Notice;
    let suffix =
        |what: Option<&str>, sep: &str| what.map(|d| format!("{sep}{d}")).unwrap_or_default();
    match e {
        Event::Watch(Notice::Change {
            path,
            kind,
            image_id,
            detail,
            ..
        }) => eprintln!(
            "{:<9} {path}{}{}",
            kind.to_string(),
            image_id
                .as_deref()
                .map(|i| format!(" [{i}]"))
                .unwrap_or_default(),
            suffix(detail.as_deref(), ": ")
        ),
        Event::Watch(Notice::Folder { folder })
            if folder.status != crate::model::FolderStatus::Scanning || folder.detail.is_none() =>
        {
            eprintln!(
                "{:<9} {}{}",
                folder.status.as_str(),
                folder.path,
                suffix(folder.detail.as_deref(), ": ")
            )
        }
        Event::Sync(SyncEvent::Image { id, state, error }) => eprintln!(
            "{:<9} {id}{}",
            state.to_string(),
            suffix(error.as_deref(), ": ")
        ),
        Event::Sync(SyncEvent::Retry { what, message }) => {
            eprintln!("retrying {what}: {message}")
        }
        Event::SyncStatus(st) => {
            if let Some(err) = &st.error {
                eprintln!("sync stopped: {}", err.message);
            }
        }
        _ => {}
    }
}
