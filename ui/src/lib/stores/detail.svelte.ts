import { api, errorMessage, type ImageDetail, type ImageLink, type ImageRecord, type LinkFormat, type RemoteState, type Visibility } from '../ipc';
import type { Gallery, GridItem } from './gallery.svelte';
import type { Toasts } from './toasts.svelte';
import { formatBytes, sentence, shortenKeys } from '../util/format';

/** Lifetimes a private image's link can be given (seconds). */
export const LINK_EXPIRIES = [
  { seconds: 600, label: '10 min' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
] as const;

/** The open image: its full record, optimistic edits, navigation, share links. */
export class Detail {
  id = $state<string | null>(null);
  detail = $state.raw<ImageDetail | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** The link shown in the Share section: the last one made, or the stable public URL. */
  link = $state.raw<ImageLink | null>(null);
  linkError = $state<string | null>(null);
  linkBusy = $state(false);
  /** Lifetime of the next presigned link (seconds); kept from image to image. */
  expiry = $state(3600);
  #linkSeq = 0;
  #hasRemote: () => boolean;
  #gallery: Gallery;
  #toasts: Toasts;
  #loadSeq = 0;
  /** A move under way (`step`): the image it started from and the presses added up so far. */
  #stepFrom: string | null = null;
  #stepDelta = 0;
  #stepSeq = 0;
  /** Latest visibility request per id, so an older failure does not roll back a newer choice. */
  #visSeq = new Map<string, number>();
  #tagSeq = new Map<string, number>();
  #onChanged: () => void;

  /**
   * `onChanged` runs after a tag edit or visibility change went through (sidebar counts);
   * `hasRemote` tells whether a bucket is set up (links are then web links).
   */
  constructor(gallery: Gallery, toasts: Toasts, onChanged: () => void = () => {}, hasRemote: () => boolean = () => false) {
    this.#gallery = gallery;
    this.#toasts = toasts;
    this.#onChanged = onChanged;
    this.#hasRemote = hasRemote;
  }

  get isOpen(): boolean {
    return this.id !== null;
  }

  /**
   * The full record, from `get_image` only (the gallery keeps just what the grid needs);
   * `null` until it arrives — show `preview` as a light placeholder meanwhile.
   */
  get record(): ImageDetail | null {
    return this.id !== null && this.detail && this.detail.id === this.id ? this.detail : null;
  }

  /** The grid's compact entry for the open image (filename, size) while the record loads. */
  get preview(): GridItem | null {
    return this.id === null ? null : (this.#gallery.get(this.id) ?? null);
  }

  get index(): number {
    return this.id === null ? -1 : this.#gallery.indexOf(this.id);
  }

  async open(id: string): Promise<void> {
    if (this.id !== id) this.#clearLink();
    this.id = id;
    if (this.detail?.id !== id) this.detail = null;
    this.error = null;
    this.loading = true;
    const seq = ++this.#loadSeq;
    try {
      const d = await api.getImage(id);
      if (seq === this.#loadSeq) {
        this.detail = d;
        this.#showStableLink();
      }
    } catch (e) {
      if (seq === this.#loadSeq) this.error = errorMessage(e);
    } finally {
      if (seq === this.#loadSeq) this.loading = false;
    }
  }

  /** Re-reads the open image (after an external change). */
  reload(): void {
    if (this.id !== null) void this.open(this.id);
  }

  close(): void {
    this.id = null;
    this.detail = null;
    this.error = null;
    this.#loadSeq++;
    this.#clearLink();
  }

  #clearLink(): void {
    this.#linkSeq++;
    this.link = null;
    this.linkError = null;
    this.linkBusy = false;
  }

  /** Unlisted and public images have one stable URL: show it without a click. */
  #showStableLink(): void {
    const rec = this.record;
    if (!rec || !this.#hasRemote() || rec.visibility === 'private') return;
    void this.makeLink('url');
  }

  /**
   * Makes a link to the open image (a presigned one, living `expiry` seconds, for a private
   * image) and shows it; null when it could not be made (`linkError` says why).
   */
  async makeLink(format: LinkFormat): Promise<ImageLink | null> {
    const rec = this.record;
    if (!rec) return null;
    const seq = ++this.#linkSeq;
    this.linkBusy = true;
    this.linkError = null;
    try {
      const link = await api.imageLink(rec.id, format, this.#expiresFor(rec.visibility));
      if (seq === this.#linkSeq) this.link = link;
      return link;
    } catch (e) {
      if (seq === this.#linkSeq) {
        this.link = null;
        this.linkError = errorMessage(e);
      }
      return null;
    } finally {
      if (seq === this.#linkSeq) this.linkBusy = false;
    }
  }

  /** A presigned link's lifetime: only a private image in a bucket needs one. */
  #expiresFor(visibility: Visibility | undefined): number | undefined {
    return this.#hasRemote() && (visibility === undefined || visibility === 'private') ? this.expiry : undefined;
  }

  /**
   * A link to any image (a context menu on the grid): the open one goes through `makeLink`
   * (the Share section shows it too); another one by the same rule (no bucket: a file:// link;
   * private in a bucket: presigned, living `expiry`). Rejects with the core's error.
   */
  async linkFor(id: string, format: LinkFormat): Promise<ImageLink> {
    if (id === this.id && this.record) {
      const link = await this.makeLink(format);
      if (!link) throw new Error(this.linkError ?? 'The link could not be made.');
      return link;
    }
    return api.imageLink(id, format, this.#expiresFor(this.#gallery.get(id)?.visibility));
  }

  /** A `sync-event` for one image: its state in the grid and, when open, here. */
  remoteChanged(id: string, state: RemoteState, error: string | null): void {
    this.#patchLocal(id, { remote_state: state, remote_error: error });
    if (id === this.id && state === 'synced') {
      // The object is now where the stable link points (or a presigned one can be made).
      if (this.link?.kind === 'public' || this.linkError) this.#showStableLink();
      if (this.linkError && this.record?.visibility === 'private') this.linkError = null;
    }
  }

  /** The bucket was set up or removed: links change kind. */
  remoteReset(): void {
    this.#clearLink();
    this.reload();
  }

  /**
   * Moves by `delta` in the gallery's order. When the neighbour is not loaded (its page was
   * dropped, or not fetched yet) it is loaded first and the move happens when it arrives: the key
   * press is not lost. Presses made meanwhile add up onto the pending move (each counts once) and
   * the view lands once, on the final target.
   */
  step(delta: number): void {
    if (this.id === null) return;
    if (this.#stepFrom !== this.id) {
      this.#stepFrom = this.id;
      this.#stepDelta = 0;
    }
    this.#stepDelta += delta;
    const seq = ++this.#stepSeq;
    void this.#stepRun(seq);
  }

  async #stepRun(seq: number): Promise<void> {
    const from = this.#stepFrom;
    // A few rounds at most: the page may need its neighbour page too (margins), or fail.
    for (let round = 0; round < 4; round++) {
      if (seq !== this.#stepSeq || from === null || this.id !== from) return;
      const i = this.#gallery.indexOf(from);
      if (i < 0) break;
      let j = i + this.#stepDelta;
      if (j < 0) j = 0;
      const g = this.#gallery;
      if (g.exhausted && j >= g.visible.length) j = g.visible.length - 1;
      if (j === i) break;
      g.ensure(j + 1, Math.max(0, j - 1));
      const next = g.visible[j];
      if (next) {
        this.#stepFrom = null;
        this.#stepDelta = 0;
        void this.open(next.id);
        return;
      }
      await g.idle();
    }
    if (seq === this.#stepSeq) {
      this.#stepFrom = null;
      this.#stepDelta = 0;
    }
  }

  #patchLocal(id: string, fields: Partial<ImageRecord>): void {
    if ('visibility' in fields || 'remote_state' in fields || 'filename' in fields || 'local' in fields) this.#gallery.patch(id, fields);
    if (this.detail && this.detail.id === id) this.detail = { ...this.detail, ...fields };
  }

  /**
   * "Free up space" (`keep` false: the local copy goes once the bucket's verifies) or "Keep on
   * this computer" (`keep` true: fetched back). Not optimistic: the core decides, and says why
   * an image stays.
   */
  async setLocal(id: string, keep: boolean): Promise<void> {
    try {
      if (keep) {
        const s = await api.fetchOriginals([id]);
        const failed = s.failed[0];
        if (failed) {
          this.#toasts.error(`Could not fetch the original: ${failed.error}`);
          return;
        }
        this.#patchLocal(id, { local: true });
        this.#toasts.success('The original is on this computer');
      } else {
        const s = await api.offloadImages([id]);
        const skipped = s.skipped[0];
        if (skipped) {
          this.#toasts.error(`Kept on this computer: ${shortenKeys(skipped.reason)}`);
          return;
        }
        this.#patchLocal(id, { local: false });
        this.#toasts.success(`Freed ${formatBytes(s.bytes_freed)}: the original is in the bucket`);
      }
      this.#onChanged();
    } catch (e) {
      this.#toasts.error(sentence(errorMessage(e)));
    }
  }

  /** Optimistic: the UI changes at once; rolled back with a toast if the core refuses. */
  async setVisibility(id: string, visibility: Visibility): Promise<void> {
    const before = (this.#gallery.get(id) ?? (this.detail?.id === id ? this.detail : null))?.visibility;
    if (before === visibility) return;
    const seq = (this.#visSeq.get(id) ?? 0) + 1;
    this.#visSeq.set(id, seq);
    this.#patchLocal(id, { visibility });
    if (id === this.id) this.#clearLink();
    try {
      const rec = await api.setVisibility(id, visibility);
      if (this.#visSeq.get(id) === seq) {
        this.#patchLocal(id, rec);
        if (id === this.id) this.#showStableLink();
      }
      this.#onChanged();
    } catch (e) {
      if (this.#visSeq.get(id) === seq && before) this.#patchLocal(id, { visibility: before });
      this.#toasts.error(`Could not change visibility: ${errorMessage(e)}`);
    }
  }

  /** Optimistic rename; rolled back with a toast if the core refuses the name. */
  async rename(id: string, name: string): Promise<void> {
    const before = this.detail?.id === id ? this.detail.filename : undefined;
    const next = name.trim();
    if (before === undefined || next === '' || next === before) return;
    this.#patchLocal(id, { filename: next });
    try {
      const rec = await api.renameImage(id, next);
      this.#patchLocal(id, { filename: rec.filename });
      this.#onChanged();
    } catch (e) {
      this.#patchLocal(id, { filename: before });
      this.#toasts.error(`Could not rename: ${errorMessage(e)}`);
    }
  }

  /** Optimistic tag edit; the core's answer is the new tag list. */
  async editTags(id: string, add: string[], remove: string[]): Promise<void> {
    const cur = this.detail?.id === id ? this.detail.tags : undefined;
    if (!cur) return;
    const addClean = add.map((t) => t.trim()).filter((t) => t && !cur.includes(t));
    const rm = remove.filter((t) => cur.includes(t));
    if (addClean.length === 0 && rm.length === 0) return;
    const next = [...cur.filter((t) => !rm.includes(t)), ...addClean].sort((a, b) =>
      a.toLowerCase().localeCompare(b.toLowerCase()),
    );
    const seq = (this.#tagSeq.get(id) ?? 0) + 1;
    this.#tagSeq.set(id, seq);
    this.#patchLocal(id, { tags: next });
    try {
      const tags = await api.editTags(id, addClean, rm);
      if (this.#tagSeq.get(id) === seq) this.#patchLocal(id, { tags });
      this.#onChanged();
    } catch (e) {
      if (this.#tagSeq.get(id) === seq) this.#patchLocal(id, { tags: cur });
      this.#toasts.error(`Could not edit tags: ${errorMessage(e)}`);
    }
  }
}
