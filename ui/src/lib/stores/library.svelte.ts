import { api, errorMessage, type LibraryInfo, type Stats } from '../ipc';
import { filterFields, type GalleryFilter } from './gallery.svelte';

/** Library-wide counts: info, stats and tag counts (sidebar, stats view, scrollbar size). */
export class LibraryCounts {
  info = $state<LibraryInfo | null>(null);
  stats = $state.raw<Stats | null>(null);
  tags = $state.raw<Array<[string, number]>>([]);
  error = $state<string | null>(null);

  #seq = 0;

  /** Re-reads everything; when calls overlap, only the latest answer is kept. */
  async refresh(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const [info, stats, tags] = await Promise.all([api.libraryInfo(), api.stats(), api.tagCounts()]);
      if (seq !== this.#seq) return;
      this.info = info;
      this.stats = stats;
      this.tags = tags;
      this.error = null;
    } catch (e) {
      if (seq === this.#seq) this.error = errorMessage(e);
    }
  }

  /** How many images a filter shows, when the counts tell (null: unknown, e.g. a search). */
  countFor(f: GalleryFilter): number | null {
    if (f.search) return null;
    const fields = filterFields(f);
    const set = Object.keys(fields).length;
    if (set === 0) return this.info?.images ?? this.stats?.images ?? null;
    if (set > 1) return null;
    if (fields.tag != null) return this.tags.find(([t]) => t === fields.tag)?.[1] ?? 0;
    const s = this.stats;
    if (!s) return null;
    if (fields.visibility != null) return s.by_visibility[fields.visibility]?.count ?? 0;
    if (fields.remote_state != null) return s.by_remote_state[fields.remote_state]?.count ?? 0;
    if (fields.source != null) return s.by_source[fields.source]?.count ?? 0;
    return null;
  }
}
