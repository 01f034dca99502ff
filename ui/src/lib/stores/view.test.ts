import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEARCH_DEBOUNCE_MS, ViewState, filterFor } from './view.svelte';
import type { GalleryFilter } from './gallery.svelte';

describe('search debounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('applies the search once, ~150 ms after the last keystroke', () => {
    const seen: GalleryFilter[] = [];
    const v = new ViewState((f) => seen.push(f));
    v.setSearchInput('c');
    vi.advanceTimersByTime(100);
    v.setSearchInput('ca');
    vi.advanceTimersByTime(100);
    v.setSearchInput('cat');
    expect(v.searchInput).toBe('cat');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 1);
    expect(seen).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(seen).toHaveLength(1);
    expect(seen[0].search).toBe('cat');
    expect(v.search).toBe('cat');
  });

  it('Enter applies at once; the same text twice does not reload', () => {
    const seen: GalleryFilter[] = [];
    const v = new ViewState((f) => seen.push(f));
    v.setSearchInput('dog');
    v.flushSearch();
    expect(seen.map((f) => f.search)).toEqual(['dog']);
    v.setSearchInput('dog ');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    expect(seen).toHaveLength(1);
  });

  it('clearSearch resets without waiting and cancels a pending one', () => {
    const seen: GalleryFilter[] = [];
    const v = new ViewState((f) => seen.push(f));
    v.setSearchInput('x');
    v.flushSearch();
    v.setSearchInput('xy');
    v.clearSearch();
    vi.advanceTimersByTime(1000);
    expect(seen.map((f) => f.search ?? null)).toEqual(['x', null]);
  });
});

describe('sections and sort', () => {
  it('map to list filters', () => {
    expect(filterFor({ kind: 'tag', tag: 'cats' }, '', 'name')).toEqual({ sort: 'name', search: null, tag: 'cats' });
    expect(filterFor({ kind: 'remote', value: 'failed' }, ' q ', 'newest')).toEqual({ sort: 'newest', search: 'q', remote_state: 'failed' });
  });

  it('stats/settings do not reload the gallery', () => {
    const seen: GalleryFilter[] = [];
    const v = new ViewState((f) => seen.push(f));
    v.select({ kind: 'stats' });
    v.select({ kind: 'settings' });
    expect(seen).toHaveLength(0);
    v.select({ kind: 'visibility', value: 'public' });
    v.setSort('size');
    expect(seen.map((f) => [f.visibility, f.sort])).toEqual([
      ['public', 'newest'],
      ['public', 'size'],
    ]);
  });
});
