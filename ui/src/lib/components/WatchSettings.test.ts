import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import WatchSettings from './WatchSettings.svelte';
import WatchedNav from './WatchedNav.svelte';
import { fakeFolder } from '../ipc/mock-backend';
import type { FolderOptions, WatchedFolder, WatchEvent } from '../ipc';

afterEach(() => cleanup());

function show(over: Record<string, unknown> = {}) {
  const props = {
    folders: [] as WatchedFolder[],
    loaded: true,
    elsewhere: false,
    error: null as { code: string; message: string } | null,
    busy: new Set<number>(),
    starting: new Set<number>(),
    activity: {} as Record<number, WatchEvent[]>,
    onpick: vi.fn(async (): Promise<string | null> => '/home/me/Screenshots'),
    onsave: vi.fn(async (_path: string, _options: FolderOptions) => true),
    onpause: vi.fn(),
    onremove: vi.fn(async (_id: number) => true),
    ...over,
  };
  render(WatchSettings, { props });
  return props;
}

const byId = (id: string) => screen.getByTestId(id);
const input = (id: string) => byId(id) as HTMLInputElement;

describe('WatchSettings', () => {
  it('Add folder…: picks a folder, then the form produces its FolderOptions', async () => {
    const p = show();
    expect(byId('watch-empty').textContent).toContain('No folder is watched yet');
    await fireEvent.click(byId('watch-add'));
    expect(p.onpick).toHaveBeenCalled();
    await screen.findByTestId('watch-form');
    expect(byId('watch-form-path').textContent).toBe('/home/me/Screenshots');
    // The defaults: subfolders, private, in place, keep in library.
    expect(input('watch-opt-recursive').checked).toBe(true);
    expect(input('watch-opt-in-place').checked).toBe(true);
    expect(input('watch-opt-on-delete-keep').checked).toBe(true);
    // Each rule is explained in one line; the built-in skips are mentioned.
    const form = byId('watch-form');
    expect(form.textContent).toContain('Deleting a file in the folder never deletes its image.');
    expect(form.textContent).toContain('its copy in the bucket stays');
    expect(form.textContent).toContain('removed from the library and from the bucket');
    expect(form.textContent).toContain('Temporary, partial and hidden files are always skipped.');

    await fireEvent.click(input('watch-opt-recursive'));
    await fireEvent.input(input('watch-opt-tags'), { target: { value: 'screenshots, inbox ,' } });
    await fireEvent.change(byId('watch-opt-visibility'), { target: { value: 'unlisted' } });
    await fireEvent.click(input('watch-opt-copy'));
    await fireEvent.click(input('watch-opt-on-delete-remove-remote'));
    await fireEvent.input(byId('watch-opt-include'), { target: { value: '*.png\n\nrenders/**' } });
    await fireEvent.input(byId('watch-opt-exclude'), { target: { value: 'drafts/**\n' } });
    await fireEvent.click(input('watch-opt-poll'));
    await fireEvent.click(byId('watch-form-save'));

    expect(p.onsave).toHaveBeenCalledWith('/home/me/Screenshots', {
      recursive: false,
      include: ['*.png', 'renders/**'],
      exclude: ['drafts/**'],
      tags: ['screenshots', 'inbox'],
      visibility: 'unlisted',
      copy: true,
      on_delete: 'remove-remote',
      poll: true,
    });
    await vi.waitFor(() => expect(screen.queryByTestId('watch-form')).toBeNull());
  });

  it('a cancelled picker opens no form; a folder already watched opens its options', async () => {
    const watched = fakeFolder({ id: 7, path: '/home/me/Screenshots', tags: ['shots'] });
    const p = show({ folders: [watched], onpick: vi.fn(async () => null) });
    await fireEvent.click(byId('watch-add'));
    expect(screen.queryByTestId('watch-form')).toBeNull();
    p.onpick.mockResolvedValueOnce('/home/me/Screenshots/');
    await fireEvent.click(byId('watch-add'));
    const form = await screen.findByTestId('watch-form');
    expect(input('watch-opt-tags').value).toBe('shots');
    expect(within(form).getByTestId('watch-form-save').textContent?.trim()).toBe('Save');
  });

  it('Options… edits a folder with its saved options and saves them for the same path', async () => {
    const f = fakeFolder({ id: 3, path: '/mnt/nas/renders', recursive: false, tags: ['sd', 'wip'], on_delete: 'remove', exclude: ['*.tmp.png'] });
    const p = show({ folders: [f] });
    await fireEvent.click(byId('watch-edit'));
    expect(input('watch-opt-recursive').checked).toBe(false);
    expect(input('watch-opt-tags').value).toBe('sd, wip');
    expect(input('watch-opt-on-delete-remove').checked).toBe(true);
    expect((byId('watch-opt-exclude') as HTMLTextAreaElement).value).toBe('*.tmp.png');
    await fireEvent.input(input('watch-opt-tags'), { target: { value: 'sd' } });
    await fireEvent.click(byId('watch-form-save'));
    expect(p.onsave).toHaveBeenCalledWith('/mnt/nas/renders', {
      recursive: false,
      include: [],
      exclude: ['*.tmp.png'],
      tags: ['sd'],
      visibility: 'private',
      copy: false,
      on_delete: 'remove',
      poll: false,
    });
  });

  it('Remove… asks first, saying the images stay in the library', async () => {
    const f = fakeFolder({ id: 4, path: '/home/me/Old', files: 12 });
    const p = show({ folders: [f] });
    await fireEvent.click(byId('watch-remove'));
    expect(p.onremove).not.toHaveBeenCalled();
    expect(byId('watch-remove-confirm').textContent).toContain('Its images stay in the library');
    await fireEvent.click(byId('watch-remove-cancel'));
    expect(screen.queryByTestId('watch-remove-confirm')).toBeNull();
    expect(p.onremove).not.toHaveBeenCalled();

    await fireEvent.click(byId('watch-remove'));
    await fireEvent.click(byId('watch-remove-confirm-button'));
    expect(p.onremove).toHaveBeenCalledWith(4);
    await vi.waitFor(() => expect(screen.queryByTestId('watch-remove-confirm')).toBeNull());
  });

  it('shows each folder’s live status, counts, options and recent activity; Pause/Resume', async () => {
    const a = fakeFolder({ id: 1, path: '/home/me/A', status: 'scanning', detail: 'scanning 12/50', progress: { done: 12, total: 50 }, files: 12 });
    const b = fakeFolder({
      id: 2,
      path: '/media/usb/B',
      status: 'offline',
      detail: 'folder not found: is its disk plugged in? Nothing is deleted while it is away',
      files: 3,
      errors: 1,
    });
    const c = fakeFolder({ id: 3, path: '/home/me/C', paused: true, status: 'paused', tags: ['x'] });
    const at = new Date().toISOString();
    const activity: Record<number, WatchEvent[]> = {
      1: [
        { id: 3, folder_id: 1, at, kind: 'failed', path: '/home/me/A/bad.jpg', image_id: null, detail: 'corrupt image: unexpected end of data' },
        {
          id: 2,
          folder_id: 1,
          at,
          kind: 'edited',
          path: '/home/me/A/photo.png',
          image_id: 'I2',
          detail: 'new version; the previous one (01J5ZQ3W8R6N2T4Y7C9B1D3F5H) stays in the library',
          previous_id: '01J5ZQ3W8R6N2T4Y7C9B1D3F5H',
          rule: 'keep',
        },
        { id: 1, folder_id: 1, at, kind: 'added', path: '/home/me/A/photo.png', image_id: 'I1', detail: null },
      ],
    };
    const p = show({ folders: [a, b, c], activity });
    const rows = screen.getAllByTestId('watched-folder');
    expect(rows.map((r) => [r.dataset.path, r.dataset.status])).toEqual([
      ['/home/me/A', 'scanning'],
      ['/media/usb/B', 'offline'],
      ['/home/me/C', 'paused'],
    ]);
    expect(within(rows[0]).getByTestId('watch-state').textContent).toBe(`Scanning 12/50`);
    expect(within(rows[1]).getByTestId('watch-state').textContent).toBe('Offline');
    expect(within(rows[1]).getByTestId('watch-detail').textContent).toContain('is its disk plugged in?');
    expect(within(rows[1]).getByTestId('watch-errors').textContent).toBe('1 failed');
    expect(within(rows[2]).getByTestId('watch-options').textContent).toContain('tags: x');

    const lines = within(rows[0]).getAllByTestId('watch-event').map((li) => li.textContent?.replace(/\s+/g, ' ').trim());
    expect(lines[0]).toMatch(/^Failed bad\.jpg — corrupt image: unexpected end of data/);
    expect(lines[1]).toMatch(/^Edited photo\.png — new version; the previous one stays in the library/);
    expect(lines[2]).toMatch(/^Added photo\.png/);

    await fireEvent.click(within(rows[0]).getByTestId('watch-pause'));
    expect(p.onpause).toHaveBeenCalledWith(1, true);
    expect(within(rows[2]).getByTestId('watch-pause').textContent?.trim()).toBe('Resume');
    await fireEvent.click(within(rows[2]).getByTestId('watch-pause'));
    expect(p.onpause).toHaveBeenCalledWith(3, false);
  });

  it('says when another process watches the library, and shows an error', () => {
    show({ elsewhere: true, error: { code: 'invalid_input', message: 'invalid folder: "/x" (it overlaps a folder already watched recursively)' } });
    expect(byId('watch-elsewhere').textContent).toContain('vitrine watch run');
    expect(byId('watch-error').textContent).toContain('overlaps');
  });
});

describe('WatchedNav', () => {
  it('lists folders by name with their status; a click opens that folder in Settings', async () => {
    const onopen = vi.fn();
    const folders = [
      fakeFolder({ id: 1, path: '/home/me/Screenshots' }),
      fakeFolder({ id: 2, path: '/home/me/Renders', status: 'scanning', detail: 'scanning 5/40', progress: { done: 5, total: 40 } }),
      fakeFolder({ id: 3, path: '/media/usb/Camera', status: 'offline', detail: 'folder not found' }),
      fakeFolder({ id: 4, path: '/home/me/Inbox', errors: 2 }),
      fakeFolder({ id: 5, path: '/home/me/Later', paused: true, status: 'paused' }),
    ];
    render(WatchedNav, { props: { folders, starting: new Set<number>(), elsewhere: false, onopen } });
    const items = screen.getAllByTestId('sidebar-watched');
    expect(items.map((i) => [i.querySelector('.label')?.textContent, i.dataset.status, i.querySelector('.state')?.textContent ?? ''])).toEqual([
      ['Screenshots', 'watching', ''],
      ['Renders', 'scanning', '5/40'],
      ['Camera', 'offline', 'offline'],
      ['Inbox', 'watching', '2 failed'],
      ['Later', 'paused', 'paused'],
    ]);
    expect(items[0].getAttribute('title')).toContain('/home/me/Screenshots');
    expect(items[0].dataset.path).toBe('/home/me/Screenshots');
    await fireEvent.click(items[2]);
    expect(onopen).toHaveBeenCalledWith(3);
  });

  it('with no folder, offers a subtle way to watch one; says when vitrine watch run watches', async () => {
    const onopen = vi.fn();
    render(WatchedNav, { props: { folders: [], starting: new Set<number>(), elsewhere: true, onopen } });
    await fireEvent.click(screen.getByTestId('sidebar-watch-add'));
    expect(onopen).toHaveBeenCalledWith(null);
    expect(screen.getByTestId('sidebar-watched-elsewhere').textContent).toBe('watched by vitrine watch run');
  });
});
