import { api, errorMessage, type GridEntry, type ImageRecord, type ListQuery, type Sort } from '../ipc';

export const PAGE_SIZE = 200;
/** Above this many loaded entries, pages far from the viewport are dropped. */
export const MAX_LOADED = 5000;
/** Entries kept on each side of the visible range when dropping. */
export const KEEP_AROUND = 2500;
/** Items loaded beyond the last one asked for. */
const MARGIN = 100;
/**
 * When the viewport asks for more than this many items past the end of what was walked (a
 * scrollbar drag, a fast fling, a reload deep in the list), the pages in between are not walked:
 * the ones it needs are fetched by position (`offset`), the rest stay placeholders.
 */
export const JUMP = 2 * PAGE_SIZE;

/** The list selectors of `ListQuery` (what `vitrine ls` takes as flags). */
export type FilterFields = Partial<
  Pick<
    ListQuery,
    'tag' | 'tags' | 'all_tags' | 'visibility' | 'remote_state' | 'source' | 'generator' | 'model' | 'format' | 'camera' | 'from' | 'to' | 'orientation' | 'size' | 'album'
  >
>;

const FILTER_FIELDS = ['tag', 'tags', 'all_tags', 'visibility', 'remote_state', 'source', 'generator', 'model', 'format', 'camera', 'from', 'to', 'orientation', 'size', 'album'] as const;

/** What the gallery lists: the selectors, the search and the order. */
export type GalleryFilter = FilterFields & { search?: string | null; sort: Sort };

/** Only the selectors that are set (empty values dropped), in one fixed order. */
export function filterFields(f: FilterFields): FilterFields {
  const out: Record<string, unknown> = {};
  for (const k of FILTER_FIELDS) {
    const v = f[k];
    if (v === null || v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = Array.isArray(v) ? [...v].sort() : v;
  }
  return out as FilterFields;
}

/**
 * What the grid (cells, badges, keyboard navigation) reads of an image: nothing else is kept
 * per loaded image. The gallery pages tiles (`list_grid`: the prompt already cut by the core);
 * the detail view loads the full record with `get_image`.
 */
export type GridItem = GridEntry;

/** Characters of a prompt a caption can show (the rest is not kept per image). */
export const CAPTION_PROMPT_CHARS = 160;

export const GRID_ITEM_FIELDS = ['id', 'filename', 'format', 'width', 'height', 'visibility', 'remote_state', 'remote_error', 'local'] as const;

/**
 * A prompt's first CAPTION_PROMPT_CHARS characters, copied into a new string (a slice could keep
 * the whole prompt alive in the engine).
 */
export function promptStart(prompt: string | null): string | null {
  if (!prompt) return null;
  if (prompt.length <= CAPTION_PROMPT_CHARS) return (' ' + prompt).slice(1);
  return (' ' + prompt.slice(0, CAPTION_PROMPT_CHARS).trimEnd()).slice(1) + '…';
}

/** A full record, or a grid item being patched (which has only the prompt's start). */
type GridSource = Pick<ImageRecord, (typeof GRID_ITEM_FIELDS)[number]> & { prompt?: string | null; promptStart?: string | null };

/** Copies only the grid's fields (the long strings of a full record are not retained). */
export function compact(r: GridSource): GridItem {
  return {
    id: r.id,
    filename: r.filename,
    format: r.format,
    width: r.width,
    height: r.height,
    visibility: r.visibility,
    remote_state: r.remote_state,
    remote_error: r.remote_error,
    local: r.local,
    promptStart: r.promptStart !== undefined ? r.promptStart : promptStart(r.prompt ?? null),
  };
}

/**
 * One page of `items`: where its entries sit and how to fetch it again — after the id of the
 * record before it (keyset), else after the previous page's last entry if that page is held,
 * else by position (`offset` = its start: a page the walk jumped over).
 */
interface Page {
  start: number;
  count: number;
  /** Id of the last record of the previous page (`null`: the first page, or one never walked to). */
  after: string | null;
  loaded: boolean;
}

/** Pages not fetched yet covering positions `from..end`, fetched by position when in view. */
function placeholderPages(from: number, end: number): Page[] {
  const pages: Page[] = [];
  for (let start = from; start < end; start += PAGE_SIZE) pages.push({ start, count: Math.min(PAGE_SIZE, end - start), after: null, loaded: false });
  return pages;
}

export function sameFilter(a: GalleryFilter, b: GalleryFilter): boolean {
  return (
    JSON.stringify(filterFields(a)) === JSON.stringify(filterFields(b)) && (a.search ?? '') === (b.search ?? '') && a.sort === b.sort
  );
}

/**
 * The listing, in order, paged with keyset paging (`after` = id of the last record of the
 * previous page). Only compact `GridItem`s are kept, in a plain (`$state.raw`) array indexed by
 * position: `undefined` marks a dropped (or not yet fetched) entry, shown as a placeholder.
 * Pages are fetched one at a time as the viewport asks for indexes, walking on from the last
 * one; a viewport more than `JUMP` items past the walk's end (known from `knownTotal`) gets
 * placeholder pages up to it and only the pages it shows are fetched, by position. Once more
 * than `MAX_LOADED` entries are held, the pages farthest from the viewport are dropped, keeping
 * their cursor so they can be fetched again directly when they scroll back into view.
 * The total for the scrollbar comes from `knownTotal` (counts) when there is one.
 */
export class Gallery {
  /** The listing so far, by position (hidden items included); `undefined` = dropped, not loaded. */
  items = $state.raw<ReadonlyArray<GridItem | undefined>>([]);
  /** Items deleted optimistically (undo window still open). */
  hidden = $state.raw<ReadonlySet<string>>(new Set());
  exhausted = $state(false);
  loading = $state(false);
  /** The first page of the current filter arrived. */
  ready = $state(false);
  error = $state<string | null>(null);
  knownTotal = $state<number | null>(null);
  filter = $state.raw<GalleryFilter>({ sort: 'newest' });

  /** What the grid shows (dropped entries stay in place as `undefined`). */
  visible = $derived.by((): ReadonlyArray<GridItem | undefined> => {
    const h = this.hidden;
    if (h.size === 0) return this.items;
    const out: Array<GridItem | undefined> = [];
    for (const r of this.items) if (!r || !h.has(r.id)) out.push(r);
    return out;
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
  /** Ids of the entries currently held. */
  #ids = new Set<string>();
  #pages: Page[] = [];
  /** Entries held (sum of the loaded pages' counts). */
  #loaded = 0;
  #running = false;
  #refreshRequested = false;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Visible range the viewport last asked for (not the maximum ever). */
  #viewStart = 0;
  #viewEnd = 0;
  #lastReloadEnd = 0;
  #lastReloadCost = 0;
  #idle: Array<() => void> = [];

  /** Number of entries held in memory (for tests and diagnostics). */
  get loadedCount(): number {
    return this.#loaded;
  }

  /** Switches the listing; loads its first page. */
  setFilter(f: GalleryFilter): void {
    this.filter = f;
    this.#gen++;
    this.items = [];
    this.#ids = new Set();
    this.#pages = [];
    this.#loaded = 0;
    this.#cursor = null;
    this.exhausted = false;
    this.ready = false;
    this.error = null;
    this.#wanted = PAGE_SIZE;
    this.#viewStart = 0;
    this.#viewEnd = 0;
    this.#refreshRequested = false;
    void this.#pump();
  }

  setKnownTotal(n: number | null): void {
    this.knownTotal = n;
  }

  /**
   * The grid shows visible indexes `start..=index`: load up to `index` (and a margin), fetch
   * dropped pages back in that range, and drop what lies far from it. `moving`: a fast scroll is
   * flying past (the grid holds thumbnails back too): where pages can be fetched by position (a
   * known count, or the whole list walked), nothing is fetched for rows that are on screen for a
   * frame or two; the grid calls again without it when the scroll settles, and the pages then in
   * view are fetched (by position, past the walk's end). A fling through a large library used to
   * fetch and parse ~25 pages a second for nothing: garbage and main-thread work in every frame.
   */
  ensure(index: number, start: number = index, moving = false): void {
    this.#viewEnd = index;
    this.#viewStart = Math.min(start, index);
    if (moving && this.ready && (this.knownTotal !== null || this.exhausted)) {
      this.#evict();
      return;
    }
    const need = index + 1 + this.hidden.size + MARGIN;
    if (need > this.#wanted) this.#wanted = need;
    if (!this.exhausted && this.knownTotal !== null && this.ready && need - this.items.length > JUMP) {
      // `items` holds what the core lists, hidden (deleted, undo open) entries included: as `knownTotal` counts.
      this.#extendTo(Math.min(need, this.knownTotal));
    }
    this.#evict();
    if ((!this.exhausted && this.items.length < this.#wanted) || this.#missingPage() !== null) void this.#pump();
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

  get(id: string): GridItem | undefined {
    return this.items.find((r) => r?.id === id);
  }

  indexOf(id: string): number {
    return this.visible.findIndex((r) => r?.id === id);
  }

  /** Updates the grid's fields of a loaded item (other fields of `fields` are ignored). */
  patch(id: string, fields: Partial<GridItem>): void {
    const i = this.items.findIndex((r) => r?.id === id);
    const cur = i < 0 ? undefined : this.items[i];
    if (!cur) return;
    const next = this.items.slice();
    next[i] = compact({ ...cur, ...fields });
    this.items = next;
  }

  /** Updates the grid's fields of every loaded item `pick` chooses (one new array). */
  patchWhere(pick: (r: GridItem) => boolean, fields: Partial<GridItem>): void {
    let changed = false;
    const next = this.items.map((r) => {
      if (!r || !pick(r)) return r;
      changed = true;
      return compact({ ...r, ...fields });
    });
    if (changed) this.items = next;
  }

  /**
   * The ids at grid positions `a..=b` (a Shift range): the loaded ones, and those of dropped
   * pages read again from the core (keyset, from the nearest loaded entry before them).
   */
  async idsBetween(a: number, b: number): Promise<string[]> {
    const list = this.visible;
    const out: string[] = [];
    let missing = false;
    for (let i = a; i <= b && i < list.length; i++) {
      const r = list[i];
      if (r) out.push(r.id);
      else missing = true;
    }
    if (!missing && b < list.length) return out;
    let from = a - 1;
    while (from >= 0 && !list[from]) from--;
    const after = from >= 0 ? list[from]!.id : null;
    const want = b - from;
    const ids: string[] = [];
    let cursor = after;
    while (ids.length < want) {
      const page = await api.listGrid({ ...this.#query(cursor), limit: Math.min(1000, want - ids.length) });
      if (page.length === 0) break;
      for (const r of page) if (!this.hidden.has(r.id)) ids.push(r.id);
      cursor = page[page.length - 1].id;
    }
    return ids.slice(a - from - 1, b - from);
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
    const next: Array<GridItem | undefined> = [];
    let removed = 0;
    // Pages tile `items` in order: shift each page by what was removed before it.
    for (const p of this.#pages) {
      const from = p.start;
      const to = p.start + p.count;
      p.start -= removed;
      for (let i = from; i < to; i++) {
        const r = this.items[i];
        if (r && gone.has(r.id)) {
          removed++;
          p.count--;
          if (p.loaded) this.#loaded--;
          this.#ids.delete(r.id);
        } else {
          next.push(r);
        }
      }
    }
    if (removed > 0) this.items = next;
    if (this.knownTotal !== null) this.knownTotal = Math.max(0, this.knownTotal - ids.length);
    this.unhide(ids);
  }

  #query(after: string | null, offset = 0): ListQuery {
    const f = this.filter;
    const q: ListQuery = {
      ...filterFields(f),
      search: f.search ? f.search : null,
      sort: f.sort,
      limit: PAGE_SIZE,
      after,
    };
    if (offset > 0) q.offset = offset;
    return q;
  }

  /** How to fetch page `p` again: see `Page`. */
  #pageQuery(p: Page): ListQuery {
    if (p.after !== null || p.start === 0) return this.#query(p.after);
    const at = this.#pages.indexOf(p);
    const prev = at > 0 ? this.#pages[at - 1] : null;
    if (prev && prev.loaded && prev.count > 0) return this.#query(this.items[prev.start + prev.count - 1]!.id);
    return this.#query(null, p.start);
  }

  /** The next page of the walk: after its cursor, or by position after placeholder pages. */
  #tailQuery(): ListQuery {
    return this.#cursor !== null || this.items.length === 0 ? this.#query(this.#cursor) : this.#query(null, this.items.length);
  }

  /** Placeholder pages (not fetched) from the walk's end up to `end`: only those in view are fetched. */
  #extendTo(end: number): void {
    const from = this.items.length;
    if (end <= from) return;
    for (const p of placeholderPages(from, end)) this.#pages.push(p);
    this.items = this.items.concat(new Array<GridItem | undefined>(end - from).fill(undefined));
    this.#cursor = null;
  }

  /** Positions the viewport needs loaded (visible range plus a margin, in `items` positions). */
  #needRange(): [number, number] {
    return [Math.max(0, this.#viewStart - MARGIN), this.#viewEnd + this.hidden.size + MARGIN];
  }

  /** A dropped page the viewport needs again, if any. */
  #missingPage(): Page | null {
    const [lo, hi] = this.#needRange();
    for (const p of this.#pages) {
      if (p.start > hi) break;
      if (!p.loaded && p.count > 0 && p.start + p.count > lo) return p;
    }
    return null;
  }

  /** Over `MAX_LOADED`: drops the pages farthest from the viewport (never the ones it needs). */
  #evict(): void {
    if (this.#loaded <= MAX_LOADED) return;
    const [lo, hi] = this.#needRange();
    const dist = (p: Page) => (p.start + p.count <= lo ? lo - (p.start + p.count) : p.start > hi ? p.start - hi : -1);
    const far = this.#pages.filter((p) => p.loaded && dist(p) >= 0).sort((a, b) => dist(b) - dist(a));
    if (far.length === 0) return;
    const next = this.items.slice();
    for (const p of far) {
      if (this.#loaded <= MAX_LOADED) break;
      for (let i = p.start; i < p.start + p.count; i++) {
        const r = next[i];
        if (r) this.#ids.delete(r.id);
        next[i] = undefined;
      }
      p.loaded = false;
      this.#loaded -= p.count;
    }
    this.items = next;
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
        if (this.error !== null) break;
        const missing = this.#missingPage();
        const pages = this.#pages;
        if (missing === null && (this.exhausted || this.items.length >= this.#wanted)) break;
        let page: GridEntry[];
        try {
          page = await api.listGrid(missing ? this.#pageQuery(missing) : this.#tailQuery());
        } catch (e) {
          if (gen === this.#gen) this.error = errorMessage(e);
          continue;
        }
        if (gen !== this.#gen) continue;
        if (missing) {
          // A reload may have replaced the pages meanwhile: then this answer is stale.
          if (pages === this.#pages && !missing.loaded) this.#fill(missing, page);
        } else {
          this.#append(page);
        }
        this.#evict();
      }
    } finally {
      this.#running = false;
      this.loading = false;
      const waiters = this.#idle;
      this.#idle = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Puts a re-fetched page back in its slots (marked loaded even if it came back short: no
   * refetch loop). Records already held elsewhere are skipped (de-duplicated by id), and the page
   * ends at the next page's boundary (its `after` id), so what was deleted meanwhile does not pull
   * the next page's first entries in. A page that came back short shrinks, and the pages after it
   * shift, so positions stay contiguous (no hole that never loads). The walk goes on after the
   * last page from the last record it took.
   */
  #fill(p: Page, page: GridEntry[]): void {
    const pages = this.#pages;
    const at = pages.indexOf(p);
    const following = at >= 0 && at + 1 < pages.length ? pages[at + 1] : null;
    const boundary = following ? following.after : null;
    const fresh: GridItem[] = [];
    let hitBoundary = false;
    let taken: string | null = null;
    for (const r of page) {
      if (fresh.length >= p.count) break;
      taken = r.id;
      if (!this.#ids.has(r.id)) {
        this.#ids.add(r.id);
        fresh.push(r);
      }
      if (r.id === boundary) {
        hitBoundary = true;
        break;
      }
    }
    // The boundary record itself is gone: the next (dropped) page now starts after what this one holds.
    if (following && !hitBoundary && !following.loaded && fresh.length > 0) following.after = fresh[fresh.length - 1].id;
    const short = p.count - fresh.length;
    const next = this.items.slice();
    next.splice(p.start, p.count, ...fresh);
    if (short > 0) for (let k = at + 1; k < pages.length; k++) pages[k].start -= short;
    p.count = fresh.length;
    p.loaded = true;
    this.#loaded += fresh.length;
    this.items = next;
    if (following === null) {
      if (taken !== null) this.#cursor = taken;
      if (page.length < PAGE_SIZE) this.exhausted = true;
    }
  }

  #append(page: GridEntry[]): void {
    const fresh: GridItem[] = [];
    for (const r of page) {
      if (this.#ids.has(r.id)) continue;
      this.#ids.add(r.id);
      fresh.push(r);
    }
    if (fresh.length > 0) {
      this.#pages.push({ start: this.items.length, count: fresh.length, after: this.#cursor, loaded: true });
      this.#loaded += fresh.length;
      this.items = this.items.concat(fresh);
    }
    if (page.length > 0) this.#cursor = page[page.length - 1].id;
    if (page.length < PAGE_SIZE) this.exhausted = true;
    this.ready = true;
  }

  async #reload(gen: number): Promise<void> {
    // Up to what the viewport shows (plus a margin); what lies beyond is paged in again on demand.
    const view = this.#viewEnd + 1 + this.hidden.size + MARGIN;
    const target = Math.max(PAGE_SIZE, Math.min(this.items.length, view));
    // Only entries near the viewport are kept. Deep in the list, the reload starts at the first
    // kept page's position: the pages before it are placeholders, fetched by position if they
    // scroll back into view (no walk through every page above the viewport).
    const keepFrom = Math.max(0, this.#viewStart - KEEP_AROUND);
    const skip = Math.floor(keepFrom / PAGE_SIZE) * PAGE_SIZE;
    const seen = new Set<string>();
    const ids = new Set<string>();
    const items: Array<GridItem | undefined> = new Array<GridItem | undefined>(skip).fill(undefined);
    const pages: Page[] = placeholderPages(0, skip);
    let loaded = 0;
    let cursor: string | null = null;
    let exhausted = false;
    while (items.length < target) {
      let page: GridEntry[];
      try {
        page = await api.listGrid(cursor === null ? this.#query(null, skip) : this.#query(cursor));
      } catch (e) {
        if (gen === this.#gen) this.error = errorMessage(e);
        return;
      }
      if (gen !== this.#gen) return;
      const start = items.length;
      for (const r of page) {
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        items.push(r);
      }
      const count = items.length - start;
      if (count > 0) {
        const keep = start + count > keepFrom;
        for (let i = start; i < items.length; i++) {
          if (keep) ids.add(items[i]!.id);
          else items[i] = undefined;
        }
        pages.push({ start, count, after: cursor, loaded: keep });
        if (keep) loaded += count;
      }
      if (page.length > 0) cursor = page[page.length - 1].id;
      if (page.length < PAGE_SIZE) {
        exhausted = true;
        break;
      }
    }
    this.items = items;
    this.#ids = ids;
    this.#pages = pages;
    this.#loaded = loaded;
    this.#cursor = cursor;
    this.exhausted = exhausted;
    this.#wanted = Math.max(items.length, view);
    this.ready = true;
    this.error = null;
    this.#evict();
  }
}
