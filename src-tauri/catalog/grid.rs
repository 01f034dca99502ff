//! The gallery's tiles: the few fields a tile shows (name, size, badges, a prompt caption), for
//! a page of the same listing as [`Catalog::list`]. A page of 200 full records is 3.6 times the
//! JSON for images without a prompt or camera data (more with them), and the gallery pages
//! through tens of pages a second in a fast scroll.

use serde::Serialize;

use super::Catalog;
use crate::error::Result;
use crate::model::{RemoteState, Visibility};

use super::images::parse_enum;
use super::query::ListQuery;

/// Characters of a prompt a tile's caption can show; the rest stays in the catalog.
pub const PROMPT_START_CHARS: usize = 160;

/// What a tile of the gallery shows of one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct GridEntry {
    pub id: String,
    pub filename: String,
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub visibility: Visibility,
    pub remote_state: RemoteState,
    pub remote_error: Option<String>,
    /// The original is on this computer (false: only in the bucket).
    pub local: bool,
    /// The prompt's first [`PROMPT_START_CHARS`] characters (AI images), `…` after a cut.
    #[serde(rename = "promptStart")]
    pub prompt_start: Option<String>,
}

const GRID_COLUMNS: &str = "images.seq, images.id, images.filename, images.format, images.width, \
    images.height, images.visibility, images.remote_state, images.remote_error, images.local, \
    substr(images.prompt, 1, 161)";

impl Catalog {
    /// The page [`Catalog::list`] would give, as tiles.
    pub fn list_grid(&self, q: &ListQuery) -> Result<Vec<GridEntry>> {
        let seqs = self.page_seqs(q)?;
        self.rows_in_order(&seqs, GRID_COLUMNS, |r| {
            Ok((
                r.get(0)?,
                GridEntry {
                    id: r.get(1)?,
                    filename: r.get(2)?,
                    format: r.get(3)?,
                    width: r.get(4)?,
                    height: r.get(5)?,
                    visibility: parse_enum(r, 6)?,
                    remote_state: parse_enum(r, 7)?,
                    remote_error: r.get(8)?,
                    local: r.get(9)?,
                    prompt_start: r.get::<_, Option<String>>(10)?.and_then(prompt_start),
                },
            ))
        })
    }
}

/// A caption's prompt: the first [`PROMPT_START_CHARS`] characters, `…` after a cut (`None`
/// for a blank prompt).
pub fn prompt_start(prompt: String) -> Option<String> {
    if prompt.trim().is_empty() {
        return None;
    }
    match prompt.char_indices().nth(PROMPT_START_CHARS) {
        None => Some(prompt),
        Some((cut, _)) => Some(format!("{}…", prompt[..cut].trim_end())),
    }
}

#[cfg(test)]
mod tests;
