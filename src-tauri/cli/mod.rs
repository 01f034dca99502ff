//! The `vitrine` command line: the same core the app uses, for scripts and servers.
//! Every command takes `--library DIR` and `--json` (before or after the subcommand); the exit
//! status is 1 when any item failed, 2 for a usage error.

mod album;
mod bulk;
mod offload;
mod output;
mod remote;
mod watch;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::catalog::ListQuery;
use crate::error::{Error, Result};
use crate::import::{ImportEvent, ImportOptions, Tally};
use crate::library::{default_root, Library, ThumbMode, LIBRARY_ENV};
use crate::model::{RemoteState, Sort, SourceKind, Visibility};
use crate::service::Vitrine;
use crate::sync::EngineOptions;
use crate::thumbs::ThumbSize;
use output::Out;

#[derive(Parser, Debug)]
#[command(
    name = "vitrine",
    version,
    about = "Vitrine: a local-first image library (catalog, thumbnails, AI metadata)",
    after_help = "The library defaults to the OS data folder ($XDG_DATA_HOME/vitrine on Linux)."
)]
struct Cli {
    /// Library folder (created on first use)
    #[arg(long, global = true, env = LIBRARY_ENV, value_name = "DIR")]
    library: Option<PathBuf>,
    /// Machine-readable output
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import files, folders (recursively) and http(s) URLs
    Import(ImportArgs),
    /// List images
    Ls(LsArgs),
    /// Full-text search over file names, prompts, models and tags
    Search {
        /// Words to find (every word must match, as a prefix)
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        #[command(flatten)]
        filters: LsArgs,
    },
    /// Everything about one image: EXIF, AI parameters, sources
    Show { id: String },
    /// Give an image another file name (shown, searched, exported; synced to other computers)
    Rename { id: String, name: String },
    /// Add or remove tags on images (ids, or selectors)
    Tag(bulk::TagArgs),
    /// Set visibility: private, unlisted or public (ids, or selectors)
    Visibility(bulk::VisibilityArgs),
    /// Remove images (catalog row, managed original, thumbnails; a tombstone stays for sync)
    Rm(bulk::RmArgs),
    /// Counts and bytes by format, source, visibility and remote state
    Stats,
    /// Render thumbnails: missing ones (default) or all
    Thumbs {
        #[arg(long, conflicts_with = "all")]
        missing: bool,
        #[arg(long)]
        all: bool,
    },
    /// Write one image's thumbnail (rendered on demand) to a file
    Thumb {
        id: String,
        /// grid (320 px) or preview (1280 px)
        #[arg(long, default_value = "grid")]
        size: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Export originals with a JSON sidecar each into a ZIP
    Export {
        ids: Vec<String>,
        #[arg(long, value_name = "TAG")]
        tag: Option<String>,
        #[arg(long, value_name = "FILE", required = true)]
        zip: PathBuf,
    },
    /// Check catalog, originals and thumbnails; --repair mends what it can
    Fsck {
        #[arg(long)]
        repair: bool,
    },
    /// The bucket or folder this library syncs to
    #[command(subcommand)]
    Remote(remote::RemoteCmd),
    /// Upload, move and delete objects in the remote until it matches the catalog
    Sync(remote::SyncArgs),
    /// Print a share link: presigned for private images, public URL otherwise
    Link(bulk::LinkArgs),
    /// Watched folders: images that appear in them are cataloged and synced by themselves
    #[command(subcommand)]
    Watch(watch::WatchCmd),
    /// Free up space: remove local copies of originals whose bucket copy verifies now
    Offload(offload::OffloadArgs),
    /// Bring offloaded originals back from the bucket
    Fetch(offload::FetchArgs),
    /// Albums: named sets of images, each publishable as one unlisted link
    #[command(subcommand)]
    Album(album::AlbumCmd),
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// Files, folders or http(s) URLs
    #[arg(required = true, num_args = 1.., value_name = "PATH|URL")]
    inputs: Vec<String>,
    /// Tag to add (repeatable)
    #[arg(long = "tag", value_name = "T")]
    tags: Vec<String>,
    /// private (default), unlisted or public
    #[arg(long, value_name = "V", default_value = "private")]
    visibility: String,
    /// Largest file accepted, e.g. 100MiB, 20MB, 5000000
    #[arg(long, value_name = "SIZE", env = "VITRINE_MAX_FILE_SIZE")]
    max_file_size: Option<String>,
    /// Largest image accepted, in pixels (width x height)
    #[arg(long, value_name = "PIXELS", env = "VITRINE_MAX_PIXELS")]
    max_pixels: Option<u64>,
    /// Worker threads (default: one per core, plus one)
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Keep files where they are instead of copying them into the library
    #[arg(long)]
    in_place: bool,
}

#[derive(Args, Debug, Default)]
struct LsArgs {
    #[command(flatten)]
    facets: Facets,
    /// File format: jpeg (jpg), png, webp, gif, bmp, tiff, tga, ico, heic, avif, jxl
    #[arg(long, value_name = "F")]
    format: Option<String>,
    #[arg(long, value_name = "V")]
    visibility: Option<String>,
    /// Remote state: local, pending, synced or failed
    #[arg(long, value_name = "S")]
    status: Option<String>,
    /// Source: file, drop, paste, url or watch
    #[arg(long, value_name = "K")]
    source: Option<String>,
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Id of the last image of the previous page
    #[arg(long, value_name = "CURSOR")]
    after: Option<String>,
    /// Skip this many images first (after --after, if given): a page by position
    #[arg(long, value_name = "N")]
    offset: Option<u64>,
    /// newest (default), oldest, taken, name or size
    #[arg(long, value_name = "ORDER")]
    sort: Option<String>,
}

/// The filters that combine, shared by `ls`, `search` and the bulk commands' selectors (`ls`
/// and `search` also take `--format`, which `link` uses for the link's format).
#[derive(Args, Debug, Default, Clone)]
pub struct Facets {
    /// Images with this tag (repeat it: images with any of them, or all with --all-tags)
    #[arg(long = "tag", value_name = "T")]
    pub tags: Vec<String>,
    /// With several --tag: only images that have every one of them
    #[arg(long)]
    pub all_tags: bool,
    /// Made by this AI tool (comfyui, a1111, novelai, invokeai, fooocus, swarmui, midjourney,
    /// openai, firefly, c2pa), by any (`any`), or not by one (`none`)
    #[arg(long, value_name = "G")]
    pub generator: Option<String>,
    /// Made with this AI model (exact name, any letter case)
    #[arg(long, value_name = "M")]
    pub model: Option<String>,
    /// Taken with this camera: its model or make (exact, any letter case)
    #[arg(long, value_name = "C")]
    pub camera: Option<String>,
    /// Taken (else added) on or after this day, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Taken (else added) on or before this day, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// As displayed: landscape, portrait or square
    #[arg(long, value_name = "O")]
    pub orientation: Option<String>,
    /// By pixel count: small (under 1 MP), medium (1 to 8 MP) or large (8 MP and more)
    #[arg(long, value_name = "S")]
    pub size: Option<String>,
    /// The images of this album (its name, any letter case)
    #[arg(long, value_name = "NAME")]
    pub album: Option<String>,
}

impl Facets {
    pub fn given(&self) -> bool {
        !self.tags.is_empty()
            || self.generator.is_some()
            || self.model.is_some()
            || self.camera.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.orientation.is_some()
            || self.size.is_some()
            || self.album.is_some()
    }
}

/// The filters `ls`, `search` and the bulk commands' selectors share, parsed into a query
/// (each value checked here, so a typo is refused before anything runs).
fn filters(
    facets: &Facets,
    format: Option<&str>,
    visibility: Option<&str>,
    status: Option<&str>,
    source: Option<&str>,
    search: Option<String>,
) -> Result<ListQuery> {
    use crate::catalog::{
        parse_day, parse_format, parse_generator, parse_orientation, parse_pixel_size,
    };
    let f = facets;
    Ok(ListQuery {
        tags: (!f.tags.is_empty()).then(|| f.tags.clone()),
        all_tags: f.all_tags.then_some(true),
        generator: f.generator.as_deref().map(parse_generator).transpose()?,
        model: f.model.clone(),
        format: format.map(parse_format).transpose()?,
        camera: f.camera.clone(),
        from: f.from.as_deref().map(parse_day).transpose()?,
        to: f.to.as_deref().map(parse_day).transpose()?,
        orientation: f
            .orientation
            .as_deref()
            .map(parse_orientation)
            .transpose()?,
        size: f.size.as_deref().map(parse_pixel_size).transpose()?,
        album: f.album.clone(),
        visibility: visibility.map(str::parse::<Visibility>).transpose()?,
        remote_state: status.map(str::parse::<RemoteState>).transpose()?,
        source: source.map(str::parse::<SourceKind>).transpose()?,
        search,
        ..ListQuery::default()
    })
}

impl LsArgs {
    fn query(&self, search: Option<String>) -> Result<ListQuery> {
        Ok(ListQuery {
            limit: self.limit,
            after: self.after.clone(),
            offset: self.offset,
            sort: self.sort.as_deref().map(str::parse::<Sort>).transpose()?,
            ..filters(
                &self.facets,
                self.format.as_deref(),
                self.visibility.as_deref(),
                self.status.as_deref(),
                self.source.as_deref(),
                search,
            )?
        })
    }
}

/// Parses `100MiB`, `20MB`, `1.5G`, `5000000`.
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| invalid_size(s))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "kb" => 1e3,
        "m" | "mib" => 1024.0 * 1024.0,
        "mb" => 1e6,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "gb" => 1e9,
        _ => return Err(invalid_size(s)),
    };
    let v = n * mult;
    if !v.is_finite() || v < 1.0 {
        return Err(invalid_size(s));
    }
    Ok(v as u64)
}

fn invalid_size(s: &str) -> Error {
    Error::Invalid {
        what: "size",
        value: s.to_string(),
        hint: "use a number of bytes or a unit such as 100MiB or 20MB",
    }
}

pub fn run() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Ok((Cli::from_arg_matches(&m)?, m)));
    let (cli, matches) = match parsed {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if let Err(e) = crate::logging::init(crate::logging::Component::Cli) {
        // Said once, on stderr, only when asked for a log (scripts read stdout).
        if std::env::var_os(crate::logging::LOG_ENV).is_some() {
            crate::logging::warn_unavailable(&e);
        }
    }
    crate::crash_report::install(crate::logging::Component::Cli);
    // The subcommand's name only: arguments may hold URLs with tokens or private paths.
    let name = match matches.subcommand() {
        Some((cmd, sub)) => match sub.subcommand_name() {
            Some(s) => format!("{cmd} {s}"),
            None => cmd.to_string(),
        },
        None => String::new(),
    };
    log::info!("command: vitrine {name}");
    let out = Out::new(cli.json);
    match execute(cli, &out) {
        Ok(true) => {
            log::info!("vitrine {name}: done");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            log::warn!("vitrine {name}: done, some items failed");
            ExitCode::from(1)
        }
        Err(e) => {
            log::error!("vitrine {name} failed: {}", crate::logging::error_chain(&e));
            out.fatal(&e);
            ExitCode::from(1)
        }
    }
}

/// Runs the command; `Ok(false)` when some item failed.
fn execute(cli: Cli, out: &Out) -> Result<bool> {
    let root = match cli.library {
        Some(r) => r,
        None => default_root()?,
    };
    let lib = Arc::new(Library::open(&root)?);
    // One-shot commands print their own results; long-running ones (`sync --watch`,
    // `watch run`) build a core that prints its events.
    let core = Vitrine::new(
        lib.clone(),
        None,
        crate::events::discard(),
        EngineOptions::default(),
    );
    match cli.command {
        Command::Import(a) => import(&core, a, out),
        Command::Ls(a) => {
            let q = a.query(None)?;
            out.records(&lib.catalog().list(&q)?, q.limit);
            Ok(true)
        }
        Command::Search { query, filters } => {
            let q = filters.query(Some(query.join(" ")))?;
            out.records(&lib.catalog().list(&q)?, q.limit);
            Ok(true)
        }
        Command::Show { id } => {
            let detail = lib.catalog().detail(&id)?;
            out.detail(&detail, &lib.original_path(&detail.record));
            Ok(true)
        }
        Command::Rename { id, name } => {
            let rec = core.rename(&id, &name)?;
            out.value(&rec, &format!("{}  {}", rec.id, rec.filename));
            Ok(true)
        }
        Command::Tag(a) => bulk::tag(&core, a, out),
        Command::Visibility(a) => bulk::visibility(&core, a, out),
        Command::Rm(a) => bulk::rm(&core, a, out),
        Command::Stats => {
            out.stats(&lib.catalog().stats()?);
            Ok(true)
        }
        Command::Thumbs { missing: _, all } => {
            let mode = if all {
                ThumbMode::All
            } else {
                ThumbMode::Missing
            };
            let bar = out.progress("thumbnails");
            let report = lib.make_thumbnails(mode, &|done, total| bar.update(done, total))?;
            bar.finish();
            out.value(
                &report,
                &format!(
                    "{} checked, {} rendered, {} failed{}",
                    report.checked,
                    report.rendered,
                    report.failed.len(),
                    report
                        .failed
                        .iter()
                        .map(|f| format!("\n  {}: {}", f.id, f.error))
                        .collect::<String>()
                ),
            );
            Ok(report.failed.is_empty())
        }
        Command::Thumb {
            id,
            size,
            out: file,
        } => {
            let size = ThumbSize::parse(&size).ok_or(Error::Invalid {
                what: "thumbnail size",
                value: size,
                hint: "use grid or preview",
            })?;
            let thumb = lib.thumbnail(&id, size)?;
            crate::originals::write_atomic(&file, &thumb.data)
                .map_err(|e| Error::io(format!("writing {}", file.display()), e))?;
            out.value(
                &serde_json::json!({"id": id, "mime": thumb.mime, "width": thumb.width, "height": thumb.height, "file": file}),
                &format!("{}x{} {} -> {}", thumb.width, thumb.height, thumb.mime, file.display()),
            );
            Ok(true)
        }
        Command::Export { ids, tag, zip } => {
            let details = crate::export::select(&lib, &ids, tag.as_deref())?;
            let report = crate::export::export_zip(&lib, &details, &zip)?;
            out.value(
                &report,
                &format!(
                    "exported {} image(s), {} bytes, to {}",
                    report.images, report.bytes, report.zip
                ),
            );
            Ok(true)
        }
        Command::Fsck { repair } => {
            let report = crate::fsck::fsck(&lib, repair)?;
            out.fsck(&report);
            Ok(report.problems == 0)
        }
        Command::Remote(cmd) => remote::remote_cmd(&core, cmd, out),
        Command::Sync(a) => remote::sync_cmd(&lib, a, out),
        Command::Link(a) => bulk::link(&core, a, out),
        Command::Watch(cmd) => watch::watch_cmd(&lib, cmd, out),
        Command::Offload(a) => offload::offload(&core, a, out),
        Command::Fetch(a) => offload::fetch(&core, a, out),
        Command::Album(cmd) => album::album_cmd(&core, cmd, out),
    }
}

fn import(core: &Vitrine, a: ImportArgs, out: &Out) -> Result<bool> {
    let mut opts = ImportOptions {
        tags: a.tags,
        visibility: a.visibility.parse()?,
        threads: a.threads.unwrap_or(0),
        in_place: a.in_place,
        ..ImportOptions::default()
    };
    if let Some(s) = &a.max_file_size {
        opts.max_bytes = parse_size(s)?;
    }
    if let Some(p) = a.max_pixels {
        opts.max_pixels = p.max(1);
    }
    let bar = out.progress("importing");
    let skipped = std::sync::atomic::AtomicUsize::new(0);
    let outcomes = core.import(&a.inputs, &opts, &|event| match event {
        ImportEvent::Started { total } => bar.update(0, total),
        ImportEvent::Item {
            done,
            total,
            outcome,
        } => {
            bar.suspend(|| out.outcome(&outcome));
            bar.update(done, total);
        }
        ImportEvent::Finished { skipped: n, .. } => {
            skipped.store(n, std::sync::atomic::Ordering::Relaxed)
        }
    })?;
    bar.finish();
    let tally = Tally::of(&outcomes);
    out.import_totals(&tally, skipped.load(std::sync::atomic::Ordering::Relaxed));
    Ok(tally.failed == 0)
}

/// True when progress bars make sense.
fn interactive() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    /// Every subcommand's arguments are consistent (clap checks names at first use otherwise:
    /// a clash, say a selector named like a command's own flag, would crash that command).
    #[test]
    fn every_subcommand_parses_its_arguments() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    #[test]
    fn sizes_take_units() {
        assert_eq!(parse_size("100MiB").unwrap(), 100 * 1024 * 1024);
        assert_eq!(parse_size("20MB").unwrap(), 20_000_000);
        assert_eq!(parse_size("5000").unwrap(), 5000);
        assert!(parse_size("lots").is_err());
        assert!(
            parse_size("0").is_err(),
            "a zero cap would refuse everything"
        );
    }
}
