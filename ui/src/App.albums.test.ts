import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from './App.svelte';
import { App as AppState } from './lib/stores/app.svelte';
import { fakeCore } from './test/helpers';
import { minioSpec } from './lib/ipc/mock/fixtures';
import type { FakeLibrary } from './lib/ipc/mock-backend';
import type { ListQuery } from './lib/ipc';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

afterEach(() => cleanup());

async function start(): Promise<FakeLibrary> {
  const lib = fakeCore({ count: 30 });
  render(App, { props: { app: new AppState() } });
  await waitFor(() => expect(screen.getAllByTestId('cell').length).toBeGreaterThan(0));
  return lib;
}

const cell = (i: number) => document.getElementById(`cell-${i}`)!;
const lastQuery = (lib: FakeLibrary) => (lib.callsOf('list_grid').at(-1)!.args as { query: ListQuery }).query;

describe('Albums', () => {
  it('a new album from the selection is shown at once, listed in the sidebar, and grows from another selection', async () => {
    const lib = await start();
    const picked = [cell(0).dataset.id!, cell(2).dataset.id!, cell(4).dataset.id!];
    for (const i of [0, 2, 4]) await fireEvent.click(cell(i), { ctrlKey: true });
    await fireEvent.click(screen.getByTestId('bulk-album'));
    await fireEvent.click(await screen.findByTestId('menu-album-new'));
    await fireEvent.input(await screen.findByTestId('album-name-input'), { target: { value: 'Holiday 2024' } });
    await fireEvent.click(screen.getByTestId('album-name-submit'));
    await waitFor(() => expect(lastQuery(lib).album).toBe('Holiday 2024'));
    await waitFor(() => expect(screen.getByTestId('result-count').textContent).toBe('3 images'));
    expect(screen.getAllByTestId('cell').map((c) => c.dataset.id).sort()).toEqual([...picked].sort());
    const item = within(screen.getByTestId('album-list')).getByTestId('filter-album');
    expect(item.textContent).toContain('Holiday 2024');
    expect(item.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getAllByTestId('chip').map((c) => c.dataset.key)).toEqual(['album']);

    // Back to all images: two more, added through Album ▸ Add to.
    await fireEvent.click(screen.getByTestId('filter-all'));
    await waitFor(() => expect(screen.getByTestId('result-count').textContent).toBe('30 images'));
    await fireEvent.click(cell(7), { ctrlKey: true });
    await fireEvent.click(cell(8), { ctrlKey: true });
    await fireEvent.click(screen.getByTestId('bulk-album'));
    await fireEvent.click(within(await screen.findByTestId('context-menu')).getByText('Holiday 2024'));
    await waitFor(() => expect(within(screen.getByTestId('album-list')).getByTestId('filter-album').textContent).toContain('5'));
  });

  it('in an album: remove from it, publish (link copied), unpublish, rename, delete', async () => {
    const lib = await start();
    await fireEvent.click(screen.getByTestId('new-album'));
    await fireEvent.input(await screen.findByTestId('album-name-input'), { target: { value: 'Empty' } });
    await fireEvent.click(screen.getByTestId('album-name-submit'));
    await waitFor(() => expect(screen.getByTestId('result-count').textContent).toBe('0 images'));
    expect((screen.getByTestId('album-publish') as HTMLButtonElement).disabled, 'nothing to publish').toBe(true);

    await fireEvent.click(screen.getByTestId('filter-all'));
    await waitFor(() => expect(screen.getByTestId('result-count').textContent).toBe('30 images'));
    for (const i of [1, 3]) await fireEvent.click(cell(i), { ctrlKey: true });
    await fireEvent.click(screen.getByTestId('bulk-album'));
    await fireEvent.click(within(await screen.findByTestId('context-menu')).getByText('Empty'));
    await fireEvent.click(within(screen.getByTestId('album-list')).getByTestId('filter-album'));
    await waitFor(() => expect(screen.getByTestId('result-count').textContent).toBe('2 images'));

    await fireEvent.click(cell(0), { ctrlKey: true });
    await fireEvent.click(screen.getByTestId('bulk-album'));
    await fireEvent.click(await screen.findByTestId('menu-album-remove'));
    await waitFor(() => expect(screen.getByTestId('result-count').textContent).toBe('1 image'));

    // Publishing needs a bucket with a public address: without one, the error says so, once.
    await fireEvent.click(screen.getByTestId('album-publish'));
    await waitFor(() => expect(lib.callsOf('publish_album')).toHaveLength(1));
    await waitFor(() => expect(screen.getByText(/Could not publish the album/)).toBeTruthy());

    // With a bucket that has a public address: published, the link copied, then unpublished.
    lib.setRemote(minioSpec({ public_url: 'https://pics.example.org' }), 'AKID', 'SECRET');
    await fireEvent.click(screen.getByTestId('album-publish'));
    await waitFor(() => expect(screen.getByTestId('album-copy-link')).toBeTruthy());
    expect(lib.albums.named('Empty').published_url).toMatch(/^https:\/\/pics\.example\.org\/public\/albums\/.+\/index\.html$/);
    expect(await screen.findByText('Album link copied')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('album-unpublish'));
    await waitFor(() => expect(screen.getByTestId('album-publish')).toBeTruthy());
    expect(lib.albums.named('Empty').published_url).toBeNull();

    await fireEvent.click(screen.getByTestId('album-rename'));
    const input = (await screen.findByTestId('album-name-input')) as HTMLInputElement;
    expect(input.value).toBe('Empty');
    await fireEvent.input(input, { target: { value: 'Best of' } });
    await fireEvent.click(screen.getByTestId('album-name-submit'));
    await waitFor(() => expect(lastQuery(lib).album).toBe('Best of'));
    await fireEvent.click(screen.getByTestId('album-delete'));
    await fireEvent.click(await screen.findByTestId('confirm-album-delete-button'));
    await waitFor(() => expect(within(screen.getByTestId('album-list')).queryByTestId('filter-album')).toBeNull());
    await waitFor(() => expect(lastQuery(lib).album ?? null).toBeNull());
    expect(lib.records).toHaveLength(30);
  });
});
