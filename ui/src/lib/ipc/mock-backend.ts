/**
 * An in-memory stand-in for the Rust core, speaking the same IPC contract.
 * Used by `npm run dev` in a plain browser (no Tauri) and by the Vitest suite.
 */
import { mockIPC, mockWindows, clearMocks } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type { Channel } from '@tauri-apps/api/core';
import { setUrlResolver } from './urls';
import type {
  ImageDetail,
  ImageLink,
  ImageRecord,
  ProbeReport,
  RemoteForm,
  RemoteView,
  SyncEvent,
  SyncStatus,
  ImportEvent,
  ChangeReason,
  ListQuery,
  Outcome,
  Settings,
  SourceKind,
  Stats,
  Visibility,
  Bucket,
  FolderOptions,
  Notice,
  WatchedFolder,
  WatchEvent,
} from './types';

// For tests outside lib/ipc/ (which may not import @tauri-apps directly).
export { mockIPC, mockWindows, mockConvertFileSrc } from '@tauri-apps/api/mocks';
export { emit } from '@tauri-apps/api/event';

export interface Call {
  cmd: string;
  args: unknown;
  options?: unknown;
}

export interface FakeOptions {
  count?: number;
  /** ms between streamed import events (0 in tests). */
  delay?: number;
  /** Make a command reject: cmd → error payload. */
  failures?: Record<string, { code: string; message: string }>;
}

const FORMATS = ['jpeg', 'png', 'webp', 'gif'];
const TAGS = ['landscape', 'portrait', 'sd', 'comfy', 'cats', 'street', 'wip', 'favourite'];
const WORDS = ['sunset', 'harbour', 'forest', 'neon', 'city', 'glass', 'mountain', 'river', 'studio'];

function pad(n: number, w: number): string {
  return n.toString().padStart(w, '0');
}

export function fakeId(n: number): string {
  return `01HV${pad(n, 22)}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function fakeRecord(n: number, over: Partial<ImageRecord> = {}): ImageRecord {
  const created = Date.UTC(2024, 0, 1) + n * 60_000;
  const format = FORMATS[n % FORMATS.length];
  const ai = n % 3 === 0;
  const w = 800 + (n % 7) * 160;
  const h = 600 + (n % 5) * 200;
  return {
    id: fakeId(n),
    sha256: pad(n, 64),
    filename: `${WORDS[n % WORDS.length]}-${pad(n, 5)}.${format === 'jpeg' ? 'jpg' : format}`,
    format,
    mime: `image/${format}`,
    bytes: 50_000 + ((n * 7919) % 4_000_000),
    width: w,
    height: h,
    orientation: 1,
    visibility: (['private', 'private', 'unlisted', 'public'] as const)[n % 4],
    tags: n % 4 === 0 ? [] : [TAGS[n % TAGS.length], TAGS[(n * 3) % TAGS.length]].filter((t, i, a) => a.indexOf(t) === i).sort(),
    source: (['file', 'drop', 'paste', 'url', 'file'] as const)[n % 5],
    source_path: n % 5 === 3 ? null : `/home/me/Pictures/${WORDS[n % WORDS.length]}-${pad(n, 5)}.jpg`,
    source_url: n % 5 === 3 ? `https://example.com/img/${n}.jpg` : null,
    fetched_at: n % 5 === 3 ? iso(created) : null,
    storage: 'managed',
    taken_at: ai ? null : iso(created - 86_400_000 * (n % 30)),
    camera_make: ai ? null : 'FUJIFILM',
    camera_model: ai ? null : 'X-T4',
    has_gps: !ai && n % 2 === 0,
    remote_state: n % 50 === 7 ? 'failed' : n % 20 === 3 ? 'pending' : 'local',
    remote_error: n % 50 === 7 ? 'upload failed: 403 Forbidden' : null,
    remote_attempts: n % 50 === 7 ? 3 : 0,
    object_key: null,
    generator: ai ? 'automatic1111' : null,
    prompt: ai ? `a ${WORDS[n % WORDS.length]} at dusk, volumetric light, highly detailed` : null,
    negative_prompt: ai ? 'blurry, lowres' : null,
    model: ai ? 'sdxl_base_1.0' : null,
    seed: ai ? 1_000_000 + n : null,
    steps: ai ? 30 : null,
    sampler: ai ? 'DPM++ 2M Karras' : null,
    cfg: ai ? 7 : null,
    created_at: iso(created),
    updated_at: iso(created),
    expires_at: null,
    ...over,
  };
}

/** A watched folder row, watching by default. */
export function fakeFolder(over: Partial<WatchedFolder> = {}): WatchedFolder {
  return {
    id: 1,
    path: '/home/me/Pictures/Screenshots',
    paused: false,
    status: 'watching',
    detail: null,
    last_error: null,
    files: 0,
    errors: 0,
    scanned_at: null,
    added_at: iso(Date.UTC(2024, 0, 1)),
    recursive: true,
    include: [],
    exclude: [],
    tags: [],
    visibility: 'private',
    copy: false,
    on_delete: 'keep',
    poll: false,
    ...over,
  };
}

export class FakeLibrary {
  records: ImageRecord[] = [];
  calls: Call[] = [];
  deleted: string[] = [];
  settings: Settings = {
    library_path: '/home/me/.local/share/vitrine',
    max_file_size: 100 * 1024 * 1024,
    max_pixels: 100_000_000,
    grid_size: 320,
    preview_size: 1280,
    rendering: 'GPU (a GPU render node was found)',
  };
  /** The configured bucket (`get_remote`), never with secrets. */
  remote: RemoteView | null = null;
  /** The fake OS keychain: remote name → credentials (never returned by any command). */
  keychain = new Map<string, { accessKeyId: string; secretAccessKey: string }>();
  syncState: SyncStatus = emptyStatus();
  /** What `test_remote` answers. */
  probe: ProbeReport = {
    ok: true,
    remote: 'main',
    checks: [
      { check: 'credentials', status: 'pass', message: 'found in the OS keychain', fix: null },
      { check: 'bucket', status: 'pass', message: 'http://127.0.0.1:9000 bucket pics is reachable', fix: null },
      { check: 'write and read', status: 'pass', message: 'wrote, checked and read private/probe.txt', fix: null },
      { check: 'presigned link', status: 'pass', message: 'a 5-minute link served the object', fix: null },
      { check: 'multipart upload', status: 'pass', message: 'a multipart upload completed and was cleaned up', fix: null },
      { check: 'delete', status: 'pass', message: 'deleted the probe object', fix: null },
      { check: 'public URL', status: 'skip', message: 'no public URL set', fix: null },
    ],
  };
  /** Watched folders as the catalog has them (`watched_folders`). */
  folders: WatchedFolder[] = [];
  /** The watcher's log, oldest first (`watch_events` answers newest first). */
  watchLog: WatchEvent[] = [];
  /** What the native dialog (`plugin:dialog|open`) answers: a path, paths, or null (cancelled). */
  dialogResult: string | string[] | null = null;
  delay: number;
  failures: Record<string, { code: string; message: string }>;
  #next: number;
  #nextFolder = 1;
  #nextEvent = 1;
  #emitEvents = false;

  constructor(opts: FakeOptions = {}) {
    const count = opts.count ?? 0;
    for (let i = 0; i < count; i++) this.records.push(fakeRecord(i));
    this.#next = count;
    this.delay = opts.delay ?? 0;
    this.failures = opts.failures ?? {};
  }

  enableEvents(): void {
    this.#emitEvents = true;
  }

  callsOf(cmd: string): Call[] {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  #changed(reason: ChangeReason): void {
    if (this.#emitEvents) void emit('library-changed', { reason });
  }

  /** Sends a `sync-event` (and updates the record it names, as the core would). */
  syncEvent(e: SyncEvent): void {
    if (e.kind === 'image') {
      const r = this.records.find((x) => x.id === e.id);
      if (r) {
        r.remote_state = e.state;
        r.remote_error = e.error;
        if (e.state === 'synced') r.object_key = `${r.visibility === 'private' ? 'private' : 'public'}/${r.sha256.slice(0, 2)}/${r.sha256}.${ext(r)}`;
      }
    }
    if (this.#emitEvents) void emit('sync-event', e);
  }

  /** Sends a `sync-status` with `over` applied. */
  syncStatus(over: Partial<SyncStatus> = {}): void {
    this.syncState = { ...this.syncState, ...over };
    if (this.#emitEvents) void emit('sync-status', { ...this.syncState });
  }

  /**
   * Sends a `watch-notice`, applying it first as the core would have: a folder notice
   * replaces the folder's row, a change is logged.
   */
  watchNotice(n: Notice): void {
    if (n.type === 'folder') {
      const i = this.folders.findIndex((f) => f.id === n.folder.id);
      if (i >= 0) this.folders[i] = { ...n.folder };
    } else if (n.type === 'change') {
      this.#logWatch(n.folder_id, n.kind, n.path, n.image_id, n.detail);
    }
    if (this.#emitEvents) void emit('watch-notice', n).catch(() => {});
  }

  /** The fake watcher reports a file change in a folder. */
  watchChange(folderId: number, kind: string, path: string, detail: string | null = null, imageId: string | null = null): void {
    this.watchNotice({ type: 'change', folder_id: folderId, path, kind, image_id: imageId, detail });
  }

  /** The fake watcher reports a folder's status (with `over` applied to its row). */
  watchStatus(folderId: number, over: Partial<WatchedFolder>): void {
    const f = this.folders.find((x) => x.id === folderId);
    if (f) this.watchNotice({ type: 'folder', folder: { ...f, ...over } });
  }

  #logWatch(folderId: number | null, kind: string, path: string, imageId: string | null, detail: string | null): void {
    this.watchLog.push({ id: this.#nextEvent++, folder_id: folderId, at: iso(Date.now()), kind, path, image_id: imageId, detail });
  }

  /** The watcher picks a folder up after the command answered, as the core's does (~1 s). */
  #pickUp(id: number): void {
    setTimeout(() => {
      const f = this.folders.find((x) => x.id === id);
      if (f) this.watchStatus(id, { status: f.paused ? 'paused' : 'watching', detail: null, scanned_at: iso(Date.now()) });
    }, this.delay);
  }

  #addFolder(path: string, options: FolderOptions): WatchedFolder {
    const clean = path.replace(/\/+$/, '');
    if (!clean.startsWith('/')) throw { code: 'invalid_input', message: `invalid folder: "${path}" (pass a folder, not a file)` };
    if (clean.startsWith(this.settings.library_path) || this.settings.library_path.startsWith(clean)) {
      throw { code: 'invalid_input', message: `invalid folder: "${path}" (this folder holds (or is inside) the library itself; watch another folder)` };
    }
    for (const p of [...options.include, ...options.exclude]) {
      if (!p.trim()) throw { code: 'invalid_input', message: 'invalid pattern: "" (patterns cannot be empty)' };
    }
    const tags = [...new Set(options.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
    const existing = this.folders.find((f) => f.path === clean);
    if (existing) {
      Object.assign(existing, options, { tags });
      return { ...existing };
    }
    const f = fakeFolder({ ...options, tags, id: this.#nextFolder++, path: clean, status: 'stopped', added_at: iso(Date.now()) });
    this.folders.push(f);
    this.folders.sort((a, b) => a.path.localeCompare(b.path));
    return { ...f };
  }

  #setRemote(form: RemoteForm, accessKeyId?: string, secretAccessKey?: string): RemoteView {
    const name = form.name || this.remote?.name || 'main';
    const folder = form.provider === 'folder';
    if (!folder) {
      if (!!accessKeyId !== !!secretAccessKey) {
        throw { code: 'invalid_input', message: 'enter both the access key ID and the secret access key' };
      }
      if (accessKeyId && secretAccessKey) this.keychain.set(name, { accessKeyId, secretAccessKey });
      else if (!this.keychain.has(name)) {
        throw { code: 'credentials_missing', message: 'enter the access key ID and secret access key of this bucket' };
      }
      if (!form.bucket) throw { code: 'invalid_input', message: 'invalid bucket: "" (pass --bucket NAME)' };
    } else if (!form.path) {
      throw { code: 'invalid_input', message: 'invalid folder: "" (pass --path DIR)' };
    }
    const pathStyle = ['minio', 'garage', 'r2'].includes(form.provider) || form.path_style;
    const region = form.region || ({ r2: 'auto', tigris: 'auto', garage: 'garage' } as Record<string, string>)[form.provider] || 'us-east-1';
    this.remote = {
      name,
      provider: form.provider,
      endpoint: folder ? '' : (form.endpoint ?? ''),
      region: folder ? '' : region,
      bucket: folder ? '' : (form.bucket ?? ''),
      prefix: form.prefix ?? '',
      path_style: !folder && pathStyle,
      path: folder ? form.path : null,
      public_url: form.public_url || null,
      strip_location: form.strip_location,
      credentials: folder ? 'not needed' : 'keychain',
    };
    for (const r of this.records) {
      r.remote_state = 'pending';
      r.object_key = null;
      r.remote_error = null;
    }
    this.syncState = { ...emptyStatus(), remote: name, queued: this.records.length };
    return { ...this.remote };
  }

  #link(r: ImageRecord, format: string, expires: number | undefined): ImageLink {
    const alt = r.filename;
    const base = { id: r.id, visibility: r.visibility };
    const fmt = (url: string) =>
      format === 'markdown' ? `![${alt}](${url})` : format === 'html' ? `<img src="${url}" alt="${alt}">` : format === 'bbcode' ? `[img]${url}[/img]` : url;
    const key = (area: string) => `${area}/${r.sha256.slice(0, 2)}/${r.sha256}.${ext(r)}`;
    if (!this.remote) {
      const url = `file:///home/me/.local/share/vitrine/originals/${key('x').slice(2)}`;
      return { ...base, kind: 'local', url, text: fmt(url), expires_at: null, ready: true };
    }
    if (r.visibility === 'private') {
      if (!r.object_key) throw { code: 'link_unavailable', message: `${r.id} is not in the bucket yet` };
      const secs = expires ?? 86_400;
      if (secs < 1 || secs > 7 * 86_400) throw { code: 'invalid_input', message: 'invalid link expiry (from 1 second to 7 days)' };
      const url = `${this.remote.endpoint || 'https://s3.amazonaws.com'}/${this.remote.bucket}/${key('private')}?X-Amz-Expires=${secs}&X-Amz-Signature=fake`;
      return { ...base, kind: 'presigned', url, text: fmt(url), expires_at: iso(Date.now() + secs * 1000), ready: true };
    }
    if (!this.remote.public_url) throw { code: 'link_unavailable', message: `remote "${this.remote.name}" has no public URL` };
    const url = `${this.remote.public_url}/${key('public')}`;
    return { ...base, kind: 'public', url, text: fmt(url), expires_at: null, ready: r.object_key === key('public') && r.remote_state === 'synced' };
  }

  #sleep(): Promise<void> {
    return this.delay > 0 ? new Promise((r) => setTimeout(r, this.delay)) : Promise.resolve();
  }

  #find(id: string): ImageRecord {
    const r = this.records.find((x) => x.id === id);
    if (!r) throw { code: 'not_found', message: `no image with id ${id}` };
    return r;
  }

  list(q: ListQuery): ImageRecord[] {
    let rows = this.records.filter(
      (r) =>
        (!q.tag || r.tags.includes(q.tag)) &&
        (!q.visibility || r.visibility === q.visibility) &&
        (!q.remote_state || r.remote_state === q.remote_state) &&
        (!q.source || r.source === q.source),
    );
    if (q.search) {
      const words = q.search.toLowerCase().split(/\s+/).filter(Boolean);
      rows = rows.filter((r) => {
        const text = [r.filename, r.prompt, r.negative_prompt, r.model, ...r.tags].join(' ').toLowerCase();
        return words.every((w) => text.includes(w));
      });
    }
    const cmp: Record<string, (a: ImageRecord, b: ImageRecord) => number> = {
      newest: (a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id),
      oldest: (a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
      taken: (a, b) => (b.taken_at ?? b.created_at).localeCompare(a.taken_at ?? a.created_at) || b.id.localeCompare(a.id),
      name: (a, b) => a.filename.localeCompare(b.filename) || a.id.localeCompare(b.id),
      size: (a, b) => b.bytes - a.bytes || b.id.localeCompare(a.id),
    };
    rows.sort(cmp[q.sort ?? 'newest']);
    let start = 0;
    if (q.after) {
      const i = rows.findIndex((r) => r.id === q.after);
      start = i < 0 ? rows.length : i + 1;
    }
    return rows.slice(start, start + (q.limit ?? 200));
  }

  stats(): Stats {
    const group = (key: (r: ImageRecord) => string): Record<string, Bucket> => {
      const out: Record<string, Bucket> = {};
      for (const r of this.records) {
        const b = (out[key(r)] ??= { count: 0, bytes: 0 });
        b.count++;
        b.bytes += r.bytes;
      }
      return out;
    };
    return {
      images: this.records.length,
      bytes: this.records.reduce((s, r) => s + r.bytes, 0),
      by_format: group((r) => r.format),
      by_source: group((r) => r.source),
      by_visibility: group((r) => r.visibility),
      by_remote_state: group((r) => r.remote_state),
      tags: this.tagCounts().length,
      with_ai_parameters: this.records.filter((r) => r.prompt).length,
      thumbnails_pending: 0,
      tombstones: this.deleted.length,
      failed: this.records
        .filter((r) => r.remote_state === 'failed')
        .map((r) => ({ id: r.id, filename: r.filename, error: r.remote_error, attempts: r.remote_attempts })),
    };
  }

  tagCounts(): Array<[string, number]> {
    const m = new Map<string, number>();
    for (const r of this.records) for (const t of r.tags) m.set(t, (m.get(t) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }

  #add(input: string, source: SourceKind, tags: string[]): Outcome {
    if (/\.(txt|pdf)$|corrupt|bad/i.test(input)) {
      return { input, status: 'error', id: null, error: 'corrupt image: unexpected end of data', code: 'corrupt' };
    }
    if (/404|expired/.test(input)) {
      return { input, status: 'error', id: null, error: 'link expired or not found (HTTP 404)', code: 'link_expired' };
    }
    const existing = this.records.find((r) => r.source_path === input || r.source_url === input);
    if (existing) {
      existing.tags = [...new Set([...existing.tags, ...tags])].sort();
      return { input, status: 'duplicate', id: existing.id, error: null, code: null };
    }
    const n = this.#next++;
    const isUrl = /^https?:/.test(input);
    const name = input.split(/[\\/]/).pop() || `image-${n}.png`;
    const rec = fakeRecord(n, {
      filename: decodeURIComponent(name),
      source,
      source_path: isUrl ? null : input,
      source_url: isUrl ? input : null,
      tags: [...tags].sort(),
      created_at: iso(Date.now() + n),
      updated_at: iso(Date.now() + n),
      visibility: 'private',
      remote_state: 'local',
      remote_error: null,
      remote_attempts: 0,
    });
    this.records.push(rec);
    return { input, status: 'imported', id: rec.id, error: null, code: null };
  }

  async handle(cmd: string, args: unknown, options?: unknown): Promise<unknown> {
    this.calls.push({ cmd, args, options });
    const fail = this.failures[cmd];
    if (fail) throw fail;
    const a = (args ?? {}) as Record<string, unknown>;
    switch (cmd) {
      case 'library_info':
        return { root: this.settings.library_path, images: this.records.length, version: '0.1.0-mock' };
      case 'list_images':
        return this.list((a.query ?? {}) as ListQuery);
      case 'get_image': {
        const r = this.#find(a.id as string);
        const d: ImageDetail = {
          ...r,
          gps: r.has_gps ? { latitude: 48.8566, longitude: 2.3522, altitude: 35 } : null,
          exif: r.camera_make
            ? { Make: r.camera_make, Model: r.camera_model, ExposureTime: '1/250', FNumber: 2.8, ISO: 200, FocalLength: '23 mm' }
            : null,
          ai_raw: r.prompt ? { parameters: `${r.prompt}\nNegative prompt: ${r.negative_prompt}\nSteps: ${r.steps}` } : null,
          sources: [
            { kind: r.source, source: r.source_url ?? r.source_path ?? r.filename, fetched_at: r.fetched_at, added_at: r.created_at },
          ],
          accessed_at: null,
          path: `/home/me/.local/share/vitrine/originals/${r.sha256.slice(0, 2)}/${r.sha256.slice(2, 4)}/${r.sha256}.${r.format}`,
        };
        return d;
      }
      case 'import_inputs': {
        const inputs = a.inputs as string[];
        const ch = a.onEvent as Channel<ImportEvent>;
        const send = (e: ImportEvent) => ch.onmessage(e);
        const total = inputs.length;
        send({ event: 'started', total });
        let imported = 0;
        let duplicates = 0;
        let failed = 0;
        for (let i = 0; i < total; i++) {
          await this.#sleep();
          const outcome = this.#add(inputs[i], a.source as SourceKind, (a.tags as string[]) ?? []);
          if (outcome.status === 'imported') imported++;
          else if (outcome.status === 'duplicate') duplicates++;
          else failed++;
          send({ event: 'item', done: i + 1, total, outcome });
          if (outcome.status === 'imported') this.#changed('import');
        }
        send({ event: 'finished', imported, duplicates, failed });
        return { imported, duplicates, failed };
      }
      case 'import_blob': {
        const headers = ((options ?? {}) as { headers?: Record<string, string> }).headers ?? {};
        const name = decodeURIComponent(headers['x-vitrine-name'] ?? 'pasted.png');
        const o = this.#add(`paste:${this.#next}/${name}`, 'paste', []);
        if (o.status === 'imported') this.#changed('import');
        return { ...o, input: name };
      }
      case 'edit_tags': {
        const r = this.#find(a.id as string);
        const add = a.add as string[];
        const remove = new Set(a.remove as string[]);
        r.tags = [...new Set([...r.tags, ...add])].filter((t) => !remove.has(t)).sort();
        this.#changed('edit');
        return r.tags;
      }
      case 'set_visibility': {
        const r = this.#find(a.id as string);
        r.visibility = a.visibility as Visibility;
        this.#changed('edit');
        return { ...r };
      }
      case 'delete_images': {
        const ids = new Set(a.ids as string[]);
        const gone = this.records.filter((r) => ids.has(r.id)).map((r) => r.id);
        this.records = this.records.filter((r) => !ids.has(r.id));
        this.deleted.push(...gone);
        this.#changed('delete');
        return gone;
      }
      case 'stats':
        return this.stats();
      case 'tag_counts':
        return this.tagCounts();
      case 'reveal_image':
        this.#find(a.id as string);
        return null;
      case 'image_link':
        return this.#link(this.#find(a.id as string), a.format as string, a.expires as number | undefined);
      case 'get_remote':
        return this.remote ? { ...this.remote } : null;
      case 'set_remote': {
        const view = this.#setRemote(a.remote as RemoteForm, a.accessKeyId as string | undefined, a.secretAccessKey as string | undefined);
        this.#changed('edit');
        this.syncStatus();
        return view;
      }
      case 'remove_remote': {
        if (!this.remote || this.remote.name !== a.name) throw { code: 'no_remote', message: `there is no remote named "${String(a.name)}"` };
        this.keychain.delete(this.remote.name);
        this.remote = null;
        for (const r of this.records) {
          r.remote_state = 'local';
          r.object_key = null;
          r.remote_error = null;
        }
        this.syncState = emptyStatus();
        this.#changed('edit');
        this.syncStatus();
        return null;
      }
      case 'test_remote':
        if (!this.remote) throw { code: 'no_remote', message: 'no remote is set up for this library' };
        return structuredClone(this.probe);
      case 'sync_status':
        return { ...this.syncState };
      case 'retry_failed_sync': {
        let n = 0;
        for (const r of this.records) {
          if (r.remote_state === 'failed') {
            r.remote_state = 'pending';
            n++;
          }
        }
        this.syncState = { ...this.syncState, failed: 0, error: null, mass_delete: null, queued: this.syncState.queued + n };
        this.#changed('edit');
        return { ...this.syncState };
      }
      case 'sync_allow_deletes':
        // The core restarts the stopped sync; only a `mass_delete` stop is confirmed by it.
        this.syncState = { ...this.syncState, error: null, mass_delete: null };
        return { ...this.syncState };
      case 'get_settings':
        return { ...this.settings };
      case 'set_settings':
        this.settings = { ...this.settings, ...(a.settings as Settings) };
        return { ...this.settings };
      case 'watched_folders':
        // As the core answers: a paused folder says so as soon as the flag is set.
        return this.folders.map((f) => ({ ...f, status: f.paused ? 'paused' : f.status }));
      case 'add_watched_folder': {
        const f = this.#addFolder(a.path as string, a.options as FolderOptions);
        this.#pickUp(f.id);
        return f;
      }
      case 'remove_watched_folder': {
        const i = this.folders.findIndex((f) => f.id === a.id);
        if (i < 0) throw { code: 'not_found', message: `watched folder ${String(a.id)}` };
        this.folders.splice(i, 1);
        return null;
      }
      case 'pause_watched_folder': {
        const f = this.folders.find((x) => x.id === a.id);
        if (!f) throw { code: 'not_found', message: `watched folder ${String(a.id)}` };
        f.paused = a.paused as boolean;
        this.#pickUp(f.id);
        return null;
      }
      case 'watch_events': {
        const id = a.folderId ?? null;
        const limit = Math.min(Math.max((a.limit as number | null) ?? 50, 1), 500);
        return this.watchLog
          .filter((e) => id === null || e.folder_id === id)
          .slice(-limit)
          .reverse()
          .map((e) => ({ ...e }));
      }
      case 'plugin:dialog|open':
        return this.dialogResult;
      default:
        if (cmd.startsWith('plugin:')) return null;
        throw { code: 'unknown_command', message: `unknown command ${cmd}` };
    }
  }
}

export function emptyStatus(): SyncStatus {
  return { remote: null, running: false, queued: 0, failed: 0, done: 0, last: null, last_run_at: null, error: null, mass_delete: null };
}

function ext(r: ImageRecord): string {
  return r.format === 'jpeg' ? 'jpg' : r.format;
}

function hue(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** SVG stand-ins for thumbnails, so the browser dev mode has something to show. */
function svgFor(path: string): string {
  const id = path.split('/')[1] ?? path;
  const h = hue(id);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${h},60%,55%)"/><stop offset="1" stop-color="hsl(${(h + 60) % 360},60%,35%)"/></linearGradient></defs><rect width="320" height="320" fill="url(#g)"/><circle cx="230" cy="90" r="36" fill="hsla(0,0%,100%,.55)"/><path d="M0 260 L90 170 L160 230 L230 160 L320 250 L320 320 L0 320Z" fill="hsla(0,0%,0%,.35)"/></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** Installs the fake core behind `invoke`, events and drag-drop. */
export function installMockBackend(lib: FakeLibrary, opts: { thumbnails?: boolean } = {}): void {
  mockWindows('main');
  mockIPC((cmd, args) => lib.handle(cmd, args), { shouldMockEvents: true });
  // mockIPC drops invoke options; keep them for import_blob headers.
  const internals = (window as unknown as { __TAURI_INTERNALS__: Record<string, unknown> }).__TAURI_INTERNALS__;
  const inner = internals.invoke as (cmd: string, args: unknown, options?: unknown) => Promise<unknown>;
  internals.invoke = (cmd: string, args: unknown, options?: unknown) =>
    cmd === 'import_blob' ? lib.handle(cmd, args, options) : inner(cmd, args, options);
  internals.convertFileSrc = (p: string, protocol = 'asset') => `${protocol}://localhost/${encodeURIComponent(p)}`;
  lib.enableEvents();
  if (opts.thumbnails) setUrlResolver(svgFor);
}

export function uninstallMockBackend(): void {
  setUrlResolver(null);
  clearMocks();
}
