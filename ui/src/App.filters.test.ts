import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from './App.svelte';
import { App as AppState } from './lib/stores/app.svelte';
import { fakeCore } from './test/helpers';
import type { FakeLibrary } from './lib/ipc/mock-backend';
import type { ListQuery } from './lib/ipc';

let width = 1000;
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => width });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

beforeEach(() => {
  localStorage.clear();
  width = 1000;
});

afterEach(() => cleanup());

async function start(count = 60): Promise<{ lib: FakeLibrary; app: AppState }> {
  const lib = fakeCore({ count });
  const app = new AppState();
  render(App, { props: { app } });
  await waitFor(() => expect(screen.getAllByTestId('cell').length).toBeGreaterThan(0));
  return { lib, app };
}

const lastQuery = (lib: FakeLibrary) => (lib.callsOf('list_grid').at(-1)!.args as { query: ListQuery }).query;
const chipKeys = () => screen.queryAllByTestId('chip').map((c) => c.dataset.key);
const countText = () => screen.getByTestId('result-count').textContent;

describe('Filters that combine', () => {
  it('sidebar filters add up as chips with the result count; a chip removes only itself', async () => {
    const { lib } = await start();
    await waitFor(() => expect(countText()).toBe('60 images'));
    const tag = lib.tagCounts().find(([t]) => lib.records.some((r) => r.tags.includes(t) && r.visibility === 'private'))![0];
    await fireEvent.click(within(screen.getByTestId('tag-list')).getByText(tag));
    await fireEvent.click(screen.getByTestId('filter-visibility-private'));
    await waitFor(() => expect(lastQuery(lib)).toMatchObject({ tag, visibility: 'private' }));
    expect(chipKeys()).toEqual(['visibility', `tag:${tag}`]);
    const expected = lib.records.filter((r) => r.tags.includes(tag) && r.visibility === 'private').length;
    await waitFor(() => expect(countText()).toBe(`${expected} images`));
    expect(expected).toBeGreaterThan(0);
    await waitFor(() => expect(screen.getAllByTestId('cell').length).toBe(expected));
    // Both sidebar items are highlighted; "All images" is not.
    expect(screen.getByTestId('filter-visibility-private').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('filter-all').classList.contains('active')).toBe(false);

    const chip = screen.getAllByTestId('chip').find((c) => c.dataset.key === 'visibility')!;
    await fireEvent.click(within(chip).getByRole('button'));
    await waitFor(() => expect(chipKeys()).toEqual([`tag:${tag}`]));
    expect(lastQuery(lib).visibility ?? null).toBeNull();
    expect(lastQuery(lib).tag).toBe(tag);

    // A second click on the sidebar item takes it off; "All images" clears everything.
    await fireEvent.click(screen.getByTestId('filter-remote-pending'));
    await waitFor(() => expect(chipKeys()).toEqual(['remote_state', `tag:${tag}`]));
    await fireEvent.click(screen.getByTestId('filter-remote-pending'));
    await waitFor(() => expect(chipKeys()).toEqual([`tag:${tag}`]));
    await fireEvent.click(screen.getByTestId('filter-all'));
    await waitFor(() => expect(chipKeys()).toEqual([]));
    await waitFor(() => expect(countText()).toBe('60 images'));
  });

  it('the Filter panel offers what the library has (AI, model, format, camera, orientation, size, dates), and two tags match any or all', async () => {
    const { lib } = await start();
    await fireEvent.click(screen.getByTestId('filter-button'));
    const panel = await screen.findByTestId('filter-button-panel');
    await waitFor(() => expect(lib.callsOf('facets')).toHaveLength(1));
    const model = within(panel).getByTestId('filter-model') as HTMLSelectElement;
    await waitFor(() => expect([...model.options].map((o) => o.value)).toContain('sdxl_base_1.0'));
    const camera = within(panel).getByTestId('filter-camera') as HTMLSelectElement;
    expect([...camera.options].map((o) => o.value)).toContain('X-T4');

    await fireEvent.change(within(panel).getByTestId('filter-generator'), { target: { value: 'any' } });
    await fireEvent.change(within(panel).getByTestId('filter-format'), { target: { value: 'png' } });
    await fireEvent.change(within(panel).getByTestId('filter-orientation'), { target: { value: 'landscape' } });
    await waitFor(() => expect(lastQuery(lib)).toMatchObject({ generator: 'any', format: 'png', orientation: 'landscape' }));
    const expected = lib.records.filter((r) => r.generator && r.format === 'png' && r.width > r.height).length;
    await waitFor(() => expect(countText()).toBe(expected === 1 ? '1 image' : `${expected} images`));
    // Combined filters are counted by the core.
    expect((lib.callsOf('count_images').at(-1)!.args as { query: ListQuery }).query).toMatchObject({ generator: 'any', format: 'png', orientation: 'landscape' });
    expect(chipKeys()).toEqual(['generator', 'format', 'orientation']);

    await fireEvent.input(within(panel).getByTestId('filter-from'), { target: { value: '2024-01-01' } });
    await fireEvent.change(within(panel).getByTestId('filter-from'), { target: { value: '2024-01-01' } });
    await waitFor(() => expect(lastQuery(lib).from).toBe('2024-01-01'));

    // Esc closes the panel and gives the focus back to its button.
    await fireEvent.keyDown(panel, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('filter-button-panel')).toBeNull());
    expect(document.activeElement).toBe(screen.getByTestId('filter-button'));

    await fireEvent.click(screen.getByTestId('filters-clear'));
    await waitFor(() => expect(chipKeys()).toEqual([]));

    const [a, b] = lib.tagCounts().map(([t]) => t);
    await fireEvent.click(within(screen.getByTestId('tag-list')).getByText(a));
    await fireEvent.click(within(screen.getByTestId('tag-list')).getByText(b));
    await waitFor(() => expect(lastQuery(lib)).toMatchObject({ tags: [a, b] }));
    await fireEvent.click(screen.getByTestId('filter-button'));
    await fireEvent.click(await screen.findByTestId('filter-tags-all'));
    await waitFor(() => expect(lastQuery(lib)).toMatchObject({ tags: [a, b], all_tags: true }));
    const both = lib.records.filter((r) => r.tags.includes(a) && r.tags.includes(b)).length;
    await waitFor(() => expect(countText()).toBe(both === 1 ? '1 image' : `${both} images`));
  });

  it('a search is a chip too, counted, and keeps the filters', async () => {
    const { lib } = await start();
    await fireEvent.click(screen.getByTestId('filter-visibility-public'));
    await fireEvent.input(screen.getByTestId('search'), { target: { value: 'dusk' } });
    await fireEvent.keyDown(screen.getByTestId('search'), { key: 'Enter' });
    await waitFor(() => expect(lastQuery(lib)).toMatchObject({ search: 'dusk', visibility: 'public' }));
    expect(chipKeys()).toEqual(['search', 'visibility']);
    const n = lib.records.filter((r) => r.visibility === 'public' && r.prompt?.includes('dusk')).length;
    await waitFor(() => expect(countText()).toBe(`${n} images`));
    expect(screen.getByTestId('filter-all').classList.contains('active')).toBe(false);
    const chip = screen.getAllByTestId('chip').find((c) => c.dataset.key === 'search')!;
    await fireEvent.click(within(chip).getByRole('button'));
    await waitFor(() => expect(lastQuery(lib).search ?? null).toBeNull());
    expect(lastQuery(lib).visibility).toBe('public');
  });
});

describe('A grid you can tune', () => {
  const columns = () => {
    const lefts = new Set(screen.getAllByTestId('cell').map((c) => c.style.transform.match(/translate3d\(([\d.]+)px/)?.[1]));
    return lefts.size;
  };

  it('size (slider and Ctrl +/−), layout and captions apply at once and are remembered', async () => {
    await start();
    const before = columns();
    await fireEvent.keyDown(window, { key: '-', ctrlKey: true });
    await fireEvent.keyDown(window, { key: '-', ctrlKey: true });
    await waitFor(() => expect(columns()).toBeGreaterThan(before));
    await fireEvent.click(screen.getByTestId('view-button'));
    const slider = (await screen.findByTestId('grid-size')) as HTMLInputElement;
    expect(Number(slider.value)).toBe(160);
    await fireEvent.input(slider, { target: { value: '320' } });
    await waitFor(() => expect(columns()).toBeLessThan(before));

    await fireEvent.click(screen.getByTestId('grid-layout-aspect'));
    expect(screen.getByTestId('grid').classList.contains('fit')).toBe(true);
    await fireEvent.click(screen.getByTestId('grid-captions-prompt'));
    const labels = screen.getAllByTestId('cell').map((c) => c.querySelector('.label')?.textContent?.trim());
    expect(labels.some((l) => l?.includes('dusk'))).toBe(true);
    expect(labels.every((l) => l && l.length > 0)).toBe(true);
    // The captioned cell is taller than wide (a caption line under the picture).
    const cell = screen.getAllByTestId('cell')[0];
    expect(parseFloat(cell.style.height)).toBe(parseFloat(cell.style.width) + 22);

    expect(JSON.parse(localStorage.getItem('vitrine.prefs.v1')!).grid).toEqual({ size: 320, layout: 'aspect', captions: 'prompt' });
    cleanup();
    await start();
    expect(screen.getByTestId('grid').classList.contains('fit')).toBe(true);
    expect(screen.getAllByTestId('cell')[0].querySelector('.label')).not.toBeNull();
  });
});

describe('Every window size', () => {
  it('the sidebar hides and shows (button, Ctrl+B) and stays as it was left', async () => {
    await start();
    const toggle = screen.getByTestId('sidebar-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    await fireEvent.click(toggle);
    expect(screen.queryByTestId('sidebar')).toBeNull();
    expect(toggle.getAttribute('aria-label')).toBe('Show the sidebar');
    cleanup();
    await start();
    expect(screen.queryByTestId('sidebar')).toBeNull();
    await fireEvent.keyDown(window, { key: 'b', ctrlKey: true });
    expect(screen.getByTestId('sidebar')).toBeTruthy();
  });

  it('in a narrow window the sidebar is a drawer: closed at first, closed again by a choice, Esc or the scrim', async () => {
    const real = window.matchMedia;
    window.matchMedia = ((q: string) => ({
      matches: q.includes('max-width: 720px'),
      media: q,
      addEventListener: () => {},
      removeEventListener: () => {},
    })) as unknown as typeof window.matchMedia;
    try {
      await start();
      expect(screen.queryByTestId('sidebar')).toBeNull();
      await fireEvent.click(screen.getByTestId('sidebar-toggle'));
      expect(screen.getByTestId('sidebar-slot').classList.contains('drawer')).toBe(true);
      await fireEvent.click(screen.getByTestId('filter-visibility-public'));
      await waitFor(() => expect(screen.queryByTestId('sidebar')).toBeNull());
      expect(chipKeys()).toEqual(['visibility']);
      await fireEvent.click(screen.getByTestId('sidebar-toggle'));
      await fireEvent.keyDown(window, { key: 'Escape' });
      expect(screen.queryByTestId('sidebar')).toBeNull();
      expect(document.activeElement).toBe(screen.getByTestId('sidebar-toggle'));
      // Hidden there is not remembered as hidden for wide windows.
      expect(JSON.parse(localStorage.getItem('vitrine.prefs.v1') ?? '{}').sidebarHidden ?? false).toBe(false);
    } finally {
      window.matchMedia = real;
    }
  });

  it('the ⋯ menu holds the actions a narrow toolbar has no room for', async () => {
    await start();
    await fireEvent.click(screen.getByTestId('more-actions'));
    const menu = await screen.findByTestId('context-menu');
    expect(within(menu).getAllByRole('menuitem').map((b) => b.textContent?.trim())).toEqual(['Add folder…', 'Import from URL…', 'Keyboard shortcuts']);
    await fireEvent.click(within(menu).getByTestId('menu-import-url'));
    expect(await screen.findByTestId('url-dialog')).toBeTruthy();
  });
});
