import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from './App.svelte';
import ShortcutsDialog from './lib/components/ShortcutsDialog.svelte';
import { SHORTCUTS, keysText } from './lib/shortcuts';
import { fakeCore } from './test/helpers';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

afterEach(() => cleanup());

describe('Keyboard shortcuts dialog', () => {
  it('lists every shortcut, plainly written, by where it works', () => {
    const lines = SHORTCUTS.map((g) => [g.title, ...g.rows.map((r) => `${keysText(r)}: ${r.what}`)]);
    expect(lines).toEqual([
      [
        'Anywhere',
        '/ or Ctrl+F: Go to the search box',
        'Ctrl+O: Add files',
        'Ctrl+Shift+O: Add a folder',
        'Ctrl+U: Import from URL',
        'Ctrl+V: Paste an image or an image link (outside a text field)',
        'Ctrl+B: Show or hide the sidebar',
        'Ctrl++ or Ctrl+−: Bigger / smaller thumbnails',
        '?: Show this list',
        'Esc: Close a dialog or menu; in the search box, clear the search',
      ],
      [
        'In the grid',
        'Left arrow or Right arrow: Previous / next image',
        'Up arrow or Down arrow: Image above / below',
        'Home or End: First / last image',
        'Page Up or Page Down: One screen up / down',
        'Shift+arrow: Extend the selection to the next image',
        'Ctrl+A: Select all (everything the filters and search show)',
        'Esc: Clear the selection',
        'Enter or Space: Open the focused image',
        'Delete: Delete the selected images, or the focused one (asks first, can be undone)',
        'Shift+F10 or Menu: Actions for the focused image (same as a right click)',
      ],
      [
        'Viewing an image',
        'Left arrow or Right arrow: Previous / next image',
        'Esc: Back to the grid',
        'Delete: Delete this image (asks first, can be undone)',
        'Shift+F10 or Menu: Actions for this image (same as a right click)',
      ],
      [
        'In a menu',
        'Up arrow or Down arrow: Previous / next item',
        'Home or End: First / last item',
        'Enter or Space: Choose the item',
        'Esc: Close the menu',
      ],
    ]);
  });

  it('renders each group and row with one <kbd> per key', () => {
    render(ShortcutsDialog, { props: { onclose: () => {} } });
    const dialog = screen.getByTestId('shortcuts');
    for (const g of SHORTCUTS) expect(within(dialog).getByText(g.title)).toBeTruthy();
    const rows = within(dialog).getAllByTestId('shortcut');
    expect(rows).toHaveLength(SHORTCUTS.reduce((n, g) => n + g.rows.length, 0));
    expect([...rows[2].querySelectorAll('kbd')].map((k) => k.textContent)).toEqual(['Ctrl', 'Shift', 'O']);
  });
});

describe('The listed grid and image keys do what the list says', () => {
  it('? opens the list; Home/End/Page Down move, Space opens, Delete asks, arrows step, Esc goes back', async () => {
    fakeCore({ count: 30 });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell').length).toBeGreaterThan(0));
    const grid = screen.getByTestId('grid');
    await waitFor(() => expect(grid.dataset.total).toBe('30'));

    await fireEvent.keyDown(window, { key: '?' });
    expect(await screen.findByTestId('shortcuts')).toBeTruthy();
    await fireEvent.keyDown(screen.getByTestId('shortcuts'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('shortcuts')).toBeNull());

    grid.focus();
    await fireEvent.keyDown(grid, { key: 'End' });
    expect(grid.getAttribute('aria-activedescendant')).toBe('cell-29');
    await fireEvent.keyDown(grid, { key: 'Home' });
    expect(grid.getAttribute('aria-activedescendant')).toBe('cell-0');
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    const below = grid.getAttribute('aria-activedescendant');
    expect(below).not.toBe('cell-0');
    await fireEvent.keyDown(grid, { key: 'ArrowUp' });
    expect(grid.getAttribute('aria-activedescendant')).toBe('cell-0');
    await fireEvent.keyDown(grid, { key: 'PageDown' });
    expect(grid.getAttribute('aria-activedescendant')).not.toBe('cell-0');
    await fireEvent.keyDown(grid, { key: 'Home' });

    await fireEvent.keyDown(grid, { key: 'Delete' });
    expect(await screen.findByTestId('confirm-delete-button')).toBeTruthy();
    await fireEvent.keyDown(screen.getByTestId('confirm-delete-button'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('confirm-delete-button')).toBeNull());

    grid.focus();
    await fireEvent.keyDown(grid, { key: ' ' });
    await screen.findByTestId('detail');
    await waitFor(() => expect(screen.getByTestId('detail-position').textContent).toBe('1 / 30'));
    await fireEvent.keyDown(window, { key: 'ArrowRight' });
    await waitFor(() => expect(screen.getByTestId('detail-position').textContent).toBe('2 / 30'));
    await fireEvent.keyDown(window, { key: 'ArrowLeft' });
    await waitFor(() => expect(screen.getByTestId('detail-position').textContent).toBe('1 / 30'));
    await fireEvent.keyDown(window, { key: 'Delete' });
    expect(await screen.findByTestId('confirm-delete-button')).toBeTruthy();
    await fireEvent.keyDown(screen.getByTestId('confirm-delete-button'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('confirm-delete-button')).toBeNull());
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('detail')).toBeNull());
  });
});
