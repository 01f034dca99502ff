import { afterEach, describe, expect, it } from 'vitest';
import { App } from './app.svelte';
import { fakeCore, flush } from '../../test/helpers';

let app: App | null = null;
afterEach(() => {
  app?.stop();
  app = null;
});

describe('files given to open ("Open with Vitrine")', () => {
  it('imports the files given at launch like a drop and shows the first one', async () => {
    const lib = fakeCore({ count: 2 });
    lib.openRequests = ['/home/me/b.png', '/home/me/broken.txt', '/home/me/a.jpg'];
    app = new App();
    app.start();
    await flush(20);
    const [batch] = app.transfers.batches;
    expect(batch).toMatchObject({ source: 'file', imported: 2, failed: 1, state: 'done' });
    expect(batch.failures.map((f) => f.input)).toEqual(['/home/me/broken.txt']);
    const first = lib.records.find((r) => r.filename === 'b.png');
    expect(app.detail.id, 'the first file given is shown').toBe(first?.id);
    expect(lib.openRequests, 'taken once').toEqual([]);
    // The failure is not hidden behind the detail view.
    const toast = app.toasts.list.find((t) => t.message === '1 file could not be imported.');
    expect(toast?.kind).toBe('error');
    app.transfers.open = false;
    toast?.action?.run();
    expect(app.detail.id).toBeNull();
    expect(app.transfers.open).toBe(true);
  });

  it('shows no image when nothing given could be imported (the transfers panel says why)', async () => {
    const lib = fakeCore({ count: 1 });
    lib.openRequests = ['/home/me/notes.txt'];
    app = new App();
    app.start();
    await flush(20);
    expect(app.transfers.batches[0]).toMatchObject({ imported: 0, failed: 1 });
    expect(app.detail.id).toBeNull();
    expect(app.transfers.open).toBe(true);
  });

  it('files passed by a second launch reach the running window', async () => {
    const lib = fakeCore({ count: 1 });
    lib.enableEvents();
    app = new App();
    app.start();
    await flush(10);
    expect(app.transfers.batches).toEqual([]);
    lib.openWith(['/tmp/late.webp']);
    await flush(20);
    expect(app.transfers.batches[0]).toMatchObject({ imported: 1, inputs: ['/tmp/late.webp'] });
    expect(app.detail.id).toBe(lib.records.find((r) => r.filename === 'late.webp')?.id);
  });
});

describe('crash reports', () => {
  it('tells once where the report of the last crash is, with a way to open the folder', async () => {
    const lib = fakeCore();
    lib.crashReports = ['/home/me/.local/state/vitrine/crash-20261202T100000Z-42.txt'];
    app = new App();
    app.start();
    await flush(10);
    const toast = app.toasts.list.find((t) => t.message.includes('crash report'));
    expect(toast?.message).toContain('crash-20261202T100000Z-42.txt');
    expect(toast?.message).toContain('nothing was sent');
    expect(toast?.timeout, 'stays until dismissed').toBe(0);
    toast?.action?.run();
    await flush();
    expect(lib.callsOf('open_log_folder')).toHaveLength(1);
    expect(lib.crashReports).toEqual([]);
  });

  it('says nothing when there was no crash', async () => {
    fakeCore();
    app = new App();
    app.start();
    await flush(10);
    expect(app.toasts.list).toEqual([]);
    expect(app.about?.version).toBe('0.1.0-mock');
  });
});

describe('a link that cannot be made', () => {
  it('is said once: in the Share section for the open image, as a toast for another one', async () => {
    const lib = fakeCore({ count: 2, failures: { image_link: { code: 'remote', message: 'a folder remote has no presigned links' } } });
    app = new App();
    app.start();
    await flush(10);
    const [open, other] = lib.records;
    await app.detail.open(open.id);
    await app.copyLink(open.id, 'url');
    expect(app.detail.linkError).toContain('no presigned links');
    expect(app.toasts.list.filter((t) => t.kind === 'error'), 'not twice').toEqual([]);
    await app.copyLink(other.id, 'markdown');
    expect(app.toasts.list.filter((t) => t.kind === 'error').map((t) => t.message)).toEqual(['A folder remote has no presigned links']);
  });
});
