import { describe, expect, it } from 'vitest';
import { SyncStore, massDelete, summarize } from './sync.svelte';
import { shortenKeys } from '../util/format';
import { emit, emptyStatus } from '../ipc/mock-backend';
import { fakeCore, flush } from '../../test/helpers';
import { PROVIDER_PRESETS } from '../ipc/bindings/providerPresets';
import type { RemoteState, SyncStatus } from '../ipc';
import { minioSpec } from '../ipc/mock/fixtures';

const status = (over: Partial<SyncStatus>): SyncStatus => ({ ...emptyStatus(), remote: 'main', ...over });

const minio = minioSpec({ public_url: 'http://127.0.0.1:8000' });

describe('summarize', () => {
  it('words each state and offers the right action', () => {
    expect(summarize(null)).toMatchObject({ tone: 'off', action: 'setup' });
    expect(summarize(emptyStatus())).toMatchObject({ tone: 'off', text: 'No bucket' });
    expect(summarize(status({}))).toMatchObject({ tone: 'ok', text: 'Synced', action: null });
    expect(summarize(status({ running: true, queued: 1234 }))).toMatchObject({ tone: 'busy', text: `Syncing ${(1234).toLocaleString()}…` });
    expect(summarize(status({ failed: 2 }))).toMatchObject({ tone: 'warn', text: '2 failed', action: 'retry' });
    const stopped = summarize(status({ failed: 2, error: { code: 'remote_auth', message: 'the bucket refused the credentials' } }));
    expect(stopped).toMatchObject({ tone: 'error', text: 'Sync stopped', detail: 'the bucket refused the credentials', action: 'retry', settings: true });
    const db = summarize(status({ error: { code: 'database', message: 'database is locked' } }));
    expect(db).toMatchObject({ tone: 'error', action: 'retry', settings: false });
  });

  it('a stop before a mass delete is worded in app terms and offers to confirm', () => {
    const stop = status({
      error: { code: 'mass_delete', message: 'stopped: this sync would delete 25 of 30 objects; run `vitrine sync --once --allow-deletes`' },
      mass_delete: { deletes: 25, total: 30 },
    });
    const s = summarize(stop);
    expect(s).toMatchObject({ tone: 'error', text: 'Sync stopped', action: 'retry', settings: false, deletes: { deletes: 25, total: 30 } });
    expect(s.detail).toBe("This sync would delete 25 of 30 images' files from your bucket. Nothing is deleted until you confirm.");
    expect(s.detail).not.toContain('--allow-deletes');
    // Without the numbers in the status nothing is read from the message: a plain stop, no confirm.
    const bare = { ...stop, mass_delete: null };
    expect(massDelete(bare)).toBeNull();
    expect(summarize(bare)).toMatchObject({ tone: 'error', text: 'Sync stopped', action: 'retry', settings: false });
    expect(summarize(bare).deletes).toBeUndefined();
    // The numbers count only with a mass_delete stop.
    expect(massDelete(status({ error: { code: 'remote', message: 'refused' }, mass_delete: { deletes: 1, total: 2 } }))).toBeNull();
    // Other stops offer no delete.
    expect(summarize(status({ error: { code: 'remote_auth', message: 'refused' } })).deletes).toBeUndefined();
    expect(massDelete(status({ error: { code: 'remote', message: '3 of 4 parts' } }))).toBeNull();
  });

  it('keeps a reason readable: sha256 keys are cut to 8 digits', () => {
    const sha = '972b0a0c4e5e3fa93f4f244fc84bc64b121a5eac3aaa5856f1308c1f38a02f8e';
    expect(shortenKeys(`checking private/97/${sha}.jpg: the secret access key is wrong`)).toBe(
      'checking private/97/972b0a0c….jpg: the secret access key is wrong',
    );
    expect(shortenKeys('no key here 1234')).toBe('no key here 1234');
  });
});

function store() {
  const images: Array<[string, RemoteState, string | null]> = [];
  let resets = 0;
  const s = new SyncStore({
    onImage: (id, state, error) => images.push([id, state, error]),
    onRemoteChanged: () => resets++,
  });
  return { s, images, resets: () => resets };
}

describe('SyncStore', () => {
  it('saves the bucket: credentials go to the keychain once and are never read back', async () => {
    const lib = fakeCore({ count: 3 });
    const { s, resets } = store();
    await s.load();
    expect(s.loaded).toBe(true);
    expect(s.configured).toBe(false);
    expect(await s.save(minio, ' AKID ', 'SECRET')).toBe(true);
    expect(lib.keychain.get('main')).toEqual({ accessKeyId: 'AKID', secretAccessKey: 'SECRET' });
    expect(s.remote).toMatchObject({ provider: 'minio', credentials: { source: 'keychain' } });
    expect(JSON.stringify(s.remote)).not.toContain('SECRET');
    expect(resets()).toBe(1);
    // Saving again without typing keeps the keys: none are sent.
    expect(await s.save({ ...minio, prefix: 'v' }, '', '')).toBe(true);
    expect(lib.callsOf('set_remote')[1].args).toEqual({ remote: { ...minio, prefix: 'v' } });
    await flush();
    expect(s.status?.remote).toBe('main');
  });

  it('reads the provider presets from the core, once', async () => {
    const lib = fakeCore();
    const { s } = store();
    await s.load();
    expect(s.presets).toEqual(PROVIDER_PRESETS);
    await s.load();
    expect(lib.callsOf('providers')).toHaveLength(1);
  });

  it('keeps the error code and message when the keychain is unavailable', async () => {
    const lib = fakeCore();
    lib.failures = {
      set_remote: { code: 'keychain_unavailable', message: 'keychain not available: no Secret Service; start gnome-keyring' },
    };
    const { s } = store();
    expect(await s.save(minio, 'A', 'B')).toBe(false);
    expect(s.error).toMatchObject({ code: 'keychain_unavailable' });
    expect(s.remote).toBeNull();
    expect(s.saving).toBe(false);
  });

  it('follows sync-status and forwards sync-event image changes', async () => {
    const lib = fakeCore({ count: 2 });
    const { s, images } = store();
    const un = s.subscribe();
    await flush();
    lib.syncStatus(status({ running: true, queued: 2 }));
    await flush();
    expect(s.summary.text).toBe('Syncing 2…');
    lib.syncEvent({ kind: 'image', id: lib.records[0].id, state: 'synced', error: null });
    lib.syncEvent({ kind: 'progress', done: 1, queued: 1, failed: 0 });
    await emit('sync-event', { kind: 'image', id: 'X', state: 'failed', error: '403 Forbidden' });
    await flush();
    expect(images).toEqual([
      [lib.records[0].id, 'synced', null],
      ['X', 'failed', '403 Forbidden'],
    ]);
    for (const u of un) u();
  });

  it('Test bucket lists each check; a failing command becomes one failed check', async () => {
    const lib = fakeCore();
    const { s } = store();
    await s.save(minio, 'A', 'B');
    await s.test();
    expect(s.probe?.ok).toBe(true);
    expect(s.probe?.checks.map((c) => c.status)).toContain('pass');
    lib.failures = { test_remote: { code: 'no_remote', message: 'no remote is set up' } };
    await s.test();
    expect(s.probe).toMatchObject({ ok: false, checks: [{ status: 'fail', message: 'no remote is set up' }] });
    expect(s.testing).toBe(false);
  });

  it('retry releases failed items and clears a stop', async () => {
    const lib = fakeCore({ count: 60 });
    const { s } = store();
    await s.save(minio, 'A', 'B');
    lib.records[7].remote_state = 'failed';
    lib.syncState = status({ failed: 1, error: { code: 'remote_auth', message: 'refused' } });
    expect(await s.retry()).toBeNull();
    expect(s.status).toMatchObject({ failed: 0, error: null });
    expect(lib.records[7].remote_state).toBe('pending');
  });

  it('confirming a mass delete calls sync_allow_deletes once and clears the stop', async () => {
    const lib = fakeCore({ count: 30 });
    const { s } = store();
    await s.save(minio, 'A', 'B');
    lib.syncState = status({ error: { code: 'mass_delete', message: 'would delete 25 of 30' }, mass_delete: { deletes: 25, total: 30 } });
    await s.refreshStatus();
    expect(s.summary.deletes).toEqual({ deletes: 25, total: 30 });
    expect(await s.allowDeletes()).toBeNull();
    expect(lib.callsOf('sync_allow_deletes')).toHaveLength(1);
    expect(lib.callsOf('retry_failed_sync')).toHaveLength(0);
    expect(s.status).toMatchObject({ error: null, mass_delete: null });
    expect(s.retrying).toBe(false);
    lib.failures = { sync_allow_deletes: { code: 'internal', message: 'the sync thread is gone' } };
    expect(await s.allowDeletes()).toBe('the sync thread is gone');
  });

  it('remove forgets the bucket and its keychain entry', async () => {
    const lib = fakeCore();
    const { s, resets } = store();
    await s.save(minio, 'A', 'B');
    expect(await s.remove()).toBe(true);
    expect(s.remote).toBeNull();
    expect(lib.keychain.size).toBe(0);
    expect(resets()).toBe(2);
  });
});
