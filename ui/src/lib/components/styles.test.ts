import { describe, expect, it } from 'vitest';

// Software rendering (WebKitGTK without GPU): these effects cost seconds per frame.
const sources = import.meta.glob(['/src/**/*.svelte', '/src/**/*.css'], { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;
// Vitest hands .css files over empty (even with ?raw): read the global stylesheet itself.
const fsModule = 'node:fs';
const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as { readFileSync: (path: string, enc: 'utf8') => string };
sources['/src/app.css'] = readFileSync('src/app.css', 'utf8');

describe('styles stay cheap to paint', () => {
  it('has sources to check', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(5);
  });

  it('uses no backdrop-filter, filter blur or big blurred shadows', () => {
    for (const [path, text] of Object.entries(sources)) {
      expect(text, path).not.toMatch(/backdrop-filter/);
      expect(text, path).not.toMatch(/filter:\s*blur/);
      for (const m of text.matchAll(/box-shadow:([^;]+);/g)) {
        for (const blur of m[1].matchAll(/\d+px\s+\d+px\s+(\d+)px/g)) expect(Number(blur[1]), `${path}: ${m[0]}`).toBeLessThanOrEqual(8);
      }
    }
  });

  it('the global stylesheet is really checked', () => {
    expect(sources['/src/app.css']).toMatch(/--font:/);
  });

  it('grid cells carry no event handler of their own (the grid delegates: click, contextmenu, keys)', () => {
    const grid = sources['/src/lib/components/Grid.svelte'];
    const cells = grid.slice(grid.indexOf('{#each cells'), grid.indexOf('{/each}', grid.indexOf('{#each cells')));
    expect(cells.length).toBeGreaterThan(100);
    expect(cells).not.toMatch(/\son[a-z]+=/);
    expect(grid).toMatch(/oncontextmenu=\{onContextMenu\}/);
  });

  it('the grid places cells with translate3d, never top/left per cell', () => {
    const grid = sources['/src/lib/components/Grid.svelte'];
    expect(grid).toMatch(/translate3d\(/);
    expect(grid).not.toMatch(/style:(top|left)=/);
    expect(grid).toMatch(/contain: strict/);
  });

  // Issue 17: a fast scroll gives every recycled cell a new image each frame. Text that is only
  // hidden (visibility) is still shaped and laid out at each change, and content-visibility makes
  // WebKit recompute each moved cell's skipped state: both cost dropped frames in the scroll bench.
  it('grid cells lay out no hidden text and use no content-visibility', () => {
    const grid = sources['/src/lib/components/Grid.svelte'];
    const css = grid.slice(grid.indexOf('<style>')).replace(/\/\*[\s\S]*?\*\//g, '');
    expect(css).not.toMatch(/content-visibility/);
    const rule = (sel: string) => {
      const m = css.match(new RegExp(`\\n  \\${sel} \\{([^}]*)\\}`));
      expect(m, sel).not.toBeNull();
      return m![1];
    };
    expect(rule('.caption')).toMatch(/display: none/);
    expect(rule('.caption')).not.toMatch(/visibility/);
    expect(rule('.label')).not.toMatch(/visibility/);
  });
});
