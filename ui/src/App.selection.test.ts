import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from './App.svelte';
import { App as AppState } from './lib/stores/app.svelte';
import { fakeCore } from './test/helpers';
import { emit } from './lib/ipc/mock-backend';
import type { FakeLibrary } from './lib/ipc/mock-backend';
import type { Selection } from './lib/ipc';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

afterEach(() => cleanup());

async function start(count = 40): Promise<{ lib: FakeLibrary; app: AppState }> {
  const lib = fakeCore({ count });
  const app = new AppState();
  render(App, { props: { app } });
  await waitFor(() => expect(screen.getAllByTestId('cell').length).toBeGreaterThan(0));
  await waitFor(() => expect(screen.getByTestId('result-count').textContent).toBe(`${count} images`));
  return { lib, app };
}

const cell = (i: number) => document.getElementById(`cell-${i}`)!;
const selectedIndexes = () =>
  screen
    .getAllByTestId('cell')
    .filter((c) => c.getAttribute('aria-selected') === 'true')
    .map((c) => Number(c.dataset.index))
    .sort((a, b) => a - b);
const lastSelection = (lib: FakeLibrary, cmd: 'bulk_visibility' | 'bulk_tags' | 'resolve_selection') =>
  (lib.callsOf(cmd).at(-1)!.args as { selection: Selection }).selection;

describe('Selecting in the gallery', () => {
  it('Ctrl-click toggles, Shift-click selects a range, a plain click then toggles; Esc clears', async () => {
    await start();
    await fireEvent.click(cell(2), { ctrlKey: true });
    await fireEvent.click(cell(5), { shiftKey: true });
    await waitFor(() => expect(selectedIndexes()).toEqual([2, 3, 4, 5]));
    expect(screen.getByTestId('selection-count').textContent).toBe('4 selected');
    // Selecting: a plain click toggles instead of opening.
    await fireEvent.click(cell(3));
    expect(selectedIndexes()).toEqual([2, 4, 5]);
    expect(screen.queryByTestId('detail')).toBeNull();
    // A range backwards from the anchor (the last Ctrl/plain click: 3).
    await fireEvent.click(cell(0), { shiftKey: true });
    await waitFor(() => expect(selectedIndexes()).toEqual([0, 1, 2, 3, 4, 5]));
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(selectedIndexes()).toEqual([]);
    expect(screen.queryByTestId('selection-bar')).toBeNull();
    // Nothing selected: a click opens the image again.
    await fireEvent.click(cell(1));
    expect(await screen.findByTestId('detail')).toBeTruthy();
  });

  it('Shift+arrows extend from the focused tile; the tile check toggles', async () => {
    await start();
    const grid = screen.getByTestId('grid');
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'ArrowRight', shiftKey: true });
    await fireEvent.keyDown(grid, { key: 'ArrowRight', shiftKey: true });
    await waitFor(() => expect(selectedIndexes()).toEqual([0, 1, 2]));
    await fireEvent.click(cell(7).querySelector('.pick')!);
    expect(selectedIndexes()).toEqual([0, 1, 2, 7]);
    await fireEvent.keyDown(grid, { key: 'Escape' });
    expect(selectedIndexes()).toEqual([]);
  });

  it('a rubber band selects the tiles it crosses, and a click right after it does not open one', async () => {
    await start();
    const grid = screen.getByTestId('grid');
    grid.getBoundingClientRect = () => ({ left: 0, top: 0, right: 1000, bottom: 800, width: 1000, height: 800, x: 0, y: 0, toJSON: () => ({}) });
    grid.setPointerCapture = () => {};
    await fireEvent.pointerDown(grid, { button: 0, pointerId: 1, clientX: 20, clientY: 20 });
    await fireEvent.pointerMove(grid, { pointerId: 1, clientX: 300, clientY: 300 });
    await waitFor(() => expect(selectedIndexes()).toEqual([0, 1, 4, 5]));
    expect(screen.getByTestId('rubber-band')).toBeTruthy();
    await fireEvent.pointerUp(grid, { pointerId: 1, clientX: 300, clientY: 300 });
    await fireEvent.click(cell(5));
    expect(screen.queryByTestId('detail')).toBeNull();
    expect(selectedIndexes()).toEqual([0, 1, 4, 5]);
    // Ctrl adds a second band to the first.
    await fireEvent.pointerDown(grid, { button: 0, pointerId: 2, clientX: 20, clientY: 500, ctrlKey: true });
    await fireEvent.pointerMove(grid, { pointerId: 2, clientX: 30, clientY: 520 });
    await fireEvent.pointerUp(grid, { pointerId: 2 });
    await waitFor(() => expect(selectedIndexes()).toEqual([0, 1, 4, 5, 8]));
  });

  it('Select all in a search is the query minus exceptions: the core gets it, not thousands of ids', async () => {
    const { lib } = await start(60);
    await fireEvent.input(screen.getByTestId('search'), { target: { value: 'dusk' } });
    await fireEvent.keyDown(screen.getByTestId('search'), { key: 'Enter' });
    const n = lib.records.filter((r) => r.prompt?.includes('dusk')).length;
    await waitFor(() => expect(screen.getByTestId('result-count').textContent).toBe(`${n} images`));
    screen.getByTestId('search').blur();
    await fireEvent.keyDown(window, { key: 'a', ctrlKey: true });
    await waitFor(() => expect(screen.getByTestId('selection-count').textContent).toBe(`${n} selected`));
    await fireEvent.click(cell(0), { ctrlKey: true });
    expect(screen.getByTestId('selection-count').textContent).toBe(`${n - 1} selected`);
    const before = new Map(lib.records.map((r) => [r.id, r.visibility]));
    await fireEvent.click(screen.getByTestId('bulk-visibility'));
    await fireEvent.click(await screen.findByTestId('menu-bulk-visibility-public'));
    await waitFor(() => expect(lib.callsOf('bulk_visibility')).toHaveLength(1));
    const sel = lastSelection(lib, 'bulk_visibility');
    expect(sel).toEqual({ kind: 'query', query: { search: 'dusk' }, except: [cell(0).dataset.id] });
    const matched = lib.records.filter((r) => r.prompt?.includes('dusk'));
    expect(matched.filter((r) => r.visibility === 'public').length).toBe(n - 1);
    // Undo puts each one back as it was.
    await fireEvent.click(await screen.findByTestId('undo-visibility'));
    await waitFor(() => expect(new Map(lib.records.map((r) => [r.id, r.visibility]))).toEqual(before));
  });

  it('a visibility job still running shows its progress until its end, then the grid and counts are read again', async () => {
    const { lib } = await start();
    lib.backgroundJobs = true;
    await fireEvent.click(cell(0), { ctrlKey: true });
    await fireEvent.click(cell(4), { shiftKey: true });
    await waitFor(() => expect(selectedIndexes()).toEqual([0, 1, 2, 3, 4]));
    await fireEvent.click(screen.getByTestId('bulk-visibility'));
    await fireEvent.click(await screen.findByTestId('menu-bulk-visibility-public'));
    // The answer: the job and its first chunk; the note follows the job.
    expect(await screen.findByText('Making 5 images public… 20%')).toBeTruthy();
    const job = { id: 1, kind: 'visibility', visibility: 'public', total: 5, failed: 0, error: null, reverts: null };
    await emit('bulk-job', { ...job, done: 3, changed: 3, state: 'running' });
    expect(await screen.findByText('Making 5 images public… 60%')).toBeTruthy();
    expect(screen.queryByText('Making 5 images public… 20%')).toBeNull();
    // Another job's progress leaves this note alone.
    await emit('bulk-job', { ...job, id: 7, done: 1, changed: 1, state: 'running' });
    expect(screen.getByText('Making 5 images public… 60%')).toBeTruthy();
    const lists = lib.callsOf('list_grid').length;
    const counts = lib.callsOf('stats').length;
    await emit('bulk-job', { ...job, done: 5, changed: 5, state: 'done' });
    await waitFor(() => expect(screen.queryByText(/Making 5 images public/)).toBeNull());
    await waitFor(() => expect(lib.callsOf('list_grid').length).toBeGreaterThan(lists));
    await waitFor(() => expect(lib.callsOf('stats').length).toBeGreaterThan(counts));
  });

  it('tags and delete (with undo) act on the selection', async () => {
    const { lib } = await start();
    await fireEvent.click(cell(0), { ctrlKey: true });
    await fireEvent.click(cell(1), { ctrlKey: true });
    const ids = [cell(0).dataset.id!, cell(1).dataset.id!];
    await fireEvent.click(screen.getByTestId('bulk-tags'));
    await fireEvent.input(await screen.findByTestId('bulk-tags-add'), { target: { value: 'keep, best' } });
    await fireEvent.click(screen.getByTestId('bulk-tags-apply'));
    await waitFor(() => expect(lib.records.filter((r) => ids.includes(r.id)).every((r) => r.tags.includes('best') && r.tags.includes('keep'))).toBe(true));

    await fireEvent.click(screen.getByTestId('bulk-delete'));
    await fireEvent.click(await screen.findByTestId('confirm-delete-button'));
    await waitFor(() => expect(screen.getByTestId('grid').dataset.total).toBe('38'));
    expect(screen.queryByTestId('selection-bar')).toBeNull();
    await fireEvent.click(await screen.findByTestId('undo-button'));
    await waitFor(() => expect(screen.getByTestId('grid').dataset.total).toBe('40'));
    expect(lib.callsOf('delete_images')).toHaveLength(0);
  });

  it('copy links gives one line per image', async () => {
    const { lib } = await start();
    await fireEvent.click(cell(0), { ctrlKey: true });
    await fireEvent.click(cell(3), { ctrlKey: true });
    await fireEvent.click(screen.getByTestId('bulk-links'));
    await fireEvent.click(within(await screen.findByTestId('context-menu')).getByTestId('menu-bulk-links-markdown'));
    await waitFor(() => expect(lib.callsOf('bulk_links')).toHaveLength(1));
    expect(lib.callsOf('bulk_links')[0].args).toMatchObject({ format: 'markdown', selection: { kind: 'ids' } });
  });

  it('a drag that starts on a tile drags out that image, or the selection it is in (not a band)', async () => {
    const { lib } = await start();
    const grid = screen.getByTestId('grid');
    grid.getBoundingClientRect = () => ({ left: 0, top: 0, right: 1000, bottom: 800, width: 1000, height: 800, x: 0, y: 0, toJSON: () => ({}) });
    grid.setPointerCapture = () => {};
    const drag = async (i: number, pointerId: number) => {
      await fireEvent.pointerDown(cell(i), { button: 0, pointerId, clientX: 100, clientY: 100 });
      await fireEvent.pointerMove(grid, { pointerId, clientX: 120, clientY: 120 });
      await fireEvent.pointerUp(grid, { pointerId });
    };
    await drag(2, 1);
    await waitFor(() => expect(lib.callsOf('drag_out')).toHaveLength(1));
    expect(lib.callsOf('drag_out')[0].args).toEqual({ ids: [cell(2).dataset.id] });
    expect(screen.queryByTestId('rubber-band')).toBeNull();
    expect(screen.queryByTestId('detail')).toBeNull();
    await fireEvent.click(cell(0), { ctrlKey: true });
    await fireEvent.click(cell(1), { ctrlKey: true });
    expect(selectedIndexes()).toEqual([0, 1]);
    await drag(1, 2);
    await waitFor(() => expect(lib.callsOf('drag_out')).toHaveLength(2));
    expect(lib.callsOf('drag_out')[1].args).toEqual({ ids: [cell(0).dataset.id, cell(1).dataset.id] });
  });
});
