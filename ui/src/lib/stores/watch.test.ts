import { describe, expect, it } from 'vitest';
import { WatchStore } from './watch.svelte';
import { fakeCore, flush } from '../../test/helpers';
import type { FolderOptions, Notice } from '../ipc';
import { folderState } from '../util/watch';

const opts = (over: Partial<FolderOptions> = {}): FolderOptions => ({
  recursive: true,
  include: [],
  exclude: [],
  tags: ['watched'],
  visibility: 'private',
  copy: false,
  on_delete: 'keep',
  poll: false,
  ...over,
});

function setup() {
  const lib = fakeCore();
  const changes: Array<Extract<Notice, { type: 'change' }>> = [];
  const s = new WatchStore((n) => changes.push(n));
  const un = s.subscribe();
  return { lib, s, changes, stop: () => un.forEach((u) => u()) };
}

describe('WatchStore', () => {
  it('adds a folder with add_watched_folder; it starts, then shows what the watcher reports', async () => {
    const { lib, s, stop } = setup();
    await s.load();
    expect(s.loaded).toBe(true);
    expect(s.folders).toEqual([]);

    const f = await s.add('/home/me/Screenshots', opts());
    expect(f).not.toBeNull();
    expect(lib.callsOf('add_watched_folder').map((c) => c.args)).toEqual([{ path: '/home/me/Screenshots', options: opts() }]);
    expect(s.folders.map((x) => x.path)).toEqual(['/home/me/Screenshots']);
    // Not reported yet: "Starting…", not "Not watched".
    expect(s.folders[0].status).toBe('stopped');
    expect(folderState(s.folders[0], s.isStarting(f!.id)).text).toBe('Starting…');

    await flush();
    expect(s.folders[0].status).toBe('watching');
    expect(s.isStarting(f!.id)).toBe(false);
    expect(folderState(s.folders[0]).text).toBe('Watching');
    stop();
  });

  it('folder notices update the status: scanning n/N, watching, offline with its reason', async () => {
    const { lib, s, stop } = setup();
    await s.add('/mnt/nas/photos', opts());
    await flush();
    const id = s.folders[0].id;

    lib.watchStatus(id, { status: 'scanning', detail: 'scanning 1200/5000', progress: { done: 1200, total: 5000 } });
    await flush();
    expect(folderState(s.folders[0]).text).toBe(`Scanning ${(1200).toLocaleString()}/${(5000).toLocaleString()}`);

    lib.watchStatus(id, { status: 'watching', detail: null, files: 5000, errors: 2 });
    await flush();
    expect(s.folders[0]).toMatchObject({ status: 'watching', files: 5000, errors: 2 });

    const why = 'folder not found: is its disk plugged in? Nothing is deleted while it is away';
    lib.watchStatus(id, { status: 'offline', detail: why });
    await flush();
    expect(folderState(s.folders[0])).toEqual({ tone: 'warn', text: 'Offline', detail: why });
    stop();
  });

  it('change notices go to the folder’s recent activity (newest first) and refresh its counts', async () => {
    const { lib, s, changes, stop } = setup();
    await s.add('/home/me/Renders', opts());
    await flush();
    const id = s.folders[0].id;
    await s.load();
    const foldersCalls = lib.callsOf('watched_folders').length;

    lib.watchChange(id, 'added', '/home/me/Renders/a.png', null, 'IMG1');
    lib.watchChange(id, 'edited', '/home/me/Renders/a.png', 'new version; the previous one (01J0000000000000000000000A) stays in the library', 'IMG2');
    lib.watchChange(id, 'failed', '/home/me/Renders/broken.jpg', 'corrupt image: unexpected end of data');
    await flush();
    expect(s.activity[id].map((e) => [e.kind, e.path])).toEqual([
      ['failed', '/home/me/Renders/broken.jpg'],
      ['edited', '/home/me/Renders/a.png'],
      ['added', '/home/me/Renders/a.png'],
    ]);
    expect(changes.map((c) => c.kind)).toEqual(['added', 'edited', 'failed']);
    // Counts are re-read (throttled: once now, once later).
    expect(lib.callsOf('watched_folders').length).toBeGreaterThan(foldersCalls);

    // A reload reads the same log from the catalog.
    await s.load();
    expect(s.activity[id].map((e) => e.kind)).toEqual(['failed', 'edited', 'added']);
    expect(lib.callsOf('watch_events').at(-1)?.args).toEqual({ folderId: null, limit: 200 });
    await s.loadAllActivity();
    expect(lib.callsOf('watch_events').at(-1)?.args).toEqual({ folderId: id, limit: 50 });
    expect(s.activity[id].map((e) => e.kind)).toEqual(['failed', 'edited', 'added']);
    stop();
  });

  it('pause and resume call pause_watched_folder; each waits for the watcher to confirm', async () => {
    const { lib, s, stop } = setup();
    await s.add('/home/me/Inbox', opts());
    await flush();
    const id = s.folders[0].id;

    expect(await s.setPaused(id, true)).toBe(true);
    expect(lib.callsOf('pause_watched_folder').map((c) => c.args)).toEqual([{ id, paused: true }]);
    // The watcher still runs until it reloads its folders: not "Paused" before it says so.
    expect(s.folders[0]).toMatchObject({ paused: true, status: 'watching' });
    expect(folderState(s.folders[0]).text).toBe('Pausing…');
    await flush();
    expect(s.folders[0]).toMatchObject({ paused: true, status: 'paused' });
    expect(folderState(s.folders[0]).text).toBe('Paused');

    expect(await s.setPaused(id, false)).toBe(true);
    expect(lib.callsOf('pause_watched_folder').at(-1)?.args).toEqual({ id, paused: false });
    expect(folderState(s.folders[0]).text).toBe('Resuming…');
    await flush();
    expect(folderState(s.folders[0]).text).toBe('Watching');
    stop();
  });

  it('the catalog’s "paused" does not hide a watcher still running: its own report decides', async () => {
    const { s, stop } = setup();
    await s.add('/home/me/Inbox', opts());
    await flush();
    const id = s.folders[0].id;
    await s.setPaused(id, true);
    // A refresh (counts after a change) before the watcher reloaded its folders.
    await s.refresh();
    expect(s.folders[0]).toMatchObject({ paused: true, status: 'watching' });
    expect(folderState(s.folders[0]).text).toBe('Pausing…');
    await flush();
    expect(folderState(s.folders[0]).text).toBe('Paused');
    // With another process watching, the catalog is all there is.
    s.notice({ type: 'watched_elsewhere' });
    await s.setPaused(id, false);
    await s.refresh();
    expect(s.folders[0]).toMatchObject({ paused: false });
    stop();
  });

  it('remove calls remove_watched_folder, forgets the folder and ignores late notices about it', async () => {
    const { lib, s, stop } = setup();
    await s.add('/home/me/Old', opts());
    await flush();
    const f = s.folders[0];
    lib.watchChange(f.id, 'added', '/home/me/Old/a.jpg');
    await flush();

    expect(await s.remove(f.id)).toBe(true);
    expect(lib.callsOf('remove_watched_folder').map((c) => c.args)).toEqual([{ id: f.id }]);
    expect(s.folders).toEqual([]);
    expect(s.activity[f.id]).toBeUndefined();
    // A notice sent before the watcher noticed the removal.
    lib.watchNotice({ type: 'folder', folder: { ...f, status: 'watching' } });
    await flush();
    expect(s.folders).toEqual([]);
    stop();
  });

  it('saving options of a watched folder keeps its live status', async () => {
    const { lib, s, stop } = setup();
    await s.add('/home/me/Pics', opts());
    await flush();
    const id = s.folders[0].id;
    lib.watchStatus(id, { status: 'watching', files: 12 });
    await flush();

    await s.add('/home/me/Pics', opts({ recursive: false, tags: ['a', 'b'], on_delete: 'remove', exclude: ['drafts/**'] }));
    expect(s.folders).toHaveLength(1);
    expect(s.folders[0]).toMatchObject({ status: 'watching', files: 12, recursive: false, tags: ['a', 'b'], on_delete: 'remove', exclude: ['drafts/**'] });
    stop();
  });

  it('keeps the core’s refusal to show', async () => {
    const { s, stop } = setup();
    expect(await s.add('/home/me/.local/share/vitrine', opts())).toBeNull();
    expect(s.error?.code).toBe('invalid_input');
    expect(s.error?.message).toContain('the library itself');
    expect(s.folders).toEqual([]);
    stop();
  });

  it('another process watching: says so, and reads statuses from the catalog', async () => {
    const { lib, s, stop } = setup();
    await s.add('/home/me/Pics', opts());
    await flush();
    const before = lib.callsOf('watched_folders').length;
    lib.watchNotice({ type: 'watched_elsewhere' });
    await flush();
    expect(s.elsewhere).toBe(true);
    expect(lib.callsOf('watched_folders').length).toBe(before + 1);

    // The other process wrote a status; the app hears of it as an external change.
    lib.folders[0].status = 'scanning';
    lib.folders[0].detail = 'scanning 3/10';
    lib.folders[0].progress = { done: 3, total: 10 };
    await new Promise((r) => setTimeout(r, 1050));
    s.externalChange();
    await flush();
    expect(s.folders[0].status).toBe('scanning');
    expect(s.folders[0].progress).toEqual({ done: 3, total: 10 });

    // This app's own watcher took over.
    lib.watchStatus(s.folders[0].id, { status: 'watching', detail: null });
    await flush();
    expect(s.elsewhere).toBe(false);
    stop();
  });
});
