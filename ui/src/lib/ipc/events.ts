import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type { BulkJob, ChangeReason, Notice, Progress, SyncEvent, SyncStatus } from './types';

export type Unlisten = () => void;

function wrap(p: Promise<UnlistenFn>): Unlisten {
  let done = false;
  let un: UnlistenFn | null = null;
  p.then(
    (fn) => {
      if (done) fn();
      else un = fn;
    },
    () => {
      /* not in Tauri (plain browser without mocks): nothing to unlisten */
    },
  );
  return () => {
    done = true;
    un?.();
  };
}

// One listener per channel of the core's `Event` (`Event::CHANNELS` in src-tauri/events.rs;
// a Rust test checks that every channel is named here).
export const CHANNELS = {
  libraryChanged: 'library-changed',
  importProgress: 'import-progress',
  syncEvent: 'sync-event',
  syncStatus: 'sync-status',
  watchNotice: 'watch-notice',
  bulkJob: 'bulk-job',
} as const;

/** `library-changed`: the catalog changed (this app, the CLI, the watcher). */
export function onLibraryChanged(cb: (reason: ChangeReason) => void): Unlisten {
  return wrap(listen<{ reason: ChangeReason }>(CHANNELS.libraryChanged, (e) => cb(e.payload.reason)));
}

/** `import-progress`: a batch of imports is under way (any window's, or the watcher's). */
export function onImportProgress(cb: (p: Progress) => void): Unlisten {
  return wrap(listen<Progress>(CHANNELS.importProgress, (e) => cb(e.payload)));
}

/** `sync-event`: an image's remote state changed, a retry, or progress of the running sync. */
export function onSyncEvent(cb: (e: SyncEvent) => void): Unlisten {
  return wrap(listen<SyncEvent>(CHANNELS.syncEvent, (e) => cb(e.payload)));
}

/** `sync-status`: the background sync as a whole. */
export function onSyncStatus(cb: (s: SyncStatus) => void): Unlisten {
  return wrap(listen<SyncStatus>(CHANNELS.syncStatus, (e) => cb(e.payload)));
}

/**
 * `watch-notice`: a watched folder's status changed, a file in one was added/moved/edited/
 * deleted/failed, or another process (`vitrine watch run`) watches this library.
 */
export function onWatchNotice(cb: (n: Notice) => void): Unlisten {
  return wrap(listen<Notice>(CHANNELS.watchNotice, (e) => cb(e.payload)));
}

/** `bulk-job`: a bulk job's progress in the core, and its end (`state` no longer `running`). */
export function onBulkJob(cb: (j: BulkJob) => void): Unlisten {
  return wrap(listen<BulkJob>(CHANNELS.bulkJob, (e) => cb(e.payload)));
}

/** The app's own channel (not a core event): files were given to open; take them with `takeOpenRequests`. */
export const OPEN_REQUESTED = 'open-requested';

/** `open-requested`: "Open with Vitrine" or a second launch passed files to this window. */
export function onOpenRequested(cb: () => void): Unlisten {
  return wrap(listen<null>(OPEN_REQUESTED, () => cb()));
}

export type FileDrop =
  | { type: 'enter'; paths: string[] }
  | { type: 'over' }
  | { type: 'drop'; paths: string[] }
  | { type: 'leave' };

/** OS file drag-and-drop on the window (HTML5 drop handlers never see these). */
export function onFileDrop(cb: (e: FileDrop) => void): Unlisten {
  let p: Promise<UnlistenFn>;
  try {
    p = getCurrentWebview().onDragDropEvent((e) => {
      const d = e.payload;
      switch (d.type) {
        case 'enter':
          cb({ type: 'enter', paths: d.paths });
          break;
        case 'over':
          cb({ type: 'over' });
          break;
        case 'drop':
          cb({ type: 'drop', paths: d.paths });
          break;
        default:
          cb({ type: 'leave' });
      }
    });
  } catch {
    return () => {};
  }
  return wrap(p);
}
