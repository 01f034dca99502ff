/** Pure layout maths for the virtualized grid of square pictures (with an optional caption line under each). */

export interface GridLayout {
  columns: number;
  /** Cell width in px, and the picture's height (square). */
  cell: number;
  /** Caption line under the picture (0: none). */
  caption: number;
  /** The whole cell's height: picture and caption. */
  cellHeight: number;
  gap: number;
  /** Distance from one row's top to the next. */
  rowHeight: number;
  padding: number;
}

export interface LayoutOptions {
  minCell?: number;
  /** Height of a caption line under each picture. */
  caption?: number;
  gap?: number;
  padding?: number;
}

export const DEFAULT_CELL = 200;

/** Columns and cell size for a container `width` px wide. */
export function computeLayout(width: number, opts: LayoutOptions = {}): GridLayout {
  const minCell = opts.minCell ?? DEFAULT_CELL;
  const gap = opts.gap ?? 6;
  const padding = opts.padding ?? 12;
  const inner = Math.max(0, width - 2 * padding);
  const columns = Math.max(1, Math.floor((inner + gap) / (minCell + gap)));
  const cell = Math.max(1, Math.floor((inner - gap * (columns - 1)) / columns));
  const caption = Math.max(0, opts.caption ?? 0);
  return { columns, cell, caption, cellHeight: cell + caption, gap, rowHeight: cell + caption + gap, padding };
}

export function rowCount(total: number, columns: number): number {
  return total <= 0 ? 0 : Math.ceil(total / columns);
}

/** Scrollable height for `total` items. */
export function totalHeight(total: number, l: GridLayout): number {
  const rows = rowCount(total, l.columns);
  return rows === 0 ? 0 : 2 * l.padding + rows * l.rowHeight - l.gap;
}

/**
 * The tallest scroll content the grid makes, in px. WebKit lays boxes out in 1/64 px steps held in
 * 32 bits, so nothing can be taller than 33,554,431 px: a million images in five columns (41.6
 * million px) would be cut off near the end. Above this height the grid scrolls a shorter spacer
 * and maps its scroll position onto the whole list (see `scrollMap`).
 */
export const MAX_SCROLL_PX = 16_000_000;

/** How the spacer's (physical) scroll position maps onto the grid's whole (virtual) height. */
export interface ScrollMap {
  /** Height of every row. */
  virtual: number;
  /** Height of the spacer the viewport scrolls (≤ MAX_SCROLL_PX). */
  physical: number;
  /** Virtual px per physical px (1 unless the rows are taller than MAX_SCROLL_PX). */
  k: number;
}

/** 1:1 up to `max` px; beyond, the spacer is `max` px and its top and bottom meet the list's. */
export function scrollMap(total: number, l: GridLayout, viewportHeight: number, max = MAX_SCROLL_PX): ScrollMap {
  const virtual = totalHeight(total, l);
  if (virtual <= max || viewportHeight >= max) return { virtual, physical: virtual, k: 1 };
  return { virtual, physical: max, k: (virtual - viewportHeight) / (max - viewportHeight) };
}

/**
 * The spacer's scroll position after a wheel or touchpad move of `deltaY` px from `at` (physical,
 * unrounded): the whole list moves by `deltaY` (1:1, as in a list that needs no mapping), so the
 * spacer moves by `deltaY / k`; the scrollbar still maps its whole length onto the whole list.
 */
export function wheelTarget(at: number, deltaY: number, m: ScrollMap, viewportHeight: number): number {
  return Math.max(0, Math.min(m.physical - viewportHeight, at + deltaY / m.k));
}

/**
 * Rows are placed relative to a base row that moves in steps of BASE_ROWS (their transforms stay
 * small and exact, and stay put while the base does); one wrapper moves them all.
 */
export const BASE_ROWS = 1024;

/** The base row of the rows from `startRow` on. */
export function baseRow(startRow: number): number {
  return Math.floor(startRow / BASE_ROWS) * BASE_ROWS;
}

/**
 * Where the wrapper of the rows sits inside the spacer, for a viewport scrolled to `scrollTop`
 * (physical): row `base`'s virtual top, less what the mapping adds to the scroll position.
 */
export function rowsShift(base: number, scrollTop: number, l: GridLayout, m: ScrollMap): number {
  return base * l.rowHeight - (m.k === 1 ? 0 : scrollTop * (m.k - 1));
}

export interface VisibleRange {
  startRow: number;
  /** Exclusive. */
  endRow: number;
  /** First item index (inclusive). */
  start: number;
  /** Last item index (exclusive), clamped to total. */
  end: number;
}

/** Rows intersecting [scrollTop, scrollTop + viewport), widened by `overscan` rows each side. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  l: GridLayout,
  total: number,
  overscan = 2,
): VisibleRange {
  const rows = rowCount(total, l.columns);
  if (rows === 0 || viewportHeight <= 0) return { startRow: 0, endRow: 0, start: 0, end: 0 };
  const top = Math.max(0, scrollTop - l.padding);
  const first = Math.floor(top / l.rowHeight);
  const last = Math.floor((top + viewportHeight) / l.rowHeight);
  const startRow = Math.max(0, Math.min(rows - 1, first - overscan));
  const endRow = Math.min(rows, Math.max(startRow + 1, last + 1 + overscan));
  return {
    startRow,
    endRow,
    start: startRow * l.columns,
    end: Math.min(total, endRow * l.columns),
  };
}

/** Top/left of item `index` inside the scroll content. */
export function cellPosition(index: number, l: GridLayout): { top: number; left: number } {
  const row = Math.floor(index / l.columns);
  const col = index % l.columns;
  return { top: l.padding + row * l.rowHeight, left: l.padding + col * (l.cell + l.gap) };
}

/** The scrollTop that brings item `index` fully into view (or the current one if it already is). */
export function scrollToReveal(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  l: GridLayout,
): number {
  const { top } = cellPosition(index, l);
  if (top - l.padding < scrollTop) return Math.max(0, top - l.padding);
  const bottom = top + l.cellHeight + l.padding;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return scrollTop;
}

/** Index reached from `index` by an arrow/page key. */
export function moveIndex(
  index: number,
  key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown',
  columns: number,
  total: number,
  pageRows = 3,
): number {
  if (total <= 0) return -1;
  let i = index;
  switch (key) {
    case 'ArrowLeft':
      i -= 1;
      break;
    case 'ArrowRight':
      i += 1;
      break;
    case 'ArrowUp':
      i -= columns;
      break;
    case 'ArrowDown':
      i += columns;
      break;
    case 'PageUp':
      i -= columns * pageRows;
      break;
    case 'PageDown':
      i += columns * pageRows;
      break;
    case 'Home':
      i = 0;
      break;
    case 'End':
      i = total - 1;
      break;
  }
  return Math.max(0, Math.min(total - 1, i));
}

/** A stable placeholder colour per id, shown while the thumbnail loads. */
export function placeholderHue(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 360;
}

/** How many placeholder tones the grid has (hue steps of 360 / PLACEHOLDER_TONES degrees). */
export const PLACEHOLDER_TONES = 12;

/**
 * The placeholder tone (`0..PLACEHOLDER_TONES`) of an id: a class per tone, never a per-cell CSS
 * custom property. WebKit copies an element's inherited custom properties whenever one of its
 * own changes, and keeps those copies until memory pressure: a recycled cell getting a new `--h`
 * every frame of a long scroll grew the web process by ~210 MB (benches/app_bench.py).
 */
export function placeholderTone(id: string): number {
  return Math.floor((placeholderHue(id) * PLACEHOLDER_TONES) / 360);
}

/**
 * How many cells the grid ever shows at once for this viewport: every range
 * `visibleRange` returns fits in it, so `index % pool` is a stable, collision-free
 * slot for the cell element that shows `index`.
 */
export function poolSize(viewportHeight: number, l: GridLayout, overscan: number): number {
  const rows = Math.floor(Math.max(0, viewportHeight) / l.rowHeight) + 2 + 2 * overscan;
  return rows * l.columns;
}

export interface SlotCell {
  /** Key of the DOM element (0 ≤ slot < pool); stays with the element while it is reused. */
  slot: number;
  index: number;
}

/**
 * The cells of `range`, ordered by slot (not by index): scrolling by a row keeps
 * every element in place in the DOM and only re-targets the slots that left the range.
 */
export function slotCells(start: number, end: number, pool: number): SlotCell[] {
  const out: SlotCell[] = [];
  const n = end - start;
  if (n <= 0 || pool <= 0) return out;
  if (n > pool) {
    // Should not happen (see poolSize); fall back to index keys.
    for (let i = start; i < end; i++) out.push({ slot: i, index: i });
    return out;
  }
  const base = start % pool;
  for (let slot = 0; slot < pool; slot++) {
    const index = start + ((slot - base + pool) % pool);
    if (index < end) out.push({ slot, index });
  }
  return out;
}

/** Viewport heights per 100 ms above which a scroll counts as fast (thumbnails are not requested). */
export const FAST_SCROLL_VIEWPORTS = 3;
/** How long the range must stay put after a fast scroll before thumbnails are requested. */
export const SETTLE_MS = 80;

/** True when moving `dy` px in `dt` ms is faster than FAST_SCROLL_VIEWPORTS viewports per 100 ms. */
export function isFastScroll(dy: number, dt: number, viewportHeight: number): boolean {
  if (viewportHeight <= 0) return false;
  // One sample never counts for more than 100 ms: a big jump after a pause is fast too.
  const ms = Math.min(100, Math.max(1, dt));
  return (Math.abs(dy) / ms) * 100 > FAST_SCROLL_VIEWPORTS * viewportHeight;
}

export interface IndexRange {
  start: number;
  /** Exclusive. */
  end: number;
}

/** The indexes in both ranges (empty: start === end). */
export function intersectRange(a: IndexRange, b: IndexRange): IndexRange {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return end > start ? { start, end } : { start: 0, end: 0 };
}

export function sameRange(a: VisibleRange, b: VisibleRange): boolean {
  return a.startRow === b.startRow && a.endRow === b.endRow && a.start === b.start && a.end === b.end;
}
