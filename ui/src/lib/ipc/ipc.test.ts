import { describe, expect, it } from 'vitest';
import { mockConvertFileSrc } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { api, onFileDrop, onLibraryChanged, onSyncEvent, onSyncStatus, onWatchNotice, originalUrl, thumbUrl, UserError, type FileDrop, type ImportEvent, type Notice, type SyncEvent, type SyncStatus } from './index';
import { fakeCore, flush, recordIPC } from '../../test/helpers';
import { minioSpec } from './mock/fixtures';

describe('commands send the contract arg shapes', () => {
  it('maps each function to its command and args', async () => {
    const calls = recordIPC((cmd) => {
      if (cmd === 'list_images' || cmd === 'delete_images' || cmd === 'edit_tags') return [];
      if (cmd === 'get_settings')
        return { library_path: '/l', max_file_size: 1, max_pixels: 1, grid_size: 320, preview_size: 1280, keep_originals: { keep: 'all' }, rendering: 'GPU (test)' };
      return null;
    });
    await api.libraryInfo();
    await api.listImages({ tag: 'cats', sort: 'name', limit: 200, after: 'X' });
    await api.getImage('A');
    await api.editTags('A', ['x'], ['y']);
    await api.setVisibility('A', 'public');
    await api.deleteImages(['A', 'B']);
    await api.stats();
    await api.tagCounts();
    await api.revealImage('A');
    await api.imageLink('A', 'markdown');
    await api.getSettings();
    const s = {
      library_path: '/l',
      max_file_size: 5,
      max_pixels: 6,
      grid_size: 320,
      preview_size: 1280,
      keep_originals: { keep: 'viewed', days: 30 } as const,
      rendering: 'GPU (test)',
    };
    await api.setSettings(s);
    await api.offloadImages(['A', 'B']);
    await api.fetchOriginals(['A']);
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ['library_info', {}],
      ['list_images', { query: { tag: 'cats', sort: 'name', limit: 200, after: 'X' } }],
      ['get_image', { id: 'A' }],
      ['edit_tags', { id: 'A', add: ['x'], remove: ['y'] }],
      ['set_visibility', { id: 'A', visibility: 'public' }],
      ['delete_images', { ids: ['A', 'B'] }],
      ['stats', {}],
      ['tag_counts', {}],
      ['reveal_image', { id: 'A' }],
      ['image_link', { id: 'A', format: 'markdown' }],
      ['get_settings', {}],
      ['set_settings', { settings: s }],
      // set_settings answered null here, so the saved settings are read back
      ['get_settings', {}],
      ['offload_images', { ids: ['A', 'B'] }],
      ['fetch_originals', { ids: ['A'] }],
    ]);
  });

  it('bucket commands: credentials go only to set_remote, as camelCase args, and only when typed', async () => {
    const calls = recordIPC(() => null);
    const form = minioSpec();
    await api.getRemote();
    await api.setRemote(form, 'AKID', 'SECRET');
    await api.setRemote(form);
    await api.removeRemote('main');
    await api.testRemote();
    await api.syncStatus();
    await api.retryFailedSync();
    await api.syncAllowDeletes();
    await api.imageLink('A', 'url', 600);
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ['get_remote', {}],
      ['set_remote', { remote: form, accessKeyId: 'AKID', secretAccessKey: 'SECRET' }],
      ['set_remote', { remote: form }],
      ['remove_remote', { name: 'main' }],
      ['test_remote', {}],
      ['sync_status', {}],
      ['retry_failed_sync', {}],
      ['sync_allow_deletes', {}],
      ['image_link', { id: 'A', format: 'url', expires: 600 }],
    ]);
  });

  it('watched folder commands: camelCase args as the Tauri commands take them', async () => {
    const calls = recordIPC((cmd) => (cmd === 'watched_folders' || cmd === 'watch_events' ? [] : null));
    const options = {
      recursive: true,
      include: ['*.png'],
      exclude: [],
      tags: ['watched'],
      visibility: 'private' as const,
      copy: false,
      on_delete: 'remove-remote' as const,
      poll: false,
    };
    await api.watchedFolders();
    await api.addWatchedFolder('/home/me/Shots', options);
    await api.pauseWatchedFolder(3, true);
    await api.removeWatchedFolder(3);
    await api.watchEvents(3, 20);
    await api.watchEvents();
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ['watched_folders', {}],
      ['add_watched_folder', { path: '/home/me/Shots', options }],
      ['pause_watched_folder', { id: 3, paused: true }],
      ['remove_watched_folder', { id: 3 }],
      ['watch_events', { folderId: 3, limit: 20 }],
      ['watch_events', { folderId: null, limit: null }],
    ]);
  });

  it('import_inputs passes inputs, source, tags and a Channel as onEvent', async () => {
    const events: ImportEvent[] = [];
    const calls = recordIPC((_cmd, args) => {
      const ch = args.onEvent as { onmessage: (e: ImportEvent) => void; toJSON(): string };
      ch.onmessage({ event: 'started', total: 1 });
      ch.onmessage({ event: 'item', done: 1, total: 1, outcome: { input: '/a.jpg', status: 'imported', id: 'I', error: null, code: null } });
      ch.onmessage({ event: 'finished', imported: 1, duplicates: 0, failed: 0, skipped: 2 });
      return { imported: 1, duplicates: 0, failed: 0, skipped: 2 };
    });
    const summary = await api.importInputs(['/a.jpg', 'https://x.test/b.png'], 'drop', ['t'], (e) => events.push(e));
    expect(summary).toEqual({ imported: 1, duplicates: 0, failed: 0, skipped: 2 });
    const { args } = calls[0];
    expect(calls[0].cmd).toBe('import_inputs');
    expect(args.inputs).toEqual(['/a.jpg', 'https://x.test/b.png']);
    expect(args.source).toBe('drop');
    expect(args.tags).toEqual(['t']);
    expect(JSON.stringify(args.onEvent)).toMatch(/^"__CHANNEL__:\d+"$/);
    expect(events.map((e) => e.event)).toEqual(['started', 'item', 'finished']);
  });

  it('import_blob sends raw bytes with the url-encoded name header', async () => {
    const lib = fakeCore();
    const bytes = new Uint8Array([137, 80, 78, 71]);
    const o = await api.importBlob(bytes, 'screen shot é.png');
    expect(o.status).toBe('imported');
    const call = lib.callsOf('import_blob')[0];
    expect(call.args).toBe(bytes);
    expect(call.options).toEqual({ headers: { 'x-vitrine-name': 'screen%20shot%20%C3%A9.png' } });
  });
});

describe('errors', () => {
  it('a rejected invoke with {code, message} becomes a UserError', async () => {
    recordIPC(() => {
      throw { code: 'not_found', message: 'no image with id Z' };
    });
    const err = await api.getImage('Z').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'not_found', message: 'no image with id Z' });
  });

  it('a plain string rejection becomes a UserError too', async () => {
    recordIPC(() => {
      throw 'boom';
    });
    const err = await api.stats().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'internal', message: 'boom' });
  });
});

describe('image urls', () => {
  it('use the vitrine scheme on Linux/macOS', () => {
    mockConvertFileSrc('linux');
    expect(thumbUrl('01ABC', 'grid')).toBe('vitrine://localhost/thumb%2F01ABC%2Fgrid');
    expect(thumbUrl('01ABC', 'preview')).toBe('vitrine://localhost/thumb%2F01ABC%2Fpreview');
    expect(originalUrl('01ABC')).toBe('vitrine://localhost/original%2F01ABC');
  });

  it('use http://vitrine.localhost on Windows', () => {
    mockConvertFileSrc('windows');
    expect(thumbUrl('01ABC', 'grid')).toBe('http://vitrine.localhost/thumb%2F01ABC%2Fgrid');
  });
});

describe('events', () => {
  it('library-changed delivers the reason', async () => {
    recordIPC();
    const reasons: string[] = [];
    const un = onLibraryChanged((r) => reasons.push(r));
    await flush();
    await emit('library-changed', { reason: 'external' });
    expect(reasons).toEqual(['external']);
    un();
  });

  it('sync-event and sync-status deliver their payloads', async () => {
    recordIPC();
    const events: SyncEvent[] = [];
    const statuses: SyncStatus[] = [];
    const un1 = onSyncEvent((e) => events.push(e));
    const un2 = onSyncStatus((s) => statuses.push(s));
    await flush();
    const e: SyncEvent = { kind: 'image', id: 'A', state: 'synced', error: null };
    const s: SyncStatus = { remote: 'main', running: true, queued: 3, failed: 0, done: 1, last: null, last_run_at: null, error: null, mass_delete: null };
    await emit('sync-event', e);
    await emit('sync-status', s);
    expect(events).toEqual([e]);
    expect(statuses).toEqual([s]);
    un1();
    un2();
  });

  it('watch-notice delivers folder, change and watched_elsewhere notices', async () => {
    recordIPC();
    const got: Notice[] = [];
    const un = onWatchNotice((n) => got.push(n));
    await flush();
    const change: Notice = { type: 'change', folder_id: 1, path: '/p/a.png', kind: 'added', image_id: 'I', detail: null };
    await emit('watch-notice', change);
    await emit('watch-notice', { type: 'watched_elsewhere' });
    expect(got).toEqual([change, { type: 'watched_elsewhere' }]);
    un();
  });

  it('OS drag-and-drop events map to enter/over/drop/leave', async () => {
    recordIPC();
    const seen: FileDrop[] = [];
    const un = onFileDrop((e) => seen.push(e));
    await flush();
    const position = { x: 1, y: 2 };
    await emit('tauri://drag-enter', { paths: ['/a.png', '/b'], position });
    await emit('tauri://drag-over', { position });
    await emit('tauri://drag-leave', {});
    await emit('tauri://drag-drop', { paths: ['/a.png'], position });
    expect(seen).toEqual([
      { type: 'enter', paths: ['/a.png', '/b'] },
      { type: 'over' },
      { type: 'leave' },
      { type: 'drop', paths: ['/a.png'] },
    ]);
    un();
  });
});
