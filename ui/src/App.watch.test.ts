import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from './App.svelte';
import { fakeCore } from './test/helpers';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

afterEach(() => cleanup());

const byId = (id: string) => screen.getByTestId(id);

describe('App: watched folders', () => {
  it('watch a folder from the sidebar, see it watching, its activity, pause it and remove it', async () => {
    const lib = fakeCore({ count: 2 });
    lib.dialogResult = '/home/me/Screenshots';
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('cell')).toHaveLength(2));

    // No folder yet: the sidebar offers to watch one, which opens Settings at the section.
    await fireEvent.click(await screen.findByTestId('sidebar-watch-add'));
    await screen.findByTestId('settings-watch');
    await fireEvent.click(byId('watch-add'));
    await screen.findByTestId('watch-form');
    expect(lib.callsOf('plugin:dialog|open').map((c) => c.args)).toEqual([
      { options: { multiple: false, directory: true, title: 'Watch a folder' } },
    ]);
    await fireEvent.input(byId('watch-opt-tags'), { target: { value: 'screenshots' } });
    await fireEvent.click(byId('watch-form-save'));
    await waitFor(() => expect(screen.queryByTestId('watch-form')).toBeNull());
    expect(lib.callsOf('add_watched_folder').at(-1)?.args).toMatchObject({
      path: '/home/me/Screenshots',
      options: { recursive: true, tags: ['screenshots'], on_delete: 'keep', copy: false },
    });

    // The watcher picks it up: settings and sidebar say watching.
    await waitFor(() => expect(byId('watched-folder').dataset.status).toBe('watching'));
    expect(byId('sidebar-watched').dataset.status).toBe('watching');
    expect(byId('sidebar-watched').textContent).toContain('Screenshots');
    const id = lib.folders[0].id;

    // A file appears; then it is edited.
    lib.watchChange(id, 'added', '/home/me/Screenshots/shot.png', null, 'IMG1');
    lib.watchNotice({
      type: 'change',
      folder_id: id,
      path: '/home/me/Screenshots/shot.png',
      kind: 'edited',
      image_id: 'IMG2',
      detail: 'new version; the previous one (01J5ZQ3W8R6N2T4Y7C9B1D3F5H) stays in the library',
      previous_id: '01J5ZQ3W8R6N2T4Y7C9B1D3F5H',
      rule: 'keep',
    });
    await waitFor(() => expect(screen.getAllByTestId('watch-event')).toHaveLength(2));
    expect(screen.getAllByTestId('watch-event')[0].textContent).toContain('Edited shot.png — new version; the previous one stays in the library');

    // Pause, resume.
    await fireEvent.click(byId('watch-pause'));
    await waitFor(() => expect(byId('sidebar-watched').dataset.status).toBe('paused'));
    expect(within(byId('sidebar-watched')).getByTestId('sidebar-watched-state').textContent).toBe('paused');
    await fireEvent.click(byId('watch-pause'));
    await waitFor(() => expect(byId('watched-folder').dataset.status).toBe('watching'));
    expect(lib.callsOf('pause_watched_folder').map((c) => c.args)).toEqual([
      { id, paused: true },
      { id, paused: false },
    ]);

    // The sidebar entry opens this folder in Settings (from the gallery too).
    await fireEvent.click(byId('filter-all'));
    await waitFor(() => expect(screen.queryByTestId('settings-watch')).toBeNull());
    await fireEvent.click(byId('sidebar-watched'));
    await screen.findByTestId('settings-watch');
    // Opening the section reads each folder's own log.
    await waitFor(() => expect(lib.callsOf('watch_events').map((c) => c.args)).toContainEqual({ folderId: id, limit: 50 }));
    expect(screen.getAllByTestId('watch-event')).toHaveLength(2);

    // Remove: asks, then the folder is gone and the images stay.
    await fireEvent.click(byId('watch-remove'));
    expect(byId('watch-remove-confirm').textContent).toContain('Its images stay in the library');
    await fireEvent.click(byId('watch-remove-confirm-button'));
    await waitFor(() => expect(screen.queryByTestId('watched-folder')).toBeNull());
    expect(lib.callsOf('remove_watched_folder').map((c) => c.args)).toEqual([{ id }]);
    expect(lib.records).toHaveLength(2);
    await screen.findByTestId('sidebar-watch-add');
  });
});
