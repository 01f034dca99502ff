import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/svelte';
import Grid from './Grid.svelte';
import { fakeRecord } from '../ipc/mock-backend';
import { computeLayout, MAX_SCROLL_PX, placeholderTone, SETTLE_MS } from '../grid/virtual';
import { compact, type GridItem } from '../stores/gallery.svelte';
import { fakeCore } from '../../test/helpers';

const W = 1000;
const H = 800;
const lay = computeLayout(W);

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => W });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => H });
});

let now = 0;
let frames: FrameRequestCallback[] = [];
beforeEach(() => {
  fakeCore({ count: 0 });
  vi.useFakeTimers();
  now = 1000;
  frames = [];
  vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
  vi.stubGlobal('cancelAnimationFrame', () => {});
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function records(n: number): GridItem[] {
  return Array.from({ length: n }, (_, i) => compact(fakeRecord(i)));
}

function setup(n = 2000, total = n) {
  const items = records(n);
  const need = vi.fn();
  render(Grid, { props: { items, total, resetKey: 'a', onneed: need, onopen: () => {} } });
  const grid = screen.getByTestId('grid');
  let top = 0;
  Object.defineProperty(grid, 'scrollTop', { configurable: true, get: () => top, set: (v: number) => (top = v) });
  /** Scrolls to `y`, `dt` ms after the previous frame, and runs the frame. */
  async function scrollTo(y: number, dt = 16) {
    top = y;
    grid.dispatchEvent(new Event('scroll'));
    now += dt;
    const run = frames;
    frames = [];
    for (const f of run) f(now);
    await vi.advanceTimersByTimeAsync(0);
  }
  return { grid, items, need, scrollTo };
}

const cellAt = (i: number) => document.querySelector<HTMLElement>(`[data-index="${i}"]`);
const srcAt = (i: number) => cellAt(i)?.querySelector('img')?.getAttribute('src') ?? null;

describe('Grid', () => {
  it('renders a bounded set of absolutely placed cells with translate3d and sized, eagerly loaded images', async () => {
    setup();
    await vi.advanceTimersByTimeAsync(0);
    const cells = screen.getAllByTestId('cell');
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.length).toBeLessThanOrEqual((Math.floor(H / lay.rowHeight) + 6) * lay.columns);
    const c0 = cellAt(0)!;
    expect(c0.style.transform).toBe(`translate3d(${lay.padding}px, ${lay.padding}px, 0)`);
    expect(c0.style.top).toBe('');
    const img = c0.querySelector('img')!;
    // Only cells in view (plus overscan) get a src: WebKit's lazy loading would add its own
    // visibility pass before each fetch, on the first screen and on every recycled cell.
    expect(img.hasAttribute('loading')).toBe(false);
    expect(img.getAttribute('decoding')).toBe('async');
    expect(img.getAttribute('width')).toBe(String(lay.cell));
    expect(img.getAttribute('height')).toBe(String(lay.cell));
    expect(img.getAttribute('src')).toMatch(/^vitrine:/);
  });

  it('reuses the same elements when scrolling by a row, and touches nothing within a row', async () => {
    const { scrollTo } = setup();
    await vi.advanceTimersByTimeAsync(0);
    const cols = lay.columns;
    const y = lay.rowHeight * 10 + lay.padding;
    await scrollTo(y, 100);
    const before = cellAt(cols * 11)!;
    const html = before.outerHTML;
    const all = new Set(document.querySelectorAll('[data-slot]'));
    // within the same row: no range change, no DOM change at all
    await scrollTo(y + lay.rowHeight / 3, 100);
    expect(cellAt(cols * 11)).toBe(before);
    expect(before.outerHTML).toBe(html);
    // one row down: survivors are the very same nodes, and the pool did not grow
    await scrollTo(y + lay.rowHeight, 100);
    expect(cellAt(cols * 11)).toBe(before);
    const after = document.querySelectorAll('[data-slot]');
    expect(after.length).toBe(all.size);
    for (const el of after) expect(all.has(el)).toBe(true);
  });

  it('a million images: the spacer stays under what WebKit can lay out, and its end shows the last row', async () => {
    const n = 1_000_000;
    const { grid, need, scrollTo } = setup(2000, n);
    await vi.advanceTimersByTimeAsync(0);
    const spacer = grid.querySelector<HTMLElement>('.content')!;
    const rows = grid.querySelector<HTMLElement>('.rows')!;
    expect(parseFloat(spacer.style.height)).toBe(MAX_SCROLL_PX);
    // Where a cell really is, in the viewport: the wrapper's shift, plus the cell's own transform.
    const ty = (el: HTMLElement) => Number(/translate3d\([^,]+,\s*(-?[\d.e+-]+)px/.exec(el.style.transform)![1]);
    const onScreen = (i: number) => ty(rows) + ty(cellAt(i)!) - grid.scrollTop;
    expect(onScreen(0)).toBe(lay.padding);
    // Scrolled to the end of the spacer: the list's last row is at the bottom of the viewport.
    await scrollTo(MAX_SCROLL_PX - H, 1000);
    const last = n - 1;
    expect(need).toHaveBeenLastCalledWith(last, expect.any(Number), true);
    const lastRowTop = Math.floor(last / lay.columns) * lay.rowHeight + lay.padding;
    const virtualTop = lastRowTop + lay.cellHeight + lay.padding - H; // that row's top, less the viewport
    const top = onScreen(last);
    expect(Math.abs(top - (lastRowTop - virtualTop))).toBeLessThan(1);
    expect(top + lay.cellHeight).toBeLessThanOrEqual(H + 1);
    // Halfway down the spacer is halfway down the list.
    await scrollTo((MAX_SCROLL_PX - H) / 2, 1000);
    const mid = need.mock.lastCall![0] as number;
    expect(mid / n).toBeGreaterThan(0.49);
    expect(mid / n).toBeLessThan(0.51);
  });

  it('a million images: the wheel scrolls the list 1:1 (the spacer by 1/k); no wheel listener below the mapping', async () => {
    const { grid, scrollTo } = setup(2000, 1_000_000);
    await vi.advanceTimersByTimeAsync(0);
    const k = Number(grid.dataset.scale);
    expect(k).toBeGreaterThan(1);
    await scrollTo(1_000_000, 1000);
    const wheel = new WheelEvent('wheel', { deltaY: 300, cancelable: true });
    grid.dispatchEvent(wheel);
    expect(wheel.defaultPrevented).toBe(true);
    expect(grid.scrollTop).toBeCloseTo(1_000_000 + 300 / k, 6);
    // Small moves add up (WebKit would round each to a whole px).
    for (let i = 0; i < 10; i++) grid.dispatchEvent(new WheelEvent('wheel', { deltaY: 1, cancelable: true }));
    expect(grid.scrollTop).toBeCloseTo(1_000_000 + 310 / k, 6);
    cleanup();
    // 2,000 images: no mapping, the wheel is WebKit's own (not cancelled).
    const small = setup(2000);
    await vi.advanceTimersByTimeAsync(0);
    expect(small.grid.dataset.scale).toBe('1');
    const w2 = new WheelEvent('wheel', { deltaY: 300, cancelable: true });
    small.grid.dispatchEvent(w2);
    expect(w2.defaultPrevented).toBe(false);
  });

  it('does not request thumbnails for cells passed in a fast scroll, then loads once settled', async () => {
    const { scrollTo } = setup(20_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(srcAt(0)).not.toBeNull();
    const start = Math.floor(5_000 / lay.columns) * lay.rowHeight;
    // > 3 viewport heights in one 16 ms frame
    await scrollTo(start, 16);
    const i = Math.floor(5_000 / lay.columns) * lay.columns;
    expect(cellAt(i)).not.toBeNull();
    expect(srcAt(i)).toBeNull();
    await scrollTo(start + 4 * H, 16);
    const j = Math.floor((start + 4 * H) / lay.rowHeight) * lay.columns;
    expect(srcAt(j)).toBeNull();
    await vi.advanceTimersByTimeAsync(SETTLE_MS - 10);
    expect(srcAt(j)).toBeNull();
    await vi.advanceTimersByTimeAsync(20);
    expect(srcAt(j)).toMatch(/^vitrine:/);
  });

  it('tells the store a fast scroll is flying past, and asks again without it once settled', async () => {
    const { need, scrollTo } = setup(20_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(need).toHaveBeenLastCalledWith(expect.any(Number), 0, false);
    const start = Math.floor(5_000 / lay.columns) * lay.rowHeight;
    await scrollTo(start, 16);
    const [end, from, moving] = need.mock.lastCall!;
    expect(moving).toBe(true);
    expect(from).toBeGreaterThan(4_000);
    const calls = need.mock.calls.length;
    await vi.advanceTimersByTimeAsync(SETTLE_MS + 10);
    expect(need.mock.calls.length).toBe(calls + 1);
    expect(need).toHaveBeenLastCalledWith(end, from, false);
    // A slow scroll is never `moving`.
    await scrollTo(start + lay.rowHeight * 2, 100);
    expect(need.mock.lastCall![2]).toBe(false);
  });

  it('slow scrolling loads thumbnails at once', async () => {
    const { scrollTo } = setup();
    await vi.advanceTimersByTimeAsync(0);
    await scrollTo(lay.rowHeight * 4, 100);
    const i = lay.columns * 7;
    expect(cellAt(i)).not.toBeNull();
    expect(srcAt(i)).toMatch(/^vitrine:/);
  });

  it('asks for more only when the range changes', async () => {
    const { need, scrollTo } = setup();
    await vi.advanceTimersByTimeAsync(0);
    const calls = need.mock.calls.length;
    await scrollTo(5, 100);
    await scrollTo(10, 100);
    expect(need.mock.calls.length).toBe(calls);
    await scrollTo(lay.rowHeight * 2, 100);
    expect(need.mock.calls.length).toBe(calls + 1);
  });
});

describe('placeholder colours', () => {
  it('come from a tone class; nothing in the grid sets a CSS custom property (WebKit keeps a copy per change)', async () => {
    const { grid, items, scrollTo } = setup();
    const check = () => {
      const cells = [...document.querySelectorAll<HTMLElement>('[data-testid=cell]')];
      expect(cells.length).toBeGreaterThan(0);
      for (const c of cells) {
        const rec = items[Number(c.dataset.index)];
        expect(c.classList.contains(`tone-${placeholderTone(rec.id)}`)).toBe(true);
        expect([...c.classList].filter((k) => k.startsWith('tone-'))).toHaveLength(1);
      }
      for (const el of [grid, ...grid.querySelectorAll<HTMLElement>('*')])
        for (let k = 0; k < el.style.length; k++) expect(el.style.item(k), el.className).not.toMatch(/^--/);
    };
    check();
    // Recycled cells take the tone of the image they show now.
    await scrollTo(lay.rowHeight * 40);
    check();
  });
});
