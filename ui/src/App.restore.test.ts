import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { fakeRecord } from './lib/ipc/mock/fixtures';
import { fakeCore, flush } from './test/helpers';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

afterEach(() => cleanup());

const byId = (id: string) => screen.getByTestId(id);

describe('App: a library restored from a bucket, changes from another computer', () => {
  it('an empty library without a bucket offers to restore one, next to setting one up', async () => {
    fakeCore({ count: 0 });
    render(App);
    await screen.findByTestId('empty-bucket');
    expect(byId('empty-restore').textContent).toContain('Restore a library from a bucket');
    expect(byId('empty-setup-bucket').textContent).toContain('Set up a bucket');

    await fireEvent.click(byId('empty-restore'));
    await screen.findByTestId('settings-bucket');
    expect(byId('bucket-restore-note').textContent).toContain('bucket and prefix your other computer syncs to');
  });

  it('"Set up a bucket" opens the same settings without the restore note', async () => {
    fakeCore({ count: 0 });
    render(App);
    await fireEvent.click(await screen.findByTestId('empty-setup-bucket'));
    await screen.findByTestId('settings-bucket');
    expect(screen.queryByTestId('bucket-restore-note')).toBeNull();
  });

  it('with a bucket set up, the empty library does not offer a restore', async () => {
    const lib = fakeCore({ count: 0 });
    lib.remote = {
      name: 'main',
      provider: 'folder',
      endpoint: '',
      region: '',
      bucket: '',
      prefix: '',
      path_style: false,
      path: '/mnt/backup/pics',
      public_url: null,
      strip_location: true,
      credentials: { source: 'not_needed' },
    };
    render(App);
    await screen.findByTestId('empty-state');
    // Once the bucket settings are read (the empty state shows before they are).
    await waitFor(() => expect(lib.calls.some((c) => c.cmd === 'get_remote')).toBe(true));
    await flush(20);
    expect(screen.queryByTestId('empty-bucket')).toBeNull();
  });

  it('images pulled from another computer appear without a click', async () => {
    const lib = fakeCore({ count: 2 });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(2));
    lib.records.push(fakeRecord(2, { local: false }), fakeRecord(3, { local: false }));
    lib.changed('pull');
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(4));
  });

  it('a rename in the detail view renames the image in the grid; a refused name is rolled back', async () => {
    const lib = fakeCore({ count: 2 });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(2));
    const cell = screen.getAllByTestId('cell')[0];
    const id = cell.dataset.id!;
    await fireEvent.click(cell);
    await screen.findByTestId('detail');
    await fireEvent.click(byId('detail-rename'));
    await fireEvent.input(byId('detail-rename-input'), { target: { value: 'harbour.jpg' } });
    await fireEvent.keyDown(byId('detail-rename-input'), { key: 'Enter' });
    await waitFor(() => expect(byId('detail-filename').textContent).toBe('harbour.jpg'));
    expect(lib.find(id).filename).toBe('harbour.jpg');
    await waitFor(() =>
      expect(screen.getAllByTestId('cell').find((c) => c.dataset.id === id)?.getAttribute('aria-label')).toContain('harbour.jpg'),
    );

    await fireEvent.click(byId('detail-rename'));
    await fireEvent.input(byId('detail-rename-input'), { target: { value: 'a/b.jpg' } });
    await fireEvent.keyDown(byId('detail-rename-input'), { key: 'Enter' });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Could not rename'));
    expect(byId('detail-filename').textContent).toBe('harbour.jpg');
    expect(lib.find(id).filename).toBe('harbour.jpg');
  });
});
