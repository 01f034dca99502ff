import { api, errorMessage, type AlbumSummary, type Selection } from '../ipc';
import { sentence } from '../util/format';
import { imagesText } from './filters';
import type { Toasts } from './toasts.svelte';

/**
 * The library's albums (sidebar, "Add to album", the open album's actions). The core keeps
 * them; this store lists them and says what each action did, once, as a sentence.
 */
export class AlbumsStore {
  list = $state.raw<AlbumSummary[]>([]);
  /** An album is being published or unpublished. */
  busy = $state<string | null>(null);
  #toasts: Toasts;
  #changed: () => void;

  constructor(toasts: Toasts, changed: () => void) {
    this.#toasts = toasts;
    this.#changed = changed;
  }

  async load(): Promise<void> {
    try {
      this.list = await api.albums();
    } catch {
      // The sidebar keeps what it had; the next change reloads.
    }
  }

  get(name: string | null): AlbumSummary | null {
    if (!name) return null;
    const n = name.toLowerCase();
    return this.list.find((a) => a.name.toLowerCase() === n) ?? null;
  }

  /** Runs an album command; `undefined` when it failed (said once, as a sentence). */
  async #run<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
    try {
      const r = await f();
      await this.load();
      this.#changed();
      return r;
    } catch (e) {
      this.#toasts.error(`${what}: ${sentence(errorMessage(e))}`);
      return undefined;
    }
  }

  /** A new album, with the selection's images (or none). */
  async create(name: string, selection: Selection | null): Promise<boolean> {
    const r = await this.#run('Could not create the album', () => api.createAlbum(name.trim(), selection));
    if (r) this.#toasts.success(`Album “${r.name}” created with ${imagesText(r.images)}.`);
    return r !== undefined;
  }

  async add(name: string, selection: Selection): Promise<void> {
    const r = await this.#run('Could not add to the album', () => api.addToAlbum(name, selection));
    if (r) this.#toasts.success(`${imagesText(r.added ?? 0)} added to “${r.name}”.`);
  }

  async remove(name: string, selection: Selection): Promise<void> {
    const r = await this.#run('Could not take them out of the album', () => api.removeFromAlbum(name, selection));
    if (r) this.#toasts.success(`${imagesText(r.removed ?? 0)} taken out of “${r.name}”; they stay in the library.`);
  }

  async rename(name: string, next: string): Promise<string | null> {
    const r = await this.#run('Could not rename the album', () => api.renameAlbum(name, next.trim()));
    return r?.name ?? null;
  }

  async delete(name: string): Promise<boolean> {
    const r = await this.#run('Could not delete the album', () => api.deleteAlbum(name));
    if (r !== undefined) this.#toasts.success(`Album “${name}” deleted; its images stay in the library.`);
    return r !== undefined;
  }

  /** Publishes the album's page (a new address unless `keep`); returns its address. */
  async publish(name: string, keep = false): Promise<string | null> {
    this.busy = name;
    const r = await this.#run('Could not publish the album', () => api.publishAlbum(name, keep));
    this.busy = null;
    if (r) this.#toasts.success(`Published ${imagesText(r.images)}: anyone with the link can see them.`);
    return r?.url ?? null;
  }

  async unpublish(name: string): Promise<void> {
    this.busy = name;
    const r = await this.#run('Could not unpublish the album', () => api.unpublishAlbum(name));
    this.busy = null;
    if (r) this.#toasts.success(`“${name}” is no longer published; its page and copies were removed from the bucket.`);
  }
}
