//! Commands for where originals live: "Free up space" (their local copies go once the bucket's
//! copy verifies) and "Keep on this computer" (fetched back). The work is `crate::offload`.

use tauri::State;

use super::commands::{blocking, Cmd};
use super::AppState;
use crate::offload::{FetchSummary, Request, Summary};

/// "Free up space" on images: each is skipped, with its reason, unless its bucket copy
/// verifies now.
#[tauri::command]
pub async fn offload_images(state: State<'_, AppState>, ids: Vec<String>) -> Cmd<Summary> {
    let core = state.core.clone();
    blocking(move || {
        core.offload(&Request {
            ids,
            ..Request::default()
        })
    })
    .await
}

/// "Keep on this computer": the originals come back from the bucket, and count as viewed now
/// (Settings → Storage offloads the least recently viewed first).
#[tauri::command]
pub async fn fetch_originals(state: State<'_, AppState>, ids: Vec<String>) -> Cmd<FetchSummary> {
    let core = state.core.clone();
    blocking(move || {
        let summary = core.fetch(&ids, false)?;
        let cat = core.library().catalog_connection()?;
        for id in &ids {
            if let Ok(rec) = cat.get(id) {
                cat.touch_accessed(rec.seq)?;
            }
        }
        Ok(summary)
    })
    .await
}
