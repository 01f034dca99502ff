import { api, errorMessage, type ImageRecord, type ListQuery, type RemoteState, type Sort, type SourceKind, type Visibility } from '../ipc';

export const PAGE_SIZE = 200;
/** Items loaded beyond the last one asked for. */
const MARGIN = 100;

export interface GalleryFilter {
  tag?: string | null;
  visibility?: Visibility | null;
  remote_state?: RemoteState | null;
  source?: SourceKind | null;
  search?: string | null;
  sort: Sort;
}

export function sameFilter(a: GalleryFilter, b: GalleryFilter): boolean {
  return (
    (a.tag ?? null) === (b.tag ?? null) &&
    (a.visibility ?? null) === (b.visibility ?? null) &&
    (a.remote_state ?? null) === (b.remote_state ?? null) &&
    (a.source ?? null) === (b.source ?? null) &&
    (a.search ?? '') === (b.search ?? '') &&
    a.sort === b.sort
  );
}

/**
 * The loaded part of the current listing, in order, paged with keyset paging
 * (`after` = id of the last record of the previous page). Pages are fetched
 * sequentially as the viewport asks for indexes; the total for the scrollbar
 * comes from `knownTotal` (counts) when there is one.
 */
export class Gallery {
  /** Everything loaded so far, in listing order (hidden items included). */
  items = $state.raw<ImageRecord[]>([]);
  /** Items deleted optimistically (undo window still open). */
  hidden = $state.raw<ReadonlySet<string>>(new Set());
  exhausted = $state(false);
  loading = $state(false);
  /** The first page of the current filter arrived. */
  ready = $state(false);
  error = $state<string | null>(null);
  knownTotal = $state<number | null>(null);
  filter = $state.raw<GalleryFilter>({ sort: 'newest' });

  /** What the grid shows. */
  visible = $derived.by(() => {
    const h = this.hidden;
    return h.size === 0 ? this.items : this.items.filter((r) => !h.has(r.id));
  });

  /** Cells in the grid: loaded items plus placeholders for what is known to follow. */
  total = $derived.by(() => {
    const loaded = this.items.length;
    let t: number;
    if (this.exhausted) t = loaded;
    else if (this.knownTotal !== null) t = Math.max(this.knownTotal, loaded);
    else t = loaded + (this.ready ? PAGE_SIZE : 0);
    return Math.max(0, t - (loaded - this.visible.length));
  });

  #gen = 0;
  #wanted = PAGE_SIZE;
  #cursor: string | null = null;
  #ids = new Set<string>();
  #running = false;
  #refreshRequested = false;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Last index the viewport asked for (not the maximum ever). */
  #viewEnd = 0;
  #lastReloadEnd = 0;
  #lastReloadCost = 0;
  #idle: Array<() => void> = [];

  /** Switches the listing; loads its first page. */
  setFilter(f: GalleryFilter): void {
    this.filter = f;
    this.#gen++;
    this.items = [];
    this.#ids = new Set();
    this.#cursor = null;
    this.exhausted = false;
    this.ready = false;
    this.error = null;
    this.#wanted = PAGE_SIZE;
    this.#viewEnd = 0;
    this.#refreshRequested = false;
    void this.#pump();
  }

  setKnownTotal(n: number | null): void {
    this.knownTotal = n;
  }

  /** The grid needs visible index `index`: load up to it (and a margin). */
  ensure(index: number): void {
    this.#viewEnd = index;
    const need = index + 1 + this.hidden.size + MARGIN;
    if (need > this.#wanted) this.#wanted = need;
    if (!this.exhausted && this.items.length < this.#wanted) void this.#pump();
  }

  /**
   * Reloads from the start up to the viewport, then swaps it in (no flash).
   * Calls coalesce, and reloads are spaced by twice the cost of the last one,
   * so a long import seen from deep in a big library cannot keep the core busy.
   */
  refresh(): void {
    this.#refreshRequested = true;
    const wait = this.#refreshWait();
    if (wait <= 0) {
      void this.#pump();
    } else if (this.#refreshTimer === null) {
      this.#refreshTimer = setTimeout(() => {
        this.#refreshTimer = null;
        void this.#pump();
      }, wait);
    }
  }

  #refreshWait(): number {
    return this.#lastReloadEnd + 2 * this.#lastReloadCost - Date.now();
  }

  /** Retry after an error. */
  retry(): void {
    this.error = null;
    void this.#pump();
  }

  /** Resolves when no page is being fetched. */
  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  get(id: string): ImageRecord | undefined {
    return this.items.find((r) => r.id === id);
  }

  indexOf(id: string): number {
    return this.visible.findIndex((r) => r.id === id);
  }

  patch(id: string, fields: Partial<ImageRecord>): void {
    const i = this.items.findIndex((r) => r.id === id);
    if (i < 0) return;
    const next = this.items.slice();
    next[i] = { ...next[i], ...fields };
    this.items = next;
  }

  replace(rec: ImageRecord): void {
    this.patch(rec.id, rec);
  }

  hide(ids: string[]): void {
    const h = new Set(this.hidden);
    for (const id of ids) h.add(id);
    this.hidden = h;
  }

  unhide(ids: string[]): void {
    const h = new Set(this.hidden);
    for (const id of ids) h.delete(id);
    this.hidden = h;
  }

  /** Drops items for good (after a delete went through). */
  remove(ids: string[]): void {
    const gone = new Set(ids);
    this.items = this.items.filter((r) => !gone.has(r.id));
    for (const id of ids) this.#ids.delete(id);
    if (this.knownTotal !== null) this.knownTotal = Math.max(0, this.knownTotal - ids.length);
    this.unhide(ids);
  }

  #query(after: string | null): ListQuery {
    const f = this.filter;
    return {
      tag: f.tag ?? null,
      visibility: f.visibility ?? null,
      remote_state: f.remote_state ?? null,
      source: f.source ?? null,
      search: f.search ? f.search : null,
      sort: f.sort,
      limit: PAGE_SIZE,
      after,
    };
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.loading = true;
    try {
      for (;;) {
        const gen = this.#gen;
        if (this.#refreshRequested && this.#refreshWait() <= 0) {
          this.#refreshRequested = false;
          const t0 = Date.now();
          await this.#reload(gen);
          this.#lastReloadEnd = Date.now();
          this.#lastReloadCost = this.#lastReloadEnd - t0;
          continue;
        }
        if (this.error !== null || this.exhausted || this.items.length >= this.#wanted) break;
        let page: ImageRecord[];
        try {
          page = await api.listImages(this.#query(this.#cursor));
        } catch (e) {
          if (gen === this.#gen) this.error = errorMessage(e);
          continue;
        }
        if (gen !== this.#gen) continue;
        this.#append(page);
      }
    } finally {
      this.#running = false;
      this.loading = false;
      const waiters = this.#idle;
      this.#idle = [];
      for (const w of waiters) w();
    }
  }

  #append(page: ImageRecord[]): void {
    const fresh = page.filter((r) => !this.#ids.has(r.id));
    for (const r of fresh) this.#ids.add(r.id);
    if (page.length > 0) this.#cursor = page[page.length - 1].id;
    if (fresh.length > 0) this.items = this.items.concat(fresh);
    if (page.length < PAGE_SIZE) this.exhausted = true;
    this.ready = true;
  }

  async #reload(gen: number): Promise<void> {
    // Up to what the viewport shows (plus a margin); what lies beyond is paged in again on demand.
    const view = this.#viewEnd + 1 + this.hidden.size + MARGIN;
    const target = Math.max(PAGE_SIZE, Math.min(this.items.length, view));
    const ids = new Set<string>();
    const fresh: ImageRecord[] = [];
    let cursor: string | null = null;
    let exhausted = false;
    while (fresh.length < target) {
      let page: ImageRecord[];
      try {
        page = await api.listImages(this.#query(cursor));
      } catch (e) {
        if (gen === this.#gen) this.error = errorMessage(e);
        return;
      }
      if (gen !== this.#gen) return;
      for (const r of page) {
        if (!ids.has(r.id)) {
          ids.add(r.id);
          fresh.push(r);
        }
      }
      if (page.length > 0) cursor = page[page.length - 1].id;
      if (page.length < PAGE_SIZE) {
        exhausted = true;
        break;
      }
    }
    this.items = fresh;
    this.#ids = ids;
    this.#cursor = cursor;
    this.exhausted = exhausted;
    this.#wanted = Math.max(fresh.length, view);
    this.ready = true;
    this.error = null;
  }
}
