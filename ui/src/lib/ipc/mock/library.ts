/**
 * The fake core's state and what it does with it: the catalog, the bucket settings, sync and
 * watched folders, kept in memory. The IPC surface (`invoke(name)`) is the handler table in
 * `handlers.ts`; tests reach the state and the event helpers here directly.
 */
import { emit } from '@tauri-apps/api/event';
import type {
  Facets,
  Selection,
  FacetValue,
  CommandName,
  Bucket,
  FolderOptions,
  ImageLink,
  ImageRecord,
  ErrorInfo,
  FetchSummary,
  OffloadSummary,
  ChangeKind,
  ChangeReason,
  LinkFormat,
  ListQuery,
  Notice,
  Outcome,
  ProbeReport,
  RemoteSpec,
  RemoteView,
  Settings,
  Sort,
  SourceKind,
  Stats,
  SyncEvent,
  SyncStatus,
  WatchedFolder,
  WatchEvent,
  Visibility,
} from '../types';
import { emptyStatus, fakeFolder, fakeRecord, fakeSettings, iso, objectKey, originalPath, passingProbe } from './fixtures';
import { answer } from './handlers';
import { FakeAlbums } from './albums';
import { PROVIDER_PRESETS } from '../bindings/providerPresets';
import { CHANNELS, OPEN_REQUESTED } from '../events';

export interface Call {
  cmd: string;
  args: unknown;
  options?: unknown;
}

/** A command, or a plugin's (`plugin:dialog|open`). */
export type InvokedName = CommandName | `plugin:${string}`;

export interface FakeOptions {
  count?: number;
  /** ms between streamed import events (0 in tests). */
  delay?: number;
  /** Make a command reject: command → error payload. */
  failures?: Partial<Record<CommandName, ErrorInfo>>;
}

const ORDER: Record<Sort, (a: ImageRecord, b: ImageRecord) => number> = {
  newest: (a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id),
  oldest: (a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
  taken: (a, b) => (b.taken_at ?? b.created_at).localeCompare(a.taken_at ?? a.created_at) || b.id.localeCompare(a.id),
  name: (a, b) => a.filename.localeCompare(b.filename) || a.id.localeCompare(b.id),
  size: (a, b) => b.bytes - a.bytes || b.id.localeCompare(a.id),
};

export class FakeLibrary {
  records: ImageRecord[] = [];
  calls: Call[] = [];
  deleted: string[] = [];
  /** Visibility jobs (`bulk_visibility`), by id − 1: what each changed, for `undo_bulk_job`. */
  jobs: Array<{ visibility: Visibility; previous: Map<string, Visibility> }> = [];
  /**
   * Bulk visibility jobs answer "running" after their first image, as the core's do for a big
   * selection (the test then emits their `bulk-job` progress); false: done in the answer.
   */
  backgroundJobs = false;
  /** Albums: their images by id, in order (`albums.ts`). */
  albums: FakeAlbums = new FakeAlbums(
    () => this.records,
    (q) => this.matching(q),
  );
  settings: Settings = fakeSettings();
  /** The configured bucket (`get_remote`), never with secrets. */
  remote: RemoteView | null = null;
  /** The fake OS keychain: remote name → credentials (never returned by any command). */
  keychain = new Map<string, { accessKeyId: string; secretAccessKey: string }>();
  syncState: SyncStatus = emptyStatus();
  /** What `test_remote` answers. */
  probe: ProbeReport = passingProbe();
  /** Watched folders as the catalog has them (`watched_folders`). */
  folders: WatchedFolder[] = [];
  /** The watcher's log, oldest first (`watch_events` answers newest first). */
  watchLog: WatchEvent[] = [];
  /** Files given to open ("Open with", a second launch), not yet taken by the UI. */
  openRequests: string[] = [];
  /** Crash reports not yet told (`take_crash_reports`). */
  crashReports: string[] = [];
  /** What the native dialog (`plugin:dialog|open`) answers: a path, paths, or null (cancelled). */
  dialogResult: string | string[] | null = null;
  delay: number;
  failures: Partial<Record<CommandName, ErrorInfo>>;
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

  callsOf(cmd: InvokedName): Call[] {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  /** One `invoke`: recorded, failed as `failures` says, else answered by the handler table. */
  async handle(cmd: string, args: unknown, options?: unknown): Promise<unknown> {
    this.calls.push({ cmd, args, options });
    const fail = this.failures[cmd as CommandName];
    if (fail) throw fail;
    return answer(this, cmd, args, options);
  }

  // --- Events, as the core announces its own changes ---

  /** Emits `library-changed`. */
  changed(reason: ChangeReason): void {
    if (this.#emitEvents) void emit(CHANNELS.libraryChanged, { reason });
  }

  /** A second launch (or "Open with") passes files to the running window, as the app does. */
  openWith(inputs: string[]): void {
    this.openRequests.push(...inputs);
    if (this.#emitEvents) void emit(OPEN_REQUESTED, null);
  }

  /** Sends a `sync-event` (and updates the record it names, as the core would). */
  syncEvent(e: SyncEvent): void {
    if (e.kind === 'image') {
      const r = this.records.find((x) => x.id === e.id);
      if (r) {
        r.remote_state = e.state;
        r.remote_error = e.error;
        if (e.state === 'synced') r.object_key = objectKey(r.visibility === 'private' ? 'private' : 'public', r);
      }
    }
    if (this.#emitEvents) void emit(CHANNELS.syncEvent, e);
  }

  /** Sends a `sync-status` with `over` applied. */
  syncStatus(over: Partial<SyncStatus> = {}): void {
    this.syncState = { ...this.syncState, ...over };
    if (this.#emitEvents) void emit(CHANNELS.syncStatus, { ...this.syncState });
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
      this.watchLog.push({ id: this.#nextEvent++, folder_id: n.folder_id, at: iso(Date.now()), kind: n.kind, path: n.path, image_id: n.image_id, detail: n.detail });
    }
    if (this.#emitEvents) void emit(CHANNELS.watchNotice, n).catch(() => {});
  }

  /** The fake watcher reports a file change in a folder. */
  watchChange(folderId: number, kind: ChangeKind, path: string, detail: string | null = null, imageId: string | null = null): void {
    this.watchNotice({ type: 'change', folder_id: folderId, path, kind, image_id: imageId, detail });
  }

  /** The fake watcher reports a folder's status (with `over` applied to its row). */
  watchStatus(folderId: number, over: Partial<WatchedFolder>): void {
    const f = this.folders.find((x) => x.id === folderId);
    if (f) this.watchNotice({ type: 'folder', folder: { ...f, ...over } });
  }

  // --- The catalog ---

  find(id: string): ImageRecord {
    const r = this.records.find((x) => x.id === id);
    if (!r) throw { code: 'not_found', message: `no image with id ${id}` } satisfies ErrorInfo;
    return r;
  }

  /** What `list_images` selects (every filter of `ListQuery`, as the catalog reads them). */
  matching(q: ListQuery): ImageRecord[] {
    const lc = (v: string | null | undefined) => v?.toLowerCase() ?? null;
    const tags = [...(q.tag ? [q.tag] : []), ...(q.tags ?? [])];
    const day = (r: ImageRecord) => (r.taken_at ?? r.created_at).slice(0, 10);
    let rows = this.records.filter(
      (r) =>
        (tags.length === 0 || (q.all_tags ? tags.every((t) => r.tags.includes(t)) : tags.some((t) => r.tags.includes(t)))) &&
        (!q.visibility || r.visibility === q.visibility) &&
        (!q.remote_state || r.remote_state === q.remote_state) &&
        (!q.source || r.source === q.source) &&
        (!q.album || this.albums.has(q.album, r.id)) &&
        (!q.generator || (q.generator === 'any' ? r.generator !== null : q.generator === 'none' ? r.generator === null : r.generator === q.generator)) &&
        (!q.model || lc(r.model) === lc(q.model)) &&
        (!q.format || r.format === (q.format === 'jpg' ? 'jpeg' : q.format)) &&
        (!q.camera || lc(r.camera_model) === lc(q.camera) || lc(r.camera_make) === lc(q.camera)) &&
        (!q.from || day(r) >= q.from) &&
        (!q.to || day(r) <= q.to) &&
        (!q.orientation ||
          (q.orientation === 'landscape' ? r.width > r.height : q.orientation === 'portrait' ? r.height > r.width : r.width === r.height)) &&
        (!q.size ||
          (q.size === 'small' ? r.width * r.height < 1e6 : q.size === 'medium' ? r.width * r.height >= 1e6 && r.width * r.height < 8e6 : r.width * r.height >= 8e6)),
    );
    if (q.search) {
      const words = q.search.toLowerCase().split(/\s+/).filter(Boolean);
      rows = rows.filter((r) => {
        const text = [r.filename, r.prompt, r.negative_prompt, r.model, ...r.tags].join(' ').toLowerCase();
        return words.every((w) => text.includes(w));
      });
    }
    return rows;
  }

  /** The records a bulk selection names (ids in the order given; a query minus its exceptions). */
  resolve(sel: Selection): ImageRecord[] {
    if (sel.kind === 'ids') return sel.ids.map((id) => this.records.find((r) => r.id === id)).filter((r): r is ImageRecord => !!r);
    const except = new Set(sel.except);
    return this.matching(sel.query).filter((r) => !except.has(r.id));
  }

  list(q: ListQuery): ImageRecord[] {
    const rows = this.matching(q);
    rows.sort(ORDER[q.sort ?? 'newest']);
    let start = 0;
    if (q.after) {
      const i = rows.findIndex((r) => r.id === q.after);
      start = i < 0 ? rows.length : i + 1;
    }
    start += q.offset ?? 0;
    return rows.slice(start, start + (q.limit ?? 200));
  }

  facets(): Facets {
    const group = (key: (r: ImageRecord) => string | null): FacetValue[] => {
      const m = new Map<string, number>();
      for (const r of this.records) {
        const k = key(r);
        if (k) m.set(k, (m.get(k) ?? 0) + 1);
      }
      return [...m.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    };
    return {
      generators: group((r) => r.generator),
      models: group((r) => r.model),
      formats: group((r) => r.format),
      cameras: group((r) => r.camera_model ?? r.camera_make),
    };
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

  /** Imports one path or URL. Names with `corrupt`/`bad` (or .txt/.pdf) fail, as do `404`/`expired` URLs. */
  importOne(input: string, source: SourceKind, tags: string[]): Outcome {
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

  /** A name for pasted bytes that no earlier paste used. */
  pasteInput(name: string): string {
    return `paste:${this.#next}/${name}`;
  }

  /** Waits `delay` ms (between streamed import events). */
  sleep(): Promise<void> {
    return this.delay > 0 ? new Promise((r) => setTimeout(r, this.delay)) : Promise.resolve();
  }

  // --- Watched folders ---

  addFolder(path: string, options: FolderOptions): WatchedFolder {
    const clean = path.replace(/\/+$/, '');
    if (!clean.startsWith('/')) throw invalid(`invalid folder: "${path}" (pass a folder, not a file)`);
    if (clean.startsWith(this.settings.library_path) || this.settings.library_path.startsWith(clean)) {
      throw invalid(`invalid folder: "${path}" (this folder holds (or is inside) the library itself; watch another folder)`);
    }
    for (const p of [...options.include, ...options.exclude]) {
      if (!p.trim()) throw invalid('invalid pattern: "" (patterns cannot be empty)');
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

  folder(id: unknown): WatchedFolder {
    const f = this.folders.find((x) => x.id === id);
    if (!f) throw { code: 'not_found', message: `watched folder ${String(id)}` } satisfies ErrorInfo;
    return f;
  }

  /** The watcher picks a folder up after the command answered, as the core's does (~1 s). */
  pickUp(id: number): void {
    setTimeout(() => {
      const f = this.folders.find((x) => x.id === id);
      if (f) this.watchStatus(id, { status: f.paused ? 'paused' : 'watching', detail: null, scanned_at: iso(Date.now()) });
    }, this.delay);
  }

  // --- The bucket and sync ---

  setRemote(form: RemoteSpec, accessKeyId?: string, secretAccessKey?: string): RemoteView {
    const name = form.name || this.remote?.name || 'main';
    const provider = form.provider;
    // The core's presets (generated from its table), applied as `RemoteSpec::resolve` does.
    const preset = PROVIDER_PRESETS.find((p) => p.id === provider);
    if (!preset) throw invalid(`invalid provider: "${provider}" (one of ${PROVIDER_PRESETS.map((p) => p.id).join(', ')})`);
    const folder = provider === 'folder';
    if (!folder) {
      if (!!accessKeyId !== !!secretAccessKey) throw invalid('enter both the access key ID and the secret access key');
      if (accessKeyId && secretAccessKey) this.keychain.set(name, { accessKeyId, secretAccessKey });
      else if (!this.keychain.has(name)) {
        throw { code: 'credentials_missing', message: 'enter the access key ID and secret access key of this bucket' } satisfies ErrorInfo;
      }
      if (!form.bucket) throw invalid('invalid bucket: "" (pass --bucket NAME)');
    } else if (!form.path) {
      throw invalid('invalid folder: "" (pass --path DIR)');
    }
    const pathStyle = preset.path_style === 'forced' || form.path_style;
    const region = form.region || preset.region;
    const endpoint = form.endpoint || preset.default_endpoint || '';
    this.remote = {
      name,
      provider,
      endpoint: folder ? '' : endpoint,
      region: folder ? '' : region,
      bucket: folder ? '' : (form.bucket ?? ''),
      prefix: form.prefix ?? '',
      path_style: !folder && pathStyle,
      path: folder ? form.path : null,
      public_url: form.public_url || null,
      strip_location: form.strip_location,
      credentials: { source: folder ? 'not_needed' : 'keychain' },
    };
    this.#setRemoteStates('pending');
    this.syncState = { ...emptyStatus(), remote: name, queued: this.records.length };
    return { ...this.remote };
  }

  removeRemote(name: unknown): void {
    if (!this.remote || this.remote.name !== name) throw { code: 'no_remote', message: `there is no remote named "${String(name)}"` } satisfies ErrorInfo;
    this.keychain.delete(this.remote.name);
    this.remote = null;
    this.#setRemoteStates('local');
    this.syncState = emptyStatus();
  }

  #setRemoteStates(state: 'pending' | 'local'): void {
    for (const r of this.records) {
      r.remote_state = state;
      r.object_key = null;
      r.remote_error = null;
    }
  }

  /** Quarantined items go again; a stopped sync restarts. */
  retryFailed(): SyncStatus {
    let n = 0;
    for (const r of this.records) {
      if (r.remote_state === 'failed') {
        r.remote_state = 'pending';
        n++;
      }
    }
    this.syncState = { ...this.syncState, failed: 0, error: null, mass_delete: null, queued: this.syncState.queued + n };
    return { ...this.syncState };
  }

  /** `offload_images`: as the core, only synced managed originals leave; the rest say why. */
  offload(ids: string[]): OffloadSummary {
    const summary: OffloadSummary = { offloaded: 0, bytes_freed: 0, skipped: [] };
    for (const id of ids) {
      const r = this.records.find((x) => x.id === id);
      const reason = !r
        ? 'no such image'
        : r.storage !== 'managed'
          ? 'its original is a file Vitrine does not manage'
          : !r.local
            ? 'already offloaded: the original is only in the bucket'
            : !this.remote
              ? 'no remote is set up: there is no bucket copy to rely on'
              : r.remote_state !== 'synced'
                ? `not synced to the bucket yet (${r.remote_state}): run a sync first`
                : null;
      if (!r || reason) {
        summary.skipped.push({ id, reason: reason ?? 'no such image' });
        continue;
      }
      r.local = false;
      summary.offloaded++;
      summary.bytes_freed += r.bytes;
    }
    if (summary.offloaded > 0) this.changed('edit');
    return summary;
  }

  /** `fetch_originals`: offloaded originals come back. */
  fetchOriginals(ids: string[]): FetchSummary {
    if (!this.remote) throw { code: 'no_remote', message: 'no remote is set up for this library' } satisfies ErrorInfo;
    const summary: FetchSummary = { fetched: 0, bytes: 0, failed: [] };
    for (const id of ids) {
      const r = this.records.find((x) => x.id === id);
      if (!r) summary.failed.push({ id, error: `no image with id ${id}` });
      else if (!r.local) {
        r.local = true;
        summary.fetched++;
        summary.bytes += r.bytes;
      }
    }
    if (summary.fetched > 0) this.changed('edit');
    return summary;
  }

  /** `image_link`: local without a bucket, presigned for a private image, else the public URL. */
  link(r: ImageRecord, format: LinkFormat, expires: number | undefined): ImageLink {
    if (!this.remote) {
      const url = `file://${originalPath(r)}`;
      return { id: r.id, visibility: r.visibility, kind: 'local', url, text: formatLink(url, r.filename, format), expires_at: null, ready: true };
    }
    const alt = r.filename;
    if (r.visibility === 'private') {
      if (!r.object_key) throw { code: 'link_unavailable', message: `${r.id} is not in the bucket yet` } satisfies ErrorInfo;
      const secs = expires ?? 86_400;
      if (secs < 1 || secs > 7 * 86_400) throw invalid('invalid link expiry (from 1 second to 7 days)');
      const url = `${this.remote.endpoint || 'https://s3.amazonaws.com'}/${this.remote.bucket}/${objectKey('private', r)}?X-Amz-Expires=${secs}&X-Amz-Signature=fake`;
      return { id: r.id, visibility: r.visibility, kind: 'presigned', url, text: formatLink(url, alt, format), expires_at: iso(Date.now() + secs * 1000), ready: true };
    }
    if (!this.remote.public_url) throw { code: 'link_unavailable', message: `remote "${this.remote.name}" has no public URL` } satisfies ErrorInfo;
    const key = objectKey('public', r);
    const url = `${this.remote.public_url}/${key}`;
    return { id: r.id, visibility: r.visibility, kind: 'public', url, text: formatLink(url, alt, format), expires_at: null, ready: r.object_key === key && r.remote_state === 'synced' };
  }
}

function invalid(message: string): ErrorInfo {
  return { code: 'invalid_input', message };
}

function formatLink(url: string, alt: string, format: LinkFormat): string {
  switch (format) {
    case 'markdown':
      return `![${alt}](${url})`;
    case 'html':
      return `<img src="${url}" alt="${alt}">`;
    case 'bbcode':
      return `[img]${url}[/img]`;
    case 'url':
      return url;
  }
}
