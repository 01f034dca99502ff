import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from './App.svelte';
import { App as AppState } from './lib/stores/app.svelte';
import { fakeCore } from './test/helpers';
import { menuActions, nextEnabled, placeMenu } from './lib/menu/menu';
import type { FakeLibrary } from './lib/ipc/mock-backend';
import { minioSpec } from './lib/ipc/mock/fixtures';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

afterEach(() => cleanup());

const menu = () => screen.queryByTestId('context-menu');
const item = (id: string) => screen.getByTestId(`menu-${id}`);

async function start(count = 5, setup?: (lib: FakeLibrary) => void) {
  const lib = fakeCore({ count });
  setup?.(lib);
  const app = new AppState();
  render(App, { props: { app } });
  await waitFor(() => expect(screen.getAllByTestId('cell').length).toBeGreaterThan(0));
  return { lib, app, grid: screen.getByTestId('grid') };
}

/** Right-clicks the `i`th tile (the event lands on its thumbnail, as a real click would). */
async function rightClick(i: number) {
  const cell = screen.getAllByTestId('cell')[i];
  await fireEvent.contextMenu(cell.querySelector('img')!, { clientX: 120, clientY: 140 });
  await waitFor(() => expect(menu()).not.toBeNull());
  return cell;
}

function keyOnMenu(key: string, extra: Partial<KeyboardEventInit> = {}) {
  return fireEvent.keyDown(document.activeElement ?? menu()!, { key, ...extra });
}

describe('Image context menu on the grid', () => {
  it('opens over a tile through the grid (delegation), WebKit default prevented, with the actions in order', async () => {
    const { grid } = await start();
    const cell = screen.getAllByTestId('cell')[2];
    const ev = new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: 50, clientY: 60 });
    cell.querySelector('img')!.dispatchEvent(ev);
    expect(ev.defaultPrevented).toBe(true);
    const m = await screen.findByTestId('context-menu');
    expect(m.getAttribute('role')).toBe('menu');
    expect(m.getAttribute('aria-label')).toBe(`Image: ${cell.getAttribute('aria-label')}`);
    const labels = [...m.querySelectorAll('[role="menuitem"], [role="menuitemradio"]')].map((b) => b.textContent?.replace('●', '').trim());
    expect(labels).toEqual(['Open', 'URL', 'Markdown', 'HTML', 'BBCode', 'Private', 'Unlisted', 'Public', 'Add tag…', 'Reveal in folder', 'Free up space', 'Delete…']);
    expect(within(m).getByTestId('menu-group-copy-link').textContent).toContain('Copy link as');
    expect(within(m).getByTestId('menu-group-visibility').textContent).toContain('Visibility');
    // The tile becomes the grid's current one; the cells carry no handler of their own.
    expect(cell.classList.contains('focused')).toBe(true);
    expect(grid.getAttribute('aria-activedescendant')).toBe(cell.id);
    expect(document.activeElement).toBe(m);
  });

  it('shows the image’s visibility as the checked choice', async () => {
    const { lib } = await start();
    const cell = await rightClick(0);
    const rec = lib.records.find((r) => r.id === cell.dataset.id)!;
    expect(item(`visibility-${rec.visibility}`).getAttribute('aria-checked')).toBe('true');
    expect(screen.getAllByRole('menuitemradio').filter((b) => b.getAttribute('aria-checked') === 'true')).toHaveLength(1);
  });

  it('moves with the arrows (wrapping, Home/End), runs with Enter, closes with Esc and gives the focus back', async () => {
    const { grid, lib } = await start();
    await rightClick(1);
    await keyOnMenu('ArrowDown');
    expect(document.activeElement).toBe(item('open'));
    await keyOnMenu('ArrowDown');
    expect(document.activeElement).toBe(item('copy-url'));
    await keyOnMenu('ArrowUp');
    await keyOnMenu('ArrowUp');
    expect(document.activeElement).toBe(item('delete'));
    await keyOnMenu('Home');
    expect(document.activeElement).toBe(item('open'));
    await keyOnMenu('End');
    expect(document.activeElement).toBe(item('delete'));
    // Keys pressed in the menu are not the window's shortcuts: Delete does not ask to delete.
    await keyOnMenu('Delete');
    expect(screen.queryByTestId('confirm-delete-button')).toBeNull();
    await keyOnMenu('Escape');
    expect(menu()).toBeNull();
    expect(document.activeElement).toBe(grid);
    expect(lib.callsOf('delete_images')).toHaveLength(0);

    await rightClick(1);
    await keyOnMenu('ArrowDown');
    await keyOnMenu('Enter');
    expect(menu()).toBeNull();
    expect(await screen.findByTestId('detail')).toBeTruthy();
  });

  it('closes on a click elsewhere, a scroll, and the window losing focus', async () => {
    const { grid } = await start();
    await rightClick(0);
    await fireEvent.pointerDown(document.body);
    expect(menu()).toBeNull();
    await rightClick(0);
    await fireEvent.scroll(grid);
    expect(menu()).toBeNull();
    await rightClick(0);
    await fireEvent.blur(window);
    expect(menu()).toBeNull();
    // A click inside does not close it.
    await rightClick(0);
    await fireEvent.pointerDown(item('reveal'));
    expect(menu()).not.toBeNull();
  });

  it('Shift+F10 and the Menu key open it on the focused tile, first item focused', async () => {
    const { grid } = await start();
    grid.focus();
    await fireEvent.keyDown(grid, { key: 'ArrowRight' });
    await fireEvent.keyDown(grid, { key: 'F10', shiftKey: true });
    expect(await screen.findByTestId('context-menu')).toBeTruthy();
    expect(document.activeElement).toBe(item('open'));
    await keyOnMenu('Escape');
    expect(document.activeElement).toBe(grid);
    await fireEvent.keyDown(grid, { key: 'ContextMenu' });
    expect(await screen.findByTestId('context-menu')).toBeTruthy();
    await keyOnMenu('Enter');
    const cell1 = screen.getAllByTestId('cell')[1];
    await waitFor(() => expect(screen.getByTestId('detail-filename').textContent).toBe(cell1.getAttribute('aria-label')));
  });
});

describe('Image context menu actions', () => {
  it('Visibility ▸ Public calls set_visibility for that image (and the grid shows it)', async () => {
    const { lib } = await start();
    const cell = await rightClick(0);
    const id = cell.dataset.id!;
    await fireEvent.click(item('visibility-public'));
    await waitFor(() => expect(lib.callsOf('set_visibility')).toHaveLength(1));
    expect(lib.callsOf('set_visibility')[0].args).toMatchObject({ id, visibility: 'public' });
    await waitFor(() => expect(cell.querySelector('.badge')?.textContent).toBe('Public'));
  });

  it('Copy link ▸ Markdown without a bucket copies the file:// link', async () => {
    const { lib } = await start();
    const cell = await rightClick(0);
    await fireEvent.click(item('copy-markdown'));
    await waitFor(() => expect(lib.callsOf('plugin:clipboard-manager|write_text')).toHaveLength(1));
    const link = lib.callsOf('image_link')[0].args as Record<string, unknown>;
    expect(link).toEqual({ id: cell.dataset.id, format: 'markdown' });
    const copied = JSON.stringify(lib.callsOf('plugin:clipboard-manager|write_text')[0].args);
    expect(copied).toContain('](file://');
    expect((await screen.findByTestId('toast')).textContent).toContain('Markdown link copied');
  });

  it('Copy link ▸ URL of a private image in a bucket asks for a presigned link with the default expiry', async () => {
    const { lib } = await start(5, (lib) => {
      lib.remote = {
        name: 'main',
        provider: 'folder',
        endpoint: '',
        region: '',
        bucket: 'pics',
        prefix: '',
        path_style: false,
        path: '/mnt/backup/pics',
        public_url: null,
        strip_location: true,
        credentials: { source: 'not_needed' },
      };
      for (const r of lib.records) {
        r.visibility = 'private';
        r.object_key = `private/${r.sha256}.png`;
        r.remote_state = 'synced';
      }
    });
    const cell = await rightClick(3);
    await fireEvent.click(item('copy-url'));
    await waitFor(() => expect(lib.callsOf('plugin:clipboard-manager|write_text')).toHaveLength(1));
    expect(lib.callsOf('image_link')[0].args).toEqual({ id: cell.dataset.id, format: 'url', expires: 3600 });
    expect(JSON.stringify(lib.callsOf('plugin:clipboard-manager|write_text')[0].args)).toContain('X-Amz-Expires=3600');
  });

  it('Reveal in folder calls reveal_image; Delete… asks first, then hides with Undo', async () => {
    const { lib } = await start(3);
    const cell = await rightClick(0);
    const id = cell.dataset.id!;
    await fireEvent.click(item('reveal'));
    await waitFor(() => expect(lib.callsOf('reveal_image')).toHaveLength(1));
    expect(lib.callsOf('reveal_image')[0].args).toEqual({ id });

    await rightClick(0);
    await fireEvent.click(item('delete'));
    await fireEvent.click(await screen.findByTestId('confirm-delete-button'));
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(2));
    expect(screen.getAllByTestId('cell').map((c) => c.dataset.id)).not.toContain(id);
    await fireEvent.click(await screen.findByTestId('undo-button'));
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(3));
  });

  it('Free up space offloads a synced image (the tile shows it is in the bucket); Keep on this computer fetches it back', async () => {
    const { lib } = await start(3, (l) => {
      l.setRemote(minioSpec(), 'AKID', 'SECRET');
      for (const r of l.records) r.remote_state = 'synced';
    });
    const cell = await rightClick(0);
    const id = cell.dataset.id!;
    expect(within(cell).queryByTestId('offloaded')).toBeNull();
    await fireEvent.click(item('offload'));
    await waitFor(() => expect(lib.callsOf('offload_images')).toHaveLength(1));
    expect(lib.callsOf('offload_images')[0].args).toEqual({ ids: [id] });
    await waitFor(() => expect(within(screen.getAllByTestId('cell')[0]).queryByTestId('offloaded')).not.toBeNull());
    expect(await screen.findByText(/Freed .*: the original is in the bucket/)).toBeTruthy();

    await rightClick(0);
    await fireEvent.click(item('keep-local'));
    await waitFor(() => expect(lib.callsOf('fetch_originals')).toHaveLength(1));
    expect(lib.callsOf('fetch_originals')[0].args).toEqual({ ids: [id] });
    await waitFor(() => expect(within(screen.getAllByTestId('cell')[0]).queryByTestId('offloaded')).toBeNull());
  });

  it('Free up space on an image that is not synced keeps it and says why', async () => {
    const { lib } = await start(3, (l) => l.setRemote(minioSpec(), 'AKID', 'SECRET'));
    const cell = await rightClick(0);
    await fireEvent.click(item('offload'));
    expect(await screen.findByText(/Kept on this computer: not synced to the bucket yet/)).toBeTruthy();
    expect(lib.records.find((r) => r.id === cell.dataset.id)?.local).toBe(true);
  });

  it('Add tag… opens the image with its tag field focused; the tag goes through edit_tags', async () => {
    const { lib } = await start();
    const cell = await rightClick(1);
    await fireEvent.click(item('add-tag'));
    const input = await screen.findByTestId('tag-input');
    await waitFor(() => expect(document.activeElement).toBe(input));
    expect(screen.getByTestId('detail-filename').textContent).toBe(cell.getAttribute('aria-label'));
    await fireEvent.input(input, { target: { value: 'sunset' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(lib.callsOf('edit_tags')).toHaveLength(1));
    expect(lib.callsOf('edit_tags')[0].args).toEqual({ id: cell.dataset.id, add: ['sunset'], remove: [] });
  });
});

describe('Image context menu in the detail view', () => {
  it('opens over the image (no Open item), acts on the open image, and leaves text fields their own menu', async () => {
    const { lib } = await start();
    await fireEvent.click(screen.getAllByTestId('cell')[0]);
    const detail = await screen.findByTestId('detail');
    await waitFor(() => expect(screen.getByTestId('detail-filename').textContent).toBeTruthy());
    const ev = new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: 300, clientY: 300 });
    screen.getByTestId('detail-preview').dispatchEvent(ev);
    expect(ev.defaultPrevented).toBe(true);
    await screen.findByTestId('context-menu');
    expect(screen.queryByTestId('menu-open')).toBeNull();
    await fireEvent.click(item('visibility-unlisted'));
    await waitFor(() => expect(lib.callsOf('set_visibility')).toHaveLength(1));
    await waitFor(() => expect(within(detail).getByTestId('visibility-unlisted').getAttribute('aria-checked')).toBe('true'));

    const tagInput = screen.getByTestId('tag-input');
    const inField = new MouseEvent('contextmenu', { bubbles: true, cancelable: true });
    tagInput.dispatchEvent(inField);
    expect(inField.defaultPrevented).toBe(false);
    expect(menu()).toBeNull();

    // Shift+F10 from the detail view; Esc closes the menu, not the detail view.
    detail.focus();
    await fireEvent.keyDown(detail, { key: 'F10', shiftKey: true });
    await screen.findByTestId('context-menu');
    expect(document.activeElement).toBe(item('copy-url'));
    // The contextmenu event a webview may send for the same key does not reopen it elsewhere.
    await fireEvent.contextMenu(detail, { clientX: 0, clientY: 0 });
    expect(document.activeElement).toBe(item('copy-url'));
    await keyOnMenu('Escape');
    expect(menu()).toBeNull();
    expect(screen.getByTestId('detail')).toBeTruthy();
  });
});

describe('Image context menu over selected text', () => {
  it('offers Copy first for the text selected in the detail view', async () => {
    const { lib } = await start();
    await fireEvent.click(screen.getAllByTestId('cell')[0]);
    const name = await screen.findByTestId('detail-filename');
    await waitFor(() => expect(name.textContent).toBeTruthy());
    const range = document.createRange();
    range.selectNodeContents(name);
    getSelection()!.removeAllRanges();
    getSelection()!.addRange(range);
    await fireEvent.contextMenu(name, { clientX: 500, clientY: 100 });
    await screen.findByTestId('context-menu');
    await fireEvent.click(item('copy-selection'));
    await waitFor(() => expect(lib.callsOf('plugin:clipboard-manager|write_text')).toHaveLength(1));
    expect(JSON.stringify(lib.callsOf('plugin:clipboard-manager|write_text')[0].args)).toContain(JSON.stringify(name.textContent));
    getSelection()!.removeAllRanges();
  });
});

describe('Focus back from the detail view', () => {
  it('Esc returns the focus to the grid on the image you came from, with its ring shown at once', async () => {
    const { grid } = await start(20);
    await fireEvent.click(screen.getAllByTestId('cell')[2]);
    await screen.findByTestId('detail');
    await fireEvent.keyDown(window, { key: 'ArrowRight' });
    await waitFor(() => expect(screen.getByTestId('detail-position').textContent).toBe('4 / 20'));
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('detail')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(grid));
    const cell = document.getElementById('cell-3')!;
    expect(cell.classList.contains('focused')).toBe(true);
    expect(grid.getAttribute('aria-activedescendant')).toBe('cell-3');
    // The ring does not wait for :focus-visible (no key pressed on the grid yet).
    expect(grid.classList.contains('ring')).toBe(true);
    await fireEvent.pointerDown(grid);
    expect(grid.classList.contains('ring')).toBe(false);
  });
});

describe('menu helpers', () => {
  it('placeMenu keeps the menu inside the window, flipping near the right and bottom edges', () => {
    expect(placeMenu(100, 100, 200, 300, 1000, 800)).toEqual({ left: 100, top: 100 });
    expect(placeMenu(900, 700, 200, 300, 1000, 800)).toEqual({ left: 700, top: 400 });
    // Too tall to flip above the pointer: pinned to the margin.
    expect(placeMenu(10, 100, 200, 300, 1000, 250)).toEqual({ left: 10, top: 4 });
    expect(placeMenu(-5, -5, 200, 100, 1000, 800)).toEqual({ left: 4, top: 4 });
  });

  it('nextEnabled wraps and skips disabled items; menuActions flattens groups', () => {
    const items = [{}, { disabled: true }, {}];
    expect(nextEnabled(items, 0, 1)).toBe(2);
    expect(nextEnabled(items, 2, 1)).toBe(0);
    expect(nextEnabled(items, 0, -1)).toBe(2);
    expect(nextEnabled([{ disabled: true }], -1, 1)).toBe(-1);
    const run = () => {};
    expect(
      menuActions([
        { id: 'a', label: 'A', run },
        { kind: 'separator' },
        { kind: 'group', id: 'g', label: 'G', items: [{ id: 'b', label: 'B', run }] },
      ]).map((a) => a.id),
    ).toEqual(['a', 'b']);
  });
});
