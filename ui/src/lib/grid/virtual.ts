/** Pure layout maths for the virtualized square-cell grid. */

export interface GridLayout {
  columns: number;
  /** Cell edge in px (square). */
  cell: number;
  gap: number;
  /** Distance from one row's top to the next. */
  rowHeight: number;
  padding: number;
}

export interface LayoutOptions {
  minCell?: number;
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
  return { columns, cell, gap, rowHeight: cell + gap, padding };
}

export function rowCount(total: number, columns: number): number {
  return total <= 0 ? 0 : Math.ceil(total / columns);
}

/** Scrollable height for `total` items. */
export function totalHeight(total: number, l: GridLayout): number {
  const rows = rowCount(total, l.columns);
  return rows === 0 ? 0 : 2 * l.padding + rows * l.rowHeight - l.gap;
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
  const bottom = top + l.cell + l.padding;
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
