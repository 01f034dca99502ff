//! Dragging images out of the window to another application or the desktop: the originals as
//! files (`text/uri-list`; one fetched from the bucket first when it is not on this computer),
//! and for applications that take only text, the images' links (`text/plain`: the share link
//! with a bucket — stable for unlisted and public images, presigned for private ones — else the
//! file's URI). The drag is GTK's own,
//! started from the app's window while the mouse button is still down; the URIs are handed
//! over when the drop target asks for them, and the window stops being a drag source when the
//! drag ends (not when the drop is announced: the target asks for the data after that).

use std::path::PathBuf;

use tauri::{Runtime, State, WebviewWindow};

use super::commands::{blocking, Cmd};
use super::AppState;
use crate::error::{ErrorCode, ErrorInfo};
use crate::sync::links::LinkFormat;

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
    let core = state.core.clone();
    let (uris, links) = blocking(move || {
        let cat = lib.catalog_connection()?;
        let uris = ids
            .iter()
            .map(|id| {
                let path: PathBuf = lib.ensure_original(&cat.get(id)?)?;
                Ok(url::Url::from_file_path(&path)
                    .map(String::from)
                    .unwrap_or_else(|_| path.display().to_string()))
            })
            .collect::<crate::Result<Vec<String>>>()?;
        // A link per image, in order; where none can be made (no public address), its file URI.
        let mut links = uris.clone();
        let sel = crate::catalog::Selection::ids(&ids);
        let mut i = 0;
        let made = core.links_many(&sel, LinkFormat::Url, None, &mut |items, _| {
            for item in items {
                if let (Some(link), Some(slot)) = (item.value, links.get_mut(i)) {
                    *slot = link.url;
                }
                i += 1;
            }
        });
        if let Err(e) = made {
            // The files still go: only the text offer falls back to their URIs.
            log::warn!("drag out: no links for text targets: {e}");
        }
        Ok((uris, links))
    })
    .await?;
    let n = uris.len();
    start(&window, uris, links.join("\n")).await?;
    Ok(n)
}

/// Runs the drag's start on the main thread (GTK's) and waits for its answer.
async fn start<R: Runtime>(window: &WebviewWindow<R>, uris: Vec<String>, text: String) -> Cmd<()> {
    let w = window.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    window
        .run_on_main_thread(move || {
            let _ = tx.send(begin(&w, uris, text));
        })
        .map_err(ErrorInfo::internal)?;
    tauri::async_runtime::spawn_blocking(move || rx.recv())
        .await
        .map_err(ErrorInfo::internal)?
        .map_err(ErrorInfo::internal)?
        .map_err(|e| ErrorInfo::new(ErrorCode::Internal, format!("cannot start the drag: {e}")))
}

#[cfg(target_os = "linux")]
thread_local! {
    /// The drag source set up by the last drag (GTK's main thread only): its window and signal
    /// handlers, taken down when that drag ends, fails, or the next one starts.
    static SOURCE: std::cell::RefCell<Option<(gtk::ApplicationWindow, Vec<gtk::glib::SignalHandlerId>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Takes the last drag's source down (its handlers, the window's drag-source role).
#[cfg(target_os = "linux")]
fn unset_source() {
    use gtk::glib::object::ObjectExt;
    use gtk::prelude::WidgetExt;
    if let Some((w, handlers)) = SOURCE.with(|s| s.borrow_mut().take()) {
        for id in handlers {
            w.disconnect(id);
        }
        w.drag_source_unset();
    }
}

/// The drag took the pointer from the webview while its button was down, so WebKit never saw
/// the button come up and would ignore the next press (no `pointerdown`: a second drag would
/// not start). Tell the widget under the pointer that button 1 was released.
#[cfg(target_os = "linux")]
fn release_button(window: &gtk::ApplicationWindow) {
    use gtk::gdk;
    use gtk::glib::object::Cast;
    use gtk::glib::translate::ToGlibPtr;
    use gtk::prelude::{SeatExt, WidgetExt};

    let Some(pointer) = window
        .display()
        .default_seat()
        .and_then(|seat| seat.pointer())
    else {
        return;
    };
    // The web view's own window (the pointer is over another application now).
    let Some(gdk_window) = find_webview(window.upcast_ref()).and_then(|w| w.window()) else {
        return;
    };
    let (_, x, y, _) = gdk_window.device_position(&pointer);
    // SAFETY: a fresh event owned here; the window reference it takes is released by
    // gdk_event_free, and the device is only borrowed by gdk_event_set_device.
    unsafe {
        let ev = gdk::ffi::gdk_event_new(gdk::ffi::GDK_BUTTON_RELEASE);
        let b = ev as *mut gdk::ffi::GdkEventButton;
        (*b).window = gdk_window.to_glib_full();
        (*b).send_event = 1;
        (*b).time = gdk::ffi::GDK_CURRENT_TIME as u32;
        (*b).x = f64::from(x);
        (*b).y = f64::from(y);
        (*b).state = gdk::ffi::GDK_BUTTON1_MASK;
        (*b).button = 1;
        gdk::ffi::gdk_event_set_device(ev, pointer.to_glib_none().0);
        gtk::ffi::gtk_main_do_event(ev);
        gdk::ffi::gdk_event_free(ev);
    }
}

/// The WebKit view inside the app's window.
#[cfg(target_os = "linux")]
fn find_webview(w: &gtk::Widget) -> Option<gtk::Widget> {
    use gtk::glib::object::{Cast, ObjectExt};
    use gtk::prelude::ContainerExt;
    if w.type_().name() == "WebKitWebView" {
        return Some(w.clone());
    }
    w.downcast_ref::<gtk::Container>()?
        .children()
        .iter()
        .find_map(find_webview)
}

#[cfg(target_os = "linux")]
fn begin<R: Runtime>(
    window: &WebviewWindow<R>,
    uris: Vec<String>,
    text: String,
) -> Result<(), String> {
    use gtk::gdk;
    use gtk::prelude::{WidgetExt, WidgetExtManual};

    unset_source();
    let gtk = window.gtk_window().map_err(|e| e.to_string())?;
    // Info 0: the files (text/uri-list); info 1: the links as text.
    const FILES: u32 = 0;
    gtk.drag_source_set(gdk::ModifierType::BUTTON1_MASK, &[], gdk::DragAction::COPY);
    let targets = gtk::TargetList::new(&[]);
    targets.add_uri_targets(FILES);
    targets.add_text_targets(1);
    gtk.drag_source_set_target_list(Some(&targets));
    let handlers = vec![
        gtk.connect_drag_data_get(move |_, _, data, info, _| {
            if info == FILES {
                let uris: Vec<&str> = uris.iter().map(String::as_str).collect();
                data.set_uris(&uris);
            } else {
                data.set_text(&text);
            }
        }),
        gtk.connect_drag_end(|w, _| {
            log::info!("drag out ended");
            unset_source();
            release_button(w);
        }),
        gtk.connect_drag_failed(|_, _, result| {
            log::info!("drag out failed: {result:?}");
            unset_source();
            gtk::glib::Propagation::Proceed
        }),
    ];
    SOURCE.with(|s| *s.borrow_mut() = Some((gtk.clone(), handlers)));
    match gtk.drag_begin_with_coordinates(&targets, gdk::DragAction::COPY, 1, None, -1, -1) {
        Some(_) => Ok(()),
        None => {
            unset_source();
            Err("GTK refused to start it".into())
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn begin<R: Runtime>(
    _window: &WebviewWindow<R>,
    _uris: Vec<String>,
    _text: String,
) -> Result<(), String> {
    Err("dragging images out of the window is only built for Linux so far".into())
}
