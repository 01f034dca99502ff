/**
 * The fake core's IPC surface: one handler per command of the generated `CommandName` union,
 * so a command the Rust side adds, drops or renames is a type error until this table follows.
 * Each handler reads its args as `commands.ts` sends them and delegates to the `FakeLibrary`.
 */
import type { Channel } from '@tauri-apps/api/core';
import type {
  About,
  BulkLinks,
  BulkJob,
  BulkSummary,
  Selection,
  CommandName,
  FolderOptions,
  ImportEvent,
  ImportSummary,
  ErrorInfo,
  LibraryInfo,
  LinkFormat,
  ListQuery,
  RemoteSpec,
  Settings,
  SourceKind,
  Visibility,
  WatchedFolder,
} from '../types';
import { PROVIDER_PRESETS } from '../bindings/providerPresets';
import { fakeDetail, tile } from './fixtures';
import type { FakeLibrary } from './library';

/** The args object `invoke` was given (raw bytes for `import_blob`). */
export type Args = Record<string, unknown>;

/** Answers one command: its result, or a thrown `ErrorInfo` as the core rejects. */
export type Handler = (lib: FakeLibrary, args: Args, options: unknown) => unknown;

/** Every command has a handler, and nothing else does. */
export type HandlerTable = { readonly [K in CommandName]: Handler };

async function importInputs(lib: FakeLibrary, a: Args): Promise<ImportSummary> {
  const inputs = a.inputs as string[];
  const ch = a.onEvent as Channel<ImportEvent>;
  const send = (e: ImportEvent) => ch.onmessage(e);
  const total = inputs.length;
  send({ event: 'started', total });
  const summary: ImportSummary = { imported: 0, duplicates: 0, failed: 0, skipped: 0 };
  for (let i = 0; i < total; i++) {
    await lib.sleep();
    const outcome = lib.importOne(inputs[i], a.source as SourceKind, (a.tags as string[]) ?? []);
    if (outcome.status === 'imported') summary.imported++;
    else if (outcome.status === 'duplicate') summary.duplicates++;
    else summary.failed++;
    send({ event: 'item', done: i + 1, total, outcome });
    if (outcome.status === 'imported') lib.changed('import');
  }
  send({ event: 'finished', ...summary });
  return summary;
}

export const handlers: HandlerTable = {
  about: (lib): About => ({ version: '0.1.0-mock', library: lib.settings.library_path, log_folder: '/home/user/.local/state/vitrine', os: 'Mock OS (x86_64)' }),
  open_log_folder: () => null,
  take_open_requests: (lib) => lib.openRequests.splice(0),
  take_crash_reports: (lib) => lib.crashReports.splice(0),
  library_info: (lib): LibraryInfo => ({ root: lib.settings.library_path, images: lib.records.length, version: '0.1.0-mock' }),
  list_images: (lib, a) => lib.list((a.query ?? {}) as ListQuery),
  list_grid: (lib, a) => lib.list((a.query ?? {}) as ListQuery).map(tile),
  get_image: (lib, a) => fakeDetail(lib.find(a.id as string)),
  import_inputs: importInputs,
  import_blob: (lib, _bytes, options) => {
    // The bytes are the body; the name travels url-encoded in a header.
    const headers = ((options ?? {}) as { headers?: Record<string, string> }).headers ?? {};
    const name = decodeURIComponent(headers['x-vitrine-name'] ?? 'pasted.png');
    const o = lib.importOne(lib.pasteInput(name), 'paste', []);
    if (o.status === 'imported') lib.changed('import');
    return { ...o, input: name };
  },
  edit_tags: (lib, a) => {
    const r = lib.find(a.id as string);
    const remove = new Set(a.remove as string[]);
    r.tags = [...new Set([...r.tags, ...(a.add as string[])])].filter((t) => !remove.has(t)).sort();
    lib.changed('edit');
    return r.tags;
  },
  set_visibility: (lib, a) => {
    const r = lib.find(a.id as string);
    r.visibility = a.visibility as Visibility;
    lib.changed('edit');
    return { ...r };
  },
  rename_image: (lib, a) => {
    const r = lib.find(a.id as string);
    const name = (a.name as string).trim();
    if (!name || name.includes('/')) throw { code: 'invalid_input', message: `invalid file name "${a.name as string}"` };
    r.filename = name;
    lib.changed('edit');
    return { ...r };
  },
  delete_images: (lib, a) => {
    const ids = new Set(a.ids as string[]);
    const gone = lib.records.filter((r) => ids.has(r.id)).map((r) => r.id);
    lib.records = lib.records.filter((r) => !ids.has(r.id));
    lib.albums.forget(gone);
    lib.deleted.push(...gone);
    lib.changed('delete');
    return gone;
  },
  resolve_selection: (lib, a) => lib.resolve(a.selection as Selection).map((r) => r.id),
  bulk_visibility: (lib, a): BulkJob => {
    const visibility = a.visibility as Visibility;
    const previous = new Map<string, Visibility>();
    const found = lib.resolve(a.selection as Selection);
    for (const r of found) {
      if (r.visibility === visibility) continue;
      previous.set(r.id, r.visibility);
      r.visibility = visibility;
    }
    lib.changed('edit');
    const id = lib.jobs.length + 1;
    lib.jobs.push({ visibility, previous });
    const running = lib.backgroundJobs && found.length > 1;
    const done = running ? 1 : found.length;
    return { id, kind: 'visibility', visibility, total: found.length, done, changed: running ? 1 : previous.size, failed: 0, state: running ? 'running' : 'done', error: null };
  },
  undo_bulk_job: (lib, a): BulkJob => {
    const id = a.job as number;
    const job = lib.jobs[id - 1];
    if (!job) throw { code: 'invalid_input', message: `invalid bulk job: "${id}" (no such job; finished jobs are kept for a day)` };
    let changed = 0;
    for (const r of lib.records) {
      const was = job.previous.get(r.id);
      if (was && r.visibility === job.visibility) {
        r.visibility = was;
        changed++;
      }
    }
    lib.changed('edit');
    lib.jobs.push({ visibility: job.visibility, previous: new Map() });
    return { id: lib.jobs.length, kind: 'revert', reverts: id, total: job.previous.size, done: job.previous.size, changed, failed: 0, state: 'done', error: null };
  },
  bulk_tags: (lib, a): BulkSummary => {
    const out: BulkSummary = { changed: 0, unchanged: 0, failed: 0, errors: [] };
    const remove = new Set(a.remove as string[]);
    for (const r of lib.resolve(a.selection as Selection)) {
      const next = [...new Set([...r.tags, ...(a.add as string[])])].filter((t) => !remove.has(t)).sort();
      if (next.join() === r.tags.join()) out.unchanged++;
      else {
        r.tags = next;
        out.changed++;
      }
    }
    lib.changed('edit');
    return out;
  },
  bulk_links: (lib, a): BulkLinks => {
    const rows = lib.resolve(a.selection as Selection);
    const text = rows.map((r) => lib.link(r, a.format as LinkFormat, (a.expires as number | null) ?? undefined).text).join('\n');
    return { text, linked: rows.length, failed: 0, errors: [] };
  },
  export_images: (lib, a) => {
    const rows = lib.resolve(a.selection as Selection);
    return { zip: a.path as string, images: rows.length, bytes: rows.reduce((n, r) => n + r.bytes, 0) };
  },
  drag_out: (lib, a) => (a.ids as string[]).map((id) => lib.find(id)).length,
  stats: (lib) => lib.stats(),
  count_images: (lib, a) => lib.matching((a.query ?? {}) as ListQuery).length,
  facets: (lib) => lib.facets(),
  tag_counts: (lib) => lib.tagCounts(),
  reveal_image: (lib, a) => {
    lib.find(a.id as string);
    return null;
  },
  image_link: (lib, a) => lib.link(lib.find(a.id as string), a.format as LinkFormat, a.expires as number | undefined),
  offload_images: (lib, a) => lib.offload(a.ids as string[]),
  fetch_originals: (lib, a) => lib.fetchOriginals(a.ids as string[]),
  get_settings: (lib) => ({ ...lib.settings }),
  set_settings: (lib, a) => {
    lib.settings = { ...lib.settings, ...(a.settings as Settings) };
    return { ...lib.settings };
  },
  providers: () => structuredClone(PROVIDER_PRESETS),
  get_remote: (lib) => (lib.remote ? { ...lib.remote } : null),
  set_remote: (lib, a) => {
    const view = lib.setRemote(a.remote as RemoteSpec, a.accessKeyId as string | undefined, a.secretAccessKey as string | undefined);
    lib.changed('edit');
    lib.syncStatus();
    return view;
  },
  remove_remote: (lib, a) => {
    lib.removeRemote(a.name);
    lib.changed('edit');
    lib.syncStatus();
    return null;
  },
  test_remote: (lib) => {
    if (!lib.remote) throw { code: 'no_remote', message: 'no remote is set up for this library' } satisfies ErrorInfo;
    return structuredClone(lib.probe);
  },
  sync_status: (lib) => ({ ...lib.syncState }),
  retry_failed_sync: (lib) => {
    const status = lib.retryFailed();
    lib.changed('edit');
    return status;
  },
  sync_allow_deletes: (lib) => {
    // The core restarts the stopped sync; only a `mass_delete` stop is confirmed by it.
    lib.syncState = { ...lib.syncState, error: null, mass_delete: null };
    return { ...lib.syncState };
  },
  // As the core answers: a paused folder says so as soon as the flag is set.
  watched_folders: (lib): WatchedFolder[] => lib.folders.map((f) => ({ ...f, status: f.paused ? 'paused' : f.status })),
  add_watched_folder: (lib, a) => {
    const f = lib.addFolder(a.path as string, a.options as FolderOptions);
    lib.pickUp(f.id);
    return f;
  },
  remove_watched_folder: (lib, a) => {
    lib.folders.splice(lib.folders.indexOf(lib.folder(a.id)), 1);
    return null;
  },
  pause_watched_folder: (lib, a) => {
    const f = lib.folder(a.id);
    f.paused = a.paused as boolean;
    lib.pickUp(f.id);
    return null;
  },
  watch_events: (lib, a) => {
    const id = a.folderId ?? null;
    const limit = Math.min(Math.max((a.limit as number | null) ?? 50, 1), 500);
    return lib.watchLog
      .filter((e) => id === null || e.folder_id === id)
      .slice(-limit)
      .reverse()
      .map((e) => ({ ...e }));
  },
  albums: (lib) => lib.albums.summaries(),
  album: (lib, a) => lib.albums.detail(a.name as string),
  create_album: (lib, a) => {
    const c = lib.albums.create(a.name as string, (a.selection as Selection | null) ?? null);
    lib.changed('edit');
    return c;
  },
  add_to_album: (lib, a) => {
    const c = lib.albums.addTo(a.name as string, a.selection as Selection);
    lib.changed('edit');
    return c;
  },
  remove_from_album: (lib, a) => {
    const c = lib.albums.removeFrom(a.name as string, a.selection as Selection);
    lib.changed('edit');
    return c;
  },
  delete_album: (lib, a) => {
    lib.albums.remove(a.name as string);
    lib.changed('edit');
    return null;
  },
  rename_album: (lib, a) => {
    const s = lib.albums.rename(a.name as string, a.newName as string);
    lib.changed('edit');
    return s;
  },
  publish_album: (lib, a) => {
    if (!lib.remote) throw { code: 'no_remote', message: 'no remote is set up for this library' } satisfies ErrorInfo;
    return lib.albums.publish(a.name as string, a.keepSlug as boolean, lib.remote.public_url);
  },
  unpublish_album: (lib, a) => {
    if (!lib.remote) throw { code: 'no_remote', message: 'no remote is set up for this library' } satisfies ErrorInfo;
    return lib.albums.unpublish(a.name as string);
  },
};

function isCommand(cmd: string): cmd is CommandName {
  return Object.hasOwn(handlers, cmd);
}

/** Answers `invoke(cmd)`: a command from the table, a plugin's call, or a rejection as Tauri's. */
export function answer(lib: FakeLibrary, cmd: string, args: unknown, options: unknown): unknown {
  if (isCommand(cmd)) return handlers[cmd](lib, (args ?? {}) as Args, options);
  if (cmd === 'plugin:dialog|open') return lib.dialogResult;
  if (cmd.startsWith('plugin:')) return null;
  // Tauri rejects a command it does not know with a bare string.
  throw `command ${cmd} not found`;
}
