/**
 * How the user likes the window: the grid's thumbnail size, layout and captions, and whether
 * the sidebar is shown. Remembered in the webview's local storage (per computer, like a
 * window size), read once at start; a value that does not parse falls back to the default.
 */

export type GridLayoutKind = 'square' | 'aspect';
export type Captions = 'none' | 'name' | 'prompt';
/** Light or dark, or as the system says. */
export type Theme = 'system' | 'light' | 'dark';

export interface GridPrefs {
  /** Smallest cell edge in px: the grid fits as many columns as this allows. */
  size: number;
  /** Square crops, or the whole picture at its aspect ratio inside the cell. */
  layout: GridLayoutKind;
  /** Text under each thumbnail: nothing, the file name, or the prompt (AI images; else the name). */
  captions: Captions;
}

export const GRID_SIZE_MIN = 100;
export const GRID_SIZE_MAX = 320;
export const GRID_SIZE_STEP = 20;
export const DEFAULT_GRID: GridPrefs = { size: 200, layout: 'square', captions: 'none' };

const KEY = 'vitrine.prefs.v1';

interface Stored {
  grid?: Partial<GridPrefs>;
  sidebarHidden?: boolean;
  theme?: Theme;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function clampSize(n: number): number {
  if (!Number.isFinite(n)) return DEFAULT_GRID.size;
  return Math.min(GRID_SIZE_MAX, Math.max(GRID_SIZE_MIN, Math.round(n / GRID_SIZE_STEP) * GRID_SIZE_STEP));
}

/** The stored grid preferences, each field checked (anything else: its default). */
export function parseGrid(g: unknown): GridPrefs {
  const o = (typeof g === 'object' && g !== null ? g : {}) as Record<string, unknown>;
  return {
    size: typeof o.size === 'number' ? clampSize(o.size) : DEFAULT_GRID.size,
    layout: o.layout === 'aspect' ? 'aspect' : 'square',
    captions: o.captions === 'name' || o.captions === 'prompt' ? o.captions : 'none',
  };
}

export class Prefs {
  grid = $state<GridPrefs>({ ...DEFAULT_GRID });
  /** The user hid the sidebar (wide windows; narrow ones open it as a drawer). */
  sidebarHidden = $state(false);
  theme = $state<Theme>('system');

  constructor() {
    let stored: Stored;
    try {
      stored = (JSON.parse(storage()?.getItem(KEY) ?? '{}') ?? {}) as Stored;
    } catch {
      stored = {};
    }
    this.grid = parseGrid(stored.grid);
    this.sidebarHidden = stored.sidebarHidden === true;
    this.theme = stored.theme === 'light' || stored.theme === 'dark' ? stored.theme : 'system';
  }

  #save(): void {
    const s: Stored = { grid: { ...this.grid }, sidebarHidden: this.sidebarHidden, theme: this.theme };
    try {
      storage()?.setItem(KEY, JSON.stringify(s));
    } catch {
      // Storage full or refused: the choice still holds for this session.
    }
  }

  setGrid(over: Partial<GridPrefs>): void {
    this.grid = parseGrid({ ...this.grid, ...over });
    this.#save();
  }

  /** One step bigger (+1) or smaller (−1). */
  stepSize(dir: 1 | -1): void {
    this.setGrid({ size: this.grid.size + dir * GRID_SIZE_STEP });
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.#save();
  }

  setSidebarHidden(hidden: boolean): void {
    this.sidebarHidden = hidden;
    this.#save();
  }
}

/**
 * Puts the theme on the page: `data-theme` on the root element selects app.css's colours. With
 * "system", it follows the system's light/dark setting as it changes; returns the stop function.
 */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): () => void {
  const mq = theme === 'system' && typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const set = () => {
    const dark = theme === 'dark' || (theme === 'system' && !!mq?.matches);
    root.dataset.theme = dark ? 'dark' : 'light';
    root.style.colorScheme = dark ? 'dark' : 'light';
  };
  set();
  mq?.addEventListener('change', set);
  return () => mq?.removeEventListener('change', set);
}
