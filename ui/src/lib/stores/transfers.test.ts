import { describe, expect, it, vi } from 'vitest';
import { applyEvent, Transfers, type Batch } from './transfers.svelte';
import { fakeCore, recordIPC } from '../../test/helpers';
import type { ImportEvent, Outcome } from '../ipc';

function batch(inputs: string[] = []): Batch {
  return {
    id: 1,
    label: 'x',
    source: 'file',
    tags: [],
    inputs,
    total: 0,
    done: 0,
    imported: 0,
    duplicates: 0,
    failed: 0,
    skipped: 0,
    failures: [],
    recent: [],
    state: 'running',
    error: null,
    first: null,
    firstRank: Infinity,
  };
}

const ok = (input: string): Outcome => ({ input, status: 'imported', id: `id-${input}`, error: null, code: null });
const dup = (input: string): Outcome => ({ input, status: 'duplicate', id: `id-${input}`, error: null, code: null });
const bad = (input: string, error: string): Outcome => ({ input, status: 'error', id: null, error, code: 'corrupt' });

describe('applyEvent', () => {
  it('counts imported / duplicate / failed from an event sequence', () => {
    const b = batch();
    const seq: ImportEvent[] = [
      { event: 'started', total: 4 },
      { event: 'item', done: 1, total: 4, outcome: ok('/a.jpg') },
      { event: 'item', done: 2, total: 4, outcome: dup('/b.jpg') },
      { event: 'item', done: 3, total: 4, outcome: bad('/c.txt', 'not an image') },
      { event: 'item', done: 4, total: 4, outcome: ok('/d.png') },
    ];
    for (const e of seq) applyEvent(b, e);
    expect(b).toMatchObject({ total: 4, done: 4, imported: 2, duplicates: 1, failed: 1, state: 'running' });
    expect(b.failures).toEqual([bad('/c.txt', 'not an image')]);
    expect(b.recent[0].input).toBe('/d.png');
    applyEvent(b, { event: 'finished', imported: 2, duplicates: 1, failed: 1, skipped: 3 });
    expect(b.state).toBe('done');
    expect(b.skipped).toBe(3);
  });

  it('a folder that expands to more items grows the total', () => {
    const b = batch();
    applyEvent(b, { event: 'started', total: 1 });
    applyEvent(b, { event: 'item', done: 1, total: 3, outcome: ok('/f/1.jpg') });
    expect(b.total).toBe(3);
  });

  it('remembers the image of the earliest named input that landed, whatever order they finish in', () => {
    const b = batch(['/p/one.jpg', '/p/two.png', '/p/folder']);
    applyEvent(b, { event: 'item', done: 1, total: 4, outcome: ok('/p/folder/x.jpg') });
    expect(b.first).toBe('id-/p/folder/x.jpg');
    applyEvent(b, { event: 'item', done: 2, total: 4, outcome: dup('/p/two.png') });
    expect(b.first).toBe('id-/p/two.png');
    applyEvent(b, { event: 'item', done: 3, total: 4, outcome: bad('/p/one.jpg', 'corrupt') });
    expect(b.first).toBe('id-/p/two.png');
    const c = batch(['/a.jpg', '/b.jpg']);
    applyEvent(c, { event: 'item', done: 1, total: 2, outcome: ok('/b.jpg') });
    applyEvent(c, { event: 'item', done: 2, total: 2, outcome: ok('/a.jpg') });
    expect(c.first).toBe('id-/a.jpg');
  });

  it('out-of-order done values never go backwards', () => {
    const b = batch();
    applyEvent(b, { event: 'item', done: 2, total: 2, outcome: ok('/b') });
    applyEvent(b, { event: 'item', done: 1, total: 2, outcome: ok('/a') });
    expect(b.done).toBe(2);
    expect(b.imported).toBe(2);
  });
});

describe('Transfers', () => {
  it('streams a real import into a batch and reports imported items', async () => {
    fakeCore();
    const onImported = vi.fn();
    const t = new Transfers({ onImported });
    const b = await t.importInputs(['/p/a.jpg', '/p/broken.txt', '/p/b.png'], 'drop');
    expect(b).toMatchObject({ imported: 2, duplicates: 0, failed: 1, state: 'done', total: 3, done: 3 });
    expect(b.failures.map((f) => f.input)).toEqual(['/p/broken.txt']);
    expect(onImported).toHaveBeenCalledTimes(2);
    expect(t.totals).toMatchObject({ imported: 2, failed: 1, running: 0 });
  });

  it('retry re-imports exactly the failed inputs with the same source and tags', async () => {
    const lib = fakeCore();
    const t = new Transfers();
    const b = await t.importInputs(['/ok.jpg', '/bad-1.jpg', 'https://x.test/404.png'], 'url', ['web']);
    expect(t.retryList(b.id)).toEqual(['/bad-1.jpg', 'https://x.test/404.png']);
    await t.retryFailed(b.id);
    const last = lib.callsOf('import_inputs').at(-1)?.args as Record<string, unknown>;
    expect(last.inputs).toEqual(['/bad-1.jpg', 'https://x.test/404.png']);
    expect(last.source).toBe('url');
    expect(last.tags).toEqual(['web']);
    expect(t.batches).toHaveLength(2);
  });

  it('a folder whose other files were not images: the summary count reaches the batch', async () => {
    recordIPC((cmd) => (cmd === 'import_inputs' ? { imported: 2, duplicates: 0, failed: 0, skipped: 3 } : null));
    const t = new Transfers();
    const b = await t.importInputs(['/photos'], 'drop');
    expect(b).toMatchObject({ imported: 2, skipped: 3, state: 'done' });
  });

  it('a failed command marks the batch as error and retries all its inputs', async () => {
    recordIPC(() => {
      throw { code: 'library_locked', message: 'the library is busy' };
    });
    const t = new Transfers();
    const b = await t.importInputs(['/a', '/b'], 'file');
    expect(b.state).toBe('error');
    expect(b.error).toBe('the library is busy');
    expect(t.retryList(b.id)).toEqual(['/a', '/b']);
  });

  it('pasted bytes become a batch of one and can be retried with the same bytes', async () => {
    const lib = fakeCore({ failures: { import_blob: { code: 'corrupt', message: 'corrupt image' } } });
    const t = new Transfers();
    const bytes = new Uint8Array([1, 2, 3]);
    const b = await t.importBlob(bytes, 'pasted.png');
    expect(b).toMatchObject({ source: 'paste', failed: 1, total: 1, done: 1 });
    expect(b.failures[0].error).toBe('corrupt image');
    lib.failures = {};
    const again = await t.retryFailed(b.id);
    expect(again?.imported).toBe(1);
    expect(lib.callsOf('import_blob').at(-1)?.args).toBe(bytes);
  });

  it('clearFinished keeps running batches', async () => {
    fakeCore();
    const t = new Transfers();
    await t.importInputs(['/a.jpg'], 'file');
    t.clearFinished();
    expect(t.batches).toHaveLength(0);
  });
});

describe('labels and summary', () => {
  it('a single URL batch is labelled with the decoded file name', async () => {
    const { batchLabel } = await import('./transfers.svelte');
    expect(batchLabel(['http://127.0.0.1:8000/remote%20photo.jpg'], 'url')).toBe('remote photo.jpg');
    expect(batchLabel(['http://x/bad%ZZ.jpg'], 'url')).toBe('bad%ZZ.jpg');
  });

  it('summaryParts puts failures right after imported and drops zero duplicates', async () => {
    const { summaryParts } = await import('./transfers.svelte');
    expect(summaryParts({ imported: 7, duplicates: 0, failed: 1 })).toEqual(['7 imported', '1 failed']);
    expect(summaryParts({ imported: 7, duplicates: 0, failed: 0 })).toEqual(['7 imported', '0 failed']);
    expect(summaryParts({ imported: 2, duplicates: 3, failed: 1 })).toEqual(['2 imported', '1 failed', '3 duplicates']);
  });
});
