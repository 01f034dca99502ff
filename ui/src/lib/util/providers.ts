import type { CredentialSource, Provider, ProviderPreset, RemoteSpec, RemoteView } from '../ipc';

/**
 * The bucket settings form. What each provider needs, defaults to and asks for is the core's
 * preset table (`providers`, defined in src-tauri/remote/providers.rs); nothing here repeats it.
 */

/** The preset of `id` in the core's table (undefined until the table is loaded). */
export function presetFor(presets: readonly ProviderPreset[], id: Provider): ProviderPreset | undefined {
  return presets.find((p) => p.id === id);
}

/** The editable form state (strings as typed). */
export interface BucketDraft {
  provider: Provider;
  endpoint: string;
  bucket: string;
  region: string;
  prefix: string;
  pathStyle: boolean;
  path: string;
  publicUrl: string;
  stripLocation: boolean;
}

export function emptyDraft(provider: Provider = 'aws'): BucketDraft {
  return {
    provider,
    endpoint: '',
    bucket: '',
    region: '',
    prefix: '',
    pathStyle: false,
    path: '',
    publicUrl: '',
    stripLocation: true,
  };
}

export function draftFrom(r: RemoteView): BucketDraft {
  return {
    provider: r.provider,
    endpoint: r.endpoint,
    bucket: r.bucket,
    region: r.region,
    prefix: r.prefix,
    pathStyle: r.path_style,
    path: r.path ?? '',
    publicUrl: r.public_url ?? '',
    stripLocation: r.strip_location,
  };
}

export function sameDraft(a: BucketDraft, b: BucketDraft): boolean {
  return (Object.keys(a) as Array<keyof BucketDraft>).every((k) => a[k] === b[k]);
}

/** What `set_remote` gets: only the fields the provider (preset `p`) uses, empty ones as null. */
export function formFrom(d: BucketDraft, name: string | null, p: ProviderPreset): RemoteSpec {
  const t = (s: string) => s.trim() || null;
  const folder = d.provider === 'folder';
  return {
    name,
    provider: d.provider,
    endpoint: p.endpoint === 'hidden' ? null : t(d.endpoint),
    bucket: folder ? null : t(d.bucket),
    region: p.region_editable ? t(d.region) : null,
    prefix: t(d.prefix),
    path_style: p.path_style === 'forced' || (p.path_style === 'choice' && d.pathStyle),
    path: folder ? t(d.path) : null,
    public_url: t(d.publicUrl),
    strip_location: d.stripLocation,
  };
}

const URL_RE = /^https?:\/\/[^\s/]+/i;

/** Problems to fix before saving, by field (empty when the draft can be saved); `p` is its preset. */
export function draftProblems(d: BucketDraft, p: ProviderPreset): Partial<Record<keyof BucketDraft, string>> {
  const out: Partial<Record<keyof BucketDraft, string>> = {};
  if (d.provider === 'folder') {
    if (!d.path.trim()) out.path = 'Choose the folder to sync to.';
  } else {
    if (!d.bucket.trim()) out.bucket = 'Enter the bucket name.';
    else if (/\s|\//.test(d.bucket.trim())) out.bucket = 'A bucket name has no spaces or slashes.';
    if (p.endpoint === 'required' && !d.endpoint.trim()) out.endpoint = 'Enter the S3 API endpoint URL.';
    else if (d.endpoint.trim() && !URL_RE.test(d.endpoint.trim())) out.endpoint = 'An http:// or https:// URL.';
  }
  if (d.publicUrl.trim() && !URL_RE.test(d.publicUrl.trim())) out.publicUrl = 'An http:// or https:// URL.';
  return out;
}

/** How the settings view words where the credentials come from. */
export function credentialsLabel(c: CredentialSource): { text: string; ok: boolean } {
  switch (c.source) {
    case 'keychain':
      return { text: 'Saved in the OS keychain', ok: true };
    case 'environment':
      return { text: 'From the AWS_* environment variables', ok: true };
    case 'not_needed':
      return { text: 'Not needed for a folder', ok: true };
    case 'missing':
      return { text: 'Missing: enter the access key below', ok: false };
    case 'unavailable':
      return { text: `Keychain unavailable: ${c.reason}`, ok: false };
  }
}
