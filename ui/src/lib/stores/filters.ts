/**
 * The gallery's filters, which combine: every field narrows the listing further (a tag and
 * "Synced" together show the synced images with that tag). Pure data and functions: the view
 * store holds one `Filters` value, the sidebar and the filter bar change it through these,
 * and `toQuery` turns it into the core's `ListQuery` fields (the same selectors as `vitrine ls`).
 */

import type { ListQuery, RemoteState, SourceKind, Visibility } from '../ipc';

export type Orientation = 'landscape' | 'portrait' | 'square';
export type SizeClass = 'small' | 'medium' | 'large';

export interface Filters {
  visibility: Visibility | null;
  source: SourceKind | null;
  remote_state: RemoteState | null;
  /** Images with any of these tags, or all of them with `all_tags`. */
  tags: readonly string[];
  all_tags: boolean;
  /** A generator (`comfyui`, …), `any` (made with AI) or `none`. */
  generator: string | null;
  model: string | null;
  format: string | null;
  /** The camera's model or make. */
  camera: string | null;
  /** First and last day (`YYYY-MM-DD`, inclusive): taken, or else added. */
  from: string | null;
  to: string | null;
  orientation: Orientation | null;
  size: SizeClass | null;
  /** The images of this album. */
  album: string | null;
}

export const NO_FILTERS: Filters = Object.freeze({
  visibility: null,
  source: null,
  remote_state: null,
  tags: [],
  all_tags: false,
  generator: null,
  model: null,
  format: null,
  camera: null,
  from: null,
  to: null,
  orientation: null,
  size: null,
  album: null,
});

export const VISIBILITY_LABELS: Record<Visibility, string> = { private: 'Private', unlisted: 'Unlisted', public: 'Public' };
export const SOURCE_LABELS: Record<SourceKind, string> = {
  file: 'Files',
  drop: 'Dropped',
  paste: 'Pasted',
  url: 'From the web',
  watch: 'From folders',
};
export const REMOTE_LABELS: Record<RemoteState, string> = {
  synced: 'Synced',
  pending: 'Pending',
  failed: 'Failed',
  local: 'Not synced',
};
export const ORIENTATION_LABELS: Record<Orientation, string> = { landscape: 'Landscape', portrait: 'Portrait', square: 'Square' };
export const SIZE_LABELS: Record<SizeClass, string> = {
  small: 'Small (under 1 MP)',
  medium: 'Medium (1–8 MP)',
  large: 'Large (8 MP and more)',
};

const GENERATOR_NAMES: Record<string, string> = {
  any: 'Made with AI',
  none: 'Not made with AI',
  a1111: 'AUTOMATIC1111',
  comfyui: 'ComfyUI',
  novelai: 'NovelAI',
  invokeai: 'InvokeAI',
  fooocus: 'Fooocus',
  swarmui: 'SwarmUI',
  midjourney: 'Midjourney',
  openai: 'OpenAI',
  firefly: 'Adobe Firefly',
  c2pa: 'AI (Content Credentials)',
  unknown: 'Another AI tool',
};

/** How a generator value reads in a chip or a menu. */
export function generatorLabel(g: string): string {
  return GENERATOR_NAMES[g] ?? g;
}

/** `jpeg` → `JPEG`. */
export function formatLabel(f: string): string {
  return f.toUpperCase();
}

export function isEmpty(f: Filters): boolean {
  return activeCount(f) === 0;
}

/** How many filters are set (each tag counts once). */
export function activeCount(f: Filters): number {
  let n = f.tags.length;
  for (const k of ['visibility', 'source', 'remote_state', 'generator', 'model', 'format', 'camera', 'from', 'to', 'orientation', 'size', 'album'] as const) {
    if (f[k] !== null) n++;
  }
  return n;
}

/** Same filters (tag order aside). */
export function sameFilters(a: Filters, b: Filters): boolean {
  return filtersKey(a) === filtersKey(b);
}

/** A stable text key: equal keys, equal filters. */
export function filtersKey(f: Filters): string {
  const tags = [...f.tags].sort().join(',');
  return [f.visibility, f.source, f.remote_state, tags, f.all_tags && f.tags.length > 1 ? 'all' : 'any', f.generator, f.model, f.format, f.camera, f.from, f.to, f.orientation, f.size, f.album]
    .map((v) => v ?? '')
    .join('|');
}

/** The core's selectors for these filters (what `vitrine ls` takes as flags). */
export function toQuery(f: Filters): Partial<ListQuery> {
  const q: Partial<ListQuery> = {};
  if (f.visibility) q.visibility = f.visibility;
  if (f.source) q.source = f.source;
  if (f.remote_state) q.remote_state = f.remote_state;
  if (f.tags.length === 1) q.tag = f.tags[0];
  else if (f.tags.length > 1) {
    q.tags = [...f.tags];
    if (f.all_tags) q.all_tags = true;
  }
  if (f.generator) q.generator = f.generator;
  if (f.model) q.model = f.model;
  if (f.format) q.format = f.format;
  if (f.camera) q.camera = f.camera;
  if (f.from) q.from = f.from;
  if (f.to) q.to = f.to;
  if (f.orientation) q.orientation = f.orientation;
  if (f.size) q.size = f.size;
  if (f.album) q.album = f.album;
  return q;
}

/** One field set to `value`, or cleared when it already had that value (a toggle). */
export function toggle<K extends Exclude<keyof Filters, 'tags' | 'all_tags'>>(f: Filters, key: K, value: Filters[K]): Filters {
  return { ...f, [key]: f[key] === value ? null : value };
}

/** One field set (null clears it). */
export function set<K extends keyof Filters>(f: Filters, key: K, value: Filters[K]): Filters {
  return { ...f, [key]: value };
}

/** A tag added to the tag filter, or taken out when it is in it. */
export function toggleTag(f: Filters, tag: string): Filters {
  const tags = f.tags.includes(tag) ? f.tags.filter((t) => t !== tag) : [...f.tags, tag];
  return { ...f, tags, all_tags: tags.length > 1 && f.all_tags };
}

/** A removable chip: what it says and the filters without it. */
export interface Chip {
  /** Stable per filter (for keys and test ids). */
  key: string;
  /** What kind of filter, e.g. "Tag" (for screen readers and the tooltip). */
  kind: string;
  label: string;
  without: Filters;
}

function day(s: string): string {
  const d = new Date(`${s}T00:00:00`);
  return Number.isNaN(d.getTime()) ? s : d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** The chips for these filters, in the order the sidebar lists them. */
export function chips(f: Filters): Chip[] {
  const out: Chip[] = [];
  if (f.album) out.push({ key: 'album', kind: 'Album', label: f.album, without: set(f, 'album', null) });
  if (f.visibility) out.push({ key: 'visibility', kind: 'Visibility', label: VISIBILITY_LABELS[f.visibility], without: set(f, 'visibility', null) });
  if (f.source) out.push({ key: 'source', kind: 'Source', label: SOURCE_LABELS[f.source] ?? f.source, without: set(f, 'source', null) });
  if (f.remote_state)
    out.push({ key: 'remote_state', kind: 'Sync', label: REMOTE_LABELS[f.remote_state] ?? f.remote_state, without: set(f, 'remote_state', null) });
  for (const t of f.tags) out.push({ key: `tag:${t}`, kind: 'Tag', label: t, without: toggleTag(f, t) });
  if (f.generator) out.push({ key: 'generator', kind: 'Made with', label: generatorLabel(f.generator), without: set(f, 'generator', null) });
  if (f.model) out.push({ key: 'model', kind: 'Model', label: f.model, without: set(f, 'model', null) });
  if (f.format) out.push({ key: 'format', kind: 'Format', label: formatLabel(f.format), without: set(f, 'format', null) });
  if (f.camera) out.push({ key: 'camera', kind: 'Camera', label: f.camera, without: set(f, 'camera', null) });
  if (f.from || f.to) {
    const label = f.from && f.to ? (f.from === f.to ? day(f.from) : `${day(f.from)} – ${day(f.to)}`) : f.from ? `From ${day(f.from)}` : `Until ${day(f.to!)}`;
    out.push({ key: 'date', kind: 'Date', label, without: { ...f, from: null, to: null } });
  }
  if (f.orientation) out.push({ key: 'orientation', kind: 'Orientation', label: ORIENTATION_LABELS[f.orientation], without: set(f, 'orientation', null) });
  if (f.size) out.push({ key: 'size', kind: 'Size', label: SIZE_LABELS[f.size], without: set(f, 'size', null) });
  return out;
}

/** "1 image", "2,345 images". */
export function imagesText(n: number): string {
  return n === 1 ? '1 image' : `${n.toLocaleString('en-US')} images`;
}
