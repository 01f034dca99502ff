import { describe, expect, it } from 'vitest';
import {
  baseRow,
  BASE_ROWS,
  MAX_SCROLL_PX,
  rowsShift,
  scrollMap,
  cellPosition,
  computeLayout,
  intersectRange,
  isFastScroll,
  moveIndex,
  placeholderHue,
  placeholderTone,
  PLACEHOLDER_TONES,
  poolSize,
  rowCount,
  scrollToReveal,
  slotCells,
  totalHeight,
  visibleRange,
  type SlotCell,
} from './virtual';

describe('computeLayout', () => {
  it('fits as many ~200px columns as the width allows', () => {
    // inner = 1000 - 24 = 976; (976 + 6) / 206 = 4.77 → 4 columns
    const l = computeLayout(1000);
    expect(l.columns).toBe(4);
    expect(l.cell).toBe(Math.floor((976 - 3 * 6) / 4));
    expect(l.rowHeight).toBe(l.cell + 6);
  });

  it('never goes below one column', () => {
    expect(computeLayout(50).columns).toBe(1);
    expect(computeLayout(0).columns).toBe(1);
  });

  it('grows columns with width', () => {
    expect(computeLayout(1920).columns).toBe(9);
  });

  it('a smaller size fits more columns, a bigger one fewer', () => {
    expect(computeLayout(1000, { minCell: 100 }).columns).toBe(9);
    expect(computeLayout(1000, { minCell: 320 }).columns).toBe(3);
    expect(computeLayout(900, { minCell: 320 }).columns).toBe(2);
  });

  it('a caption line makes each row taller, never the picture', () => {
    const plain = computeLayout(1000);
    const l = computeLayout(1000, { caption: 22 });
    expect(l.cell).toBe(plain.cell);
    expect(l.cellHeight).toBe(plain.cell + 22);
    expect(l.rowHeight).toBe(plain.rowHeight + 22);
    // Row 3 starts three captioned rows down; revealing an item shows its caption too.
    expect(cellPosition(3 * l.columns, l).top).toBe(l.padding + 3 * l.rowHeight);
    expect(scrollToReveal(3 * l.columns, 0, 300, l)).toBe(l.padding + 3 * l.rowHeight + l.cellHeight + l.padding - 300);
  });
});

describe('visibleRange', () => {
  const l = { columns: 5, cell: 200, caption: 0, cellHeight: 200, gap: 10, rowHeight: 210, padding: 0 };

  it('covers the viewport plus overscan rows', () => {
    // scrollTop 2100 = row 10; viewport 630 = 3 rows → rows 10..13 visible
    const r = visibleRange(2100, 630, l, 100_000, 2);
    expect(r.startRow).toBe(8);
    expect(r.endRow).toBe(16);
    expect(r.start).toBe(40);
    expect(r.end).toBe(80);
  });

  it('clamps at the top and at the end of the list', () => {
    expect(visibleRange(0, 630, l, 100_000, 2)).toMatchObject({ startRow: 0, start: 0, endRow: 6, end: 30 });
    const r = visibleRange(1_000_000, 630, l, 23, 2);
    expect(r.end).toBe(23);
    expect(r.start).toBeLessThan(23);
  });

  it('is empty for no items or no viewport', () => {
    expect(visibleRange(0, 600, l, 0)).toEqual({ startRow: 0, endRow: 0, start: 0, end: 0 });
    expect(visibleRange(0, 0, l, 10)).toEqual({ startRow: 0, endRow: 0, start: 0, end: 0 });
  });

  it('renders a bounded number of cells at 100,000 images anywhere in the list', () => {
    const lay = computeLayout(1280);
    const total = 100_000;
    const h = totalHeight(total, lay);
    for (const top of [0, h / 3, h / 2, h - 800]) {
      const r = visibleRange(top, 800, lay, total, 3);
      expect(r.end - r.start).toBeLessThanOrEqual((Math.ceil(800 / lay.rowHeight) + 1 + 6) * lay.columns);
      expect(r.end).toBeLessThanOrEqual(total);
    }
  });

  it('takes the padding into account', () => {
    const lp = { ...l, padding: 12 };
    expect(visibleRange(12 + 210 * 4, 210, lp, 1000, 0).startRow).toBe(4);
  });
});

describe('sizes and positions', () => {
  const l = { columns: 4, cell: 200, caption: 0, cellHeight: 200, gap: 6, rowHeight: 206, padding: 12 };

  it('totalHeight is rows × rowHeight without the last gap, plus padding', () => {
    expect(rowCount(9, 4)).toBe(3);
    expect(totalHeight(9, l)).toBe(24 + 3 * 206 - 6);
    expect(totalHeight(0, l)).toBe(0);
  });

  it('cellPosition places index by row and column', () => {
    expect(cellPosition(0, l)).toEqual({ top: 12, left: 12 });
    expect(cellPosition(5, l)).toEqual({ top: 12 + 206, left: 12 + 206 });
  });

  it('scrollToReveal scrolls only when needed', () => {
    expect(scrollToReveal(0, 0, 500, l)).toBe(0);
    // row 10 is below a 500px viewport at 0
    const s = scrollToReveal(40, 0, 500, l);
    expect(s).toBe(12 + 10 * 206 + 200 + 12 - 500);
    // going back up to row 1 from far below
    expect(scrollToReveal(4, 5000, 500, l)).toBe(206);
  });
});

describe('moveIndex', () => {
  it('moves by one, by a row, and clamps', () => {
    expect(moveIndex(5, 'ArrowRight', 4, 100)).toBe(6);
    expect(moveIndex(5, 'ArrowDown', 4, 100)).toBe(9);
    expect(moveIndex(1, 'ArrowUp', 4, 100)).toBe(0);
    expect(moveIndex(98, 'ArrowDown', 4, 100)).toBe(99);
    expect(moveIndex(3, 'Home', 4, 100)).toBe(0);
    expect(moveIndex(3, 'End', 4, 100)).toBe(99);
    expect(moveIndex(0, 'PageDown', 4, 100, 3)).toBe(12);
    expect(moveIndex(0, 'ArrowLeft', 4, 0)).toBe(-1);
  });
});

it('placeholderHue is stable and in range', () => {
  expect(placeholderHue('abc')).toBe(placeholderHue('abc'));
  expect(placeholderHue('abc')).toBeGreaterThanOrEqual(0);
  expect(placeholderHue('abc')).toBeLessThan(360);
});

describe('cell recycling (slots)', () => {
  const lay = computeLayout(1280);

  it('every visible range fits in the pool, and slots never collide', () => {
    const total = 100_000;
    const pool = poolSize(800, lay, 2);
    const h = totalHeight(total, lay);
    for (let top = 0; top < h; top += 4999) {
      const r = visibleRange(top, 800, lay, total, 2);
      expect(r.end - r.start).toBeLessThanOrEqual(pool);
      const cells = slotCells(r.start, r.end, pool);
      expect(cells).toHaveLength(r.end - r.start);
      expect(new Set(cells.map((c) => c.slot)).size).toBe(cells.length);
      expect(cells.map((c) => c.index).sort((a, b) => a - b)[0]).toBe(r.start);
    }
  });

  it('scrolling by a row keeps each remaining index in the same slot, in slot order', () => {
    const pool = 20;
    const a = slotCells(10, 30, pool);
    const b = slotCells(15, 35, pool);
    const slotOf = (cs: SlotCell[], i: number) => cs.find((c) => c.index === i)?.slot;
    for (let i = 15; i < 30; i++) expect(slotOf(b, i)).toBe(slotOf(a, i));
    // ordered by slot: the keyed each never has to move an element
    expect(b.map((c) => c.slot)).toEqual([...b.map((c) => c.slot)].sort((x, y) => x - y));
    // the 5 new indexes took the 5 slots that were freed
    expect(new Set(b.filter((c) => c.index >= 30).map((c) => c.slot))).toEqual(
      new Set(a.filter((c) => c.index < 15).map((c) => c.slot)),
    );
  });

  it('handles a short last range and empty input', () => {
    expect(slotCells(0, 0, 10)).toEqual([]);
    expect(slotCells(95, 98, 10).map((c) => c.index).sort()).toEqual([95, 96, 97]);
  });
});

describe('fast scroll gate', () => {
  it('counts > 3 viewport heights per 100 ms as fast', () => {
    expect(isFastScroll(100, 16, 800)).toBe(false);
    expect(isFastScroll(800 * 3 * 0.16 + 50, 16, 800)).toBe(true);
    expect(isFastScroll(-5000, 16, 800)).toBe(true);
    // a long pause does not dilute a big jump
    expect(isFastScroll(800 * 10, 5000, 800)).toBe(true);
    expect(isFastScroll(100, 5000, 800)).toBe(false);
    expect(isFastScroll(100, 16, 0)).toBe(false);
  });

  it('intersectRange keeps only the indexes that stay visible', () => {
    expect(intersectRange({ start: 0, end: 50 }, { start: 30, end: 80 })).toEqual({ start: 30, end: 50 });
    expect(intersectRange({ start: 0, end: 50 }, { start: 60, end: 80 })).toEqual({ start: 0, end: 0 });
  });
});

it('placeholderTone is stable, in range and spreads ids over the tones', () => {
  expect(placeholderTone('abc')).toBe(placeholderTone('abc'));
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) {
    const t = placeholderTone(`01BENCH${i}`);
    expect(Number.isInteger(t)).toBe(true);
    expect(t).toBeGreaterThanOrEqual(0);
    expect(t).toBeLessThan(PLACEHOLDER_TONES);
    seen.add(t);
  }
  expect(seen.size).toBe(PLACEHOLDER_TONES);
});

describe('scrollMap (lists taller than WebKit can lay out)', () => {
  const l = computeLayout(1000);
  it('is 1:1 up to MAX_SCROLL_PX of rows: the rows sit at their own place', () => {
    const m = scrollMap(100_000, l, 800);
    expect(m).toEqual({ virtual: totalHeight(100_000, l), physical: totalHeight(100_000, l), k: 1 });
    expect(rowsShift(0, 12345, l, m)).toBe(0);
    expect(rowsShift(BASE_ROWS, 12345, l, m)).toBe(BASE_ROWS * l.rowHeight);
  });

  it('beyond, the spacer is MAX_SCROLL_PX and both ends meet the list’s', () => {
    const vh = 800;
    const m = scrollMap(1_000_000, l, vh);
    expect(m.physical).toBe(MAX_SCROLL_PX);
    expect(m.virtual).toBeGreaterThan(33_554_431); // more than WebKit could lay out
    expect(m.k).toBeGreaterThan(1);
    // The spacer's last scroll position is the list's last.
    expect((MAX_SCROLL_PX - vh) * m.k).toBeCloseTo(m.virtual - vh, 3);
    // A row's place in the viewport: wrapper shift + its offset from the base row, less scrollTop.
    for (const scrollTop of [0, 1234.5, (MAX_SCROLL_PX - vh) / 2, MAX_SCROLL_PX - vh]) {
      const virtualTop = scrollTop * m.k;
      const row = Math.floor(virtualTop / l.rowHeight);
      const base = baseRow(row);
      const inViewport = rowsShift(base, scrollTop, l, m) + (row - base) * l.rowHeight - scrollTop;
      expect(inViewport).toBeCloseTo(row * l.rowHeight - virtualTop, 3);
    }
  });

  it('base rows step by BASE_ROWS', () => {
    expect(baseRow(0)).toBe(0);
    expect(baseRow(BASE_ROWS - 1)).toBe(0);
    expect(baseRow(BASE_ROWS * 3 + 5)).toBe(BASE_ROWS * 3);
  });
});
