import { describe, expect, it } from 'vitest';
import commandsSource from '../commands.ts?raw';
import * as api from '../commands';
import { errorMessage } from '../errors';
import type { FolderOptions } from '../types';
import { fakeCore } from '../../../test/helpers';
import { fakeId, minioSpec } from './fixtures';
import { handlers, type HandlerTable } from './handlers';

/** The command names `commands.ts` passes to `call(…)`, read from its source. */
function commandsTheUiCalls(): string[] {
  const names = [...commandsSource.matchAll(/\bcall(?:<[^>]*>)?\(\s*'([a-z_]+)'/g)].map((m) => m[1]);
  return [...new Set(names)].sort();
}

const form = minioSpec();

const folderOptions: FolderOptions = {
  recursive: true,
  include: [],
  exclude: [],
  tags: [],
  visibility: 'private',
  copy: false,
  on_delete: 'keep',
  poll: false,
};

/**
 * One call of every function `commands.ts` exports, in an order that sets up what the next
 * needs (a bucket before testing it, a folder before pausing it). A new function without an
 * entry here is a type error.
 */
const everyApiCall: { [K in keyof typeof api]: () => Promise<unknown> } = {
  libraryInfo: () => api.libraryInfo(),
  listImages: () => api.listImages({ sort: 'name', limit: 10 }),
  listGrid: () => api.listGrid({ sort: 'name', limit: 10, offset: 2 }),
  getImage: () => api.getImage(fakeId(0)),
  importInputs: () => api.importInputs(['/home/me/new.png'], 'file', ['new'], () => {}),
  importBlob: () => api.importBlob(new Uint8Array([137, 80, 78, 71]), 'pasted.png'),
  editTags: () => api.editTags(fakeId(0), ['x'], []),
  setVisibility: () => api.setVisibility(fakeId(0), 'public'),
  renameImage: () => api.renameImage(fakeId(0), 'renamed.png'),
  resolveSelection: () => api.resolveSelection({ kind: 'query', query: { visibility: 'public' }, except: [fakeId(3)] }),
  bulkVisibility: () => api.bulkVisibility({ kind: 'ids', ids: [fakeId(2), fakeId(4)] }, 'public'),
  undoBulkJob: () => api.undoBulkJob(1),
  bulkTags: () => api.bulkTags({ kind: 'query', query: {}, except: [] }, ['x'], ['y']),
  bulkLinks: () => api.bulkLinks({ kind: 'ids', ids: [fakeId(0)] }, 'markdown', 3600),
  dragOut: () => api.dragOut([fakeId(0)]),
  exportImages: () => api.exportImages({ kind: 'ids', ids: [fakeId(0)] }, '/tmp/out.zip'),
  deleteImages: () => api.deleteImages([fakeId(1)]),
  stats: () => api.stats(),
  tagCounts: () => api.tagCounts(),
  countImages: () => api.countImages({ visibility: 'private', tags: ['a', 'b'], all_tags: true }),
  facets: () => api.facets(),
  revealImage: () => api.revealImage(fakeId(0)),
  imageLink: () => api.imageLink(fakeId(0), 'markdown'),
  getSettings: () => api.getSettings(),
  setSettings: async () => api.setSettings(await api.getSettings()),
  providers: () => api.providers(),
  getRemote: () => api.getRemote(),
  setRemote: () => api.setRemote(form, 'AKID', 'SECRET'),
  offloadImages: () => api.offloadImages([fakeId(0)]),
  fetchOriginals: () => api.fetchOriginals([fakeId(0)]),
  testRemote: () => api.testRemote(),
  syncStatus: () => api.syncStatus(),
  retryFailedSync: () => api.retryFailedSync(),
  syncAllowDeletes: () => api.syncAllowDeletes(),
  createAlbum: () => api.createAlbum('Trip', { kind: 'ids', ids: [fakeId(0), fakeId(2)] }),
  addToAlbum: () => api.addToAlbum('trip', { kind: 'query', query: { visibility: 'private' }, except: [fakeId(0)] }),
  removeFromAlbum: () => api.removeFromAlbum('Trip', { kind: 'ids', ids: [fakeId(2)] }),
  albums: () => api.albums(),
  album: () => api.album('Trip'),
  renameAlbum: () => api.renameAlbum('Trip', 'Journey'),
  publishAlbum: async () => {
    await api.setRemote({ ...form, public_url: 'https://cdn.example.com' }, 'AKID', 'SECRET');
    return api.publishAlbum('Journey', true);
  },
  unpublishAlbum: () => api.unpublishAlbum('Journey'),
  deleteAlbum: () => api.deleteAlbum('Journey'),
  removeRemote: () => api.removeRemote('main'),
  watchedFolders: () => api.watchedFolders(),
  addWatchedFolder: () => api.addWatchedFolder('/home/me/Screenshots', folderOptions),
  pauseWatchedFolder: () => api.pauseWatchedFolder(1, true),
  watchEvents: () => api.watchEvents(),
  removeWatchedFolder: () => api.removeWatchedFolder(1),
  about: () => api.about(),
  openLogFolder: () => api.openLogFolder(),
  takeOpenRequests: () => api.takeOpenRequests(),
  takeCrashReports: () => api.takeCrashReports(),
};

describe('the mock handler table', () => {
  it('has a handler for every command commands.ts calls', () => {
    const called = commandsTheUiCalls();
    expect(called.length, 'commands read from commands.ts').toBeGreaterThan(20);
    const missing = called.filter((c) => !Object.hasOwn(handlers, c));
    expect(missing, 'commands without a mock handler').toEqual([]);
  });

  it('answers every api function through invoke, without an unknown command', async () => {
    const lib = fakeCore({ count: 5 });
    const failed: string[] = [];
    for (const [name, run] of Object.entries(everyApiCall)) {
      try {
        await run();
      } catch (e) {
        failed.push(`api.${name}: ${errorMessage(e)}`);
      }
    }
    expect(failed).toEqual([]);
    const invoked = new Set(lib.calls.map((c) => c.cmd));
    expect(commandsTheUiCalls().filter((c) => !invoked.has(c)), 'commands no api call reached').toEqual([]);
  });

  it('is typed against CommandName: a missing or misspelt command does not compile', () => {
    const { library_info: _, ...withoutOne } = handlers;
    // @ts-expect-error library_info is missing
    const missing: HandlerTable = withoutOne;
    // @ts-expect-error libary_info is not a command
    const misspelt: HandlerTable = { ...handlers, libary_info: () => null };
    expect(Object.keys(missing)).not.toContain('library_info');
    expect(Object.keys(misspelt)).toContain('libary_info');
  });

  it('rejects a command the core does not have as Tauri does, and answers plugins', async () => {
    const lib = fakeCore();
    await expect(lib.handle('no_such_command', {})).rejects.toBe('command no_such_command not found');
    lib.dialogResult = '/home/me/Pictures';
    await expect(lib.handle('plugin:dialog|open', {})).resolves.toBe('/home/me/Pictures');
    await expect(lib.handle('plugin:notification|notify', {})).resolves.toBeNull();
    expect(lib.callsOf('plugin:dialog|open')).toHaveLength(1);
  });

  it('fails a command as `failures` says, with the code the UI branches on', async () => {
    const lib = fakeCore({ count: 1, failures: { stats: { code: 'database', message: 'database is locked' } } });
    await expect(api.stats()).rejects.toMatchObject({ code: 'database', message: 'database is locked' });
    lib.failures = {};
    await expect(api.stats()).resolves.toMatchObject({ images: 1 });
  });
});
