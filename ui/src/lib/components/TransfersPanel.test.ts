import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/svelte';
import TransfersPanel from './TransfersPanel.svelte';
import type { Batch } from '../stores/transfers.svelte';

afterEach(() => cleanup());

function batch(over: Partial<Batch> = {}): Batch {
  return {
    id: 1,
    label: 'remote photo.jpg',
    source: 'url',
    tags: [],
    inputs: ['http://127.0.0.1/remote%20photo.jpg'],
    total: 8,
    done: 8,
    imported: 7,
    duplicates: 0,
    failed: 1,
    skipped: 0,
    failures: [{ input: 'http://127.0.0.1/bad%20one.jpg', status: 'error', id: null, error: 'corrupt', code: 'corrupt' }],
    recent: [],
    state: 'done',
    error: null,
    first: null,
    firstRank: Infinity,
    ...over,
  };
}

const noop = () => {};

function show(b: Batch) {
  render(TransfersPanel, {
    props: {
      batches: [b],
      totals: { total: b.total, done: b.done, imported: b.imported, duplicates: b.duplicates, failed: b.failed, running: 0 },
      open: true,
      ontoggle: noop,
      onretry: noop,
      ondismiss: noop,
      onclear: noop,
    },
  });
}

describe('TransfersPanel', () => {
  it('header shows failures before anything else can be cut off, zero duplicates omitted, full text in title', () => {
    show(batch());
    const counts = screen.getByTestId('transfers-counts');
    expect(counts.textContent?.replace(/\s+/g, ' ').trim()).toBe('7 imported · 1 failed');
    expect(counts.getAttribute('title')).toBe('7 imported · 1 failed');
    expect(screen.getByTestId('count-failed').textContent).toBe('1');
    expect(screen.queryByTestId('count-duplicates')).toBeNull();
  });

  it('shows duplicates after failures when there are some', () => {
    show(batch({ duplicates: 2, imported: 5 }));
    const counts = screen.getByTestId('transfers-counts');
    expect(counts.textContent?.replace(/\s+/g, ' ').trim()).toBe('5 imported · 1 failed · 2 duplicates');
    expect(counts.getAttribute('title')).toBe('5 imported · 1 failed · 2 duplicates');
  });

  it('says how many files of a dropped folder were not images, only when some were', () => {
    show(batch({ skipped: 3 }));
    expect(screen.getByTestId('not-images').textContent).toBe('3 files were not images');
    cleanup();
    show(batch({ skipped: 1 }));
    expect(screen.getByTestId('not-images').textContent).toBe('1 file was not an image');
    cleanup();
    show(batch());
    expect(screen.queryByTestId('not-images')).toBeNull();
  });

  it('URL names are shown decoded (label and failures)', () => {
    show(batch());
    expect(screen.getByTestId('batch-label').textContent).toBe('remote photo.jpg');
    expect(screen.getByTestId('failures').textContent).toContain('bad one.jpg');
  });
});
