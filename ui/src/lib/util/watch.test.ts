import { describe, expect, it } from 'vitest';
import type { WatchedFolder } from '../ipc';
import { fakeFolder } from '../ipc/mock-backend';
import { ago, defaultDraft, draftFrom, eventLine, folderState, optionsFrom, optionsSummary, shortState, shownStatus, splitTags } from './watch';

const folder = (over: Partial<WatchedFolder> = {}) => fakeFolder({ files: 10, ...over });

describe('folder status words', () => {
  it('says what the watcher does, and why when it cannot', () => {
    expect(folderState(folder())).toMatchObject({ tone: 'ok', text: 'Watching' });
    expect(folderState(folder({ status: 'scanning', detail: 'scanning 1200/5000', progress: { done: 1200, total: 5000 } })).text).toBe(
      `Scanning ${(1200).toLocaleString()}/${(5000).toLocaleString()}`,
    );
    expect(folderState(folder({ status: 'scanning', detail: 'scanning: 300 files', progress: { done: 300, total: null } })).text).toBe(
      'Scanning: 300 files',
    );
    expect(folderState(folder({ status: 'scanning', detail: 'scanning' })).text).toBe('Scanning…');
    // The numbers count, not the words.
    expect(folderState(folder({ status: 'scanning', detail: 'scanning 1/2' })).text).toBe('Scanning…');
    expect(folderState(folder({ status: 'polling', detail: 'on a network filesystem (NFS): checked by polling' }))).toMatchObject({
      tone: 'ok',
      text: 'Polling',
      detail: 'on a network filesystem (NFS): checked by polling',
    });
    expect(folderState(folder({ status: 'offline', detail: 'permission denied: Vitrine cannot read this folder' }))).toMatchObject({
      tone: 'warn',
      text: 'Offline',
      detail: 'permission denied: Vitrine cannot read this folder',
    });
    expect(folderState(folder({ status: 'paused', paused: true })).text).toBe('Paused');
    expect(folderState(folder({ status: 'stopped', paused: true })).text).toBe('Paused');
    // Between the click and the watcher's report.
    expect(folderState(folder({ status: 'watching', paused: true })).text).toBe('Pausing…');
    expect(folderState(folder({ status: 'paused', paused: false })).text).toBe('Resuming…');
    expect(
      [
        folder(),
        folder({ status: 'watching', paused: true }),
        folder({ status: 'paused', paused: true }),
        folder({ status: 'offline', paused: true }),
        folder({ status: 'paused' }),
        folder({ status: 'offline' }),
      ].map(shownStatus),
    ).toEqual(['watching', 'pausing', 'paused', 'paused', 'resuming', 'offline']);
    const stopped = folder({ status: 'stopped', detail: 'not watched: open the app or run `vitrine watch run`' });
    expect(folderState(stopped)).toMatchObject({ tone: 'off', text: 'Not watched' });
    expect(folderState(stopped, true).text).toBe('Starting…');
    expect(folderState(folder({ status: 'error', last_error: 'database is locked' }))).toMatchObject({ tone: 'error', detail: 'database is locked' });
  });

  it('the sidebar says only what needs saying', () => {
    expect(shortState(folder())).toBe('');
    expect(shortState(folder({ errors: 3 }))).toBe('3 failed');
    expect(shortState(folder({ status: 'scanning', detail: 'scanning 12/50', progress: { done: 12, total: 50 } }))).toBe('12/50');
    expect(shortState(folder({ status: 'scanning', detail: 'scanning 1,200/5,000', progress: { done: 1200, total: 5000 } }))).toBe(
      `${(1200).toLocaleString()}/${(5000).toLocaleString()}`,
    );
    expect(shortState(folder({ status: 'scanning', detail: 'scanning: 300 files', progress: { done: 300, total: null } }))).toBe('scanning');
    expect(shortState(folder({ status: 'scanning', detail: null }))).toBe('scanning');
    expect(shortState(folder({ status: 'offline' }))).toBe('offline');
    expect(shortState(folder({ paused: true, status: 'paused' }))).toBe('paused');
    expect(shortState(folder({ status: 'stopped' }))).toBe('not watched');
  });
});

describe('options', () => {
  it('the form round-trips FolderOptions: tags comma-separated, patterns one per line', () => {
    const d = { ...defaultDraft(), tags: ' screenshots, inbox,, screenshots ', include: '*.png\n\n renders/** \n', exclude: 'drafts/**' };
    expect(optionsFrom(d)).toEqual({
      recursive: true,
      include: ['*.png', 'renders/**'],
      exclude: ['drafts/**'],
      tags: ['screenshots', 'inbox'],
      visibility: 'private',
      copy: false,
      on_delete: 'keep',
      poll: false,
    });
    const o = { ...optionsFrom(d), on_delete: 'remove-remote' as const, poll: true, copy: true };
    expect(optionsFrom(draftFrom(o))).toEqual(o);
    expect(splitTags('')).toEqual([]);
  });

  it('sums up a folder’s options in one line', () => {
    expect(optionsSummary(folder())).toBe('with subfolders · private · kept in place · deleted files stay in the library');
    expect(
      optionsSummary(folder({ recursive: false, tags: ['a', 'b'], visibility: 'public', copy: true, on_delete: 'remove-remote', include: ['*.png'], poll: true })),
    ).toBe('top level only · tags: a, b · public · copied into the library · deleted files leave the library and the bucket · only *.png · polled');
  });
});

describe('activity lines', () => {
  const dir = '/home/me/Renders';
  it('words each change for people', () => {
    expect(eventLine({ kind: 'added', path: `${dir}/a.png`, detail: null }, dir)).toEqual({ verb: 'Added', name: 'a.png', detail: null, tone: 'ok' });
    const previous = '01J5ZQ3W8R6N2T4Y7C9B1D3F5H';
    expect(
      eventLine(
        { kind: 'edited', path: `${dir}/photo.png`, detail: `new version; the previous one (${previous}) stays in the library`, previous_id: previous, rule: 'keep' },
        dir,
      ),
    ).toEqual({ verb: 'Edited', name: 'photo.png', detail: 'new version; the previous one stays in the library', tone: 'info' });
    expect(
      eventLine({ kind: 'edited', path: `${dir}/photo.png`, detail: `new version; the previous one (${previous}) was removed …`, previous_id: previous, rule: 'remove-remote' }, dir)
        .detail,
    ).toBe('new version; the previous one was removed from the library and the bucket');
    expect(eventLine({ kind: 'edited', path: `${dir}/photo.png`, detail: 'new version' }, dir).detail).toBe('new version');
    expect(eventLine({ kind: 'moved', path: `${dir}/b.png`, detail: `moved from ${dir}/day 2/a.png`, moved_from: `${dir}/day 2/a.png` }, dir)).toMatchObject({
      verb: 'Moved',
      name: 'b.png',
      detail: 'from day 2/a.png',
    });
    expect(eventLine({ kind: 'failed', path: `${dir}/x.jpg`, detail: 'corrupt image: unexpected end of data' }, dir)).toMatchObject({
      verb: 'Failed',
      tone: 'error',
      detail: 'corrupt image: unexpected end of data',
    });
    expect(eventLine({ kind: 'duplicate', path: `${dir}/c.png`, detail: 'already in the library' }, dir)).toMatchObject({
      verb: 'Already in library',
      detail: null,
    });
    expect(eventLine({ kind: 'offline', path: dir, detail: 'folder not found' }, dir)).toMatchObject({ verb: 'Offline', name: '', tone: 'warn' });
  });

  it('times are relative while recent', () => {
    const now = Date.UTC(2024, 5, 1, 12);
    expect(ago(new Date(now - 5_000).toISOString(), now)).toBe('just now');
    expect(ago(new Date(now - 5 * 60_000).toISOString(), now)).toBe('5 min ago');
    expect(ago(new Date(now - 3 * 3600_000).toISOString(), now)).toBe('3 h ago');
    expect(ago('nonsense', now)).toBe('nonsense');
  });
});
