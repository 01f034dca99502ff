import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import DetailView from './DetailView.svelte';
import { fakeDetail, fakeRecord } from '../ipc/mock-backend';
import type { ImageDetail } from '../ipc';
import { fakeCore } from '../../test/helpers';

// Thumbnail and original URLs go through the (mocked) Tauri internals.
beforeEach(() => void fakeCore());
afterEach(() => cleanup());

function show(image: ImageDetail, over: Record<string, unknown> = {}) {
  const props = {
    image,
    loading: false,
    error: null,
    index: 0,
    count: 3,
    tagSuggestions: ['cats', 'street'],
    share: { hasRemote: false, link: null, error: null, busy: false, expiry: 3600, onexpiry: vi.fn(), oncopy: vi.fn() },
    onclose: vi.fn(),
    onstep: vi.fn(),
    onvisibility: vi.fn(),
    onedittags: vi.fn(),
    oncopy: vi.fn(),
    onreveal: vi.fn(),
    ondelete: vi.fn(),
    onopenurl: vi.fn(),
    onlocal: vi.fn(),
    ...over,
  };
  render(DetailView, { props });
  return props;
}

// Image 3 carries AI parameters and came from a URL; image 4 is a private camera photo with GPS.
const ai = () => fakeDetail(fakeRecord(3, { tags: ['cats'] }));
const photo = () => fakeDetail(fakeRecord(4));

describe('DetailView', () => {
  it('a dialog named after the image, with its summary and position', () => {
    show(ai());
    expect(screen.getByRole('dialog').getAttribute('aria-label')).toBe('Image details: neon-00003.gif');
    expect(screen.getByTestId('detail-filename').textContent).toBe('neon-00003.gif');
    expect(screen.getByTestId('detail-dimensions').textContent).toBe('1280 × 1200');
    expect(screen.getByTestId('detail-format').textContent).toBe('GIF');
    expect(screen.getByTestId('detail-position').textContent).toBe('1 / 3');
  });

  it('the stage steps and closes; previous is off on the first image, and zoom toggles', async () => {
    const p = show(ai());
    expect((screen.getByLabelText('Previous image (←)') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByLabelText('Next image (→)'));
    expect(p.onstep).toHaveBeenCalledWith(1);
    await fireEvent.click(screen.getByTestId('detail-close'));
    expect(p.onclose).toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('zoom'));
    expect(screen.getByTestId('detail-original')).toBeTruthy();
    expect(screen.getByTestId('zoom').getAttribute('aria-pressed')).toBe('true');
  });

  it('visibility is a radio group labelled Visibility; a choice is reported', async () => {
    const p = show(photo());
    const group = screen.getByRole('radiogroup', { name: 'Visibility' });
    expect(group.dataset.testid).toBe('visibility');
    expect(screen.getByTestId('visibility-private').getAttribute('aria-checked')).toBe('true');
    await fireEvent.click(screen.getByTestId('visibility-public'));
    expect(p.onvisibility).toHaveBeenCalledWith('public');
  });

  it('tags are added and removed through one edit callback', async () => {
    const p = show(ai());
    await fireEvent.click(screen.getByLabelText('Remove tag cats'));
    expect(p.onedittags).toHaveBeenCalledWith([], ['cats']);
    const input = screen.getByTestId('tag-input');
    await fireEvent.input(input, { target: { value: 'dusk' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(p.onedittags).toHaveBeenCalledWith(['dusk'], []);
  });

  it('AI parameters show with their copy buttons; a camera photo shows none but its EXIF', async () => {
    const p = show(ai());
    expect(screen.getByTestId('ai-generator').textContent).toBe('a1111');
    expect(screen.getByTestId('ai-seed').textContent).toBe('1000003');
    await fireEvent.click(screen.getByTestId('copy-prompt'));
    expect(p.oncopy).toHaveBeenCalledWith('a neon at dusk, volumetric light, highly detailed', 'Prompt');
    await fireEvent.click(screen.getByTestId('copy-parameters'));
    expect(p.oncopy).toHaveBeenLastCalledWith(expect.stringContaining('Generator: a1111'), 'Parameters');
    expect(screen.queryByTestId('exif')).toBeNull();
    cleanup();
    show(photo());
    expect(screen.queryByTestId('ai-params')).toBeNull();
    expect(screen.getByTestId('exif').textContent).toContain('FUJIFILM');
    expect(screen.getByTestId('detail-camera').textContent).toBe('FUJIFILM X-T4');
    // The summary line a photographer reads first, above the raw table.
    expect(screen.getByTestId('exif-summary').textContent).toMatch(/^FUJIFILM X-T4 · .*\d+ × \d+/);
  });

  it('the source URL opens through the callback, not the webview', async () => {
    const p = show(ai());
    const a = screen.getByTestId('detail-source-url');
    expect(a.textContent).toBe('https://example.com/img/3.jpg');
    await fireEvent.click(a);
    expect(p.onopenurl).toHaveBeenCalledWith('https://example.com/img/3.jpg');
  });

  it('while loading without EXIF it says so', () => {
    show(ai(), { loading: true });
    expect(screen.getByText('Loading metadata…')).toBeTruthy();
  });

  it('the share state reaches the Share section: a private image with a bucket offers an expiry', async () => {
    const image = photo();
    const p = show({ ...image, remote_state: 'synced' }, {
      share: { hasRemote: true, link: null, error: null, busy: false, expiry: 600, onexpiry: vi.fn(), oncopy: vi.fn() },
    });
    expect(screen.getByTestId('detail-remote-state').dataset.state).toBe('synced');
    expect(screen.getByTestId('expiry-600').getAttribute('aria-checked')).toBe('true');
    await fireEvent.click(screen.getByTestId('expiry-86400'));
    expect(p.share.onexpiry).toHaveBeenCalledWith(86_400);
    await fireEvent.click(screen.getByTestId('copy-link-html'));
    expect(p.share.oncopy).toHaveBeenCalledWith('html');
  });

  it('reveal and delete', async () => {
    const p = show(ai());
    await fireEvent.click(screen.getByTestId('reveal'));
    await fireEvent.click(screen.getByTestId('delete'));
    expect(p.onreveal).toHaveBeenCalled();
    expect(p.ondelete).toHaveBeenCalled();
  });

  it('an offloaded original says so, and offers Keep on this computer', async () => {
    const p = show(fakeDetail(fakeRecord(4, { remote_state: 'synced', local: false })));
    expect(screen.getByTestId('detail-offloaded').textContent).toBe('Original in the bucket only');
    expect(screen.queryByTestId('offload')).toBeNull();
    await fireEvent.click(screen.getByTestId('keep-local'));
    expect(p.onlocal).toHaveBeenCalledWith(true);
  });

  it('Free up space only for a synced original on this computer', async () => {
    const p = show(fakeDetail(fakeRecord(4, { remote_state: 'synced' })));
    expect(screen.queryByTestId('detail-offloaded')).toBeNull();
    await fireEvent.click(screen.getByTestId('offload'));
    expect(p.onlocal).toHaveBeenCalledWith(false);
    cleanup();
    show(fakeDetail(fakeRecord(5, { remote_state: 'pending' })));
    expect(screen.queryByTestId('offload')).toBeNull();
    expect(screen.queryByTestId('keep-local')).toBeNull();
  });
});

describe('DetailView: rename', () => {
  it('Rename edits the file name in place: Enter saves, Escape cancels, an unchanged name is not sent', async () => {
    const onrename = vi.fn();
    show(photo(), { onrename });
    const name = screen.getByTestId('detail-filename').textContent ?? '';
    await fireEvent.click(screen.getByTestId('detail-rename'));
    const input = screen.getByTestId('detail-rename-input') as HTMLInputElement;
    expect(input.value).toBe(name);
    expect(input.selectionStart).toBe(0);
    expect(input.selectionEnd).toBe(name.lastIndexOf('.'));
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByTestId('detail-rename-input')).toBeNull();
    expect(onrename).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('detail-rename'));
    const again = screen.getByTestId('detail-rename-input') as HTMLInputElement;
    await fireEvent.keyDown(again, { key: 'Enter' });
    expect(onrename).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('detail-rename'));
    const edit = screen.getByTestId('detail-rename-input') as HTMLInputElement;
    await fireEvent.input(edit, { target: { value: '  harbour.jpg ' } });
    await fireEvent.keyDown(edit, { key: 'Enter' });
    expect(onrename).toHaveBeenCalledWith('harbour.jpg');
  });

  it('without a rename action there is no Rename button', () => {
    show(photo());
    expect(screen.queryByTestId('detail-rename')).toBeNull();
  });
});
