import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GRID, GRID_SIZE_MAX, GRID_SIZE_MIN, Prefs, applyTheme, clampSize, parseGrid } from './prefs.svelte';

beforeEach(() => localStorage.clear());

describe('prefs', () => {
  it('grid values are checked one by one; anything odd falls back to its default', () => {
    expect(parseGrid(undefined)).toEqual(DEFAULT_GRID);
    expect(parseGrid({ size: 9999, layout: 'mosaic', captions: 'prompt' })).toEqual({ size: GRID_SIZE_MAX, layout: 'square', captions: 'prompt' });
    expect(parseGrid({ size: 'big', layout: 'aspect' })).toEqual({ size: DEFAULT_GRID.size, layout: 'aspect', captions: 'none' });
    expect(clampSize(0)).toBe(GRID_SIZE_MIN);
    expect(clampSize(187)).toBe(180);
    expect(clampSize(Number.NaN)).toBe(DEFAULT_GRID.size);
  });

  it('are remembered, and a broken stored value is ignored', () => {
    const p = new Prefs();
    p.setGrid({ captions: 'name' });
    p.stepSize(1);
    p.setSidebarHidden(true);
    const q = new Prefs();
    expect(q.grid).toEqual({ size: DEFAULT_GRID.size + 20, layout: 'square', captions: 'name' });
    expect(q.sidebarHidden).toBe(true);
    localStorage.setItem('vitrine.prefs.v1', '{not json');
    expect(new Prefs().grid).toEqual(DEFAULT_GRID);
    localStorage.setItem('vitrine.prefs.v1', 'null');
    expect(new Prefs().sidebarHidden).toBe(false);
  });

  it('size steps stop at the ends', () => {
    const p = new Prefs();
    for (let i = 0; i < 30; i++) p.stepSize(-1);
    expect(p.grid.size).toBe(GRID_SIZE_MIN);
    for (let i = 0; i < 30; i++) p.stepSize(1);
    expect(p.grid.size).toBe(GRID_SIZE_MAX);
  });
});

describe('theme', () => {
  it('light and dark are put on the page; "system" follows the system as it changes', () => {
    const root = document.createElement('div');
    applyTheme('dark', root)();
    expect(root.dataset.theme).toBe('dark');
    applyTheme('light', root)();
    expect(root.dataset.theme).toBe('light');
    let listener: (() => void) | null = null;
    const mq = { matches: true, addEventListener: (_: string, f: () => void) => (listener = f), removeEventListener: () => (listener = null) };
    const real = window.matchMedia;
    window.matchMedia = (() => mq) as unknown as typeof window.matchMedia;
    try {
      const stop = applyTheme('system', root);
      expect(root.dataset.theme).toBe('dark');
      mq.matches = false;
      listener!();
      expect(root.dataset.theme).toBe('light');
      stop();
      expect(listener).toBeNull();
    } finally {
      window.matchMedia = real;
    }
  });

  it('is remembered', () => {
    new Prefs().setTheme('dark');
    expect(new Prefs().theme).toBe('dark');
  });
});
