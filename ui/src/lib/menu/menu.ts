/** The app's own context menus: what they hold and where they go. */

export interface MenuAction {
  kind?: 'item';
  id: string;
  label: string;
  run: () => void;
  disabled?: boolean;
  danger?: boolean;
  /** A radio choice (Visibility ▸ Private/Unlisted/Public): shown checked. */
  checked?: boolean;
}

/** Items shown inline under a heading ("Copy link as", "Visibility"): one keyboard list with the rest. */
export interface MenuGroup {
  kind: 'group';
  id: string;
  label: string;
  items: MenuAction[];
}

export interface MenuSeparator {
  kind: 'separator';
}

export type MenuEntry = MenuAction | MenuGroup | MenuSeparator;

/** The actionable items in keyboard order (groups flattened, separators dropped). */
export function menuActions(entries: MenuEntry[]): MenuAction[] {
  const out: MenuAction[] = [];
  for (const e of entries) {
    if (e.kind === 'separator') continue;
    if (e.kind === 'group') out.push(...e.items);
    else out.push(e);
  }
  return out;
}

/**
 * Top-left corner for a `w`×`h` menu opened at (x, y) in a `vw`×`vh` window: it opens to the
 * right and down, flips left/up when it would leave the window, and keeps a margin.
 */
export function placeMenu(x: number, y: number, w: number, h: number, vw: number, vh: number, margin = 4): { left: number; top: number } {
  let left = x + w + margin > vw ? x - w : x;
  let top = y + h + margin > vh ? y - h : y;
  left = Math.max(margin, Math.min(left, vw - w - margin));
  top = Math.max(margin, Math.min(top, vh - h - margin));
  return { left, top };
}

/** Next enabled index from `from` moving by `delta` (wraps); -1 when none is enabled. */
export function nextEnabled(items: ReadonlyArray<{ disabled?: boolean }>, from: number, delta: 1 | -1): number {
  const n = items.length;
  for (let k = 1; k <= n; k++) {
    const i = (((from + delta * k) % n) + n) % n;
    if (!items[i].disabled) return i;
  }
  return -1;
}
