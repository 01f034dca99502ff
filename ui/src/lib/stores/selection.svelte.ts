/**
 * The gallery's selection, at any scale: either some ids (clicks, ranges, a rubber band), or
 * "everything the listing's query matches, minus these" (Select all: nothing is loaded into the
 * webview, however many images match). It becomes the core's `Selection` for bulk actions.
 *
 * Positions (for Shift ranges) are the gallery's; a range's ids come from the caller, which
 * knows them (loaded entries, or fetched). A new listing (filter, search, sort) clears it; a
 * refresh of the same listing keeps it (ids are ids; a query selection is re-evaluated by the
 * core when the action runs, minus the exceptions).
 */

import type { ListQuery, Selection } from '../ipc';

export class SelectionStore {
  /** 'ids': exactly `ids`. 'all': what `query` matches, minus `except`. */
  mode = $state<'ids' | 'all'>('ids');
  ids = $state.raw<ReadonlySet<string>>(new Set());
  except = $state.raw<ReadonlySet<string>>(new Set());
  query = $state.raw<ListQuery | null>(null);
  /** Where the last click without Shift was (the start of a Shift range). */
  anchor = $state<number | null>(null);
  /** How many images the listing has (for "all" minus exceptions). */
  #total = $state(0);

  setTotal(n: number): void {
    this.#total = n;
  }

  /** How many images are selected. */
  get count(): number {
    return this.mode === 'all' ? Math.max(0, this.#total - this.except.size) : this.ids.size;
  }

  get active(): boolean {
    return this.count > 0;
  }

  has(id: string): boolean {
    return this.mode === 'all' ? !this.except.has(id) : this.ids.has(id);
  }

  clear(): void {
    this.mode = 'ids';
    this.ids = new Set();
    this.except = new Set();
    this.query = null;
    this.anchor = null;
  }

  /** Select all: everything `query` (the listing's filters and search) matches. */
  selectAll(query: ListQuery): void {
    this.mode = 'all';
    this.query = query;
    this.except = new Set();
    this.ids = new Set();
  }

  /** Ctrl/Cmd-click: one image in or out; it becomes the anchor. */
  toggle(id: string, index: number): void {
    this.#flip(id, !this.has(id));
    this.anchor = index;
  }

  /** Puts `ids` in (or out) of the selection. */
  set(ids: Iterable<string>, selected: boolean): void {
    for (const id of ids) this.#flip(id, selected);
  }

  /** Replaces the selection by `ids` (a rubber band without Ctrl, a plain Shift range). */
  replace(ids: Iterable<string>, anchor: number | null = this.anchor): void {
    this.clear();
    this.ids = new Set(ids);
    this.anchor = anchor;
  }

  #flip(id: string, selected: boolean): void {
    if (this.mode === 'all') {
      const next = new Set(this.except);
      if (selected) next.delete(id);
      else next.add(id);
      this.except = next;
    } else {
      if (this.ids.has(id) === selected) return;
      const next = new Set(this.ids);
      if (selected) next.add(id);
      else next.delete(id);
      this.ids = next;
    }
  }

  /** Ids gone from the library (deleted) leave the selection. */
  forget(ids: Iterable<string>): void {
    if (this.mode === 'all') return; // the core re-reads the query: they are no longer in it
    const next = new Set(this.ids);
    let changed = false;
    for (const id of ids) changed = next.delete(id) || changed;
    if (changed) this.ids = next;
  }

  /** What the core's bulk commands take (null: nothing selected). */
  toCore(): Selection | null {
    if (!this.active) return null;
    if (this.mode === 'all' && this.query) {
      // Paging fields mean nothing to a selection.
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { limit, after, sort, ...q } = this.query;
      return { kind: 'query', query: q, except: [...this.except] };
    }
    return { kind: 'ids', ids: [...this.ids] };
  }
}

/** The first and last positions of a Shift range, in order. */
export function rangeOf(anchor: number | null, index: number): [number, number] {
  const a = anchor ?? index;
  return a <= index ? [a, index] : [index, a];
}
