/** Selection gestures on the grid and the maths of a rubber band. */

import type { GridLayout } from './virtual';

export type SelectGesture =
  /** Ctrl/Cmd-click, a tile's check, or a plain click while selecting: one tile in or out. */
  | { kind: 'toggle'; index: number; id: string }
  /** Shift-click or Shift+arrow: from the anchor (or `from`, the tile focused before) to `index`. */
  | { kind: 'range'; index: number; id: string; from: number }
  /** A rubber band covers these indexes (added to the selection with Ctrl/Cmd). */
  | { kind: 'band'; indexes: number[]; additive: boolean; first: boolean }
  /** Esc. */
  | { kind: 'clear' };

export interface Rect {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Indexes of the cells a rectangle (in the scrolled content's coordinates) touches, from the
 * layout alone: cells scrolled out of the DOM are covered too. Gaps and padding select nothing.
 */
export function bandIndexes(r: Rect, l: GridLayout, total: number): number[] {
  const left = Math.min(r.x1, r.x2) - l.padding;
  const right = Math.max(r.x1, r.x2) - l.padding;
  const top = Math.min(r.y1, r.y2) - l.padding;
  const bottom = Math.max(r.y1, r.y2) - l.padding;
  const colW = l.cell + l.gap;
  const firstCol = Math.max(0, Math.floor(left / colW));
  const lastCol = Math.min(l.columns - 1, Math.floor(right / colW));
  const firstRow = Math.max(0, Math.floor(top / l.rowHeight));
  const lastRow = Math.floor(bottom / l.rowHeight);
  const out: number[] = [];
  for (let row = firstRow; row <= lastRow; row++) {
    // The band must reach into the cell, not only into the gap below it.
    if (bottom < row * l.rowHeight || top > row * l.rowHeight + l.cellHeight) continue;
    for (let col = firstCol; col <= lastCol; col++) {
      if (right < col * colW || left > col * colW + l.cell) continue;
      const i = row * l.columns + col;
      if (i < total) out.push(i);
    }
  }
  return out;
}
