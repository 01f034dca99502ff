/**
 * Fixture data for the fake core: rows shaped exactly as the generated bindings say, so a
 * field the Rust side adds, drops or renames is a type error here. Values follow the Rust
 * schema where the binding only says `string` (generator, formats, error codes, paths).
 */
import type {
  GridEntry,
  ImageDetail,
  ImageRecord,
  ProbeReport,
  RemoteSpec,
  Settings,
  SyncStatus,
  WatchedFolder,
} from '../types';

const FORMATS = ['jpeg', 'png', 'webp', 'gif'] as const;
const TAGS = ['landscape', 'portrait', 'sd', 'comfy', 'cats', 'street', 'wip', 'favourite'];
const WORDS = ['sunset', 'harbour', 'forest', 'neon', 'city', 'glass', 'mountain', 'river', 'studio'];

/** Where the fake library lives (`library_info`, `get_settings`, original paths). */
export const LIBRARY_PATH = '/home/me/.local/share/vitrine';

function pad(n: number, w: number): string {
  return n.toString().padStart(w, '0');
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function fakeId(n: number): string {
  return `01HV${pad(n, 22)}`;
}

/** The extension managed originals and bucket objects are stored with (`Format::ext`). */
export function ext(r: Pick<ImageRecord, 'format'>): string {
  return r.format === 'jpeg' ? 'jpg' : r.format;
}

/** A bucket object key: `private/` or `public/`, then `ab/<sha256>.<ext>`. */
export function objectKey(area: 'private' | 'public', r: Pick<ImageRecord, 'sha256' | 'format'>): string {
  return `${area}/${r.sha256.slice(0, 2)}/${r.sha256}.${ext(r)}`;
}

/** Where the managed original sits (`originals/ab/cd/<sha256>.<ext>`, as `originals::relative_path`). */
export function originalPath(r: Pick<ImageRecord, 'sha256' | 'format'>): string {
  return `${LIBRARY_PATH}/originals/${r.sha256.slice(0, 2)}/${r.sha256.slice(2, 4)}/${r.sha256}.${ext(r)}`;
}

/**
 * Image `n` of the fake library: every third one carries AI parameters (as AUTOMATIC1111
 * writes them), the others camera EXIF; a few are waiting to sync or failed.
 */
export function fakeRecord(n: number, over: Partial<ImageRecord> = {}): ImageRecord {
  const created = Date.UTC(2024, 0, 1) + n * 60_000;
  const format = FORMATS[n % FORMATS.length];
  const ai = n % 3 === 0;
  const w = 800 + (n % 7) * 160;
  const h = 600 + (n % 5) * 200;
  return {
    id: fakeId(n),
    sha256: pad(n, 64),
    filename: `${WORDS[n % WORDS.length]}-${pad(n, 5)}.${ext({ format })}`,
    format,
    mime: `image/${format}`,
    bytes: 50_000 + ((n * 7919) % 4_000_000),
    width: w,
    height: h,
    orientation: 1,
    visibility: (['private', 'private', 'unlisted', 'public'] as const)[n % 4],
    tags: n % 4 === 0 ? [] : [TAGS[n % TAGS.length], TAGS[(n * 3) % TAGS.length]].filter((t, i, a) => a.indexOf(t) === i).sort(),
    source: (['file', 'drop', 'paste', 'url', 'file'] as const)[n % 5],
    source_path: n % 5 === 3 ? null : `/home/me/Pictures/${WORDS[n % WORDS.length]}-${pad(n, 5)}.jpg`,
    source_url: n % 5 === 3 ? `https://example.com/img/${n}.jpg` : null,
    fetched_at: n % 5 === 3 ? iso(created) : null,
    storage: 'managed',
    local: true,
    taken_at: ai ? null : iso(created - 86_400_000 * (n % 30)),
    camera_make: ai ? null : 'FUJIFILM',
    camera_model: ai ? null : 'X-T4',
    has_gps: !ai && n % 2 === 0,
    remote_state: n % 50 === 7 ? 'failed' : n % 20 === 3 ? 'pending' : 'local',
    remote_error: n % 50 === 7 ? 'upload failed: 403 Forbidden' : null,
    remote_attempts: n % 50 === 7 ? 3 : 0,
    object_key: null,
    // `Generator::as_str` (the catalog's CHECK allows a1111, comfyui, novelai, invokeai, fooocus, unknown).
    generator: ai ? 'a1111' : null,
    prompt: ai ? `a ${WORDS[n % WORDS.length]} at dusk, volumetric light, highly detailed` : null,
    negative_prompt: ai ? 'blurry, lowres' : null,
    model: ai ? 'sdxl_base_1.0' : null,
    seed: ai ? 1_000_000 + n : null,
    steps: ai ? 30 : null,
    sampler: ai ? 'DPM++ 2M Karras' : null,
    cfg: ai ? 7 : null,
    created_at: iso(created),
    updated_at: iso(created),
    expires_at: null,
    ...over,
  };
}

/** A record as `list_grid` gives it: the fields a tile shows, the prompt cut as the core cuts it. */
export function tile(r: ImageRecord): GridEntry {
  const chars = [...(r.prompt ?? '')];
  const promptStart = !r.prompt?.trim() ? null : chars.length <= 160 ? r.prompt : chars.slice(0, 160).join('').trimEnd() + '…';
  return {
    id: r.id,
    filename: r.filename,
    format: r.format,
    width: r.width,
    height: r.height,
    visibility: r.visibility,
    remote_state: r.remote_state,
    remote_error: r.remote_error,
    local: r.local,
    promptStart,
  };
}

/** `get_image`: the record plus GPS, EXIF (tag name → value), raw AI text and its sources. */
export function fakeDetail(r: ImageRecord): ImageDetail {
  return {
    ...r,
    gps: r.has_gps ? { latitude: 48.8566, longitude: 2.3522, altitude: 35 } : null,
    exif: r.camera_make
      ? { Make: r.camera_make, Model: r.camera_model, ExposureTime: '1/250', FNumber: 2.8, ISO: 200, FocalLength: '23 mm' }
      : null,
    ai_raw: r.prompt ? { parameters: `${r.prompt}\nNegative prompt: ${r.negative_prompt}\nSteps: ${r.steps}` } : null,
    sources: [{ kind: r.source, source: r.source_url ?? r.source_path ?? r.filename, fetched_at: r.fetched_at, added_at: r.created_at }],
    accessed_at: null,
    path: originalPath(r),
  };
}

/** A watched folder row, watching by default. */
export function fakeFolder(over: Partial<WatchedFolder> = {}): WatchedFolder {
  return {
    id: 1,
    path: '/home/me/Pictures/Screenshots',
    paused: false,
    status: 'watching',
    detail: null,
    last_error: null,
    files: 0,
    errors: 0,
    scanned_at: null,
    added_at: iso(Date.UTC(2024, 0, 1)),
    recursive: true,
    include: [],
    exclude: [],
    tags: [],
    visibility: 'private',
    copy: false,
    on_delete: 'keep',
    poll: false,
    ...over,
  };
}

/** Sync with no bucket set up. */
export function emptyStatus(): SyncStatus {
  return { remote: null, running: false, queued: 0, failed: 0, done: 0, last: null, last_run_at: null, error: null, mass_delete: null };
}

export function fakeSettings(): Settings {
  return {
    library_path: LIBRARY_PATH,
    max_file_size: 100 * 1024 * 1024,
    max_pixels: 100_000_000,
    grid_size: 320,
    preview_size: 1280,
    keep_originals: { keep: 'all' },
    rendering: 'GPU (a GPU render node was found)',
  };
}

/** What `test_remote` answers against a healthy MinIO bucket without a public URL. */
export function passingProbe(): ProbeReport {
  return {
    ok: true,
    remote: 'main',
    checks: [
      { check: 'credentials', status: 'pass', message: 'found in the OS keychain', fix: null },
      { check: 'bucket', status: 'pass', message: 'http://127.0.0.1:9000 bucket pics is reachable', fix: null },
      { check: 'write and read', status: 'pass', message: 'wrote, checked and read private/probe.txt', fix: null },
      { check: 'presigned link', status: 'pass', message: 'a 5-minute link served the object', fix: null },
      { check: 'multipart upload', status: 'pass', message: 'a multipart upload completed and was cleaned up', fix: null },
      { check: 'delete', status: 'pass', message: 'deleted the probe object', fix: null },
      { check: 'public URL', status: 'skip', message: 'no public URL set', fix: null },
    ],
  };
}

/** Settings of a MinIO bucket on this machine, as the settings form sends them. */
export function minioSpec(over: Partial<RemoteSpec> = {}): RemoteSpec {
  return {
    name: null,
    provider: 'minio',
    endpoint: 'http://127.0.0.1:9000',
    bucket: 'pics',
    region: null,
    prefix: null,
    path_style: true,
    path: null,
    public_url: null,
    strip_location: true,
    ...over,
  };
}
