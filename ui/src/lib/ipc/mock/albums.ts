/**
 * The fake core's albums, in memory: names unique in any letter case, images in the order
 * added, a selection resolved against the fake catalog, publishing as a made-up address.
 */
import type { AlbumChange, AlbumDetail, AlbumSummary, ErrorInfo, ImageRecord, ListQuery, Published, Selection, Unpublished } from '../types';

interface FakeAlbum {
  name: string;
  ids: string[];
  published_url: string | null;
  published_at: string | null;
  created_at: string;
  updated_at: string;
}

const now = () => new Date().toISOString();

export class FakeAlbums {
  list: FakeAlbum[] = [];
  private slugs = 0;

  /** `records`/`matching`: the fake catalog the selections are resolved against. */
  constructor(
    private readonly records: () => ImageRecord[],
    private readonly matching: (q: ListQuery) => ImageRecord[],
  ) {}

  named(name: string): FakeAlbum {
    const a = this.list.find((x) => x.name.toLowerCase() === name.trim().toLowerCase());
    if (!a) throw { code: 'album_not_found', message: `no album named "${name}"; \`vitrine album list\` shows the albums` } satisfies ErrorInfo;
    return a;
  }

  /** Album filter of `ListQuery`: the ids of the album named (unknown: an error, as the core). */
  has(name: string, id: string): boolean {
    return this.named(name).ids.includes(id);
  }

  summaries(): AlbumSummary[] {
    return [...this.list].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase())).map((a) => this.summary(a));
  }

  detail(name: string): AlbumDetail {
    const a = this.named(name);
    return { ...this.summary(a), images: [...a.ids] };
  }

  create(name: string, selection: Selection | null): AlbumChange {
    const n = name.trim();
    if (!n) throw { code: 'invalid_input', message: 'an album name is 1 to 200 characters' } satisfies ErrorInfo;
    if (this.list.some((x) => x.name.toLowerCase() === n.toLowerCase()))
      throw { code: 'album_exists', message: `an album named "${n}" already exists` } satisfies ErrorInfo;
    const ids = selection ? this.resolve(selection) : [];
    const a: FakeAlbum = { name: n, ids: [], published_url: null, published_at: null, created_at: now(), updated_at: now() };
    this.list.push(a);
    return { name: n, ...this.add(a, ids) };
  }

  addTo(name: string, selection: Selection): AlbumChange {
    const a = this.named(name);
    return { name: a.name, ...this.add(a, this.resolve(selection)) };
  }

  removeFrom(name: string, selection: Selection): AlbumChange {
    const a = this.named(name);
    const out = new Set(this.resolve(selection));
    const before = a.ids.length;
    a.ids = a.ids.filter((id) => !out.has(id));
    a.updated_at = now();
    return { name: a.name, images: a.ids.length, removed: before - a.ids.length };
  }

  remove(name: string): void {
    this.list.splice(this.list.indexOf(this.named(name)), 1);
  }

  rename(name: string, newName: string): AlbumSummary {
    const a = this.named(name);
    const n = newName.trim();
    if (this.list.some((x) => x !== a && x.name.toLowerCase() === n.toLowerCase()))
      throw { code: 'album_exists', message: `an album named "${n}" already exists` } satisfies ErrorInfo;
    a.name = n;
    return this.summary(a);
  }

  publish(name: string, keepSlug: boolean, publicUrl: string | null): Published {
    const a = this.named(name);
    if (!publicUrl) throw { code: 'no_public_url', message: 'the remote has no public URL; set one in Settings → Bucket sync' } satisfies ErrorInfo;
    if (!(keepSlug && a.published_url)) a.published_url = `${publicUrl.replace(/\/$/, '')}/public/albums/mockslug${++this.slugs}/index.html`;
    a.published_at = now();
    return { url: a.published_url, images: a.ids.length };
  }

  unpublish(name: string): Unpublished {
    const a = this.named(name);
    const removed = a.published_url ? a.ids.length * 2 + 2 : 0;
    a.published_url = null;
    a.published_at = null;
    return { name: a.name, removed };
  }

  /** Images deleted from the library leave every album. */
  forget(ids: string[]): void {
    const gone = new Set(ids);
    for (const a of this.list) a.ids = a.ids.filter((id) => !gone.has(id));
  }

  private add(a: FakeAlbum, ids: string[]): { images: number; added: number } {
    const before = a.ids.length;
    for (const id of ids) if (!a.ids.includes(id)) a.ids.push(id);
    a.updated_at = now();
    return { images: a.ids.length, added: a.ids.length - before };
  }

  private resolve(selection: Selection): string[] {
    if (selection.kind === 'ids') {
      const known = new Set(this.records().map((r) => r.id));
      const missing = selection.ids.find((id) => !known.has(id));
      if (missing) throw { code: 'not_found', message: `no image with id ${missing}` } satisfies ErrorInfo;
      return selection.ids;
    }
    const except = new Set(selection.except);
    return this.matching(selection.query)
      .map((r) => r.id)
      .filter((id) => !except.has(id));
  }

  private summary(a: FakeAlbum): AlbumSummary {
    const { ids, ...rest } = a;
    return { ...rest, images: ids.length };
  }
}
