//! Tauri commands for the gallery's selection: thin adapters over the core's bulk actions
//! (`service::bulk`), which take a [`Selection`] (ids, or a query minus exceptions) and do
//! the work in chunks of one catalog transaction each, announcing each chunk.

use std::time::Duration;

use serde::Serialize;
use tauri::State;

use super::commands::{blocking, Cmd};
use super::AppState;
use crate::catalog::{BulkJob, Selection};
use crate::error::ErrorCode;
use crate::model::Visibility;
use crate::service::{BulkTally, ItemResult, ItemStatus};
use crate::sync::links::LinkFormat;
use crate::sync::ItemError;

/// Ids read per query while resolving a selection.
const RESOLVE_CHUNK: usize = 5000;
/// Errors listed in a summary (the rest are counted).
const MAX_ERRORS: usize = 50;

/// What a bulk action did: counts by status and the first errors.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct BulkSummary {
    #[ts(type = "number")]
    pub changed: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    #[ts(type = "number")]
    pub failed: u64,
    pub errors: Vec<ItemError>,
}

impl BulkSummary {
    fn tally(&mut self, t: BulkTally) {
        self.changed = t.changed + t.removed + t.linked;
        self.unchanged = t.unchanged;
        self.failed = t.failed;
    }

    fn errors<T>(&mut self, items: &[ItemResult<T>]) {
        for i in items.iter().filter(|i| i.status == ItemStatus::Error) {
            if self.errors.len() < MAX_ERRORS {
                self.errors.push(ItemError {
                    id: Some(i.id.clone()),
                    key: None,
                    code: i.code().unwrap_or(ErrorCode::Internal),
                    message: i
                        .error
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                });
            }
        }
    }
}

/// The selected images' links, one per line, ready for the clipboard.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct BulkLinks {
    pub text: String,
    #[ts(type = "number")]
    pub linked: u64,
    #[ts(type = "number")]
    pub failed: u64,
    pub errors: Vec<ItemError>,
}

/// The ids a selection names now (a query re-read, minus its exceptions; unknown ids dropped).
fn resolve(lib: &crate::library::Library, selection: &Selection) -> crate::Result<Vec<String>> {
    selection.found_ids(lib.catalog_connection()?.conn(), RESOLVE_CHUNK)
}

/// The ids a selection names now (delete with undo, free up space and the like take ids).
#[tauri::command]
pub async fn resolve_selection(
    state: State<'_, AppState>,
    selection: Selection,
) -> Cmd<Vec<String>> {
    let lib = state.lib().clone();
    blocking(move || resolve(&lib, &selection)).await
}

/// The selected originals, each with a JSON sidecar, in a ZIP at `path` (written atomically).
#[tauri::command]
pub async fn export_images(
    state: State<'_, AppState>,
    selection: Selection,
    path: String,
) -> Cmd<crate::export::ExportReport> {
    let lib = state.lib().clone();
    blocking(move || {
        let ids = resolve(&lib, &selection)?;
        let details = crate::export::select(&lib, &ids, None)?;
        crate::export::export_zip(&lib, &details, std::path::Path::new(&path))
    })
    .await
}

/// Sets the visibility of every selected image, as a durable job in the core: recorded and
/// its first chunk (the newest images) applied before this returns, the rest in the background
/// (`bulk-job` events report its progress and end; the library-changed event follows).
#[tauri::command]
pub async fn bulk_visibility(
    state: State<'_, AppState>,
    selection: Selection,
    visibility: Visibility,
) -> Cmd<BulkJob> {
    let core = state.core.clone();
    blocking(move || core.start_visibility_job(&selection, visibility)).await
}

/// Undoes a visibility job (stopping it if it still runs): each image it changed goes back to
/// the visibility it had, unless something changed it since.
#[tauri::command]
pub async fn undo_bulk_job(state: State<'_, AppState>, job: i64) -> Cmd<BulkJob> {
    let core = state.core.clone();
    blocking(move || core.undo_bulk_job(job)).await
}

/// Adds then removes tags on every selected image.
#[tauri::command]
pub async fn bulk_tags(
    state: State<'_, AppState>,
    selection: Selection,
    add: Vec<String>,
    remove: Vec<String>,
) -> Cmd<BulkSummary> {
    let core = state.core.clone();
    blocking(move || {
        let mut out = BulkSummary::default();
        let tally = core.edit_tags_many(&selection, &add, &remove, &mut |items, _| {
            out.errors(&items)
        })?;
        out.tally(tally);
        Ok(out)
    })
    .await
}

/// Every selected image's link in `format`, one per line (presigned for private images,
/// living `expires` seconds).
#[tauri::command]
pub async fn bulk_links(
    state: State<'_, AppState>,
    selection: Selection,
    format: LinkFormat,
    expires: Option<u64>,
) -> Cmd<BulkLinks> {
    let core = state.core.clone();
    blocking(move || {
        let mut out = BulkLinks::default();
        let mut lines = Vec::new();
        let mut errors = BulkSummary::default();
        let tally = core.links_many(
            &selection,
            format,
            expires.map(Duration::from_secs),
            &mut |items, _| {
                errors.errors(&items);
                lines.extend(items.into_iter().filter_map(|i| i.value.map(|l| l.text)));
            },
        )?;
        out.text = lines.join("\n");
        out.linked = tally.linked;
        out.failed = tally.failed;
        out.errors = errors.errors;
        Ok(out)
    })
    .await
}
