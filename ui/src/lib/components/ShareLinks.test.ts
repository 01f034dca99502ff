import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import ShareLinks from './ShareLinks.svelte';
import type { ImageLink, RemoteState, Visibility } from '../ipc';

afterEach(() => cleanup());

function show(over: Record<string, unknown> = {}) {
  const props = {
    visibility: 'private' as Visibility,
    remoteState: 'synced' as RemoteState,
    hasRemote: true,
    link: null as ImageLink | null,
    error: null,
    busy: false,
    expiry: 3600,
    onexpiry: vi.fn(),
    oncopy: vi.fn(),
    ...over,
  };
  render(ShareLinks, { props });
  return props;
}

const button = (id: string) => screen.getByTestId(id) as HTMLButtonElement;

describe('ShareLinks', () => {
  it('a folder remote: a private image offers "Make unlisted" instead of links that cannot be made', async () => {
    const onunlist = vi.fn();
    show({ canPresign: false, onunlist });
    expect(screen.queryByTestId('copy-link-url'), 'no Copy buttons that would fail').toBeNull();
    expect(screen.queryByTestId('expiry-3600'), 'no expiry presets').toBeNull();
    expect(screen.getByTestId('share-no-private-links').textContent).toContain('cannot make private links');
    await fireEvent.click(button('share-make-unlisted'));
    expect(onunlist).toHaveBeenCalledOnce();
  });

  it('a folder remote: an unlisted image keeps its Copy buttons', () => {
    show({ canPresign: false, visibility: 'unlisted' });
    expect(button('copy-link-url').disabled).toBe(false);
    expect(screen.queryByTestId('share-make-unlisted')).toBeNull();
  });

  it('a folder without a public URL: no image has a link; the panel says where to give one', async () => {
    for (const visibility of ['private', 'unlisted', 'public'] as const) {
      const onsettings = vi.fn();
      show({ canPresign: false, canLink: false, visibility, onsettings, onunlist: vi.fn() });
      expect(screen.queryByTestId('copy-link-url'), `${visibility}: no Copy buttons that would fail`).toBeNull();
      expect(screen.queryByTestId('share-make-unlisted'), `${visibility}: unlisting would not give a link either`).toBeNull();
      expect(screen.getByTestId('share-no-links').textContent).toContain('Settings → Bucket');
      await fireEvent.click(button('share-open-settings'));
      expect(onsettings).toHaveBeenCalledOnce();
      cleanup();
    }
  });

  it("an error from the core reads as a sentence", () => {
    show({ error: 'no public URL is set for this remote' });
    expect(screen.getByTestId('share-error').textContent).toBe('No public URL is set for this remote');
  });

  it('private and synced: pick an expiry, copy a presigned link, see when it expires', async () => {
    const expires = new Date(Date.now() + 600_000).toISOString();
    const p = show({
      link: { kind: 'presigned', url: 'http://s3/pics/private/a.jpg?X-Amz-Expires=600', text: 'x', expires_at: expires, ready: true },
    });
    expect(button('expiry-3600').getAttribute('aria-checked')).toBe('true');
    await fireEvent.click(button('expiry-600'));
    expect(p.onexpiry).toHaveBeenCalledWith(600);
    await fireEvent.click(button('copy-link-markdown'));
    expect(p.oncopy).toHaveBeenCalledWith('markdown');
    expect((screen.getByTestId('share-url') as HTMLInputElement).value).toContain('X-Amz-Expires=600');
    expect(screen.getByTestId('share-expiry').textContent).toMatch(/^Expires /);
  });

  it('private but not in the bucket yet: no link can be signed', () => {
    show({ remoteState: 'pending' });
    expect(button('copy-link-url').disabled).toBe(true);
    expect(screen.getByTestId('share-not-synced').textContent).toContain('once the image is synced');
  });

  it('public: the stable URL, with a note until it is synced; no expiry choice', () => {
    show({
      visibility: 'public',
      remoteState: 'pending',
      link: { kind: 'public', url: 'https://pics.example.com/public/ab/ab.jpg', text: 'x', expires_at: null, ready: false },
    });
    expect(screen.queryByTestId('share-expiry-choice')).toBeNull();
    expect((screen.getByTestId('share-url') as HTMLInputElement).value).toBe('https://pics.example.com/public/ab/ab.jpg');
    expect(screen.getByTestId('share-not-ready')).toBeTruthy();
    expect(button('copy-link-url').disabled).toBe(false);
  });

  it('without a bucket: local file links, and a pointer to Settings', () => {
    show({ hasRemote: false, remoteState: 'local' });
    expect(screen.queryByTestId('share-expiry-choice')).toBeNull();
    expect(button('copy-link-url').disabled).toBe(false);
    expect(screen.getByTestId('share-local').textContent).toContain('Set up a bucket');
  });
});
