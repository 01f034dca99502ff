//! `vitrine album create|add|remove|list|show|rm|publish|unpublish`: parsing and printing
//! only; the service does the work (`service/albums.rs`, `crate::albums`).
//!
//! `--json`: list → `[{name, images, published_url, published_at, created_at, updated_at}]`;
//! show → `{name, images: [ids…], published_url, published_at, created_at, updated_at}`;
//! create/add → `{name, images, added}`; remove → `{name, images, removed}`;
//! rm → `{name, deleted}`; publish → `{url, images}`; unpublish → `{name, removed}`.

use clap::{Args, Subcommand};
use serde_json::json;

use super::bulk::Selector;
use super::output::Out;
use crate::error::Result;
use crate::service::{AlbumChange, Vitrine};

#[derive(Subcommand, Debug)]
pub enum AlbumCmd {
    /// Create an album: empty, or with images (ids, or selectors as `ls` takes them)
    Create(MembersArgs),
    /// Add images (ids, or selectors) at the album's end
    Add(MembersArgs),
    /// Take images (ids, or selectors) out of the album; they stay in the library
    Remove(MembersArgs),
    /// Every album with its image count and published address
    List,
    /// One album: its images' ids in order, where it is published
    Show { name: String },
    /// Delete an album (its images stay; a published album is unpublished first)
    Rm { name: String },
    /// Publish as an unlisted page in the remote (public URL needed); prints its address
    Publish {
        name: String,
        /// Rewrite the page at its current address instead of a new one
        #[arg(long)]
        keep_slug: bool,
    },
    /// Remove the album's page and every copy it wrote from the remote
    Unpublish { name: String },
}

#[derive(Args, Debug)]
pub struct MembersArgs {
    /// The album's name
    name: String,
    /// Image ids (or use selectors)
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    #[command(flatten)]
    select: Selector,
}

pub fn album_cmd(core: &Vitrine, cmd: AlbumCmd, out: &Out) -> Result<bool> {
    match cmd {
        AlbumCmd::Create(a) => {
            let sel = if a.ids.is_empty() && !a.select.given() {
                None
            } else {
                Some(a.select.selection("album", a.ids)?)
            };
            let c = core.create_album(&a.name, sel.as_ref())?;
            print_change(out, &c, "created");
        }
        AlbumCmd::Add(a) => {
            let sel = a.select.selection("album", a.ids)?;
            let c = core.add_to_album(&a.name, &sel)?;
            print_change(out, &c, "added to");
        }
        AlbumCmd::Remove(a) => {
            let sel = a.select.selection("album", a.ids)?;
            let c = core.remove_from_album(&a.name, &sel)?;
            print_change(out, &c, "removed from");
        }
        AlbumCmd::List => {
            let albums = core.albums()?;
            let text = if albums.is_empty() {
                "no albums (create one with `vitrine album create NAME`)".to_string()
            } else {
                albums
                    .iter()
                    .map(|a| {
                        format!(
                            "{}\t{} image{}\t{}",
                            a.name,
                            a.images,
                            if a.images == 1 { "" } else { "s" },
                            a.published_url.as_deref().unwrap_or("not published")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            out.value(&albums, &text);
        }
        AlbumCmd::Show { name } => {
            let d = core.album(&name)?;
            let mut text = format!(
                "{}\n{} image{}\npublished: {}",
                d.name,
                d.images.len(),
                if d.images.len() == 1 { "" } else { "s" },
                d.published_url.as_deref().unwrap_or("no")
            );
            for id in &d.images {
                text.push('\n');
                text.push_str(id);
            }
            out.value(&d, &text);
        }
        AlbumCmd::Rm { name } => {
            let name = core.album(&name)?.name;
            core.delete_album(&name)?;
            out.value(
                &json!({"name": name, "deleted": true}),
                &format!("deleted album {name}"),
            );
        }
        AlbumCmd::Publish { name, keep_slug } => {
            let p = core.publish_album(&name, keep_slug)?;
            out.value(&p, &p.url);
        }
        AlbumCmd::Unpublish { name } => {
            let u = core.unpublish_album(&name)?;
            out.value(
                &u,
                &format!("unpublished {}: {} object(s) removed", u.name, u.removed),
            );
        }
    }
    Ok(true)
}

fn print_change(out: &Out, c: &AlbumChange, verb: &str) {
    let n = c.added.or(c.removed).unwrap_or(0);
    let s = if n == 1 { "" } else { "s" };
    let text = if verb == "created" {
        format!("created album {} with {n} image{s}", c.name)
    } else {
        format!("{n} image{s} {verb} album {} ({} now)", c.name, c.images)
    };
    out.value(c, &text);
}
