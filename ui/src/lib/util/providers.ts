import type { CredentialSource, RemoteSpec, RemoteView } from '../ipc';

export const PROVIDERS = ['aws', 'r2', 'b2', 'tigris', 'minio', 'garage', 's3', 'folder'] as const;
export type Provider = (typeof PROVIDERS)[number];

/**
 * What each provider needs, mirroring the core's presets (`RemoteSpec::resolve` in
 * src-tauri/remote.rs): which fields to show, what they default to, and examples.
 */
export interface Preset {
  label: string;
  /** S3 API endpoint: required, optional (has a default), or not asked (AWS). */
  endpoint: 'required' | 'optional' | 'hidden';
  endpointExample: string;
  /** Region the core fills when left empty ('' = must be given or derived). */
  region: string;
  /** The region field is shown (R2 and Tigris always use `auto`). */
  showRegion: boolean;
  /** Path-style addressing: forced on, or the user's choice (off by default). */
  pathStyle: 'forced' | 'choice' | 'off';
  /** Needs an access key (everything but a folder). */
  credentials: boolean;
  /** Where to find the keys, shown under the fields. */
  hint: string;
}

export const PRESETS: Record<Provider, Preset> = {
  aws: {
    label: 'Amazon S3',
    endpoint: 'hidden',
    endpointExample: '',
    region: 'us-east-1',
    showRegion: true,
    pathStyle: 'off',
    credentials: true,
    hint: 'An IAM access key with read/write access to this bucket.',
  },
  r2: {
    label: 'Cloudflare R2',
    endpoint: 'required',
    endpointExample: 'https://<account id>.r2.cloudflarestorage.com',
    region: 'auto',
    showRegion: false,
    pathStyle: 'forced',
    credentials: true,
    hint: 'An R2 API token (Object Read & Write); its access key ID and secret.',
  },
  b2: {
    label: 'Backblaze B2',
    endpoint: 'required',
    endpointExample: 'https://s3.us-west-004.backblazeb2.com',
    region: '',
    showRegion: true,
    pathStyle: 'off',
    credentials: true,
    hint: 'An application key: keyID and applicationKey. The region comes from the endpoint.',
  },
  tigris: {
    label: 'Tigris',
    endpoint: 'optional',
    endpointExample: 'https://t3.storage.dev',
    region: 'auto',
    showRegion: false,
    pathStyle: 'off',
    credentials: true,
    hint: 'An access key from the Tigris console.',
  },
  minio: {
    label: 'MinIO',
    endpoint: 'required',
    endpointExample: 'http://127.0.0.1:9000',
    region: 'us-east-1',
    showRegion: true,
    pathStyle: 'forced',
    credentials: true,
    hint: 'A MinIO access key with read/write access to this bucket.',
  },
  garage: {
    label: 'Garage',
    endpoint: 'required',
    endpointExample: 'http://127.0.0.1:3900',
    region: 'garage',
    showRegion: true,
    pathStyle: 'forced',
    credentials: true,
    hint: 'A Garage key allowed on this bucket (garage key create, garage bucket allow).',
  },
  s3: {
    label: 'Other S3-compatible',
    endpoint: 'required',
    endpointExample: 'https://s3.example.com',
    region: 'us-east-1',
    showRegion: true,
    pathStyle: 'choice',
    credentials: true,
    hint: 'The access key of your S3-compatible service.',
  },
  folder: {
    label: 'Folder (disk, NAS)',
    endpoint: 'hidden',
    endpointExample: '',
    region: '',
    showRegion: false,
    pathStyle: 'off',
    credentials: false,
    hint: '',
  },
};

export function isProvider(p: string): p is Provider {
  return (PROVIDERS as readonly string[]).includes(p);
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
  const provider = isProvider(r.provider) ? r.provider : 's3';
  return {
    provider,
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

/** What `set_remote` gets: only the fields the provider uses, empty ones as null. */
export function formFrom(d: BucketDraft, name: string | null): RemoteSpec {
  const p = PRESETS[d.provider];
  const t = (s: string) => s.trim() || null;
  const folder = d.provider === 'folder';
  return {
    name,
    provider: d.provider,
    endpoint: p.endpoint === 'hidden' ? null : t(d.endpoint),
    bucket: folder ? null : t(d.bucket),
    region: p.showRegion ? t(d.region) : null,
    prefix: t(d.prefix),
    path_style: p.pathStyle === 'forced' || (p.pathStyle === 'choice' && d.pathStyle),
    path: folder ? t(d.path) : null,
    public_url: t(d.publicUrl),
    strip_location: d.stripLocation,
  };
}

const URL_RE = /^https?:\/\/[^\s/]+/i;

/** Problems to fix before saving, by field (empty when the draft can be saved). */
export function draftProblems(d: BucketDraft): Partial<Record<keyof BucketDraft, string>> {
  const p = PRESETS[d.provider];
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
