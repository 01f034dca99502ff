//! How a folder is watched: by filesystem events, by polling (network filesystems, folders
//! set to poll, or where events cannot be set up), not at all while offline (unplugged,
//! unmounted, unreadable: nothing is deleted meanwhile) or paused; and how an offline folder
//! is told from one whose files were deleted.

use notify::{RecursiveMode, Watcher};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::Arc;

use super::scan;
use super::service::{Folder, Service};
use crate::catalog::{Catalog, ChangeFacts, ChangeKind, WatchedFolder};
use crate::model::FolderStatus;

/// How a folder is watched now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Events,
    /// Rescanned on a timer, and why.
    Polling(String),
    Offline,
    Paused,
}

impl Mode {
    /// Whether the folder is being watched (scanned, its changes applied).
    pub fn active(&self) -> bool {
        matches!(self, Mode::Events | Mode::Polling(_))
    }

    /// The status a watched folder reports between scans, with polling's reason.
    pub fn settled_status(&self) -> (FolderStatus, Option<&str>) {
        match self {
            Mode::Polling(why) => (FolderStatus::Polling, Some(why)),
            _ => (FolderStatus::Watching, None),
        }
    }
}

/// What a periodic check of a folder that is not paused means for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// It went away: offline (nothing is deleted), and why.
    Offline(String),
    /// It is back: set it up again (and rescan it).
    Online,
}

/// The transition a check's finding (`offline`: why it cannot be read, if so) calls for.
pub fn transition(mode: &Mode, offline: Option<String>) -> Option<Transition> {
    match (offline, mode) {
        (_, Mode::Paused) => None,
        (Some(_), Mode::Offline) => None,
        (Some(why), _) => Some(Transition::Offline(why)),
        (None, Mode::Offline) => Some(Transition::Online),
        (None, _) => None,
    }
}

impl Service<'_> {
    /// Sets a folder up: paused, offline, or watched by events (falling back to polling).
    pub(super) fn start(&mut self, f: &mut Folder) {
        f.watcher = None;
        f.next_scan = None;
        if f.folder.paused {
            f.mode = Mode::Paused;
            self.publish(f, FolderStatus::Paused, None, false);
            return;
        }
        if let Some(why) = offline_reason(&self.cat, &f.folder) {
            self.go_offline(f, why);
            return;
        }
        // Online: record the device it is on now (first time, or the same disk back under
        // another device number, as offline_reason checked).
        if let Some(d) = scan::device(Path::new(&f.folder.path)) {
            if f.folder.device != Some(d) {
                let _ = self.cat.set_watched_device(f.folder.id, d);
                f.folder.device = Some(d);
            }
        }
        let events = events_for(
            &f.folder,
            self.opts.force_poll,
            self.tx.clone(),
            self.overflow.clone(),
        );
        f.mode = match events {
            Ok(w) => {
                f.watcher = Some(w);
                Mode::Events
            }
            Err(why) => Mode::Polling(why),
        };
        f.next_scan = Some(std::time::Instant::now());
    }

    /// The folder went away: nothing of it is watched, pending or deleted until it is back.
    pub(super) fn go_offline(&mut self, f: &mut Folder, why: String) {
        f.watcher = None;
        f.next_scan = None;
        f.next_check = std::time::Instant::now() + self.opts.offline_check;
        let id = f.folder.id;
        self.debounce.forget_folder(id);
        if f.mode != Mode::Offline {
            let _ = self.cat.add_watch_event(
                Some(id),
                ChangeKind::Offline,
                &f.folder.path,
                None,
                Some(&why),
                &ChangeFacts::default(),
            );
        }
        f.mode = Mode::Offline;
        self.publish(f, FolderStatus::Offline, Some(&why), false);
    }

    /// The periodic check of a folder that is not paused: gone away, or back.
    pub(super) fn check(&mut self, f: &mut Folder) {
        match transition(&f.mode, offline_reason(&self.cat, &f.folder)) {
            Some(Transition::Offline(why)) => self.go_offline(f, why),
            Some(Transition::Online) => {
                let _ = self.cat.add_watch_event(
                    Some(f.folder.id),
                    ChangeKind::Online,
                    &f.folder.path,
                    None,
                    Some("the folder is back: rescanning"),
                    &ChangeFacts::default(),
                );
                self.start(f);
            }
            None => {}
        }
    }
}

/// Why a folder cannot be scanned right now (nothing is deleted while it is offline).
pub fn offline_reason(cat: &Catalog, folder: &WatchedFolder) -> Option<String> {
    let root = Path::new(&folder.path);
    match std::fs::metadata(root) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Some("the watched path is no longer a folder".into()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Some("permission denied: Vitrine cannot read this folder".into())
        }
        Err(_) => {
            return Some(
                "folder not found: is its disk plugged in? Nothing is deleted while it is away"
                    .into(),
            )
        }
    }
    // A disk unmounted leaves its mount point behind, empty, on another device; another disk
    // may be mounted there, even under the same device number. Either way none of the files
    // the catalog knows are there.
    let here = scan::device(root);
    let moved = folder.device.is_some() && here.is_some() && folder.device != here;
    let mount_point = root
        .parent()
        .is_some_and(|p| here.is_some() && scan::device(p) != here);
    if (moved || mount_point) && !known_files_here(cat, folder) {
        return Some(format!(
            "its disk is not mounted ({}none of its files are here); nothing is deleted while it is away. If this is the right disk and its files were deleted, remove the folder and add it again",
            if moved { "another device is at this path, and " } else { "" }
        ));
    }
    if std::fs::read_dir(root).is_err() {
        return Some("permission denied: Vitrine cannot read this folder".into());
    }
    None
}

/// After a remount the same disk may get another device number (network filesystems, FUSE,
/// a USB disk on another port): it is the same disk if files the catalog knows are there,
/// unchanged. A folder with no known file has nothing to lose.
fn known_files_here(cat: &Catalog, folder: &WatchedFolder) -> bool {
    let sample = cat.watched_sample(folder.id, 20).unwrap_or_default();
    sample.is_empty()
        || sample
            .iter()
            .any(|(p, size, mtime)| scan::stat(Path::new(p)) == Some((*size, *mtime)))
}

/// What a folder's watcher sends: the folder's id and notify's event (or error).
pub type Msg = (i64, notify::Result<notify::Event>);

/// Filesystem events for a folder into `tx` (a full channel sets `overflow`: the folder is
/// rescanned), or why the folder is polled instead.
pub fn events_for(
    folder: &WatchedFolder,
    force_poll: bool,
    tx: SyncSender<Msg>,
    overflow: Arc<AtomicBool>,
) -> Result<notify::RecommendedWatcher, String> {
    if force_poll || folder.options.poll {
        return Err("polling, as set for this folder".into());
    }
    if let Some(fs) = network_fs(Path::new(&folder.path)) {
        return Err(format!(
            "on a network filesystem ({fs}): checked by polling"
        ));
    }
    let id = folder.id;
    let mut w = notify::recommended_watcher(move |e| match tx.try_send((id, e)) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => overflow.store(true, Ordering::SeqCst),
        Err(TrySendError::Disconnected(_)) => {}
    })
    .map_err(|e| format!("file events unavailable ({e}): checked by polling"))?;
    let mode = if folder.options.recursive {
        RecursiveMode::Recursive
    } else {
        RecursiveMode::NonRecursive
    };
    w.watch(Path::new(&folder.path), mode)
        .map_err(|e| format!("file events unavailable ({e}): checked by polling"))?;
    Ok(w)
}

/// The network filesystem a path is on, if any (events from other machines never arrive).
/// Known on Linux (statfs); elsewhere folders on network shares can be set to poll.
#[cfg(target_os = "linux")]
fn network_fs(path: &Path) -> Option<&'static str> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statfs fills the zeroed struct for a NUL-terminated path.
    let mut s: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)]
    match s.f_type as i64 {
        0x6969 => Some("NFS"),
        0x517B => Some("SMB"),
        0xFF534D42 => Some("CIFS"),
        0xFE534D42 => Some("SMB2"),
        0x65735546 => Some("FUSE"),
        0x01021997 => Some("9P"),
        0x00C36400 => Some("Ceph"),
        0x5346414F => Some("AFS"),
        _ => None,
    }
}

#[cfg(not(target_os = "linux"))]
fn network_fs(_path: &Path) -> Option<&'static str> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_takes_a_folder_offline_and_back_and_leaves_paused_ones_alone() {
        let away = || Some("folder not found".to_string());
        assert_eq!(
            transition(&Mode::Events, away()),
            Some(Transition::Offline("folder not found".into()))
        );
        assert_eq!(
            transition(&Mode::Polling("NFS".into()), away()),
            Some(Transition::Offline("folder not found".into()))
        );
        assert_eq!(transition(&Mode::Offline, away()), None, "still away");
        assert_eq!(transition(&Mode::Offline, None), Some(Transition::Online));
        assert_eq!(transition(&Mode::Events, None), None);
        assert_eq!(
            transition(&Mode::Paused, away()),
            None,
            "paused: not checked"
        );
        assert_eq!(transition(&Mode::Paused, None), None);
    }

    #[test]
    fn only_events_and_polling_are_watching() {
        assert!(Mode::Events.active());
        assert!(Mode::Polling("set".into()).active());
        assert!(!Mode::Offline.active());
        assert!(!Mode::Paused.active());
        assert_eq!(
            Mode::Polling("why".into()).settled_status(),
            (FolderStatus::Polling, Some("why"))
        );
        assert_eq!(
            Mode::Events.settled_status(),
            (FolderStatus::Watching, None)
        );
    }
}
