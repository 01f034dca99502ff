import type { RemoteState, Sort, SourceKind, Visibility } from '../ipc';
import { NO_FILTERS, isEmpty, sameFilters, set, toQuery, toggle, toggleTag, type Filters } from './filters';
import { debounce } from '../util/debounce';
import type { GalleryFilter } from './gallery.svelte';

export const SEARCH_DEBOUNCE_MS = 150;

export type Section =
  | { kind: 'all' }
  | { kind: 'tag'; tag: string }
  | { kind: 'visibility'; value: Visibility }
  | { kind: 'source'; value: SourceKind }
  | { kind: 'remote'; value: RemoteState }
  | { kind: 'album'; name: string }
  | { kind: 'stats' }
  | { kind: 'settings' };

export function sectionKey(s: Section): string {
  switch (s.kind) {
    case 'tag':
      return `tag:${s.tag}`;
    case 'album':
      return `album:${s.name}`;
    case 'visibility':
    case 'source':
    case 'remote':
      return `${s.kind}:${s.value}`;
    default:
      return s.kind;
  }
}

/** The filters a sidebar section stands for, on top of `f` (`toggle`: a second click takes it off). */
export function applySection(f: Filters, s: Section, toggleOff = true): Filters {
  const flip = <K extends 'visibility' | 'source' | 'remote_state'>(key: K, value: Filters[K]) =>
    toggleOff ? toggle(f, key, value) : set(f, key, value);
  switch (s.kind) {
    case 'all':
      return NO_FILTERS;
    case 'tag':
      return toggleOff || !f.tags.includes(s.tag) ? toggleTag(f, s.tag) : f;
    case 'visibility':
      return flip('visibility', s.value);
    case 'source':
      return flip('source', s.value);
    case 'remote':
      return flip('remote_state', s.value);
    case 'album':
      return toggleOff && f.album === s.name ? set(f, 'album', null) : set(f, 'album', s.name);
    default:
      return f;
  }
}

/** Is this sidebar section among the filters (highlighted)? */
export function sectionActive(f: Filters, search: string, s: Section): boolean {
  switch (s.kind) {
    case 'all':
      return isEmpty(f) && !search;
    case 'tag':
      return f.tags.includes(s.tag);
    case 'visibility':
      return f.visibility === s.value;
    case 'source':
      return f.source === s.value;
    case 'remote':
      return f.remote_state === s.value;
    case 'album':
      return f.album === s.name;
    default:
      return false;
  }
}

export function filterFor(filters: Filters, search: string, sort: Sort): GalleryFilter {
  return { ...toQuery(filters), sort, search: search.trim() || null };
}

export type Screen = 'gallery' | 'stats' | 'settings';

/** What the user is looking at: gallery (with its filters), statistics or settings; search text; sort. */
export class ViewState {
  screen = $state<Screen>('gallery');
  filters = $state.raw<Filters>(NO_FILTERS);
  /** What is in the search box right now. */
  searchInput = $state('');
  /** The search applied to the gallery (debounced). */
  search = $state('');
  sort = $state<Sort>('newest');
  #onFilter: (f: GalleryFilter) => void;
  #debounced = debounce((s: string) => {
    if (s === this.search) return;
    this.search = s;
    this.#emit();
  }, SEARCH_DEBOUNCE_MS);

  constructor(onFilter: (f: GalleryFilter) => void) {
    this.#onFilter = onFilter;
  }

  get filter(): GalleryFilter {
    return filterFor(this.filters, this.search, this.sort);
  }

  get isGallery(): boolean {
    return this.screen === 'gallery';
  }

  /** A filter or a search narrows the gallery. */
  get narrowed(): boolean {
    return !isEmpty(this.filters) || this.search !== '';
  }

  #emit(): void {
    if (this.isGallery) this.#onFilter(this.filter);
  }

  setSearchInput(s: string): void {
    this.searchInput = s;
    this.#debounced(s.trim());
  }

  /** Enter in the search box: apply without waiting. */
  flushSearch(): void {
    this.#debounced.flush();
  }

  clearSearch(): void {
    this.#debounced.cancel();
    this.searchInput = '';
    if (this.search !== '') {
      this.search = '';
      this.#emit();
    }
  }

  setSort(s: Sort): void {
    if (s === this.sort) return;
    this.sort = s;
    this.#emit();
  }

  /**
   * Shows a section on its own: Statistics, Settings, or the gallery with only that filter
   * (what "All images" and "show the failed ones" mean). The search stays.
   */
  select(section: Section): void {
    if (section.kind === 'stats' || section.kind === 'settings') {
      this.screen = section.kind;
      return;
    }
    this.#show(applySection(NO_FILTERS, section, false));
  }

  /** A sidebar click: the section's filter joins the others (or leaves them, clicked again). */
  toggle(section: Section): void {
    if (section.kind === 'stats' || section.kind === 'settings') {
      this.screen = section.kind;
      return;
    }
    // From Statistics or Settings a click shows that filter; it does not take it off.
    this.#show(applySection(this.filters, section, this.isGallery));
  }

  /** Replaces the filters (the filter bar's chips and menus). */
  setFilters(f: Filters): void {
    this.#show(f);
  }

  #show(f: Filters): void {
    const changed = !sameFilters(f, this.filters) || !this.isGallery;
    this.filters = f;
    this.screen = 'gallery';
    if (changed) this.#emit();
  }
}
