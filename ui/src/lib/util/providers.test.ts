import { describe, expect, it } from 'vitest';
import { credentialsLabel, draftFrom, draftProblems, emptyDraft, formFrom, presetFor, sameDraft, type BucketDraft } from './providers';
import { PROVIDER_PRESETS } from '../ipc/bindings/providerPresets';
import type { Provider, ProviderPreset, RemoteView } from '../ipc';

/** The core's preset of `id` (the table `providers` answers, generated from the Rust one). */
function preset(id: Provider): ProviderPreset {
  const p = presetFor(PROVIDER_PRESETS, id);
  if (!p) throw new Error(`no preset for ${id}`);
  return p;
}

const form = (d: BucketDraft, name: string | null) => formFrom(d, name, preset(d.provider));
const problemsOf = (d: BucketDraft) => draftProblems(d, preset(d.provider));

describe('provider presets', () => {
  it('cover every provider the core knows', () => {
    expect(PROVIDER_PRESETS.map((p) => p.id)).toEqual(['aws', 'r2', 'b2', 'tigris', 'minio', 'garage', 's3', 'folder']);
    for (const p of PROVIDER_PRESETS) expect(p.label).toBeTruthy();
    expect(presetFor([], 'aws')).toBeUndefined();
  });

  it('send only the fields a provider uses, empty ones as null', () => {
    const d = { ...emptyDraft('minio'), endpoint: ' http://127.0.0.1:9000 ', bucket: 'pics', path: '/ignored', publicUrl: '' };
    expect(form(d, null)).toEqual({
      name: null,
      provider: 'minio',
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'pics',
      region: null,
      prefix: null,
      path_style: true, // forced for MinIO
      path: null,
      public_url: null,
      strip_location: true,
    });
    const aws = form({ ...emptyDraft('aws'), endpoint: 'http://leftover', bucket: 'b', region: 'eu-west-1', pathStyle: true }, 'main');
    expect(aws).toMatchObject({ name: 'main', endpoint: null, region: 'eu-west-1', path_style: false });
    const r2 = form({ ...emptyDraft('r2'), endpoint: 'https://a.r2.cloudflarestorage.com', bucket: 'b', region: 'x' }, null);
    expect(r2).toMatchObject({ region: null, path_style: true });
    const other = form({ ...emptyDraft('s3'), endpoint: 'https://s3.example.com', bucket: 'b', pathStyle: true }, null);
    expect(other.path_style).toBe(true);
    const folder = form({ ...emptyDraft('folder'), path: '/mnt/nas', bucket: 'x', endpoint: 'y', stripLocation: false }, null);
    expect(folder).toMatchObject({ provider: 'folder', path: '/mnt/nas', bucket: null, endpoint: null, strip_location: false });
  });

  it('name what is missing or malformed before saving', () => {
    expect(problemsOf(emptyDraft('minio'))).toMatchObject({ bucket: expect.any(String), endpoint: expect.any(String) });
    expect(problemsOf({ ...emptyDraft('aws'), bucket: 'pics' })).toEqual({});
    expect(problemsOf({ ...emptyDraft('tigris'), bucket: 'pics' })).toEqual({});
    expect(problemsOf({ ...emptyDraft('s3'), bucket: 'my pics', endpoint: 'ftp://x' })).toMatchObject({
      bucket: expect.stringContaining('spaces'),
      endpoint: expect.stringContaining('http'),
    });
    expect(problemsOf({ ...emptyDraft('folder') })).toHaveProperty('path');
    expect(problemsOf({ ...emptyDraft('folder'), path: '/x', publicUrl: 'cdn.example.com' })).toHaveProperty('publicUrl');
  });

  it('round-trips a saved remote into the form', () => {
    const r: RemoteView = {
      name: 'main',
      provider: 'garage',
      endpoint: 'http://127.0.0.1:3900',
      region: 'garage',
      bucket: 'pics',
      prefix: 'v',
      path_style: true,
      path: null,
      public_url: 'https://pics.example.com',
      strip_location: false,
      credentials: { source: 'keychain' },
    };
    const d = draftFrom(r);
    expect(d).toMatchObject({ provider: 'garage', publicUrl: 'https://pics.example.com', path: '', stripLocation: false });
    expect(sameDraft(d, draftFrom(r))).toBe(true);
    expect(sameDraft(d, { ...d, bucket: 'other' })).toBe(false);
  });

  it('words where credentials come from, never what they are', () => {
    expect(credentialsLabel({ source: 'keychain' })).toEqual({ text: 'Saved in the OS keychain', ok: true });
    expect(credentialsLabel({ source: 'missing' }).ok).toBe(false);
    const u = credentialsLabel({ source: 'unavailable', reason: 'keychain not available: no Secret Service; start gnome-keyring' });
    expect(u.ok).toBe(false);
    expect(u.text).toBe('Keychain unavailable: keychain not available: no Secret Service; start gnome-keyring');
  });
});
