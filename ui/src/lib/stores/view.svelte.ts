import type { RemoteState, Sort, SourceKind, Visibility } from '../ipc';
import { debounce } from '../util/debounce';
import type { GalleryFilter } from './gallery.svelte';

export const SEARCH_DEBOUNCE_MS = 150;

export type Section =
  | { kind: 'all' }
  | { kind: 'tag'; tag: string }
  | { kind: 'visibility'; value: Visibility }
  | { kind: 'source'; value: SourceKind }
  | { kind: 'remote'; value: RemoteState }
  | { kind: 'stats' }
  | { kind: 'settings' };

export function sectionKey(s: Section): string {
  switch (s.kind) {
    case 'tag':
      return `tag:${s.tag}`;
    case 'visibility':
    case 'source':
    case 'remote':
      return `${s.kind}:${s.value}`;
    default:
      return s.kind;
  }
}

export function filterFor(section: Section, search: string, sort: Sort): GalleryFilter {
  const f: GalleryFilter = { sort, search: search.trim() || null };
  if (section.kind === 'tag') f.tag = section.tag;
  else if (section.kind === 'visibility') f.visibility = section.value;
  else if (section.kind === 'source') f.source = section.value;
  else if (section.kind === 'remote') f.remote_state = section.value;
  return f;
}

/** What the user is looking at: sidebar section, search text, sort. */
export class ViewState {
  section = $state.raw<Section>({ kind: 'all' });
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
    return filterFor(this.section, this.search, this.sort);
  }

  get isGallery(): boolean {
    return this.section.kind !== 'stats' && this.section.kind !== 'settings';
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

  select(section: Section): void {
    const changed = sectionKey(section) !== sectionKey(this.section);
    this.section = section;
    if (changed) this.#emit();
  }
}
