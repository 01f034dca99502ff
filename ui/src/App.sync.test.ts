import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { emptyStatus } from './lib/ipc/mock-backend';
import { fakeCore } from './test/helpers';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

afterEach(() => cleanup());

const byId = (id: string) => screen.getByTestId(id);
const value = (id: string, v: string) => fireEvent.input(byId(id), { target: { value: v } });

describe('App: bucket sync', () => {
  it('set up a bucket, watch images sync, share public and private links, retry a stopped sync', async () => {
    const lib = fakeCore({ count: 3 });
    for (const r of lib.records) {
      r.remote_state = 'local';
      r.visibility = 'private';
    }
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(3));
    await waitFor(() => expect(byId('sync-text').textContent).toBe('No bucket'));

    // Settings → Bucket: MinIO with its keys.
    await fireEvent.click(byId('sync-setup'));
    await screen.findByTestId('settings-bucket');
    await fireEvent.change(byId('bucket-provider'), { target: { value: 'minio' } });
    await value('bucket-endpoint', 'http://127.0.0.1:9000');
    await value('bucket-name', 'pics');
    await value('bucket-public-url', 'http://127.0.0.1:8000');
    await value('bucket-access-key', 'vitrine-test');
    await value('bucket-secret', 'vitrine-test-secret');
    await fireEvent.click(byId('bucket-save'));
    await screen.findByTestId('bucket-saved');
    expect(lib.keychain.get('main')).toEqual({ accessKeyId: 'vitrine-test', secretAccessKey: 'vitrine-test-secret' });
    expect(byId('bucket-credentials').textContent).toBe('Saved in the OS keychain');
    expect((byId('bucket-secret') as HTMLInputElement).value).toBe('');
    await fireEvent.click(byId('bucket-test'));
    await waitFor(() => expect(screen.getAllByTestId('probe-check').length).toBeGreaterThan(3));

    // The engine reports: syncing, then each image synced.
    lib.syncStatus({ remote: 'main', running: true, queued: 3 });
    await waitFor(() => expect(byId('sync-text').textContent).toBe('Syncing 3…'));
    await fireEvent.click(byId('filter-all'));
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(3));
    for (const r of lib.records) lib.syncEvent({ kind: 'image', id: r.id, state: 'synced', error: null });
    lib.syncStatus({ running: false, queued: 0 });
    await waitFor(() => expect(screen.getAllByTestId('cell').map((c) => c.dataset.remote)).toEqual(['synced', 'synced', 'synced']));
    await waitFor(() => expect(byId('sync-text').textContent).toBe('Synced'));

    // Detail: in the bucket; public → the stable URL, ready once the move is synced.
    const id = screen.getAllByTestId('cell')[0].dataset.id!;
    await fireEvent.click(screen.getAllByTestId('cell')[0]);
    await waitFor(() => expect(byId('detail-remote-state').dataset.state).toBe('synced'));
    await fireEvent.click(byId('visibility-public'));
    await waitFor(() => expect((byId('share-url') as HTMLInputElement).value).toMatch(/^http:\/\/127\.0\.0\.1:8000\/public\//));
    expect(byId('share-not-ready')).toBeTruthy();
    lib.syncEvent({ kind: 'image', id, state: 'synced', error: null });
    await waitFor(() => expect(screen.queryByTestId('share-not-ready')).toBeNull());

    // Private again: a 10-minute presigned link, with its expiry shown.
    await fireEvent.click(byId('visibility-private'));
    lib.syncEvent({ kind: 'image', id, state: 'synced', error: null });
    await waitFor(() => expect((byId('copy-link-url') as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(byId('expiry-600'));
    await fireEvent.click(byId('copy-link-url'));
    await waitFor(() => expect(byId('share-expiry').textContent).toMatch(/^Expires /));
    expect(lib.callsOf('image_link').at(-1)?.args).toEqual({ id, format: 'url', expires: 600 });
    expect((byId('share-url') as HTMLInputElement).value).toContain('X-Amz-Expires=600');

    // A failed upload shows its error; an auth error stops sync until Retry.
    lib.syncEvent({ kind: 'image', id, state: 'failed', error: 'the bucket refused the credentials (403)' });
    await waitFor(() => expect(byId('detail-remote-error').textContent).toContain('403'));
    lib.syncStatus({ ...emptyStatus(), remote: 'main', failed: 1, error: { code: 'remote_auth', message: 'the bucket refused the credentials' } });
    await waitFor(() => expect(byId('sync-text').textContent).toBe('Sync stopped'));
    expect(byId('sync-error').textContent).toContain('refused the credentials');
    await fireEvent.click(byId('sync-retry'));
    await waitFor(() => expect(lib.callsOf('retry_failed_sync')).toHaveLength(1));
    await waitFor(() => expect(byId('sync-text').textContent).not.toBe('Sync stopped'));
  });

  it('a sync that would delete most of the bucket stops and asks; "Delete from bucket" confirms it once', async () => {
    const lib = fakeCore({ count: 30 });
    lib.remote = {
      name: 'main',
      provider: 'folder',
      endpoint: '',
      region: '',
      bucket: '',
      prefix: '',
      path_style: false,
      path: '/mnt/backup/pics',
      public_url: null,
      strip_location: true,
      credentials: { source: 'not_needed' },
    };
    lib.syncState = {
      ...emptyStatus(),
      remote: 'main',
      error: { code: 'mass_delete', message: 'stopped: this sync would delete 25 of 30 images\' files from the bucket' },
      mass_delete: { deletes: 25, total: 30 },
    };
    render(App);
    await waitFor(() => expect(byId('sync-text').textContent).toBe('Sync stopped'));
    expect(byId('sync-error').textContent).toContain("This sync would delete 25 of 30 images' files from your bucket.");
    expect(byId('sync-retry')).toBeTruthy();

    // Asks first; Cancel changes nothing.
    await fireEvent.click(byId('sync-allow-deletes'));
    const dialog = await screen.findByTestId('confirm-bucket-deletes');
    expect(dialog.textContent).toContain("This sync would delete 25 of 30 images' files from your bucket.");
    expect(dialog.textContent).toContain('trash/');
    expect(document.activeElement).toBe(byId('confirm-bucket-deletes-cancel'));
    await fireEvent.click(byId('confirm-bucket-deletes-cancel'));
    await waitFor(() => expect(screen.queryByTestId('confirm-bucket-deletes')).toBeNull());
    expect(lib.callsOf('sync_allow_deletes')).toHaveLength(0);
    expect(byId('sync-text').textContent).toBe('Sync stopped');

    // Confirmed: the core is told once and the sync goes on.
    await fireEvent.click(byId('sync-allow-deletes'));
    await fireEvent.click(await screen.findByTestId('confirm-bucket-deletes-button'));
    await waitFor(() => expect(lib.callsOf('sync_allow_deletes')).toHaveLength(1));
    await waitFor(() => expect(byId('sync-text').textContent).toBe('Synced'));
    expect(screen.queryByTestId('confirm-bucket-deletes')).toBeNull();
    expect(screen.queryByTestId('sync-allow-deletes')).toBeNull();
    expect(lib.callsOf('retry_failed_sync')).toHaveLength(0);

    // A later mass delete stops again (the core does not remember the confirmation).
    lib.syncStatus({ error: { code: 'mass_delete', message: 'would delete 21 of 26' }, mass_delete: { deletes: 21, total: 26 } });
    await waitFor(() => expect(byId('sync-error').textContent).toContain('21 of 26'));
    expect(byId('sync-allow-deletes')).toBeTruthy();
  });
});
