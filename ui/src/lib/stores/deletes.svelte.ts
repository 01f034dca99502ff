import { api, errorMessage } from '../ipc';
import type { Gallery } from './gallery.svelte';
import type { Toasts } from './toasts.svelte';

export const UNDO_MS = 6000;

interface Pending {
  key: number;
  ids: string[];
  timer: ReturnType<typeof setTimeout>;
  toast: number;
}

/**
 * Delete with an undo window: items disappear at once, the `delete_images`
 * command is only sent when the window closes; Undo brings them back.
 */
export class Deletes {
  pending = $state<number[]>([]);
  #items = new Map<number, Pending>();
  #next = 1;
  #gallery: Gallery;
  #toasts: Toasts;
  #onDeleted: (ids: string[]) => void;

  constructor(gallery: Gallery, toasts: Toasts, onDeleted: (ids: string[]) => void = () => {}) {
    this.#gallery = gallery;
    this.#toasts = toasts;
    this.#onDeleted = onDeleted;
  }

  /** Hides `ids` and starts the undo window. Returns a key for `undo`. */
  schedule(ids: string[], label: string): number {
    const key = this.#next++;
    this.#gallery.hide(ids);
    const toast = this.#toasts.show(label, {
      timeout: UNDO_MS,
      action: { label: 'Undo', run: () => this.undo(key), testid: 'undo-button' },
    });
    const timer = setTimeout(() => void this.commit(key), UNDO_MS);
    this.#items.set(key, { key, ids, timer, toast });
    this.pending = [...this.#items.keys()];
    return key;
  }

  undo(key: number): void {
    const p = this.#items.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.#items.delete(key);
    this.pending = [...this.#items.keys()];
    this.#toasts.dismiss(p.toast);
    this.#gallery.unhide(p.ids);
  }

  /** Sends the delete now (window closed, or the app is going away). */
  async commit(key: number): Promise<void> {
    const p = this.#items.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.#items.delete(key);
    this.pending = [...this.#items.keys()];
    this.#toasts.dismiss(p.toast);
    try {
      const removed = await api.deleteImages(p.ids);
      this.#gallery.remove(p.ids);
      this.#onDeleted(removed);
    } catch (e) {
      this.#gallery.unhide(p.ids);
      this.#toasts.error(`Could not delete: ${errorMessage(e)}`);
    }
  }

  /** Commits every open window at once (app closing). */
  flushAll(): Promise<void[]> {
    return Promise.all([...this.#items.keys()].map((k) => this.commit(k)));
  }

  isPending(id: string): boolean {
    for (const p of this.#items.values()) if (p.ids.includes(id)) return true;
    return false;
  }
}
