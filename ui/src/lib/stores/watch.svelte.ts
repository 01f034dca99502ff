import {
  api,
  onWatchNotice,
  toUserError,
  type FolderOptions,
  type Notice,
  type Unlisten,
  type WatchedFolder,
  type WatchEvent,
} from '../ipc';
import { throttle } from '../util/debounce';

/** Events kept per folder for "Recent activity". */
export const ACTIVITY_KEPT = 50;
/** How long a folder added here may say "Starting…" before its status is taken as it is. */
export const STARTING_MS = 5000;

/**
 * Watched folders and what their watcher did, kept current from `watch-notice` events.
 * The watcher runs in the core (in the app, or in `vitrine watch run`); this only shows it and
 * sends the user's changes (add, options, pause, remove).
 */
export class WatchStore {
  folders = $state.raw<WatchedFolder[]>([]);
  loaded = $state(false);
  /** Another process (`vitrine watch run`) watches this library: statuses come from the catalog. */
  elsewhere = $state(false);
  /** The last failed load/add/pause/remove, worded for people. */
  error = $state.raw<{ code: string; message: string } | null>(null);
  /** Folder ids with a pause/remove/save on the way. */
  busy = $state.raw<ReadonlySet<number>>(new Set());
  /** Recent events per folder, newest first. */
  activity = $state.raw<Record<number, WatchEvent[]>>({});
  /** Added here and not reported by the watcher yet ("Starting…" rather than "Not watched"). */
  starting = $state.raw<ReadonlySet<number>>(new Set());
  /** Removed here: late notices about them are dropped. */
  #removed = new Set<number>();
  /**
   * Folders this app's watcher reports on: their status comes from its notices only. (The
   * catalog says `paused` as soon as the flag is set, while the watcher may still import for
   * a moment; its own report comes when it has stopped.)
   */
  #live = new Set<number>();
  #localEvent = -1;
  #refreshSoon = throttle(() => void this.refresh(), 1000);
  #onChange: (n: Extract<Notice, { type: 'change' }>) => void;

  /** `onChange`: a file changed in a watched folder (the app refreshes what shows it). */
  constructor(onChange: (n: Extract<Notice, { type: 'change' }>) => void = () => {}) {
    this.#onChange = onChange;
  }

  /** Subscribes to `watch-notice`; returns the unlistener. */
  subscribe(): Unlisten[] {
    const un = onWatchNotice((n) => this.notice(n));
    return [
      () => {
        un();
        this.#refreshSoon.cancel();
      },
    ];
  }

  notice(n: Notice): void {
    switch (n.type) {
      case 'folder':
        // Only this app's watcher reports folders: it watches now.
        this.elsewhere = false;
        if (this.#removed.has(n.folder.id)) return;
        this.#live.add(n.folder.id);
        this.#setStarting(n.folder.id, false);
        this.#upsert(n.folder);
        break;
      case 'change': {
        if (this.#removed.has(n.folder_id)) return;
        const { type: _type, ...change } = n;
        const e: WatchEvent = { ...change, id: this.#localEvent--, at: new Date().toISOString() };
        this.#prepend(n.folder_id, [e]);
        this.#onChange(n);
        // File and failure counts live in the catalog.
        this.#refreshSoon();
        break;
      }
      case 'watched_elsewhere':
        this.elsewhere = true;
        this.#live.clear();
        this.#refreshSoon();
        break;
    }
  }

  async load(): Promise<void> {
    try {
      const [folders, events] = await Promise.all([api.watchedFolders(), api.watchEvents(null, 200)]);
      this.folders = this.#merge(folders);
      const by: Record<number, WatchEvent[]> = {};
      for (const e of events) {
        if (e.folder_id === null) continue;
        const list = (by[e.folder_id] ??= []);
        if (list.length < ACTIVITY_KEPT) list.push(e);
      }
      this.activity = by;
      this.error = null;
    } catch (e) {
      this.error = toUserError(e);
    } finally {
      this.loaded = true;
    }
  }

  /** Re-reads the folders (counts, and statuses written by another process). */
  async refresh(): Promise<void> {
    try {
      this.folders = this.#merge(await api.watchedFolders());
    } catch {
      /* the next notice or refresh will tell */
    }
  }

  /** The catalog's rows, with the live status of folders this app's watcher reports on. */
  #merge(rows: WatchedFolder[]): WatchedFolder[] {
    return rows
      .filter((f) => !this.#removed.has(f.id))
      .map((f) => {
        const shown = this.#live.has(f.id) ? this.folders.find((x) => x.id === f.id) : undefined;
        if (!shown) return f;
        const { progress: _stored, ...row } = f;
        const live = { ...row, status: shown.status, detail: shown.detail };
        return shown.progress ? { ...live, progress: shown.progress } : live;
      });
  }

  /** Something outside this app changed the catalog (the CLI, `vitrine watch run`). */
  externalChange(): void {
    this.#refreshSoon();
  }

  /** Every folder's latest events from the catalog (Settings opened: a busy folder's log
   *  must not crowd out a quiet one's). */
  async loadAllActivity(): Promise<void> {
    await Promise.all(this.folders.map((f) => this.loadActivity(f.id)));
  }

  /** A folder's latest events from the catalog. */
  async loadActivity(id: number): Promise<void> {
    try {
      const events = await api.watchEvents(id, ACTIVITY_KEPT);
      this.activity = { ...this.activity, [id]: events };
    } catch {
      /* keep what is shown */
    }
  }

  /** Watches a folder, or saves the options of one already watched. */
  async add(path: string, options: FolderOptions): Promise<WatchedFolder | null> {
    this.error = null;
    try {
      const f = await api.addWatchedFolder(path, options);
      this.#removed.delete(f.id);
      const known = this.folders.find((x) => x.id === f.id);
      if (known) {
        // New options; the live status is the watcher's to tell.
        this.#upsert({ ...known, ...options, tags: f.tags, include: f.include, exclude: f.exclude });
      } else {
        this.#setStarting(f.id, f.status === 'stopped');
        this.#upsert(f);
      }
      return f;
    } catch (e) {
      this.error = toUserError(e);
      return null;
    }
  }

  async setPaused(id: number, paused: boolean): Promise<boolean> {
    return this.#busyWith(id, async () => {
      await api.pauseWatchedFolder(id, paused);
      const f = this.folders.find((x) => x.id === id);
      // "Pausing…" / "Resuming…" until the watcher reports (folderState words it).
      if (f) this.#upsert({ ...f, paused });
    });
  }

  /** Stops watching; the folder's images stay in the library. */
  async remove(id: number): Promise<boolean> {
    return this.#busyWith(id, async () => {
      await api.removeWatchedFolder(id);
      this.#removed.add(id);
      this.#live.delete(id);
      this.folders = this.folders.filter((f) => f.id !== id);
      const { [id]: _gone, ...rest } = this.activity;
      this.activity = rest;
      this.#setStarting(id, false);
    });
  }

  isStarting(id: number): boolean {
    return this.starting.has(id);
  }

  async #busyWith(id: number, work: () => Promise<void>): Promise<boolean> {
    this.error = null;
    this.busy = new Set([...this.busy, id]);
    try {
      await work();
      return true;
    } catch (e) {
      this.error = toUserError(e);
      return false;
    } finally {
      const next = new Set(this.busy);
      next.delete(id);
      this.busy = next;
    }
  }

  #upsert(f: WatchedFolder): void {
    const i = this.folders.findIndex((x) => x.id === f.id);
    if (i >= 0) {
      const next = [...this.folders];
      next[i] = f;
      this.folders = next;
    } else {
      this.folders = [...this.folders, f].sort((a, b) => a.path.localeCompare(b.path));
    }
  }

  #prepend(id: number, events: WatchEvent[]): void {
    const list = [...events, ...(this.activity[id] ?? [])].slice(0, ACTIVITY_KEPT);
    this.activity = { ...this.activity, [id]: list };
  }

  #setStarting(id: number, on: boolean): void {
    if (on) setTimeout(() => this.#setStarting(id, false), STARTING_MS);
    if (this.starting.has(id) === on) return;
    const next = new Set(this.starting);
    if (on) next.add(id);
    else next.delete(id);
    this.starting = next;
  }
}
