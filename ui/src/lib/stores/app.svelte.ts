import {
  api,
  copyText,
  clipboardImagePng,
  clipboardText,
  errorMessage,
  isTauri,
  onFileDrop,
  onLibraryChanged,
  onBulkJob,
  onOpenRequested,
  pickFiles,
  pickFolder,
  pickFolders,
  pickSavePath,
  type Visibility,
  type BulkJob,
  type About,
  type FileDrop,
  type Facets,
  type LinkFormat,
  type ChangeReason,
  type MassDelete,
  type Unlisten,
} from '../ipc';
import { throttle } from '../util/debounce';
import { isHttpUrl, sentence } from '../util/format';
import { Deletes } from './deletes.svelte';
import { Detail } from './detail.svelte';
import { Gallery, filterFields, sameFilter, type GalleryFilter, type GridItem } from './gallery.svelte';
import { LibraryCounts } from './library.svelte';
import { Prefs } from './prefs.svelte';
import { AlbumsStore } from './albums.svelte';
import { SelectionStore, rangeOf } from './selection.svelte';
import { imagesText } from './filters';
import type { SelectGesture } from '../grid/select';
import { SettingsStore } from './settings.svelte';
import { SyncStore } from './sync.svelte';
import { Toasts } from './toasts.svelte';
import { Transfers, type Batch } from './transfers.svelte';
import { ViewState } from './view.svelte';
import { WatchStore } from './watch.svelte';

/** "Making 100,000 images public… 40%": a running job's note. */
function jobProgress(what: string, job: BulkJob): string {
  const pct = job.total > 0 ? Math.floor((100 * job.done) / job.total) : 0;
  return `${what}… ${pct}%`;
}

/** How a copied link is named in the confirmation. */
export const LINK_NAMES: Record<LinkFormat, string> = { url: 'Link', markdown: 'Markdown link', html: 'HTML', bbcode: 'BBCode' };

/** An image's context menu: where it was asked for. */
export interface ImageMenu {
  id: string;
  x: number;
  y: number;
  where: 'grid' | 'detail';
  /** Opened with Shift+F10 / the Menu key. */
  keyboard: boolean;
  /** Text selected in the detail view when it opened (offered as "Copy"). */
  selection: string;
  /** Changes with every opening (a new menu, placed again). */
  seq: number;
}

/** Splits pasted/typed text into http(s) URLs. */
export function extractUrls(text: string): string[] {
  return text
    .split(/\s+/)
    .map((s) => s.trim())
    .filter(isHttpUrl);
}

function isEditable(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

const EXT_BY_MIME: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/tiff': 'tiff',
  'image/x-tga': 'tga',
  'image/vnd.microsoft.icon': 'ico',
  'image/x-icon': 'ico',
  'image/heic': 'heic',
  'image/heif': 'heic',
  'image/avif': 'avif',
  'image/jxl': 'jxl',
};

/**
 * The application: owns every store, subscribes to core events once at start,
 * and holds the actions the components call.
 */
export class App {
  toasts = new Toasts();
  gallery = new Gallery();
  counts = new LibraryCounts();
  settings = new SettingsStore();
  prefs = new Prefs();
  view: ViewState;
  detail: Detail;
  deletes: Deletes;
  transfers: Transfers;
  sync: SyncStore;
  watch: WatchStore;

  dropActive = $state(false);
  dropCount = $state(0);
  showShortcuts = $state(false);
  showUrlDialog = $state(false);
  /** Ids waiting for the delete confirmation. */
  confirmDelete = $state.raw<string[] | null>(null);
  /** The bucket deletes a stopped sync asks about, waiting for "Delete from bucket". */
  confirmBucketDeletes = $state.raw<MassDelete | null>(null);
  /** Settings scrolls to this watched folder (or to the section) when it opens. */
  watchFocus = $state<number | 'section' | null>(null);
  /** Settings → Bucket was opened to restore a library from a bucket (explains how). */
  restoring = $state(false);
  /** The open image context menu (one at a time). */
  menu = $state.raw<ImageMenu | null>(null);
  /** The detail view focuses its tag field for this image ("Add tag…"), then clears it. */
  tagFocus = $state<string | null>(null);
  #menuSeq = 0;
  #menuAt = 0;
  /** How many images the gallery's filters and search select (null: being counted). */
  resultCount = $state<number | null>(null);
  #countSeq = 0;
  /** Values for the filter bar's menus. */
  facets = $state.raw<Facets | null>(null);
  /** The gallery's multi-selection. */
  selection = new SelectionStore();
  albums: AlbumsStore;
  /** The name dialog open: a new album (with the selection, or empty), or renaming one. */
  albumDialog = $state.raw<{ kind: 'new'; withSelection: boolean } | { kind: 'rename'; name: string } | null>(null);
  /** "Delete album…" waiting for its confirmation. */
  confirmAlbumDelete = $state<string | null>(null);
  #refreshAlbums = throttle(() => void this.albums.load(), 800);
  #bandBase: { mode: 'ids' | 'all'; ids: ReadonlySet<string>; except: ReadonlySet<string> } | null = null;
  /** Settings → About (null until loaded). */
  about = $state.raw<About | null>(null);

  #unlisten: Unlisten[] = [];
  #started = false;
  #pasteSeen = false;

  #refreshGallery = throttle(() => this.gallery.refresh(), 400);
  #refreshCounts = throttle(() => void this.counts.refresh().then(() => this.#syncTotal()), 800);

  constructor() {
    this.view = new ViewState((f) => this.#applyFilter(f));
    this.sync = new SyncStore({
      onImage: (id, state, error) => {
        this.detail.remoteChanged(id, state, error);
        this.#refreshCounts();
      },
      onRemoteChanged: () => {
        this.gallery.refresh();
        void this.refreshCountsNow();
        this.detail.remoteReset();
      },
    });
    this.detail = new Detail(
      this.gallery,
      this.toasts,
      () => this.refreshCountsNow(),
      () => this.sync.configured,
    );
    this.deletes = new Deletes(this.gallery, this.toasts, () => this.#refreshCounts());
    this.albums = new AlbumsStore(this.toasts, () => {
      this.gallery.refresh();
      this.#refreshCounts();
    });
    // New images arrive through library-changed; a change also moves the sidebar counts.
    this.watch = new WatchStore(() => this.#refreshCounts());
    this.transfers = new Transfers({
      onImported: () => this.#refreshGallery(),
      onFinished: (b) => this.#batchDone(b),
    });
  }

  /**
   * Loads the first page and subscribes to core events (once). The first
   * `list_grid` goes out before anything else; the counts are asked for in
   * parallel (never awaited first): the grid renders from the first page alone.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.gallery.setFilter(this.view.filter);
    void this.counts.refresh().then(() => this.#syncTotal());
    this.#unlisten.push(onLibraryChanged((r) => this.libraryChanged(r)));
    this.#unlisten.push(onBulkJob((j) => this.bulkJob(j)));
    this.#unlisten.push(onFileDrop((e) => this.fileDrop(e)));
    this.#unlisten.push(onOpenRequested(() => void this.openRequested()));
    this.#unlisten.push(...this.sync.subscribe());
    this.#unlisten.push(...this.watch.subscribe());
    void this.settings.load();
    void this.albums.load();
    void this.sync.load();
    void this.watch.load();
    // After the listener: files given before it (the command line) wait in the core.
    void this.openRequested();
    void this.#tellCrashReports();
    void api.about().then(
      (a) => (this.about = a),
      () => {},
    );
  }

  /**
   * Files the app was asked to open ("Open with Vitrine", `vitrine-app FILE…`, a second launch):
   * imported like a drop (transfers panel, errors listed), then the first one is shown.
   */
  async openRequested(): Promise<void> {
    let inputs: string[];
    try {
      inputs = await api.takeOpenRequests();
    } catch {
      return;
    }
    if (inputs.length === 0) return;
    const b = await this.transfers.importInputs(inputs, 'file');
    if (!b.first) return; // nothing landed: the transfers panel lists why
    this.view.select({ kind: 'all' });
    await this.detail.open(b.first);
    if (b.failed > 0) {
      // The detail view covers the transfers panel: say so, and show the reasons on demand.
      const n = b.failed === 1 ? '1 file' : `${b.failed} files`;
      this.toasts.show(`${n} could not be imported.`, {
        kind: 'error',
        action: {
          label: 'Show why',
          testid: 'open-failures',
          run: () => {
            this.detail.close();
            this.transfers.open = true;
          },
        },
      });
    }
  }

  /** A crash last time: say where the report is (it stays on this computer). */
  async #tellCrashReports(): Promise<void> {
    let reports: string[];
    try {
      reports = await api.takeCrashReports();
    } catch {
      return;
    }
    const last = reports.at(-1);
    if (!last) return;
    const more = reports.length > 1 ? ` (and ${reports.length - 1} earlier)` : '';
    this.toasts.show(`Vitrine closed unexpectedly last time. A crash report was saved to ${last}${more}; nothing was sent anywhere.`, {
      kind: 'error',
      timeout: 0,
      action: { label: 'Open folder', run: () => void this.openLogFolder(), testid: 'crash-open-folder' },
    });
  }

  async openLogFolder(): Promise<void> {
    try {
      await api.openLogFolder();
    } catch (e) {
      this.toasts.error(errorMessage(e));
    }
  }

  /** Sidebar counts right now (after an edit of ours), not on the throttled event path. */
  refreshCountsNow(): Promise<void> {
    return this.counts.refresh().then(() => this.#syncTotal());
  }

  stop(): void {
    for (const u of this.#unlisten) u();
    this.#unlisten = [];
    this.#refreshGallery.cancel();
    this.#refreshCounts.cancel();
    this.#started = false;
  }

  #applyFilter(f: GalleryFilter): void {
    if (!sameFilter(f, this.gallery.filter)) {
      this.resultCount = null;
      // Another listing: what was selected in this one is no longer in view.
      this.selection.clear();
    }
    if (!sameFilter(f, this.gallery.filter) || !this.gallery.ready) this.gallery.setFilter(f);
    this.#syncTotal();
  }

  /**
   * The gallery's size: from the library's counts when one filter (or none) is set, else
   * counted by the core (`count_images`, the same selection as the listing). It sizes the
   * scrollbar and is the result count the filter bar shows.
   */
  #syncTotal(): void {
    const f = this.gallery.filter;
    const known = this.counts.countFor(f);
    this.gallery.setKnownTotal(known);
    const seq = ++this.#countSeq;
    if (known !== null) {
      this.resultCount = known;
      return;
    }
    api.countImages({ ...filterFields(f), search: f.search ?? null }).then(
      (n) => {
        if (seq !== this.#countSeq) return;
        this.resultCount = n;
        this.gallery.setKnownTotal(n);
      },
      () => {
        if (seq === this.#countSeq) this.resultCount = null;
      },
    );
  }

  /** The values offered by the filter bar's menus (read when it opens; null until then). */
  async loadFacets(): Promise<void> {
    try {
      this.facets = await api.facets();
    } catch (e) {
      this.toasts.error(`Could not read the library's filters: ${errorMessage(e)}`);
    }
  }

  libraryChanged(reason: ChangeReason): void {
    this.#refreshGallery();
    this.#refreshCounts();
    this.#refreshAlbums();
    if (reason === 'external' || reason === 'pull') {
      this.detail.reload();
      // The CLI or `vitrine watch run` may have changed the folders or their statuses.
      this.watch.externalChange();
    }
  }

  /** Settings → Bucket; `restore`: to attach this library to a bucket another computer fills. */
  openBucket(restore: boolean): void {
    this.detail.close();
    this.view.select({ kind: 'settings' });
    this.restoring = restore;
  }

  /** Settings → Watched folders, at one folder (null: the section, to add one). */
  openWatched(id: number | null): void {
    this.detail.close();
    this.view.select({ kind: 'settings' });
    this.watchFocus = id ?? 'section';
  }

  /** The folder picker for a watched folder; null when cancelled. */
  async pickWatchedFolder(): Promise<string | null> {
    try {
      return await pickFolder('Watch a folder');
    } catch (e) {
      this.toasts.error(errorMessage(e));
      return null;
    }
  }

  fileDrop(e: FileDrop): void {
    switch (e.type) {
      case 'enter':
        this.dropActive = true;
        this.dropCount = e.paths.length;
        break;
      case 'over':
        this.dropActive = true;
        break;
      case 'leave':
        this.dropActive = false;
        break;
      case 'drop':
        this.dropActive = false;
        if (e.paths.length > 0) void this.transfers.importInputs(e.paths, 'drop');
        break;
    }
  }

  #batchDone(b: Batch): void {
    this.#refreshGallery();
    this.#refreshCounts();
    if (b.error) this.toasts.error(`Import failed: ${b.error}`);
    // The app's import command sends the system notification for finished batches itself.
  }

  async addFiles(): Promise<void> {
    try {
      const paths = await pickFiles();
      if (paths.length) await this.transfers.importInputs(paths, 'file');
    } catch (e) {
      this.toasts.error(errorMessage(e));
    }
  }

  async addFolder(): Promise<void> {
    try {
      const paths = await pickFolders();
      if (paths.length) await this.transfers.importInputs(paths, 'file');
    } catch (e) {
      this.toasts.error(errorMessage(e));
    }
  }

  /** "Import from URL…": returns false when the text holds no http(s) URL. */
  importUrls(text: string): boolean {
    const urls = extractUrls(text);
    if (urls.length === 0) return false;
    void this.transfers.importInputs(urls, 'url');
    return true;
  }

  /** HTML paste: image data → import_blob; an http(s) URL → import_inputs (url). */
  async paste(e: ClipboardEvent): Promise<void> {
    this.#pasteSeen = true;
    const data = e.clipboardData;
    if (!data) return;
    const files: File[] = [];
    for (const item of Array.from(data.items ?? [])) {
      if (item.kind === 'file' && item.type.startsWith('image/')) {
        const f = item.getAsFile();
        if (f) files.push(f);
      }
    }
    if (files.length === 0) {
      for (const f of Array.from(data.files ?? [])) if (f.type.startsWith('image/')) files.push(f);
    }
    if (files.length > 0) {
      e.preventDefault();
      for (const f of files) {
        const bytes = new Uint8Array(await f.arrayBuffer());
        const ext = EXT_BY_MIME[f.type] ?? 'png';
        const name = f.name && f.name !== 'image.png' ? f.name : `pasted-${stamp()}.${ext}`;
        void this.transfers.importBlob(bytes, name);
      }
      return;
    }
    if (isEditable(e.target)) return;
    const urls = extractUrls(data.getData('text/plain') ?? '');
    if (urls.length > 0) {
      e.preventDefault();
      void this.transfers.importInputs(urls, 'url');
    }
  }

  /**
   * Ctrl+V outside a text field: some webviews fire no paste event without an
   * editable target, so read the clipboard through the plugin if none came.
   */
  pasteShortcut(): void {
    if (!isTauri()) return;
    this.#pasteSeen = false;
    setTimeout(() => {
      if (this.#pasteSeen) return;
      void (async () => {
        const png = await clipboardImagePng();
        if (png) {
          void this.transfers.importBlob(png, `pasted-${stamp()}.png`);
          return;
        }
        const text = await clipboardText();
        if (text && !this.importUrls(text)) this.toasts.show('Nothing to paste: copy an image or an image link first.');
      })();
    }, 150);
  }

  /** "Retry" on the sync indicator: failed items go again, a stopped sync restarts. */
  async retrySync(): Promise<void> {
    const err = await this.sync.retry();
    if (err) this.toasts.error(`Could not retry: ${err}`);
    else this.#refreshGallery();
  }

  /** "Delete from bucket" on the sync indicator: asks first. */
  requestBucketDeletes(): void {
    this.confirmBucketDeletes = this.sync.summary.deletes ?? null;
  }

  /** Confirmed: the stopped sync goes on and deletes them (this once). */
  async allowBucketDeletes(): Promise<void> {
    if (!this.confirmBucketDeletes) return;
    this.confirmBucketDeletes = null;
    const err = await this.sync.allowDeletes();
    if (err) this.toasts.error(`Could not restart sync: ${err}`);
  }

  /** Opens an image's context menu at (x, y) in the window. */
  openMenu(id: string, x: number, y: number, where: ImageMenu['where'], keyboard = false): void {
    // Shift+F10 may also make the webview send a contextmenu event: the menu just opened from
    // the keyboard stays where it is (with its first item focused).
    const now = Date.now();
    if (!keyboard && this.menu?.keyboard && this.menu.id === id && now - this.#menuAt < 400) return;
    this.#menuAt = now;
    const selection = where === 'detail' ? (globalThis.getSelection?.()?.toString().trim() ?? '') : '';
    this.menu = { id, x, y, where, keyboard, selection, seq: ++this.#menuSeq };
  }

  closeMenu(): void {
    this.menu = null;
  }

  async copy(text: string, what: string): Promise<void> {
    try {
      await copyText(text);
      this.toasts.success(`${what} copied`);
    } catch (e) {
      this.toasts.error(`Could not copy: ${errorMessage(e)}`);
    }
  }

  /** Copy link ▸ format: the detail view's link rule, for any image. */
  async copyLink(id: string, format: LinkFormat): Promise<void> {
    let text: string;
    try {
      text = (await this.detail.linkFor(id, format)).text;
    } catch (e) {
      // The open image's Share section shows the error already: say it in one place only.
      if (!(id === this.detail.id && this.detail.record)) this.toasts.error(sentence(errorMessage(e)));
      return;
    }
    await this.copy(text, LINK_NAMES[format]);
  }

  async reveal(id: string): Promise<void> {
    try {
      await api.revealImage(id);
    } catch (e) {
      this.toasts.error(errorMessage(e));
    }
  }

  /** "Add tag…": the image opens (if it is not) and its tag field takes the focus. */
  async addTag(id: string): Promise<void> {
    if (this.detail.id !== id || !this.detail.record) await this.detail.open(id);
    if (this.detail.id === id) this.tagFocus = id;
  }

  /** Ctrl+A outside a text field (the caller kept the webview from selecting the page's text). */
  selectAll(): void {
    if (!this.view.isGallery) return;
    const f = this.gallery.filter;
    this.selection.setTotal(this.resultCount ?? this.gallery.total);
    this.selection.selectAll({ ...filterFields(f), search: f.search ?? null });
  }

  /** A selection gesture on the grid. */
  async select(g: SelectGesture): Promise<void> {
    const sel = this.selection;
    sel.setTotal(this.resultCount ?? this.gallery.total);
    switch (g.kind) {
      case 'toggle':
        sel.toggle(g.id, g.index);
        return;
      case 'range': {
        const [a, b] = rangeOf(sel.anchor ?? g.from, g.index);
        if (sel.anchor === null) sel.anchor = g.from;
        const ids = await this.gallery.idsBetween(a, b);
        sel.set(ids, true);
        return;
      }
      case 'band': {
        if (g.first) this.#bandBase = g.additive ? { mode: sel.mode, ids: sel.ids, except: sel.except } : null;
        const list = this.gallery.visible;
        const ids = g.indexes.map((i) => list[i]?.id).filter((id): id is string => !!id);
        const base = this.#bandBase;
        if (!base) sel.replace(ids, g.indexes[0] ?? null);
        else {
          sel.mode = base.mode;
          sel.ids = base.ids;
          sel.except = base.except;
          sel.set(ids, true);
        }
        return;
      }
      case 'clear':
        sel.clear();
    }
  }

  /** The selection's bulk action failed or partly failed: say it once, as a sentence. */
  #bulkErrors(what: string, r: { failed: number; errors: Array<{ message: string }> }): void {
    if (r.failed === 0) return;
    const first = r.errors[0]?.message;
    this.toasts.error(`${what}: ${r.failed === 1 ? '1 image' : `${r.failed} images`} failed${first ? ` (${sentence(first)})` : ''}.`);
  }

  /**
   * Visibility ▸ for the selection: the grid changes at once; the core records a job, applies
   * its first chunk (the newest images) and answers, then does the rest in the background
   * (a progress note follows its `bulk-job` events). Undo puts each image back as it was.
   */
  async bulkVisibility(v: Visibility): Promise<void> {
    const sel = this.selection.toCore();
    if (!sel) return;
    const picked = this.selection;
    // What the loaded tiles were, for Undo to show at once.
    const before = new Map<string, Visibility>();
    this.gallery.patchWhere((r) => {
      if (!picked.has(r.id)) return false;
      before.set(r.id, r.visibility);
      return true;
    }, { visibility: v });
    try {
      const job = await api.bulkVisibility(sel, v);
      this.toasts.show(`${job.total === 1 ? '1 image is' : `${job.total.toLocaleString('en-US')} images are`} now ${v}.`, {
        kind: 'success',
        timeout: 8000,
        action: { label: 'Undo', testid: 'undo-visibility', run: () => void this.#undoVisibility(job.id, before) },
      });
      this.#followJob(job, `Making ${imagesText(job.total)} ${v}`);
    } catch (e) {
      this.toasts.error(`Could not change the visibility: ${errorMessage(e)}`);
      this.gallery.refresh();
    }
  }

  async #undoVisibility(job: number, before: Map<string, Visibility>): Promise<void> {
    for (const v of ['private', 'unlisted', 'public'] as const) this.gallery.patchWhere((r) => before.get(r.id) === v, { visibility: v });
    try {
      const undo = await api.undoBulkJob(job);
      this.toasts.success('Visibility put back.');
      this.#followJob(undo, 'Putting the visibility back');
    } catch (e) {
      this.toasts.error(`Could not put the visibility back: ${errorMessage(e)}`);
      this.gallery.refresh();
    }
  }

  /** Progress notes of the core's bulk jobs still running, by job id. */
  #jobs = new Map<number, { toast: number; what: string }>();

  /** A job the core answered: done (refresh now) or running (a progress note until its end). */
  #followJob(job: BulkJob, what: string): void {
    if (job.state !== 'running') {
      this.bulkJob(job);
      return;
    }
    const toast = this.toasts.show(jobProgress(what, job), { timeout: 0 });
    this.#jobs.set(job.id, { toast, what });
  }

  /** `bulk-job`: a job's progress, or its end (the library is read again). */
  bulkJob(job: BulkJob): void {
    const followed = this.#jobs.get(job.id);
    if (job.state === 'running') {
      if (followed) this.toasts.update(followed.toast, jobProgress(followed.what, job));
      return;
    }
    if (followed) this.toasts.dismiss(followed.toast);
    this.#jobs.delete(job.id);
    if (job.state === 'failed') this.toasts.error(`The visibility change stopped: ${sentence(job.error ?? 'the catalog failed')}`);
    this.gallery.refresh();
    void this.refreshCountsNow();
  }

  /** Tags for the selection: added, then removed. */
  async bulkTags(add: string[], remove: string[]): Promise<void> {
    const sel = this.selection.toCore();
    if (!sel || (add.length === 0 && remove.length === 0)) return;
    try {
      const r = await api.bulkTags(sel, add, remove);
      this.toasts.success(`Tags changed on ${imagesText(r.changed)}.`);
      this.#bulkErrors('Tags', r);
    } catch (e) {
      this.toasts.error(`Could not change the tags: ${errorMessage(e)}`);
    }
    this.gallery.refresh();
    void this.refreshCountsNow();
  }

  /** Copy links ▸ format: one line per selected image (private ones presigned for the chosen expiry). */
  async bulkLinks(format: LinkFormat): Promise<void> {
    const sel = this.selection.toCore();
    if (!sel) return;
    try {
      const r = await api.bulkLinks(sel, format, this.detail.expiry);
      if (r.linked > 0) await this.copy(r.text, r.linked === 1 ? LINK_NAMES[format] : `${r.linked.toLocaleString('en-US')} links`);
      this.#bulkErrors('Links', r);
    } catch (e) {
      this.toasts.error(sentence(errorMessage(e)));
    }
  }

  /** The ids the selection names now (for actions that take ids); null when it failed (said). */
  async #selectedIds(): Promise<string[] | null> {
    const sel = this.selection.toCore();
    if (!sel) return null;
    if (sel.kind === 'ids') return sel.ids;
    try {
      return await api.resolveSelection(sel);
    } catch (e) {
      this.toasts.error(errorMessage(e));
      return null;
    }
  }

  /** Delete… for the selection: asks, then the same undo window as for one image. */
  async bulkDelete(): Promise<void> {
    const ids = await this.#selectedIds();
    if (ids && ids.length > 0) this.requestDelete(ids);
  }

  /** Export… : the selected originals with their JSON sidecars in a ZIP the user places. */
  async bulkExport(): Promise<void> {
    const sel = this.selection.toCore();
    if (!sel) return;
    let path: string | null;
    try {
      path = await pickSavePath(`vitrine-${new Date().toISOString().slice(0, 10)}.zip`);
    } catch (e) {
      this.toasts.error(errorMessage(e));
      return;
    }
    if (!path) return;
    const busy = this.toasts.show(`Exporting ${imagesText(this.selection.count)}…`, { timeout: 0 });
    try {
      const r = await api.exportImages(sel, path);
      this.toasts.dismiss(busy);
      this.toasts.success(`Exported ${imagesText(r.images)} to ${r.zip}.`);
    } catch (e) {
      this.toasts.dismiss(busy);
      this.toasts.error(`Could not export: ${errorMessage(e)}`);
    }
  }

  /** Add to album ▸ an album: the selection's images at its end. */
  async addToAlbum(name: string): Promise<void> {
    const sel = this.selection.toCore();
    if (sel) await this.albums.add(name, sel);
  }

  /** Remove from album: the selection leaves the album shown (the images stay in the library). */
  async removeFromAlbum(): Promise<void> {
    const name = this.view.filters.album;
    const sel = this.selection.toCore();
    if (!name || !sel) return;
    await this.albums.remove(name, sel);
    this.selection.clear();
  }

  /** The name dialog's answer: a new album (then shown), or a new name for one. */
  async submitAlbumName(name: string): Promise<boolean> {
    const d = this.albumDialog;
    if (!d) return false;
    if (d.kind === 'new') {
      const sel = d.withSelection ? this.selection.toCore() : null;
      if (!(await this.albums.create(name, sel))) return false;
      this.selection.clear();
      this.view.select({ kind: 'album', name });
      return true;
    }
    const renamed = await this.albums.rename(d.name, name);
    if (renamed === null) return false;
    if (this.view.filters.album === d.name) this.view.setFilters({ ...this.view.filters, album: renamed });
    return true;
  }

  async deleteAlbumNow(): Promise<void> {
    const name = this.confirmAlbumDelete;
    this.confirmAlbumDelete = null;
    if (!name || !(await this.albums.delete(name))) return;
    if (this.view.filters.album === name) this.view.setFilters({ ...this.view.filters, album: null });
  }

  /** The open album's page: published (a new address unless `keep`), its link copied. */
  async publishAlbum(name: string, keep = false): Promise<void> {
    const url = await this.albums.publish(name, keep);
    if (url) await this.copy(url, 'Album link');
  }

  /**
   * A drag from a tile to another application: that image, or the whole selection when the tile
   * is in it (its originals, fetched from the bucket first where needed).
   */
  async dragOut(id: string): Promise<void> {
    const ids = this.selection.active && this.selection.has(id) ? await this.#selectedIds() : [id];
    if (!ids || ids.length === 0) return;
    try {
      await api.dragOut(ids);
    } catch (e) {
      this.toasts.error(sentence(errorMessage(e)));
    }
  }

  /** Free up space (false) or Keep on this computer (true) for the selection. */
  async bulkLocal(keep: boolean): Promise<void> {
    const ids = await this.#selectedIds();
    if (!ids || ids.length === 0) return;
    try {
      if (keep) {
        const r = await api.fetchOriginals(ids);
        this.toasts.success(`${imagesText(r.fetched)} kept on this computer.`);
      } else {
        const r = await api.offloadImages(ids);
        this.toasts.success(`Freed up space: ${imagesText(r.offloaded)} now only in the bucket.`);
      }
    } catch (e) {
      this.toasts.error(errorMessage(e));
    }
    this.gallery.refresh();
  }

  requestDelete(ids: string[]): void {
    if (ids.length > 0) this.confirmDelete = ids;
  }

  confirmDeleteNow(): void {
    const ids = this.confirmDelete;
    this.confirmDelete = null;
    if (!ids) return;
    const gone = new Set(ids);
    this.selection.forget(ids);
    if (this.detail.id && gone.has(this.detail.id)) {
      const list = this.gallery.visible;
      const i = this.detail.index;
      const keep = (r: GridItem | undefined): r is GridItem => !!r && !gone.has(r.id);
      const next = list.slice(i + 1).find(keep) ?? list.slice(0, i).reverse().find(keep);
      if (next) void this.detail.open(next.id);
      else this.detail.close();
    }
    const label = ids.length === 1 ? `Deleted ${this.gallery.get(ids[0])?.filename ?? 'image'}` : `Deleted ${ids.length} images`;
    this.deletes.schedule(ids, label);
  }
}

function stamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
