import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type { LibraryChanged, Notice, SyncEvent, SyncStatus } from './types';

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

/** `library-changed`: the catalog changed (this app, the CLI, the watcher). */
export function onLibraryChanged(cb: (reason: LibraryChanged['reason']) => void): Unlisten {
  return wrap(listen<LibraryChanged>('library-changed', (e) => cb(e.payload.reason)));
}

/** `sync-event`: an image's remote state changed, a retry, or progress of the running sync. */
export function onSyncEvent(cb: (e: SyncEvent) => void): Unlisten {
  return wrap(listen<SyncEvent>('sync-event', (e) => cb(e.payload)));
}

/** `sync-status`: the background sync as a whole. */
export function onSyncStatus(cb: (s: SyncStatus) => void): Unlisten {
  return wrap(listen<SyncStatus>('sync-status', (e) => cb(e.payload)));
}

/**
 * `watch-notice`: a watched folder's status changed, a file in one was added/moved/edited/
 * deleted/failed, or another process (`vitrine watch run`) watches this library.
 */
export function onWatchNotice(cb: (n: Notice) => void): Unlisten {
  return wrap(listen<Notice>('watch-notice', (e) => cb(e.payload)));
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
