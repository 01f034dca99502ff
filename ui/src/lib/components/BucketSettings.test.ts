import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import BucketSettings from './BucketSettings.svelte';
import type { ProbeReport, RemoteView } from '../ipc';
import { PROVIDER_PRESETS } from '../ipc/bindings/providerPresets';

afterEach(() => cleanup());

const saved: RemoteView = {
  name: 'main',
  provider: 'minio',
  endpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  bucket: 'pics',
  prefix: '',
  path_style: true,
  path: null,
  public_url: 'http://127.0.0.1:8000',
  strip_location: true,
  credentials: { source: 'keychain' },
};

function show(over: Record<string, unknown> = {}) {
  const props = {
    presets: PROVIDER_PRESETS,
    remote: null as RemoteView | null,
    loaded: true,
    saving: false,
    error: null,
    testing: false,
    probe: null as ProbeReport | null,
    onsave: vi.fn(async () => true),
    onremove: vi.fn(async () => true),
    ontest: vi.fn(),
    onpickfolder: vi.fn(async () => '/mnt/nas/pictures'),
    ...over,
  };
  render(BucketSettings, { props });
  return props;
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;

describe('BucketSettings', () => {
  it('the provider preset decides which fields show', async () => {
    show();
    // AWS: no endpoint, a region, credentials.
    expect(screen.queryByTestId('bucket-endpoint')).toBeNull();
    expect(screen.getByTestId('bucket-region')).toBeTruthy();
    expect(screen.getByTestId('bucket-secret').getAttribute('type')).toBe('password');
    await fireEvent.change(screen.getByTestId('bucket-provider'), { target: { value: 'r2' } });
    expect(input('bucket-endpoint').placeholder).toContain('r2.cloudflarestorage.com');
    expect(screen.queryByTestId('bucket-region')).toBeNull();
    expect(screen.queryByTestId('bucket-path-style')).toBeNull();
    await fireEvent.change(screen.getByTestId('bucket-provider'), { target: { value: 's3' } });
    expect(screen.getByTestId('bucket-path-style')).toBeTruthy();
    await fireEvent.change(screen.getByTestId('bucket-provider'), { target: { value: 'tigris' } });
    expect(input('bucket-endpoint').value).toBe('https://t3.storage.dev');
    await fireEvent.change(screen.getByTestId('bucket-provider'), { target: { value: 'folder' } });
    expect(screen.getByTestId('bucket-path')).toBeTruthy();
    expect(screen.queryByTestId('bucket-access-key')).toBeNull();
    expect(screen.queryByTestId('bucket-name')).toBeNull();
  });

  it('saves the form with the typed keys, then clears them', async () => {
    const p = show();
    const save = screen.getByTestId('bucket-save') as HTMLButtonElement;
    await fireEvent.change(screen.getByTestId('bucket-provider'), { target: { value: 'minio' } });
    await fireEvent.input(input('bucket-endpoint'), { target: { value: 'http://127.0.0.1:9000' } });
    await fireEvent.input(input('bucket-name'), { target: { value: 'pics' } });
    await fireEvent.input(input('bucket-public-url'), { target: { value: 'http://127.0.0.1:8000' } });
    expect(save.disabled).toBe(true); // no keys yet
    await fireEvent.input(input('bucket-access-key'), { target: { value: 'vitrine-test' } });
    expect(save.disabled).toBe(true); // half the keys
    await fireEvent.input(input('bucket-secret'), { target: { value: 'vitrine-test-secret' } });
    expect(save.disabled).toBe(false);
    await fireEvent.click(save);
    expect(p.onsave).toHaveBeenCalledWith(
      {
        name: null,
        provider: 'minio',
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'pics',
        region: null,
        prefix: null,
        path_style: true,
        path: null,
        public_url: 'http://127.0.0.1:8000',
        strip_location: true,
      },
      'vitrine-test',
      'vitrine-test-secret',
    );
    await vi.waitFor(() => expect(input('bucket-secret').value).toBe(''));
    expect(input('bucket-access-key').value).toBe('');
  });

  it('a saved bucket shows where its keys are, never the keys, and can be tested and removed', async () => {
    const p = show({ remote: saved });
    expect(screen.getByTestId('bucket-credentials').textContent).toBe('Saved in the OS keychain');
    expect(input('bucket-secret').value).toBe('');
    expect(input('bucket-secret').placeholder).toBe('saved in keychain');
    expect((screen.getByTestId('bucket-save') as HTMLButtonElement).disabled).toBe(true);
    const test = screen.getByTestId('bucket-test') as HTMLButtonElement;
    expect(test.disabled).toBe(false);
    await fireEvent.click(test);
    expect(p.ontest).toHaveBeenCalled();
    // Editing disables the test until saved.
    await fireEvent.input(input('bucket-prefix'), { target: { value: 'v' } });
    expect(test.disabled).toBe(true);
    expect((screen.getByTestId('bucket-save') as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(screen.getByTestId('bucket-remove'));
    await fireEvent.click(screen.getByTestId('bucket-remove-confirm'));
    expect(p.onremove).toHaveBeenCalled();
  });

  it('shows a keychain error as the core words it', () => {
    show({ error: { code: 'keychain_unavailable', message: 'keychain not available: no Secret Service; start gnome-keyring' } });
    expect(screen.getByTestId('bucket-error').textContent).toContain('start gnome-keyring');
  });

  it('lists each check of Test bucket with its status and fix', () => {
    const probe: ProbeReport = {
      ok: false,
      remote: 'main',
      checks: [
        { check: 'credentials', status: 'pass', message: 'found in the OS keychain', fix: null },
        { check: 'presigned link', status: 'skip', message: 'folders have none', fix: null },
        { check: 'public URL', status: 'fail', message: 'http://x/ answered HTTP 403', fix: 'make public/ readable' },
      ],
    };
    show({ remote: saved, probe });
    const rows = screen.getAllByTestId('probe-check');
    expect(rows.map((r) => r.dataset.status)).toEqual(['pass', 'skip', 'fail']);
    expect(rows[2].textContent).toContain('Fix: make public/ readable');
    expect(screen.getByTestId('probe').textContent).toContain('Some checks failed');
  });

  it('a folder remote uses the folder picker', async () => {
    show();
    await fireEvent.change(screen.getByTestId('bucket-provider'), { target: { value: 'folder' } });
    await fireEvent.click(screen.getByText('Choose…'));
    await vi.waitFor(() => expect(input('bucket-path').value).toBe('/mnt/nas/pictures'));
    expect((screen.getByTestId('bucket-save') as HTMLButtonElement).disabled).toBe(false);
  });
});
