//! `vitrine://` — how images reach the webview, never as base64 over IPC:
//! `vitrine://localhost/thumb/<id>/grid|preview` and `vitrine://localhost/original/<id>` (the
//! file itself, or a full-size rendering of what a web view cannot show: HEIC, AVIF, JPEG XL…)
//! (`http://vitrine.localhost/…` on Windows). Only catalog ids are served; a URL never names a
//! path. Requests run on a small pool so rendering a preview never blocks the UI thread.

use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};

use tauri::http::{header, Request, Response, StatusCode};

use crate::catalog::Catalog;
use crate::library::Library;
use crate::thumbs::ThumbCache;
use crate::thumbs::ThumbSize;
use crate::Error;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of worker threads taking jobs from one queue.
pub struct Pool {
    tx: Mutex<Sender<Job>>,
}

impl Pool {
    pub fn new(threads: usize) -> Self {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("vitrine-protocol-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })
                .expect("spawn protocol worker");
        }
        Pool { tx: Mutex::new(tx) }
    }

    pub fn execute(&self, job: impl FnOnce() + Send + 'static) {
        if let Ok(tx) = self.tx.lock() {
            let _ = tx.send(Box::new(job));
        }
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(text.as_bytes().to_vec())
        .unwrap_or_default()
}

fn image(mime: &str, data: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, mime)
        .header(header::CONTENT_LENGTH, data.len())
        // Ids never change meaning (content-addressed rows), so the webview may keep them.
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .header("X-Content-Type-Options", "nosniff")
        .body(data)
        .unwrap_or_default()
}

fn valid_id(id: &str) -> bool {
    id.len() == 26 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

thread_local! {
    /// Each protocol thread keeps its own connections: requests never queue on a shared one.
    static CONNECTIONS: std::cell::RefCell<Option<(Catalog, ThumbCache)>> =
        const { std::cell::RefCell::new(None) };
}

/// Answers one request. An original that is not on this computer is fetched from the bucket
/// first, through the library's fetcher (see `Library::ensure_original`).
pub fn handle(lib: &Library, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    if request.method() != tauri::http::Method::GET && request.method() != tauri::http::Method::HEAD
    {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "only GET");
    }
    CONNECTIONS.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            match (lib.catalog_connection(), lib.thumb_cache()) {
                (Ok(c), Ok(t)) => *slot = Some((c, t)),
                (Err(e), _) | (_, Err(e)) => {
                    return plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
                }
            }
        }
        let (catalog, cache) = slot.as_ref().expect("opened above");
        route(lib, catalog, cache, request)
    })
}

fn route(
    lib: &Library,
    catalog: &Catalog,
    cache: &ThumbCache,
    request: &Request<Vec<u8>>,
) -> Response<Vec<u8>> {
    let path = crate::import::url::percent_decode(request.uri().path());
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let not_found = |e: Error| match e {
        Error::NotFound(_) => plain(StatusCode::NOT_FOUND, "no such image"),
        other => plain(StatusCode::INTERNAL_SERVER_ERROR, &other.to_string()),
    };
    match parts.as_slice() {
        ["thumb", id, size] if valid_id(id) => {
            let Some(size) = ThumbSize::parse(size) else {
                return plain(StatusCode::BAD_REQUEST, "size is grid or preview");
            };
            match lib.view_thumbnail_with(catalog, cache, id, size) {
                Ok(t) => image(t.mime, t.data),
                Err(e) => not_found(e),
            }
        }
        ["original", id] if valid_id(id) => {
            let record = match catalog.get(id) {
                Ok(r) => r,
                Err(e) => return not_found(e),
            };
            // The bucket is the truth for the data: an original not here comes from it. What
            // WebKit cannot show (HEIC, JPEG XL, ...) comes as a full-size rendering.
            match lib.viewable_original(&record) {
                Ok((mime, bytes)) => image(&mime, bytes),
                Err(e) => plain(StatusCode::NOT_FOUND, &e.to_string()),
            }
        }
        _ => plain(
            StatusCode::BAD_REQUEST,
            "expected /thumb/<id>/<size> or /original/<id>",
        ),
    }
}
