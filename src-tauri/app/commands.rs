//! Tauri commands: thin async adapters over the core. Work runs on the blocking pool, never
//! on the UI thread; errors reach the UI as `{code, message}`.

use serde::Serialize;
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::{AppHandle, Runtime, State};

use super::{AppState, Settings};
use crate::catalog::{Facets, GridEntry, ImageDetail, ImageRecord, ListQuery, Stats, DEFAULT_PAGE};
use crate::error::ErrorInfo;
use crate::import::{Blob, ImportEvent, ImportOptions, Outcome, Tally};
use crate::model::{SourceKind, Visibility};
use crate::sync::links::{ImageLink, LinkFormat};

pub(crate) type Cmd<T> = Result<T, ErrorInfo>;

/// Most rows one page may ask for.
const MAX_PAGE: usize = 1000;

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Cmd<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(ErrorInfo::internal)?
        .map_err(|e| {
            // What the user is shown, with its causes, in the log.
            log::warn!("a command failed: {}", crate::logging::error_chain(&e));
            e.into()
        })
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LibraryInfo {
    pub root: String,
    #[ts(type = "number")]
    pub images: u64,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ImportSummary {
    #[ts(type = "number")]
    pub imported: usize,
    #[ts(type = "number")]
    pub duplicates: usize,
    #[ts(type = "number")]
    pub failed: usize,
    /// Files in folders passed over because they are not images.
    #[ts(type = "number")]
    pub skipped: usize,
}

#[tauri::command]
pub async fn library_info(state: State<'_, AppState>) -> Cmd<LibraryInfo> {
    let lib = state.lib().clone();
    blocking(move || {
        let images = lib.catalog_connection()?.count(&ListQuery::default())?;
        Ok(LibraryInfo {
            root: lib.root().display().to_string(),
            images,
            version: env!("CARGO_PKG_VERSION").to_string(),
        })
    })
    .await
}

#[tauri::command]
pub async fn list_images(state: State<'_, AppState>, query: ListQuery) -> Cmd<Vec<ImageRecord>> {
    let lib = state.lib().clone();
    let query = paged(query);
    blocking(move || lib.catalog_connection()?.list(&query)).await
}

/// A listing's page size as the UI may ask for it: the default page when none, at most
/// `MAX_PAGE`.
fn paged(mut query: ListQuery) -> ListQuery {
    query.limit = Some(query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE));
    query
}

/// The page `list_images` would give, as the gallery's tiles (the fields a tile shows).
#[tauri::command]
pub async fn list_grid(state: State<'_, AppState>, query: ListQuery) -> Cmd<Vec<GridEntry>> {
    let lib = state.lib().clone();
    let query = paged(query);
    blocking(move || lib.catalog_connection()?.list_grid(&query)).await
}

/// How many images `list_images` would list with these filters (limit and paging aside).
#[tauri::command]
pub async fn count_images(state: State<'_, AppState>, query: ListQuery) -> Cmd<u64> {
    let lib = state.lib().clone();
    blocking(move || lib.catalog_connection()?.count(&query)).await
}

/// The generators, models, formats and cameras in the library, with their counts.
#[tauri::command]
pub async fn facets(state: State<'_, AppState>) -> Cmd<Facets> {
    let lib = state.lib().clone();
    blocking(move || lib.catalog_connection()?.facets()).await
}

#[tauri::command]
pub async fn get_image(state: State<'_, AppState>, id: String) -> Cmd<ImageDetail> {
    let lib = state.lib().clone();
    blocking(move || {
        let catalog = lib.catalog();
        catalog.touch_accessed(catalog.get(&id)?.seq)?;
        catalog.detail(&id)
    })
    .await
}

fn import_options(state: &AppState, source: SourceKind, tags: Vec<String>) -> ImportOptions {
    let settings = state.settings();
    ImportOptions {
        tags,
        source_kind: source,
        max_bytes: settings.max_file_size,
        max_pixels: settings.max_pixels,
        ..ImportOptions::default()
    }
}

fn notify_batch<R: Runtime>(app: &AppHandle<R>, outcomes: &[Outcome]) {
    use tauri_plugin_notification::NotificationExt;
    let Tally {
        imported, failed, ..
    } = Tally::of(outcomes);
    if outcomes.len() < 2 {
        return;
    }
    let body = if failed > 0 {
        format!("{imported} imported, {failed} failed")
    } else {
        format!("{imported} imported")
    };
    let _ = app
        .notification()
        .builder()
        .title("Vitrine")
        .body(body)
        .show();
}

#[tauri::command]
pub async fn import_inputs<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    inputs: Vec<String>,
    source: SourceKind,
    tags: Vec<String>,
    on_event: Channel<ImportEvent>,
) -> Cmd<ImportSummary> {
    let core = state.core.clone();
    let opts = import_options(&state, source, tags);
    let (outcomes, skipped) = blocking(move || {
        let skipped = std::sync::atomic::AtomicUsize::new(0);
        let outcomes = core.import(&inputs, &opts, &|e| {
            if let ImportEvent::Finished { skipped: n, .. } = e {
                skipped.store(n, std::sync::atomic::Ordering::Relaxed);
            }
            let _ = on_event.send(e);
        })?;
        Ok((outcomes, skipped.into_inner()))
    })
    .await?;
    notify_batch(&app, &outcomes);
    let tally = Tally::of(&outcomes);
    Ok(ImportSummary {
        imported: tally.imported,
        duplicates: tally.duplicates,
        failed: tally.failed,
        skipped,
    })
}

/// Pasted image data: the raw bytes are the request body, the name is in `x-vitrine-name`.
#[tauri::command]
pub async fn import_blob(state: State<'_, AppState>, request: Request<'_>) -> Cmd<Outcome> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(ErrorInfo::new(
            crate::error::ErrorCode::InvalidInput,
            "send the image bytes as the request body",
        ));
    };
    let name = request
        .headers()
        .get("x-vitrine-name")
        .and_then(|v| v.to_str().ok())
        .map(crate::import::url::percent_decode)
        .unwrap_or_else(|| "pasted image".to_string());
    let blob = Blob {
        name,
        bytes: bytes.clone(),
        kind: SourceKind::Paste,
    };
    let core = state.core.clone();
    let opts = import_options(&state, SourceKind::Paste, Vec::new());
    let outcomes = blocking(move || core.import_blobs(&[blob], &opts, &|_| {})).await?;
    outcomes
        .into_iter()
        .next()
        .ok_or_else(|| ErrorInfo::internal("no outcome"))
}

#[tauri::command]
pub async fn edit_tags(
    state: State<'_, AppState>,
    id: String,
    add: Vec<String>,
    remove: Vec<String>,
) -> Cmd<Vec<String>> {
    let core = state.core.clone();
    blocking(move || core.edit_tags(&id, &add, &remove)).await
}

#[tauri::command]
pub async fn set_visibility(
    state: State<'_, AppState>,
    id: String,
    visibility: Visibility,
) -> Cmd<ImageRecord> {
    let core = state.core.clone();
    blocking(move || core.set_visibility(&id, visibility)).await
}

#[tauri::command]
pub async fn rename_image(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> Cmd<ImageRecord> {
    let core = state.core.clone();
    blocking(move || core.rename(&id, &name)).await
}

#[tauri::command]
pub async fn delete_images(state: State<'_, AppState>, ids: Vec<String>) -> Cmd<Vec<String>> {
    let core = state.core.clone();
    blocking(move || core.remove(&ids)).await
}

#[tauri::command]
pub async fn stats(state: State<'_, AppState>) -> Cmd<Stats> {
    let lib = state.lib().clone();
    blocking(move || lib.catalog_connection()?.stats()).await
}

#[tauri::command]
pub async fn tag_counts(state: State<'_, AppState>) -> Cmd<Vec<(String, i64)>> {
    let lib = state.lib().clone();
    blocking(move || lib.catalog_connection()?.tag_counts()).await
}

#[tauri::command]
pub async fn reveal_image<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Cmd<()> {
    use tauri_plugin_opener::OpenerExt;
    let lib = state.lib().clone();
    let path = blocking(move || {
        let rec = lib.catalog_connection()?.get(&id)?;
        // An original that is only in the bucket is fetched first: there is a file to show.
        lib.ensure_original(&rec)
    })
    .await?;
    app.opener().reveal_item_in_dir(&path).map_err(|e| {
        ErrorInfo::new(
            crate::error::ErrorCode::RevealFailed,
            format!("cannot open the file manager at {}: {e}", path.display()),
        )
    })
}

/// A link to the image in the chosen format: with a bucket set up, a presigned link for a
/// private image (living `expires` seconds, default a day, at most 7 days) or the stable
/// public URL of an unlisted/public one; without a bucket, the original's `file://` URL.
#[tauri::command]
pub async fn image_link(
    state: State<'_, AppState>,
    id: String,
    format: LinkFormat,
    expires: Option<u64>,
) -> Cmd<ImageLink> {
    let core = state.core.clone();
    blocking(move || core.link(&id, format, expires.map(std::time::Duration::from_secs))).await
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Cmd<Settings> {
    Ok(state.settings())
}

#[tauri::command]
pub async fn set_settings(state: State<'_, AppState>, settings: Settings) -> Cmd<Settings> {
    let lib = state.lib().clone();
    let settings = Settings {
        rendering: state.settings().rendering,
        ..settings
    };
    let saved = blocking(move || Settings::save(&lib, &settings)).await?;
    *state.settings.lock().unwrap_or_else(|p| p.into_inner()) = saved.clone();
    Ok(saved)
}
