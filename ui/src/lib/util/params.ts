import type { ImageRecord } from '../ipc';

/** AI parameters as one AUTOMATIC1111-style text block (for "Copy parameters"). */
export function parametersText(r: ImageRecord): string {
  const lines: string[] = [];
  if (r.prompt) lines.push(r.prompt);
  if (r.negative_prompt) lines.push(`Negative prompt: ${r.negative_prompt}`);
  const kv: string[] = [];
  if (r.steps !== null) kv.push(`Steps: ${r.steps}`);
  if (r.sampler) kv.push(`Sampler: ${r.sampler}`);
  if (r.cfg !== null) kv.push(`CFG scale: ${r.cfg}`);
  if (r.seed !== null) kv.push(`Seed: ${r.seed}`);
  if (r.model) kv.push(`Model: ${r.model}`);
  if (r.generator) kv.push(`Generator: ${r.generator}`);
  if (kv.length) lines.push(kv.join(', '));
  return lines.join('\n');
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** EXIF JSON (a flat tag → value object) as table rows. */
export function exifEntries(exif: unknown): Array<[string, string]> {
  if (!isObject(exif)) return [];
  return Object.entries(exif)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
}

/** `{latitude, longitude, altitude}` as "lat, lon" (null when absent or malformed). */
export function gpsText(gps: unknown): string | null {
  if (!isObject(gps)) return null;
  const { latitude, longitude } = gps;
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return null;
  return `${latitude.toFixed(5)}, ${longitude.toFixed(5)}`;
}
