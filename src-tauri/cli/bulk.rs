//! `vitrine visibility`, `tag`, `rm` and `link` on many images: ids, or selectors (what `ls`
//! would list). Parsing and printing only; the core's bulk actions do the work in chunks.
//!
//! Ids and selectors are not mixed (a usage error, exit 2, says which to drop); neither is a
//! usage error too. `--json`: one line per image `{id, status, error, code, …}` (`status`:
//! `changed`, `unchanged`, `removed`, `linked` or `error`), the totals as one JSON line on
//! stderr. Text: one line per image, the totals on stderr. Exit 1 when any image failed.

use clap::{Args, CommandFactory};
use serde_json::{json, Map, Value};

use super::output::Out;
use crate::catalog::Selection;
use crate::error::{Error, Result};
use crate::model::Visibility;
use crate::service::{BulkTally, ItemResult, ItemStatus, Vitrine};
use crate::sync::links::{self, LinkFormat};

/// `rm` with a selector asks for `--yes` above this many images.
pub const RM_CONFIRM_ABOVE: u64 = 20;

/// Picks images as `ls` would list them (filters combine); instead of ids.
#[derive(Args, Debug, Default)]
pub struct Selector {
    /// Select what `search Q` finds (full text: file names, prompts, models, tags)
    #[arg(long, value_name = "Q")]
    query: Option<String>,
    #[command(flatten)]
    facets: super::Facets,
    /// Select the images with this visibility (private, unlisted or public)
    #[arg(long = "visibility", value_name = "V")]
    visibility: Option<String>,
    /// Select by remote state: local, pending, synced or failed
    #[arg(long, value_name = "S")]
    status: Option<String>,
    /// Select by source: file, drop, paste, url or watch
    #[arg(long, value_name = "K")]
    source: Option<String>,
}

impl Selector {
    pub(super) fn given(&self) -> bool {
        self.query.is_some()
            || self.facets.given()
            || self.visibility.is_some()
            || self.status.is_some()
            || self.source.is_some()
    }

    /// The selection: `ids`, or what the selector flags match; never both, never neither.
    pub(super) fn selection(&self, command: &str, ids: Vec<String>) -> Result<Selection> {
        match (ids.is_empty(), self.given()) {
            (false, true) => usage(
                command,
                "give image ids or selectors (--query, --tag, --album, --generator, --model, --camera, --from, --to, --orientation, --size, --visibility, --status, --source), not both",
            ),
            (true, false) => usage(
                command,
                "give image ids, or select images with --query, --tag, --album, --generator, --model, --camera, --from, --to, --orientation, --size, --visibility, --status or --source",
            ),
            (false, false) => Ok(Selection::Ids { ids }),
            (true, true) => Ok(Selection::Query {
                query: super::filters(
                    &self.facets,
                    None,
                    self.visibility.as_deref(),
                    self.status.as_deref(),
                    self.source.as_deref(),
                    self.query.clone(),
                )?,
                except: Vec::new(),
            }),
        }
    }
}

/// A usage error of subcommand `name`: printed like clap's own (with its usage), exit 2.
fn usage(name: &str, msg: &str) -> ! {
    let mut cli = super::Cli::command();
    cli.build();
    let mut cmd = cli.find_subcommand(name).cloned().unwrap_or(cli);
    cmd.error(clap::error::ErrorKind::ArgumentConflict, msg)
        .exit()
}

#[derive(Args, Debug)]
#[command(override_usage = "vitrine visibility ID... V\n       \
    vitrine visibility [--query Q] [--tag T] [--visibility V0] [--status S] [--source K] V")]
pub struct VisibilityArgs {
    /// Image ids, then the new visibility: private, unlisted or public (with selectors, only
    /// the new visibility; `--visibility` is then a selector: `--visibility private public`
    /// makes every private image public)
    #[arg(value_name = "ID... V", required = true, num_args = 1..)]
    args: Vec<String>,
    #[command(flatten)]
    select: Selector,
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// Image ids (or use selectors)
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    #[arg(long = "add", value_name = "TAG")]
    add: Vec<String>,
    #[arg(long = "remove", value_name = "TAG")]
    remove: Vec<String>,
    #[command(flatten)]
    select: Selector,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Image ids (or use selectors)
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    /// Remove what the selectors match even when that is more than 20 images
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    select: Selector,
}

#[derive(Args, Debug)]
pub struct LinkArgs {
    /// Image ids (or use selectors)
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    /// Lifetime of a private image's presigned link: 30s, 10m, 1h, 7d (default 1d, at most 7d)
    #[arg(long, value_name = "DURATION")]
    expires: Option<String>,
    /// url, markdown, html or bbcode
    #[arg(long, default_value = "url")]
    format: String,
    #[command(flatten)]
    select: Selector,
}

/// One `--json` line: the item's own fields, then `id`, `status`, `error`, `code`.
fn item_json<T>(item: &ItemResult<T>, fields: impl Fn(&T) -> Value) -> Value {
    let mut m = match item.value.as_ref().map(fields) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    m.insert("id".into(), json!(item.id));
    m.insert("status".into(), json!(item.status));
    m.insert(
        "error".into(),
        json!(item.error.as_ref().map(ToString::to_string)),
    );
    m.insert("code".into(), json!(item.code()));
    Value::Object(m)
}

fn error_line<T>(item: &ItemResult<T>) -> String {
    let e = item.error.as_ref().map(ToString::to_string);
    format!("error    {}: {}", item.id, e.as_deref().unwrap_or("failed"))
}

/// The totals on stderr (stdout holds one line per image).
fn totals(out: &Out, t: &BulkTally) -> bool {
    if out.json {
        eprintln!("{}", serde_json::to_string(t).unwrap_or_default());
    } else {
        let parts: Vec<String> = [
            (t.changed, "changed"),
            (t.unchanged, "unchanged"),
            (t.removed, "removed"),
            (t.linked, "linked"),
            (t.failed, "failed"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if parts.is_empty() {
            eprintln!("no images selected");
        } else {
            eprintln!("{}", parts.join(", "));
        }
    }
    t.failed == 0
}

/// Drives a bulk action with a progress bar (on a terminal) and prints each chunk.
fn run<T>(
    out: &Out,
    label: &'static str,
    action: impl FnOnce(
        &mut dyn FnMut(Vec<ItemResult<T>>, crate::events::Progress),
    ) -> Result<BulkTally>,
    print: impl Fn(&ItemResult<T>),
) -> Result<bool> {
    let bar = out.progress(label);
    let tally = action(&mut |items, p| {
        bar.suspend(|| items.iter().for_each(&print));
        bar.update(p.done as usize, p.total as usize);
    });
    bar.finish();
    Ok(totals(out, &tally?))
}

pub fn visibility(core: &Vitrine, a: VisibilityArgs, out: &Out) -> Result<bool> {
    let mut args = a.args;
    if args.len() < 2 && !a.select.given() {
        usage("visibility", "give the image ids and then the new visibility (private, unlisted or public), or selectors and the new visibility");
    }
    let v: Visibility = args.pop().unwrap_or_default().parse()?;
    let sel = a.select.selection("visibility", args)?;
    run(
        out,
        "visibility",
        |on| core.set_visibility_many(&sel, v, on),
        |item| match item.status {
            ItemStatus::Error => out.item(&item_json(item, |_| Value::Null), &error_line(item)),
            status => {
                let note = if status == ItemStatus::Unchanged {
                    "  (unchanged)"
                } else {
                    ""
                };
                out.item(
                    &item_json(item, |c| json!(c)),
                    &format!("{}  {v}{note}", item.id),
                )
            }
        },
    )
}

pub fn tag(core: &Vitrine, a: TagArgs, out: &Out) -> Result<bool> {
    if a.add.is_empty() && a.remove.is_empty() {
        return Err(Error::Invalid {
            what: "tag command",
            value: a.ids.join(" "),
            hint: "give --add TAG and/or --remove TAG",
        });
    }
    let sel = a.select.selection("tag", a.ids)?;
    run(
        out,
        "tags",
        |on| core.edit_tags_many(&sel, &a.add, &a.remove, on),
        |item| match (&item.value, item.status) {
            (Some(tags), status) => {
                let note = if status == ItemStatus::Unchanged {
                    "  (unchanged)"
                } else {
                    ""
                };
                out.item(
                    &item_json(item, |t| json!({ "tags": t })),
                    &format!("{}  tags: {}{note}", item.id, tags.join(", ")),
                )
            }
            (None, _) => out.item(&item_json(item, |_| Value::Null), &error_line(item)),
        },
    )
}

pub fn rm(core: &Vitrine, a: RmArgs, out: &Out) -> Result<bool> {
    let sel = a.select.selection("rm", a.ids)?;
    if matches!(sel, Selection::Query { .. }) && !a.yes {
        let n = sel.count(core.library().catalog().conn())?;
        if n > RM_CONFIRM_ABOVE {
            usage("rm", &format!(
                "the selectors match {n} images: add --yes to remove them all (rm asks for --yes above {RM_CONFIRM_ABOVE} images picked by selectors)"
            ));
        }
    }
    run(
        out,
        "removing",
        |on| core.remove_many(&sel, on),
        |item| match (&item.value, item.status) {
            (Some(rec), ItemStatus::Removed) => out.item(
                &item_json(item, |r| json!({ "filename": r.filename })),
                &format!("removed  {}  {}", item.id, rec.filename),
            ),
            _ => out.item(&item_json(item, |_| Value::Null), &error_line(item)),
        },
    )
}

pub fn link(core: &Vitrine, a: LinkArgs, out: &Out) -> Result<bool> {
    let fmt: LinkFormat = a.format.parse()?;
    let expires = a.expires.as_deref().map(links::parse_expiry).transpose()?;
    let sel = a.select.selection("link", a.ids)?;
    // Scripts ask for bucket links: without a remote, say how to add one.
    crate::remote::active(&core.library().catalog())?;
    let told_expiry = std::cell::Cell::new(false);
    let not_ready = std::cell::Cell::new(0u64);
    let ok = run(
        out,
        "links",
        |on| core.links_many(&sel, fmt, expires, on),
        |item| {
            if out.json {
                out.item(&item_json(item, |l| json!(l)), "");
                return;
            }
            match &item.value {
                Some(link) => {
                    if let (Some(at), false) = (&link.expires_at, told_expiry.get()) {
                        eprintln!("expires {at}");
                        told_expiry.set(true);
                    }
                    if !link.ready {
                        not_ready.set(not_ready.get() + 1);
                    }
                    println!("{}", link.text);
                }
                // Links are for pasting: stdout holds only links.
                None => eprintln!("{}", error_line(item)),
            }
        },
    )?;
    match not_ready.get() {
        0 => {}
        1 if !out.json => {
            eprintln!("note: not in the bucket at this address yet; run `vitrine sync --once`")
        }
        n if !out.json => eprintln!(
            "note: {n} images are not in the bucket at their address yet; run `vitrine sync --once`"
        ),
        _ => {}
    }
    Ok(ok)
}
