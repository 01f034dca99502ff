import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEARCH_DEBOUNCE_MS, ViewState, filterFor } from './view.svelte';
import type { GalleryFilter } from './gallery.svelte';
import { NO_FILTERS } from './filters';

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
    expect(filterFor({ ...NO_FILTERS, tags: ['cats'] }, '', 'name')).toEqual({ sort: 'name', search: null, tag: 'cats' });
    expect(filterFor({ ...NO_FILTERS, remote_state: 'failed' }, ' q ', 'newest')).toEqual({ sort: 'newest', search: 'q', remote_state: 'failed' });
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

describe('filters combine', () => {
  it('a sidebar click adds its filter to the others; a second click takes it off', () => {
    const seen: GalleryFilter[] = [];
    const v = new ViewState((f) => seen.push(f));
    v.toggle({ kind: 'tag', tag: 'trip' });
    v.toggle({ kind: 'remote', value: 'synced' });
    expect(seen.at(-1)).toMatchObject({ tag: 'trip', remote_state: 'synced' });
    v.toggle({ kind: 'tag', tag: 'beach' });
    expect(seen.at(-1)).toMatchObject({ tags: ['trip', 'beach'], remote_state: 'synced' });
    expect(seen.at(-1)?.tag).toBeUndefined();
    // Another value of the same kind replaces it.
    v.toggle({ kind: 'remote', value: 'failed' });
    expect(seen.at(-1)?.remote_state).toBe('failed');
    v.toggle({ kind: 'remote', value: 'failed' });
    expect(seen.at(-1)?.remote_state).toBeUndefined();
    v.toggle({ kind: 'all' });
    expect(seen.at(-1)).toEqual({ sort: 'newest', search: null });
    expect(v.narrowed).toBe(false);
  });

  it('from Statistics a click shows that filter (never takes it off); select shows it alone', () => {
    const v = new ViewState(() => {});
    v.toggle({ kind: 'visibility', value: 'public' });
    v.toggle({ kind: 'tag', tag: 'cats' });
    v.toggle({ kind: 'stats' });
    expect(v.isGallery).toBe(false);
    v.toggle({ kind: 'visibility', value: 'public' });
    expect(v.isGallery).toBe(true);
    expect(v.filters).toMatchObject({ visibility: 'public', tags: ['cats'] });
    v.select({ kind: 'remote', value: 'failed' });
    expect(v.filters).toEqual({ ...NO_FILTERS, remote_state: 'failed' });
  });

  it('the search narrows and keeps the filters', () => {
    const seen: GalleryFilter[] = [];
    const v = new ViewState((f) => seen.push(f));
    v.toggle({ kind: 'source', value: 'url' });
    v.setSearchInput('cat');
    v.flushSearch();
    expect(seen.at(-1)).toEqual({ sort: 'newest', search: 'cat', source: 'url' });
    expect(v.narrowed).toBe(true);
  });
});
