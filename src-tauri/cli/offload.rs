//! `vitrine offload` (free up space: local copies of originals verified in the bucket go) and
//! `vitrine fetch` (bring them back). The work is `crate::offload`, through the service.

use clap::{ArgGroup, Args};

use super::output::{human_bytes, Out};
use crate::error::{Error, Result};
use crate::offload::{FetchSummary, Request, Summary};
use crate::service::Vitrine;

#[derive(Args, Debug)]
#[command(group(
    ArgGroup::new("selection")
        .required(true)
        .multiple(true)
        .args(["ids", "all", "older_than", "keep_under"])
))]
pub struct OffloadArgs {
    /// Image ids (default with --older-than/--keep-under: every image)
    ids: Vec<String>,
    /// Every image whose bucket copy verifies
    #[arg(long, conflicts_with = "ids")]
    all: bool,
    /// Only images not viewed for this long, e.g. 30d, 12h, 2weeks
    #[arg(long, value_name = "DURATION")]
    older_than: Option<String>,
    /// Least recently viewed first, until the originals kept here take at most SIZE
    /// (e.g. 500MB, 10GB, 1.5GiB)
    #[arg(long, value_name = "SIZE")]
    keep_under: Option<String>,
}

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("selection").required(true).args(["ids", "all"])))]
pub struct FetchArgs {
    /// Image ids
    ids: Vec<String>,
    /// Every original that is not on this computer
    #[arg(long, conflicts_with = "ids")]
    all: bool,
}

fn duration(s: &str) -> Result<std::time::Duration> {
    humantime::parse_duration(s.trim()).map_err(|_| Error::Invalid {
        what: "duration",
        value: s.to_string(),
        hint: "use a duration such as 30d, 12h or 2weeks",
    })
}

pub fn offload(core: &Vitrine, a: OffloadArgs, out: &Out) -> Result<bool> {
    let named = !a.ids.is_empty();
    let req = Request {
        ids: a.ids,
        all: a.all,
        older_than: a.older_than.as_deref().map(duration).transpose()?,
        keep_under: a.keep_under.as_deref().map(super::parse_size).transpose()?,
    };
    let s: Summary = core.offload(&req)?;
    let mut text = format!(
        "offloaded {} original(s), {} freed",
        s.offloaded,
        human_bytes(s.bytes_freed)
    );
    for k in &s.skipped {
        text.push_str(&format!("\n  kept {}: {}", k.id, k.reason));
    }
    out.value(&s, &text);
    // Images named on the command line that stayed are failures; a selection's are not.
    Ok(!named || s.skipped.is_empty())
}

pub fn fetch(core: &Vitrine, a: FetchArgs, out: &Out) -> Result<bool> {
    let bar = out.progress("fetching");
    let s: FetchSummary = core.fetch(&a.ids, a.all)?;
    bar.finish();
    let mut text = format!(
        "fetched {} original(s), {}",
        s.fetched,
        human_bytes(s.bytes)
    );
    for f in &s.failed {
        text.push_str(&format!("\n  failed {}: {}", f.id, f.error));
    }
    out.value(&s, &text);
    Ok(s.failed.is_empty())
}
