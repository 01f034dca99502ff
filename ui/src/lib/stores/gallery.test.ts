import { describe, expect, it } from 'vitest';
import { CAPTION_PROMPT_CHARS, compact, Gallery, GRID_ITEM_FIELDS, MAX_LOADED, PAGE_SIZE, type GridItem } from './gallery.svelte';
import { fakeCore, fakeRecordIds, recordIPC } from '../../test/helpers';
import { fakeRecord } from '../ipc/mock-backend';
import { tile } from '../ipc/mock/fixtures';
import type { ListQuery } from '../ipc';

function queries(lib: { callsOf(c: string): Array<{ args: unknown }> }): ListQuery[] {
  return lib.callsOf('list_grid').map((c) => (c.args as { query: ListQuery }).query);
}

describe('Gallery paging (keyset)', () => {
  it('loads the first page with after = null and the filter', async () => {
    const lib = fakeCore({ count: 450 });
    const g = new Gallery();
    g.setFilter({ sort: 'newest', tag: null });
    await g.idle();
    expect(queries(lib)).toEqual([
      { search: null, sort: 'newest', limit: PAGE_SIZE, after: null },
    ]);
    expect(g.items).toHaveLength(PAGE_SIZE);
    expect(g.ready).toBe(true);
    expect(g.exhausted).toBe(false);
  });

  it('the next request passes after = id of the last record, and no record appears twice', async () => {
    const lib = fakeCore({ count: 450 });
    const g = new Gallery();
    g.setFilter({ sort: 'newest' });
    await g.idle();
    g.ensure(250);
    await g.idle();
    const q = queries(lib);
    expect(q).toHaveLength(2);
    expect(q[1].after).toBe(g.items[PAGE_SIZE - 1]!.id);
    g.ensure(449);
    await g.idle();
    expect(queries(lib)[2].after).toBe(g.items[2 * PAGE_SIZE - 1]!.id);
    expect(g.items).toHaveLength(450);
    expect(new Set(g.items.map((r) => r?.id)).size).toBe(450);
    expect(g.exhausted).toBe(true);
    expect(g.total).toBe(450);
    // Exhausted: no more requests.
    g.ensure(10_000);
    await g.idle();
    expect(queries(lib)).toHaveLength(3);
  });

  it('drops duplicates when pages overlap, and keeps walking from the raw page cursor', async () => {
    const all = fakeRecordIds(300).map((_, i) => tile(fakeRecord(i)));
    let n = 0;
    const calls = recordIPC((cmd, args) => {
      if (cmd !== 'list_grid') return null;
      void args;
      n++;
      if (n === 1) return all.slice(0, 200);
      if (n === 2) return all.slice(150, 350); // overlaps 50
      return [];
    });
    const g = new Gallery();
    g.setFilter({ sort: 'newest' });
    await g.idle();
    g.ensure(250);
    await g.idle();
    expect(g.items.map((r) => r?.id)).toEqual(all.map((r) => r?.id));
    const lq = calls.filter((c) => c.cmd === 'list_grid').map((c) => (c.args.query as ListQuery).after);
    expect(lq[1]).toBe(all[199].id);
  });

  it('a filter change discards the page in flight', async () => {
    const lib = fakeCore({ count: 50 });
    const g = new Gallery();
    g.setFilter({ sort: 'newest' });
    g.setFilter({ sort: 'newest', visibility: 'public' });
    await g.idle();
    expect(g.items.every((r) => r?.visibility === 'public')).toBe(true);
    expect(queries(lib).at(-1)?.visibility).toBe('public');
  });

  it('total uses the known count for the scrollbar and placeholders', async () => {
    fakeCore({ count: 450 });
    const g = new Gallery();
    g.setKnownTotal(450);
    g.setFilter({ sort: 'newest' });
    expect(g.total).toBe(450);
    await g.idle();
    expect(g.items).toHaveLength(200);
    expect(g.total).toBe(450);
  });

  it('without a known count, one page of placeholders follows until exhausted', async () => {
    fakeCore({ count: 450 });
    const g = new Gallery();
    g.setFilter({ sort: 'newest', search: 'sunset' });
    await g.idle();
    expect(g.total).toBe(g.items.length + (g.exhausted ? 0 : PAGE_SIZE));
  });

  it('refresh reloads from the start and swaps in the new list', async () => {
    const lib = fakeCore({ count: 10 });
    const g = new Gallery();
    g.setFilter({ sort: 'newest' });
    await g.idle();
    expect(g.items).toHaveLength(10);
    await lib.handle('import_inputs', { inputs: ['/new/a.png'], source: 'file', tags: [], onEvent: { onmessage() {} } });
    g.refresh();
    await g.idle();
    expect(g.items).toHaveLength(11);
    expect(g.items[0]!.filename).toBe('a.png');
  });

  it('hide/unhide/remove adjust what the grid shows', async () => {
    fakeCore({ count: 5 });
    const g = new Gallery();
    g.setFilter({ sort: 'newest' });
    await g.idle();
    const id = g.items[1]!.id;
    g.hide([id]);
    expect(g.visible.map((r) => r?.id)).not.toContain(id);
    expect(g.total).toBe(4);
    g.unhide([id]);
    expect(g.visible).toHaveLength(5);
    g.remove([id]);
    expect(g.items).toHaveLength(4);
  });

  it('an error stops paging and retry resumes it', async () => {
    const lib = fakeCore({ count: 5, failures: { list_grid: { code: 'database', message: 'database is locked' } } });
    const g = new Gallery();
    g.setFilter({ sort: 'newest' });
    await g.idle();
    expect(g.error).toBe('database is locked');
    lib.failures = {};
    g.retry();
    await g.idle();
    expect(g.error).toBeNull();
    expect(g.items).toHaveLength(5);
  });
});

describe('Gallery refresh when scrolled', () => {
  it('reloads only up to the viewport, then pages the rest in again on demand', async () => {
    const lib = fakeCore({ count: 1000 });
    const g = new Gallery();
    g.setFilter({ sort: 'newest' });
    await g.idle();
    g.ensure(900);
    await g.idle();
    expect(g.items).toHaveLength(1000);
    g.ensure(250); // user scrolled back up
    const before = lib.callsOf('list_grid').length;
    g.refresh();
    await g.idle();
    const reloadCalls = lib.callsOf('list_grid').length - before;
    expect(reloadCalls).toBe(2); // 250 + margin → two pages, not five
    expect(g.items).toHaveLength(400);
    expect(g.exhausted).toBe(false);
    g.ensure(700);
    await g.idle();
    expect(g.items.length).toBeGreaterThanOrEqual(800);
    expect(new Set(g.items.map((r) => r?.id)).size).toBe(g.items.length);
  });
});

describe('Gallery memory bound', () => {
  const held = (g: Gallery) => g.items.filter((r) => r !== undefined).length;

  /** Scrolls the viewport (40 visible cells) from `from` to `to` in steps of one screen. */
  async function scroll(g: Gallery, from: number, to: number, check: () => void) {
    const step = from <= to ? 40 : -40;
    for (let i = from; step > 0 ? i <= to : i >= to; i += step) {
      g.ensure(i + 39, i);
      await g.idle();
      check();
    }
  }

  it('keeps only the compact grid fields per image', async () => {
    fakeCore({ count: 10 });
    const g = new Gallery();
    g.setFilter({ sort: 'newest' });
    await g.idle();
    expect(g.items).toHaveLength(10);
    for (const r of g.items) expect(Object.keys(r!).sort()).toEqual([...GRID_ITEM_FIELDS, 'promptStart'].sort());
    const full = fakeRecord(3);
    expect(Object.keys(compact(full)).sort()).toEqual([...GRID_ITEM_FIELDS, 'promptStart'].sort());
    expect(compact(full)).not.toHaveProperty('prompt');
    // Only a prompt's beginning is kept, for captions.
    const long = compact({ ...full, prompt: 'word '.repeat(400) });
    expect(long.promptStart!.length).toBeLessThanOrEqual(CAPTION_PROMPT_CHARS + 1);
    expect(long.promptStart!.endsWith('…')).toBe(true);
    expect(compact({ ...full, prompt: null }).promptStart).toBeNull();
  });

  it('with 20k images the store never holds more than the bound', async () => {
    fakeCore({ count: 20_000 });
    const g = new Gallery();
    g.setKnownTotal(20_000);
    g.setFilter({ sort: 'newest' });
    await g.idle();
    let max = 0;
    const check = () => {
      max = Math.max(max, held(g));
      expect(held(g)).toBeLessThanOrEqual(MAX_LOADED);
      expect(g.loadedCount).toBeLessThanOrEqual(MAX_LOADED);
      expect(g.loadedCount).toBe(held(g));
    };
    await scroll(g, 0, 19_960, check);
    expect(g.items).toHaveLength(20_000);
    expect(g.exhausted).toBe(true);
    expect(max).toBeGreaterThan(MAX_LOADED - 2 * PAGE_SIZE);
    // What the viewport shows is loaded; far away is dropped.
    expect(g.items.slice(19_960).every((r) => r !== undefined)).toBe(true);
    expect(g.items[0]).toBeUndefined();
    expect(g.items[10_000]).toBeUndefined();
  });

  it('scrolling back re-fetches a dropped page once, with the after cursor of its boundary', async () => {
    const lib = fakeCore({ count: 20_000 });
    const g = new Gallery();
    g.setKnownTotal(20_000);
    g.setFilter({ sort: 'newest' });
    await g.idle();
    await scroll(g, 0, 1200, () => {});
    const ids = g.items.slice(0, 1400).map((r) => r!.id);
    await scroll(g, 1240, 12_000, () => {});
    expect(g.items[1000]).toBeUndefined();
    const before = queries(lib).length;
    // Back to the page holding 1000..1199: its after cursor is the id at 999.
    for (let k = 0; k < 5; k++) g.ensure(1039, 1000);
    await g.idle();
    g.ensure(1039, 1000);
    await g.idle();
    const again = queries(lib).slice(before);
    expect(again.filter((q) => q.after === ids[999])).toHaveLength(1);
    expect(again.every((q) => q.limit === PAGE_SIZE && q.sort === 'newest')).toBe(true);
    expect(g.items.slice(1000, 1200).map((r) => r?.id)).toEqual(ids.slice(1000, 1200));
    // The margin above the view needed page 800..999 too (after = id at 799); nothing else.
    expect(again.map((q) => q.after).sort()).toEqual([ids[799], ids[999]].sort());
    expect(g.loadedCount).toBeLessThanOrEqual(MAX_LOADED);
    // Idle now: nothing re-fetches in a loop.
    const settled = queries(lib).length;
    g.ensure(1039, 1000);
    await g.idle();
    expect(queries(lib).length).toBe(settled);
  });

  it('a refresh deep in a big library stays bounded and settles', async () => {
    const lib = fakeCore({ count: 20_000 });
    const g = new Gallery();
    g.setKnownTotal(20_000);
    g.setFilter({ sort: 'newest' });
    await g.idle();
    await scroll(g, 0, 8000, () => {});
    await lib.handle('import_inputs', { inputs: ['/new/a.png'], source: 'file', tags: [], onEvent: { onmessage() {} } });
    g.refresh();
    await g.idle();
    expect(g.error).toBeNull();
    expect(g.loadedCount).toBeLessThanOrEqual(MAX_LOADED);
    expect(g.items.slice(8000, 8040).every((r) => r !== undefined)).toBe(true);
    const n = queries(lib).length;
    // Scrolling back to the top re-fetches the first page, which now holds the new image.
    await scroll(g, 40, 0, () => {});
    expect(g.items[0]?.filename).toBe('a.png');
    const after = queries(lib).length;
    expect(after).toBeGreaterThan(n);
    g.ensure(39, 0);
    await g.idle();
    expect(queries(lib).length).toBe(after);
  });
});

describe('Gallery re-fetch after a delete in a dropped page', () => {
  async function scroll(g: Gallery, from: number, to: number) {
    const step = from <= to ? 40 : -40;
    for (let i = from; step > 0 ? i <= to : i >= to; i += step) {
      g.ensure(i + 39, i);
      await g.idle();
    }
  }
  const held = (g: Gallery) => g.items.filter((r) => r !== undefined).length;

  it('de-duplicates by id and keeps positions consistent', async () => {
    const lib = fakeCore({ count: 20_000 });
    const g = new Gallery();
    g.setKnownTotal(20_000);
    g.setFilter({ sort: 'newest' });
    await g.idle();
    await scroll(g, 0, 1600);
    const ids = g.items.slice(0, 1600).map((r) => r!.id);
    await scroll(g, 1640, 12_000);
    expect(g.items[1100]).toBeUndefined();
    expect(g.items[1300]).toBeUndefined();
    // Image 1100 is deleted while its page (1000..1199) is dropped.
    const gone = ids[1100];
    lib.records = lib.records.filter((r) => r.id !== gone);
    g.remove([gone]);
    const expected = ids.filter((id) => id !== gone);
    // Back to that page (the next one is still dropped), then on to the next one.
    await scroll(g, 1000, 1400);
    const seen = g.items.filter((r): r is GridItem => r !== undefined).map((r) => r.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(g.items.slice(1000, 1399).map((r) => r?.id)).toEqual(expected.slice(1000, 1399));
    expect(g.loadedCount).toBe(held(g));
    expect(g.indexOf(expected[1250])).toBe(1250);
  });
});

describe('Gallery jumps (pages by position)', () => {
  /** The ids the core lists, in order. */
  const truth = (lib: ReturnType<typeof fakeCore>) => lib.list({ sort: 'newest', limit: 1_000_000 }).map((r) => r.id);

  async function opened(count: number) {
    const lib = fakeCore({ count });
    const g = new Gallery();
    g.setKnownTotal(count);
    g.setFilter({ sort: 'newest' });
    await g.idle();
    return { lib, g };
  }

  it('a fast scroll fetches nothing while it flies; once it settles, only the pages in view, by position', async () => {
    const { lib, g } = await opened(20_000);
    const before = queries(lib).length;
    for (let i = 40; i <= 12_000; i += 400) {
      g.ensure(i + 39, i, true);
      await g.idle();
    }
    expect(queries(lib).length).toBe(before);
    g.ensure(12_039, 12_000, false);
    await g.idle();
    const asked = queries(lib).slice(before);
    expect(asked.length).toBeLessThanOrEqual(3);
    expect(asked[0].offset).toBeGreaterThan(11_000);
    expect(g.items.slice(11_900, 12_140).map((r) => r?.id)).toEqual(truth(lib).slice(11_900, 12_140));
    // Back up through what was never fetched, fast: nothing; settled at the top: the first page is still held.
    const mid = queries(lib).length;
    for (let i = 11_600; i >= 0; i -= 400) g.ensure(i + 39, i, true);
    await g.idle();
    expect(queries(lib).length).toBe(mid);
    g.ensure(39, 0, false);
    await g.idle();
    expect(g.items.slice(0, 40).every((r) => r !== undefined)).toBe(true);
  });

  it('without a count a fast scroll still walks (nothing could be fetched by position)', async () => {
    const lib = fakeCore({ count: 3000 });
    const g = new Gallery();
    g.setFilter({ sort: 'newest' });
    await g.idle();
    const before = queries(lib).length;
    g.ensure(639, 600, true);
    await g.idle();
    expect(queries(lib).length).toBeGreaterThan(before);
    expect(g.items[639]).toBeDefined();
  });

  it('a jump deep into the list fetches only the pages in view, by position, not every page before them', async () => {
    const { lib, g } = await opened(20_000);
    const before = queries(lib).length;
    g.ensure(15_039, 15_000);
    await g.idle();
    const asked = queries(lib).slice(before);
    // The view (15,000–15,039) and its margin (14,900–15,139): the pages at 14,800 and 15,000 of
    // the placeholders laid from 200 up; the second follows the first by keyset.
    expect(asked.length).toBeLessThanOrEqual(3);
    expect(asked[0].offset).toBeGreaterThan(14_000);
    expect(asked.slice(1).every((q) => q.offset === undefined && q.after !== null)).toBe(true);
    const ids = truth(lib);
    expect(g.items.slice(14_900, 15_140).map((r) => r?.id)).toEqual(ids.slice(14_900, 15_140));
    expect(g.items[5000]).toBeUndefined();
    expect(g.loadedCount).toBeLessThanOrEqual(4 * PAGE_SIZE);
    expect(g.total).toBe(20_000);
    // Settled: asking for the same view again fetches nothing.
    const settled = queries(lib).length;
    g.ensure(15_039, 15_000);
    await g.idle();
    expect(queries(lib).length).toBe(settled);
  });

  it('after a jump, scrolling up fetches by position and scrolling on walks by keyset, in the right places', async () => {
    const { lib, g } = await opened(20_000);
    g.ensure(15_039, 15_000);
    await g.idle();
    const ids = truth(lib);
    const mark = queries(lib).length;
    for (let i = 15_000; i >= 13_000; i -= 40) {
      g.ensure(i + 39, i);
      await g.idle();
    }
    for (let i = 15_000; i <= 17_000; i += 40) {
      g.ensure(i + 39, i);
      await g.idle();
    }
    const asked = queries(lib).slice(mark);
    expect(asked.length).toBeLessThanOrEqual(25); // ~4,000 positions: 20 pages and a margin
    expect(asked.some((q) => q.offset !== undefined)).toBe(true);
    const held = g.items.map((r, i) => [i, r?.id] as const).filter(([, id]) => id !== undefined);
    expect(held.length).toBeGreaterThan(3000);
    for (const [i, id] of held) expect(id).toBe(ids[i]);
    expect(new Set(held.map(([, id]) => id)).size).toBe(held.length);
  });

  it('the end of the list is reached without walking it, and the list ends there', async () => {
    const { lib, g } = await opened(20_000);
    g.ensure(19_999, 19_960);
    await g.idle();
    expect(queries(lib).length).toBeLessThanOrEqual(3);
    expect(g.items[19_999]?.id).toBe(truth(lib)[19_999]);
    expect(g.total).toBe(20_000);
    expect(g.exhausted).toBe(true);
  });

  it('a count larger than the list (images deleted elsewhere) settles on what the core has', async () => {
    const lib = fakeCore({ count: 5000 });
    const g = new Gallery();
    g.setKnownTotal(6000);
    g.setFilter({ sort: 'newest' });
    await g.idle();
    g.ensure(5999, 5960);
    await g.idle();
    g.ensure(4999, 4960);
    await g.idle();
    expect(g.exhausted).toBe(true);
    expect(g.total).toBe(5000);
    expect(g.items[4999]?.id).toBe(truth(lib)[4999]);
  });

  it('a refresh deep in the list reloads from the kept page by position, not from the top', async () => {
    const { lib, g } = await opened(20_000);
    g.ensure(15_039, 15_000);
    await g.idle();
    await lib.handle('import_inputs', { inputs: ['/new/a.png'], source: 'file', tags: [], onEvent: { onmessage() {} } });
    const mark = queries(lib).length;
    g.refresh();
    await g.idle();
    const asked = queries(lib).slice(mark);
    // From KEEP_AROUND above the view to its margin: ~2,640 positions, 14 pages, not 76.
    expect(asked.length).toBeLessThanOrEqual(15);
    expect(asked[0].offset).toBe(12_400);
    const ids = truth(lib);
    expect(g.items.slice(15_000, 15_040).map((r) => r?.id)).toEqual(ids.slice(15_000, 15_040));
    // Back at the top: the new image is there.
    for (let i = 600; i >= 0; i -= 40) {
      g.ensure(i + 39, i);
      await g.idle();
    }
    g.ensure(39, 0);
    await g.idle();
    expect(g.items[0]?.filename).toBe('a.png');
  });
});
