import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { App as AppState } from './lib/stores/app.svelte';
import { emit } from './lib/ipc/mock-backend';
import { fakeCore, flush } from './test/helpers';

beforeAll(() => {
  // jsdom does no layout: give the grid viewport a size.
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

afterEach(() => cleanup());

describe('App', () => {
  it('shows the empty state with what to do on a new library', async () => {
    fakeCore({ count: 0 });
    render(App);
    const empty = await screen.findByTestId('empty-state');
    expect(empty.textContent).toContain('Drop images');
    expect(empty.textContent).toContain('Import from URL');
  });

  it('renders only the visible cells of a large library, with thumbnails from the vitrine scheme', async () => {
    fakeCore({ count: 5000 });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell').length).toBeGreaterThan(0));
    const cells = screen.getAllByTestId('cell');
    expect(cells.length).toBeLessThan(100);
    const img = cells[0].querySelector('img')!;
    expect(img.getAttribute('src')).toMatch(/^vitrine:\/\/localhost\/thumb%2F.+%2Fgrid$/);
    expect(img.hasAttribute('loading')).toBe(false);
    expect(img.getAttribute('decoding')).toBe('async');
    await waitFor(() => expect(screen.getByTestId('grid').dataset.total).toBe('5000'));
  });

  it('opens the detail view on click and closes with Escape', async () => {
    fakeCore({ count: 20 });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell').length).toBeGreaterThan(0));
    const first = screen.getAllByTestId('cell')[0];
    await fireEvent.click(first);
    const detail = await screen.findByTestId('detail');
    expect(screen.getByTestId('detail-filename').textContent).toBeTruthy();
    expect(detail.querySelector('[data-testid="visibility-public"]')).not.toBeNull();
    await fireEvent.keyDown(window, { key: 'ArrowRight' });
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('detail')).toBeNull());
  });

  it('shows the drop overlay on drag-enter and imports the paths on drop', async () => {
    const lib = fakeCore({ count: 3 });
    const app = new AppState();
    render(App, { props: { app } });
    await flush(10);
    await emit('tauri://drag-enter', { paths: ['/x/one.png', '/x/two.png'], position: { x: 0, y: 0 } });
    expect(await screen.findByTestId('drop-overlay')).toBeTruthy();
    await emit('tauri://drag-drop', { paths: ['/x/one.png', '/x/two.png'], position: { x: 0, y: 0 } });
    await waitFor(() => expect(screen.queryByTestId('drop-overlay')).toBeNull());
    await waitFor(() => expect(lib.callsOf('import_inputs')).toHaveLength(1));
    expect(lib.callsOf('import_inputs')[0].args).toMatchObject({ inputs: ['/x/one.png', '/x/two.png'], source: 'drop', tags: [] });
    await waitFor(() => expect(screen.getByTestId('count-imported').textContent).toBe('2'));
  });

  it('pasting an http(s) URL imports it with source url', async () => {
    const lib = fakeCore({ count: 1 });
    render(App);
    await flush(10);
    const ev = new Event('paste', { bubbles: true, cancelable: true }) as ClipboardEvent;
    Object.defineProperty(ev, 'clipboardData', {
      value: { items: [], files: [], getData: (t: string) => (t === 'text/plain' ? 'https://example.com/cat.jpg' : '') },
    });
    document.body.dispatchEvent(ev);
    await waitFor(() => expect(lib.callsOf('import_inputs')).toHaveLength(1));
    expect(lib.callsOf('import_inputs')[0].args).toMatchObject({ inputs: ['https://example.com/cat.jpg'], source: 'url' });
  });

  it('library-changed (external) refreshes the grid', async () => {
    const lib = fakeCore({ count: 2 });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(2));
    await lib.handle('import_inputs', { inputs: ['/cli/added.png'], source: 'file', tags: [], onEvent: { onmessage() {} } });
    await emit('library-changed', { reason: 'external' });
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(3));
  });

  it('delete asks for confirmation, hides the image, and Undo brings it back', async () => {
    fakeCore({ count: 3 });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(3));
    await fireEvent.click(screen.getAllByTestId('cell')[0]);
    await fireEvent.click(await screen.findByTestId('delete'));
    await fireEvent.click(await screen.findByTestId('confirm-delete-button'));
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(2));
    await fireEvent.click(await screen.findByTestId('undo-button'));
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(3));
  });
});

describe('App: counts and startup', () => {
  it('a tag added in the detail view shows in the sidebar at once (no library-changed needed)', async () => {
    fakeCore({ count: 1 });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(1));
    expect(screen.getByTestId('tag-list').textContent).toContain('No tags yet');
    await fireEvent.click(screen.getAllByTestId('cell')[0]);
    const input = await screen.findByTestId('tag-input');
    await fireEvent.input(input, { target: { value: 'sunset' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('tag-list').textContent).toContain('sunset'));
    expect(screen.getByTestId('tag-list').textContent).not.toContain('No tags yet');
  });

  it('asks for the first page first, counts in parallel, and renders the grid before the counts answer', async () => {
    const lib = fakeCore({ count: 500 });
    const real = lib.handle.bind(lib);
    const slow = new Set(['library_info', 'stats', 'tag_counts']);
    lib.handle = (cmd, args, options) => (slow.has(cmd) ? (lib.calls.push({ cmd, args, options }), new Promise(() => {})) : real(cmd, args, options));
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell').length).toBeGreaterThan(0));
    const order = lib.calls.map((c) => c.cmd);
    expect(order[0]).toBe('list_grid');
    for (const c of slow) expect(order.indexOf(c)).toBeGreaterThan(0);
    // Counts were asked before the first page came back (parallel, not after).
    const firstCounts = Math.min(...[...slow].map((c) => order.indexOf(c)));
    expect(order.slice(0, firstCounts).filter((c) => c === 'list_grid')).toHaveLength(1);
    // Provisional total from the page(s) loaded so far.
    expect(Number(screen.getByTestId('grid').dataset.total)).toBeGreaterThan(0);
  });
});

describe('App: drop overlay', () => {
  it('shows on enter, stays on over (even without a prior enter), hides on leave', () => {
    fakeCore({ count: 0 });
    const app = new AppState();
    app.fileDrop({ type: 'enter', paths: ['/a.png'] });
    expect(app.dropActive).toBe(true);
    app.fileDrop({ type: 'over' });
    expect(app.dropActive).toBe(true);
    expect(app.dropCount).toBe(1);
    app.fileDrop({ type: 'leave' });
    expect(app.dropActive).toBe(false);
    app.fileDrop({ type: 'over' });
    expect(app.dropActive).toBe(true);
  });
});
