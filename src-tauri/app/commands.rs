//! Tauri commands: thin async adapters over the core. Work runs on the blocking pool, never
//! on the UI thread; errors reach the UI as `{code, message}`.

use serde::{Deserialize, Serialize};
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::{AppHandle, Emitter, Runtime, State};

use super::error::IpcError;
use super::{AppState, LibraryChanged, Settings};
use crate::catalog::{ImageDetail, ImageRecord, ListQuery, Stats, DEFAULT_PAGE};
use crate::import::{Blob, ImportEvent, ImportOptions, Outcome, Status, Tally};
use crate::model::{SourceKind, Visibility};
use crate::sync::links;

pub(super) type Cmd<T> = Result<T, IpcError>;

/// Most rows one page may ask for.
const MAX_PAGE: usize = 1000;

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Cmd<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(IpcError::internal)?
        .map_err(Into::into)
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
}

#[derive(Debug, Clone, Copy, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum LinkFormat {
    Url,
    Markdown,
    Html,
    Bbcode,
}

#[tauri::command]
pub async fn library_info(state: State<'_, AppState>) -> Cmd<LibraryInfo> {
    let lib = state.lib.clone();
    blocking(move || {
        let images = lib.catalog_connection()?.count()?;
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
    let lib = state.lib.clone();
    let mut query = query;
    query.limit = Some(query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE));
    blocking(move || lib.catalog_connection()?.list(&query)).await
}

#[tauri::command]
pub async fn get_image(state: State<'_, AppState>, id: String) -> Cmd<ImageDetail> {
    let lib = state.lib.clone();
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

/// Streams every import event to the caller and tells every window the library changed.
fn forward<R: Runtime>(
    app: AppHandle<R>,
    channel: Channel<ImportEvent>,
) -> impl Fn(ImportEvent) + Sync {
    let last = std::sync::Mutex::new(std::time::Instant::now() - std::time::Duration::from_secs(1));
    move |event: ImportEvent| {
        let landed = matches!(&event, ImportEvent::Item { outcome, .. } if outcome.status == Status::Imported);
        let finished = matches!(event, ImportEvent::Finished { .. });
        let _ = channel.send(event);
        // At most a few refreshes a second while a big batch lands, and one at the end.
        let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
        if finished || (landed && last.elapsed().as_millis() >= 250) {
            *last = std::time::Instant::now();
            let _ = app.emit("library-changed", LibraryChanged::new("import"));
        }
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
    let lib = state.lib.clone();
    let opts = import_options(&state, source, tags);
    let sink = forward(app.clone(), on_event);
    let outcomes = blocking(move || lib.import(&inputs, &opts, &sink)).await?;
    state.sync.kick();
    notify_batch(&app, &outcomes);
    let tally = Tally::of(&outcomes);
    Ok(ImportSummary {
        imported: tally.imported,
        duplicates: tally.duplicates,
        failed: tally.failed,
    })
}

/// Pasted image data: the raw bytes are the request body, the name is in `x-vitrine-name`.
#[tauri::command]
pub async fn import_blob<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Cmd<Outcome> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError::new(
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
    let lib = state.lib.clone();
    let opts = import_options(&state, SourceKind::Paste, Vec::new());
    let outcomes = blocking(move || lib.import_blobs(&[blob], &opts, &|_| {})).await?;
    state.sync.kick();
    let _ = app.emit("library-changed", LibraryChanged::new("import"));
    outcomes
        .into_iter()
        .next()
        .ok_or_else(|| IpcError::internal("no outcome"))
}

#[tauri::command]
pub async fn edit_tags<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    add: Vec<String>,
    remove: Vec<String>,
) -> Cmd<Vec<String>> {
    let lib = state.lib.clone();
    let tags = blocking(move || lib.catalog().edit_tags(&id, &add, &remove)).await?;
    let _ = app.emit("library-changed", LibraryChanged::new("edit"));
    Ok(tags)
}

#[tauri::command]
pub async fn set_visibility<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    visibility: Visibility,
) -> Cmd<ImageRecord> {
    let lib = state.lib.clone();
    let rec = blocking(move || lib.catalog().set_visibility(&id, visibility)).await?;
    state.sync.kick();
    let _ = app.emit("library-changed", LibraryChanged::new("edit"));
    Ok(rec)
}

#[tauri::command]
pub async fn delete_images<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Cmd<Vec<String>> {
    let lib = state.lib.clone();
    let removed = blocking(move || {
        ids.iter()
            .map(|id| lib.remove(id).map(|r| r.id))
            .collect::<crate::Result<Vec<_>>>()
    })
    .await?;
    state.sync.kick();
    let _ = app.emit("library-changed", LibraryChanged::new("delete"));
    Ok(removed)
}

#[tauri::command]
pub async fn stats(state: State<'_, AppState>) -> Cmd<Stats> {
    let lib = state.lib.clone();
    blocking(move || lib.catalog_connection()?.stats()).await
}

#[tauri::command]
pub async fn tag_counts(state: State<'_, AppState>) -> Cmd<Vec<(String, i64)>> {
    let lib = state.lib.clone();
    blocking(move || lib.catalog_connection()?.tag_counts()).await
}

#[tauri::command]
pub async fn reveal_image<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Cmd<()> {
    use tauri_plugin_opener::OpenerExt;
    let lib = state.lib.clone();
    let path = blocking(move || {
        let rec = lib.catalog().get(&id)?;
        Ok(lib.original_path(&rec))
    })
    .await?;
    app.opener().reveal_item_in_dir(&path).map_err(|e| {
        IpcError::new(
            crate::error::ErrorCode::RevealFailed,
            format!("cannot open the file manager at {}: {e}", path.display()),
        )
    })
}

/// What kind of link `image_link` made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// The original's `file://` URL: no bucket is set up.
    Local,
    /// A private image's time-limited link.
    Presigned,
    /// `<public URL>/<key>` of an unlisted or public image: stable.
    Public,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ImageLink {
    pub kind: LinkKind,
    pub url: String,
    /// The link in the format asked for.
    pub text: String,
    /// RFC 3339 expiry of a presigned link.
    pub expires_at: Option<String>,
    /// False while the object is not (yet) where the link points (sync pending).
    pub ready: bool,
}

impl From<LinkFormat> for links::LinkFormat {
    fn from(f: LinkFormat) -> Self {
        match f {
            LinkFormat::Url => links::LinkFormat::Url,
            LinkFormat::Markdown => links::LinkFormat::Markdown,
            LinkFormat::Html => links::LinkFormat::Html,
            LinkFormat::Bbcode => links::LinkFormat::Bbcode,
        }
    }
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
    let lib = state.lib.clone();
    let sync = state.sync.clone();
    blocking(move || {
        let cat = lib.catalog_connection()?;
        let rec = cat.get(&id)?;
        if cat.active_remote()?.is_none() {
            let url = file_url(&lib.original_path(&rec));
            return Ok(ImageLink {
                kind: LinkKind::Local,
                text: format_link(&url, &rec.filename, format),
                url,
                expires_at: None,
                ready: true,
            });
        }
        let expires = match (rec.visibility, expires) {
            (Visibility::Private, Some(secs)) => {
                let d = std::time::Duration::from_secs(secs);
                if d.is_zero() || d > crate::storage::MAX_PRESIGN {
                    return Err(crate::Error::Invalid {
                        what: "link expiry",
                        value: format!("{secs} s"),
                        hint: "from 1 second to 7 days",
                    });
                }
                Some(d)
            }
            _ => None,
        };
        let remote = sync.remote(&cat)?;
        let link = links::link(&cat, &remote, &id, expires, format.into())?;
        Ok(ImageLink {
            kind: if link.expires_at.is_some() {
                LinkKind::Presigned
            } else {
                LinkKind::Public
            },
            url: link.url,
            text: link.text,
            expires_at: link.expires_at,
            ready: link.ready,
        })
    })
    .await
}

pub fn file_url(path: &std::path::Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn format_link(url: &str, title: &str, format: LinkFormat) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    match format {
        LinkFormat::Url => url.to_string(),
        LinkFormat::Markdown => format!("![{}]({url})", title.replace(['[', ']'], "")),
        LinkFormat::Html => format!("<img src=\"{}\" alt=\"{}\">", esc(url), esc(title)),
        LinkFormat::Bbcode => format!("[img]{url}[/img]"),
    }
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Cmd<Settings> {
    Ok(state.settings())
}

#[tauri::command]
pub async fn set_settings(state: State<'_, AppState>, settings: Settings) -> Cmd<Settings> {
    let lib = state.lib.clone();
    let saved = blocking(move || Settings::save(&lib, &settings)).await?;
    *state.settings.lock().unwrap_or_else(|p| p.into_inner()) = saved.clone();
    Ok(saved)
}
