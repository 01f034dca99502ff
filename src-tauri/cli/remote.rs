//! `vitrine remote …` and `vitrine sync …`.

use clap::{Args, Subcommand};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::output::Out;
use crate::catalog::RemoteRow;
use crate::error::{Error, Result};
use crate::library::Library;
use crate::remote::{self, RemoteSpec, RemoteView};
use crate::secrets::{Credentials, Keychain, Secret, SecretStore};
use crate::service::Vitrine;
use crate::sync::probe::{self, Audience, CheckStatus};
use crate::sync::{EngineOptions, Summary, SyncEvent, SyncOptions};

#[derive(Subcommand, Debug)]
pub enum RemoteCmd {
    /// Set up the bucket (or folder) this library syncs to; credentials go to the keychain
    Add(AddArgs),
    /// Check credentials, bucket, writes, multipart, presigning and the public URL
    Test,
    /// The remote's settings (never its secrets) and queue
    Show,
    /// Stop syncing to a remote and delete its keychain entry (the bucket is left as is)
    Remove { name: String },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    name: String,
    /// aws, r2, b2, tigris, minio, garage, s3 (any S3-compatible) or folder
    #[arg(long)]
    provider: String,
    /// The S3 API URL, e.g. https://<account>.r2.cloudflarestorage.com
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    #[arg(long, value_name = "B")]
    bucket: Option<String>,
    #[arg(long, value_name = "R")]
    region: Option<String>,
    /// Key prefix inside the bucket (or folder)
    #[arg(long, value_name = "P")]
    prefix: Option<String>,
    /// Path-style addressing (http://host/bucket/key)
    #[arg(long)]
    path_style: bool,
    /// The folder of a folder remote
    #[arg(long, value_name = "DIR")]
    path: Option<String>,
    /// Base URL that serves the bucket to the public (custom domain or CDN)
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Keep GPS and camera serial numbers in public/unlisted copies (stripped by default)
    #[arg(long)]
    keep_location: bool,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Drain the queue and exit (the default)
    #[arg(long, conflicts_with = "watch")]
    once: bool,
    /// Keep syncing new work until interrupted (SIGINT/SIGTERM)
    #[arg(long)]
    watch: bool,
    /// Give quarantined items another try, then sync
    #[arg(long)]
    retry_failed: bool,
    /// Go on even if this sync deletes a large share of the bucket
    #[arg(long)]
    allow_deletes: bool,
    /// Parallel transfers (default 8)
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
}

pub fn remote_cmd(core: &Vitrine, cmd: RemoteCmd, out: &Out) -> Result<bool> {
    let lib = core.library();
    match cmd {
        RemoteCmd::Add(a) => add(lib, a, out),
        RemoteCmd::Test => test(lib, out),
        RemoteCmd::Show => show(lib, out),
        RemoteCmd::Remove { name } => {
            let note = core
                .remove_remote(&name)?
                .map(|e| format!(" (its keychain entry could not be removed: {e})"))
                .unwrap_or_default();
            out.value(
                &serde_json::json!({"removed": name, "keychain_entry_removed": note.is_empty()}),
                &format!("removed remote {name}; images are local-only now{note}"),
            );
            Ok(true)
        }
    }
}

fn add(lib: &Library, a: AddArgs, out: &Out) -> Result<bool> {
    let row = RemoteSpec {
        endpoint: a.endpoint,
        bucket: a.bucket,
        region: a.region,
        prefix: a.prefix,
        path_style: a.path_style,
        path: a.path,
        public_url: a.public_url,
        strip_location: !a.keep_location,
        ..RemoteSpec::new(&a.name, a.provider.parse()?)
    }
    .resolve()?;
    let mut notes = Vec::new();
    if let Some(dir) = &row.path {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {dir}"), e))?;
    } else {
        let (creds, from_env) = match Credentials::from_env() {
            Some(c) => (c, true),
            None => (prompt_credentials()?, false),
        };
        let account = remote::account(&lib.catalog(), &row)?;
        match Keychain::open().and_then(|k| k.set(&account, &creds)) {
            Ok(()) => notes.push("credentials saved in the OS keychain".to_string()),
            Err(e) if from_env => notes.push(format!(
                "credentials NOT saved ({e}); later commands need AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"
            )),
            Err(e) => return Err(e.into()),
        }
    }
    let added = lib.catalog().add_remote(&row)?;
    let human = format!(
        "remote {} ({}) {}; {} image(s) queued for upload{}",
        row.name,
        row.provider,
        if added.updated { "updated" } else { "added" },
        added.queued,
        notes.iter().map(|n| format!("\n{n}")).collect::<String>()
    );
    out.value(
        &serde_json::json!({
            "name": row.name, "provider": row.provider, "updated": added.updated,
            "queued": added.queued, "notes": notes,
        }),
        &human,
    );
    Ok(true)
}

/// Reads credentials from the terminal, the secret without echo (or from stdin lines in a
/// script).
fn prompt_credentials() -> Result<Credentials> {
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    let read = |label: &str, hide: bool| -> Result<String> {
        let io = |e| Error::io("reading credentials", e);
        let line = if tty && hide {
            rpassword::prompt_password(format!("{label}: ")).map_err(io)?
        } else {
            if tty {
                eprint!("{label}: ");
                let _ = std::io::stderr().flush();
            }
            let mut line = String::new();
            stdin.lock().read_line(&mut line).map_err(io)?;
            line
        };
        Ok(line.trim().to_string())
    };
    let id = read("Access key id", false)?;
    let secret = read("Secret access key", true)?;
    if id.is_empty() || secret.is_empty() {
        return Err(Error::remote(
            crate::error::ErrorCode::CredentialsMissing,
            "no credentials given: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or type them when asked",
        ));
    }
    Ok(Credentials {
        access_key_id: Secret::new(id),
        secret_access_key: Secret::new(secret),
        session_token: None,
    })
}

fn test(lib: &Library, out: &Out) -> Result<bool> {
    let report = probe::run_active(&lib.catalog_connection()?, None, Audience::Cli)?;
    let human = report
        .checks
        .iter()
        .map(|c| {
            let mark = match c.status {
                CheckStatus::Pass => "ok  ",
                CheckStatus::Fail => "FAIL",
                CheckStatus::Skip => "skip",
            };
            let fix = c
                .fix
                .as_deref()
                .map(|f| format!("\n       fix: {f}"))
                .unwrap_or_default();
            format!("{mark}  {}: {}{fix}", c.check, c.message)
        })
        .collect::<Vec<_>>()
        .join("\n");
    out.value(&report, &human);
    Ok(report.ok)
}

/// `remote show --json`: the view's settings, its credentials worded as they always were
/// (`keychain`, `not needed`, `unavailable (why)`), and the queue.
#[derive(serde::Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    remote: &'a RemoteRow,
    credentials: String,
    queue: Queue,
}

#[derive(serde::Serialize)]
struct Queue {
    queued: u64,
    running: u64,
    failed: u64,
}

fn show(lib: &Library, out: &Out) -> Result<bool> {
    let cat = lib.catalog();
    let view = RemoteView::of(&cat, remote::active(&cat)?, None);
    let q = cat.sync_counts()?;
    let row = &view.remote;
    let shown = Shown {
        remote: row,
        credentials: view.credentials.to_string(),
        queue: Queue {
            queued: q.queued,
            running: q.running,
            failed: q.failed,
        },
    };
    let place = match &row.path {
        Some(p) => format!("folder {p}"),
        None => format!(
            "bucket {} at {} (region {}, {})",
            row.bucket,
            if row.endpoint.is_empty() {
                "AWS"
            } else {
                &row.endpoint
            },
            row.region,
            if row.path_style {
                "path-style"
            } else {
                "virtual-hosted"
            }
        ),
    };
    out.value(
        &shown,
        &format!(
            "{} ({}): {place}\nprefix: {}\npublic URL: {}\ncredentials: {}\nqueue: {} queued, {} running, {} failed",
            row.name,
            row.provider,
            if row.prefix.is_empty() { "(none)" } else { &row.prefix },
            row.public_url.as_deref().unwrap_or("(none)"),
            shown.credentials,
            q.queued,
            q.running,
            q.failed
        ),
    );
    Ok(true)
}

pub fn sync_cmd(lib: &Arc<Library>, a: SyncArgs, out: &Out) -> Result<bool> {
    let r = remote::open_active(&lib.catalog(), None)?;
    if a.retry_failed {
        let n = lib.catalog().retry_failed_sync()?;
        if !out.json {
            eprintln!("{n} failed item(s) queued again");
        }
    }
    if a.watch {
        drop(r);
        return sync_watch(lib, &a, out);
    }
    let mut opts = SyncOptions {
        allow_mass_delete: a.allow_deletes,
        stop: stop_on_signal(),
        ..SyncOptions::default()
    };
    if let Some(w) = a.workers {
        opts.workers = w.clamp(1, 64);
    }
    let json = out.json;
    let bar = out.progress("syncing");
    let summary = crate::sync::run(lib, &r, &opts, &|e| match &e {
        SyncEvent::Progress { done, queued, .. } => {
            bar.update(*done as usize, (*done + *queued) as usize)
        }
        SyncEvent::Retry { what, message } if !json => {
            bar.suspend(|| eprintln!("retrying {what}: {message}"))
        }
        SyncEvent::Image {
            id,
            state,
            error: Some(error),
        } if !json => bar.suspend(|| eprintln!("{state:<7} {id}: {error}")),
        _ => {}
    });
    bar.finish();
    let summary = summary?;
    out.value(&summary, &summary_line(&summary));
    if opts.stop.load(Ordering::SeqCst) {
        // `--once` cut short by a signal: the bucket is not in sync yet.
        eprintln!("interrupted: items may remain queued; run `vitrine sync --once` again");
        return Ok(false);
    }
    Ok(summary.failed == 0)
}

fn summary_line(summary: &Summary) -> String {
    format!(
        "{} uploaded, {} moved, {} deleted, {} failed, {} pulled from other computers, {} sent{}{}",
        summary.uploaded,
        summary.moved,
        summary.deleted,
        summary.failed,
        summary.pulled,
        summary.pushed,
        if summary.retried > 0 {
            format!(" ({} retries)", summary.retried)
        } else {
            String::new()
        },
        summary
            .errors
            .iter()
            .map(|e| format!(
                "\n  {}: {}",
                e.id.as_deref().or(e.key.as_deref()).unwrap_or("feed"),
                e.message
            ))
            .collect::<String>()
    )
}

/// `sync --watch`: the core's sync engine (the one the app runs) until SIGINT/SIGTERM, fed by
/// the change monitor when other processes queue work. Stops, exiting 1, when the engine halts
/// on something that needs a person (a mass delete, credentials); prints the totals on exit.
fn sync_watch(lib: &Arc<Library>, a: &SyncArgs, out: &Out) -> Result<bool> {
    let stop = stop_on_signal();
    let json = out.json;
    let core = Vitrine::new(
        lib.clone(),
        None,
        Arc::new(move |e| {
            if !json {
                super::output::print_event(&e);
            }
        }),
        EngineOptions {
            allow_mass_delete: a.allow_deletes,
            workers: a.workers,
        },
    );
    let sync = core.start_sync();
    let _monitor = core.start_change_monitor()?;
    let halted = loop {
        if stop.load(Ordering::SeqCst) {
            break None;
        }
        if let Some(e) = core.sync().halted() {
            break Some(e);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    drop(sync);
    if let Some(e) = halted {
        let message = match core.sync().status()?.mass_delete {
            Some(m) => crate::sync::SyncError::MassDelete {
                deletes: m.deletes,
                total: m.total,
            }
            .to_string(),
            None => e.message,
        };
        return Err(Error::remote(e.code, message));
    }
    let totals = core.sync().totals()?;
    out.value(&totals, &summary_line(&totals));
    Ok(totals.failed == 0)
}

/// A flag set by SIGINT or SIGTERM (Ctrl-C / Ctrl-Break on Windows): the work in flight
/// finishes, then the command exits.
pub(super) fn stop_on_signal() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        if let Err(e) = ctrlc::set_handler(move || f.store(true, Ordering::SeqCst)) {
            eprintln!("warning: cannot handle Ctrl-C ({e}); stop with a kill instead");
        }
        flag
    })
    .clone()
}
