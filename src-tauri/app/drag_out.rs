//! Dragging images out of the window to another application or the desktop: the originals as
//! files (`text/uri-list`, which applications that take text read as the files' URIs), one
//! fetched from the bucket first when it is not on this computer. The drag is GTK's own,
//! started from the app's window while the mouse button is still down; the URIs are handed
//! over when the drop target asks for them, and the window stops being a drag source when the
//! drag ends (not when the drop is announced: the target asks for the data after that).

use std::path::PathBuf;

use tauri::{Runtime, State, WebviewWindow};

use super::commands::{blocking, Cmd};
use super::AppState;
use crate::error::{ErrorCode, ErrorInfo};

/// Most files one drag carries (a drag of a whole library would stall the drop target).
pub const MAX_FILES: usize = 500;

/// Starts an OS drag of these images' originals from the window (the mouse button is down).
/// Returns how many files it carries.
#[tauri::command]
pub async fn drag_out<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Cmd<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    if ids.len() > MAX_FILES {
        return Err(ErrorInfo::new(
            ErrorCode::InvalidInput,
            format!(
                "{} images are too many to drag at once (at most {MAX_FILES}): export them as a ZIP instead",
                ids.len()
            ),
        ));
    }
    let lib = state.lib().clone();
    let paths = blocking(move || {
        let cat = lib.catalog_connection()?;
        ids.iter()
            .map(|id| lib.ensure_original(&cat.get(id)?))
            .collect::<crate::Result<Vec<PathBuf>>>()
    })
    .await?;
    let n = paths.len();
    let uris: Vec<String> = paths
        .iter()
        .filter_map(|p| url::Url::from_file_path(p).ok().map(String::from))
        .collect();
    start(&window, uris).await?;
    Ok(n)
}

/// Runs the drag's start on the main thread (GTK's) and waits for its answer.
async fn start<R: Runtime>(window: &WebviewWindow<R>, uris: Vec<String>) -> Cmd<()> {
    let w = window.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    window
        .run_on_main_thread(move || {
            let _ = tx.send(begin(&w, uris));
        })
        .map_err(ErrorInfo::internal)?;
    tauri::async_runtime::spawn_blocking(move || rx.recv())
        .await
        .map_err(ErrorInfo::internal)?
        .map_err(ErrorInfo::internal)?
        .map_err(|e| ErrorInfo::new(ErrorCode::Internal, format!("cannot start the drag: {e}")))
}

#[cfg(target_os = "linux")]
fn begin<R: Runtime>(window: &WebviewWindow<R>, uris: Vec<String>) -> Result<(), String> {
    use gtk::gdk;
    use gtk::glib::object::ObjectExt;
    use gtk::prelude::{WidgetExt, WidgetExtManual};
    use std::cell::RefCell;
    use std::rc::Rc;

    let gtk = window.gtk_window().map_err(|e| e.to_string())?;
    gtk.drag_source_set(gdk::ModifierType::BUTTON1_MASK, &[], gdk::DragAction::COPY);
    gtk.drag_source_add_uri_targets();
    let handlers = Rc::new(RefCell::new(Vec::new()));
    handlers
        .borrow_mut()
        .push(gtk.connect_drag_data_get(move |_, _, data, _, _| {
            let uris: Vec<&str> = uris.iter().map(String::as_str).collect();
            data.set_uris(&uris);
        }));
    let cleanup = {
        let handlers = handlers.clone();
        move |w: &gtk::ApplicationWindow| {
            for id in handlers.borrow_mut().drain(..) {
                w.disconnect(id);
            }
            w.drag_source_unset();
        }
    };
    let end = cleanup.clone();
    handlers
        .borrow_mut()
        .push(gtk.connect_drag_end(move |w, _| {
            log::info!("drag out ended");
            end(w);
        }));
    let targets = gtk.drag_source_get_target_list().ok_or("no drag targets")?;
    match gtk.drag_begin_with_coordinates(&targets, gdk::DragAction::COPY, 1, None, -1, -1) {
        Some(_) => Ok(()),
        None => {
            cleanup(&gtk);
            Err("GTK refused to start it".into())
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn begin<R: Runtime>(_window: &WebviewWindow<R>, _uris: Vec<String>) -> Result<(), String> {
    Err("dragging images out of the window is only built for Linux so far".into())
}
