import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/svelte';
import Grid from './Grid.svelte';
import { fakeRecord } from '../ipc/mock-backend';
import { computeLayout, placeholderTone, SETTLE_MS } from '../grid/virtual';
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

function setup(n = 2000) {
  const items = records(n);
  const need = vi.fn();
  render(Grid, { props: { items, total: n, resetKey: 'a', onneed: need, onopen: () => {} } });
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
  it('renders a bounded set of absolutely placed cells with translate3d and sized lazy images', async () => {
    setup();
    await vi.advanceTimersByTimeAsync(0);
    const cells = screen.getAllByTestId('cell');
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.length).toBeLessThanOrEqual((Math.floor(H / lay.rowHeight) + 6) * lay.columns);
    const c0 = cellAt(0)!;
    expect(c0.style.transform).toBe(`translate3d(${lay.padding}px, ${lay.padding}px, 0)`);
    expect(c0.style.top).toBe('');
    const img = c0.querySelector('img')!;
    expect(img.getAttribute('loading')).toBe('lazy');
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
