import type { ChangeKind, FolderOptions, OnDelete, ScanProgress, Visibility, WatchedFolder, WatchEvent } from '../ipc';
import { baseName } from './format';

export type WatchTone = 'ok' | 'busy' | 'warn' | 'error' | 'off';

export interface FolderState {
  /** What the status dot shows. */
  tone: WatchTone;
  /** Short words: "Watching", "Scanning 120/500", "Offline", "Paused", "Not watched". */
  text: string;
  /** Why (an offline reason, polling's reason, the last problem), for a second line or a tooltip. */
  detail: string | null;
}

/** {1200, 5000} → "Scanning 1,200/5,000"; {300, null} (still listing) → "Scanning: 300 files". */
function scanningText(p: ScanProgress | undefined): string {
  if (!p) return 'Scanning…';
  if (p.total === null) return `Scanning: ${p.done.toLocaleString()} files`;
  return `Scanning ${progressText(p.done, p.total)}`;
}

/** "1,200/5,000". */
function progressText(done: number, total: number): string {
  return `${done.toLocaleString()}/${total.toLocaleString()}`;
}

/** Statuses of a folder the watcher is working on. */
const ACTIVE: ReadonlySet<string> = new Set(['watching', 'scanning', 'polling']);

/**
 * The status as shown (`data-status` for tests): the watcher's, or `pausing` / `resuming`
 * between the user's click and the watcher's report.
 */
export function shownStatus(f: WatchedFolder): string {
  if (f.paused) return ACTIVE.has(f.status) ? 'pausing' : 'paused';
  return f.status === 'paused' ? 'resuming' : f.status;
}

/**
 * How a folder's status is worded. `starting`: added here a moment ago and not reported by
 * the watcher yet (it picks new folders up within a second).
 */
export function folderState(f: WatchedFolder, starting = false): FolderState {
  if (f.paused) {
    // Paused here; the watcher still runs until it reloads its folders (within a second).
    if (ACTIVE.has(f.status)) return { tone: 'busy', text: 'Pausing…', detail: null };
    return { tone: 'off', text: 'Paused', detail: 'Changes made meanwhile are picked up on resume.' };
  }
  switch (f.status) {
    case 'watching':
      return { tone: 'ok', text: 'Watching', detail: f.last_error };
    case 'scanning':
      return { tone: 'busy', text: scanningText(f.progress), detail: f.last_error };
    case 'polling':
      return { tone: 'ok', text: 'Polling', detail: f.detail ?? 'checked by rescanning every few seconds' };
    case 'offline':
      return { tone: 'warn', text: 'Offline', detail: f.detail ?? 'the folder cannot be read; nothing is deleted while it is away' };
    case 'error':
      return { tone: 'error', text: 'Error', detail: f.last_error ?? f.detail };
    case 'paused':
      // Resumed here, the watcher has not reported back yet.
      return { tone: 'busy', text: 'Resuming…', detail: null };
    case 'stopped':
    default:
      if (starting) return { tone: 'busy', text: 'Starting…', detail: null };
      return { tone: 'off', text: 'Not watched', detail: f.detail ?? 'no process is watching it: open the app or run `vitrine watch run`' };
  }
}

/** The sidebar's short status: empty while all is well (the dot says it). */
export function shortState(f: WatchedFolder, starting = false): string {
  const s = folderState(f, starting);
  if (!f.paused && f.status === 'scanning') {
    const p = f.progress;
    return p && p.total !== null ? progressText(p.done, p.total) : 'scanning';
  }
  if (s.tone === 'ok') return f.errors > 0 ? `${f.errors.toLocaleString()} failed` : '';
  return s.text.toLowerCase();
}

export const ON_DELETE_TEXT: Record<OnDelete, { label: string; hint: string; short: string }> = {
  keep: {
    label: 'Keep in library',
    hint: 'Deleting a file in the folder never deletes its image.',
    short: 'deleted files stay in the library',
  },
  remove: {
    label: 'Remove from library',
    hint: 'The image leaves the library too; its copy in the bucket stays.',
    short: 'deleted files leave the library',
  },
  'remove-remote': {
    label: 'Also delete from bucket',
    hint: 'The image is removed from the library and from the bucket.',
    short: 'deleted files leave the library and the bucket',
  },
};

/** One line of options: "subfolders · tags: a, b · private · in place · deleted files stay in the library". */
export function optionsSummary(o: FolderOptions): string {
  const parts = [o.recursive ? 'with subfolders' : 'top level only'];
  if (o.tags.length) parts.push(`tags: ${o.tags.join(', ')}`);
  parts.push(o.visibility);
  parts.push(o.copy ? 'copied into the library' : 'kept in place');
  parts.push(ON_DELETE_TEXT[o.on_delete].short);
  if (o.include.length) parts.push(`only ${o.include.join(', ')}`);
  if (o.exclude.length) parts.push(`skips ${o.exclude.join(', ')}`);
  if (o.poll) parts.push('polled');
  return parts.join(' · ');
}

/** The options form's fields as typed. */
export interface FolderDraft {
  recursive: boolean;
  /** Comma-separated. */
  tags: string;
  visibility: Visibility;
  copy: boolean;
  onDelete: OnDelete;
  /** One pattern per line. */
  include: string;
  exclude: string;
  poll: boolean;
}

/** What a newly picked folder starts with. */
export function defaultDraft(): FolderDraft {
  return { recursive: true, tags: '', visibility: 'private', copy: false, onDelete: 'keep', include: '', exclude: '', poll: false };
}

export function draftFrom(o: FolderOptions): FolderDraft {
  return {
    recursive: o.recursive,
    tags: o.tags.join(', '),
    visibility: o.visibility,
    copy: o.copy,
    onDelete: o.on_delete,
    include: o.include.join('\n'),
    exclude: o.exclude.join('\n'),
    poll: o.poll,
  };
}

/** "a, b,,c " → ["a", "b", "c"] (duplicates dropped). */
export function splitTags(text: string): string[] {
  const out: string[] = [];
  for (const t of text.split(',').map((s) => s.trim())) if (t && !out.includes(t)) out.push(t);
  return out;
}

/** One pattern per line; blank lines dropped. */
export function splitLines(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function optionsFrom(d: FolderDraft): FolderOptions {
  return {
    recursive: d.recursive,
    include: splitLines(d.include),
    exclude: splitLines(d.exclude),
    tags: splitTags(d.tags),
    visibility: d.visibility,
    copy: d.copy,
    on_delete: d.onDelete,
    poll: d.poll,
  };
}

const VERBS: Record<ChangeKind, string> = {
  added: 'Added',
  duplicate: 'Already in library',
  moved: 'Moved',
  edited: 'Edited',
  deleted: 'Deleted',
  removed: 'Removed',
  failed: 'Failed',
  offline: 'Offline',
  online: 'Back online',
};

export type EventTone = 'ok' | 'info' | 'warn' | 'error';

export interface EventLine {
  verb: string;
  /** The file's name (empty for folder-wide events). */
  name: string;
  /** What it meant, e.g. "new version; the previous one stays in the library". */
  detail: string | null;
  tone: EventTone;
}

/** What happened to an edited file's previous image, by the deletion rule that applied. */
const PREVIOUS_FATE: Record<OnDelete, string> = {
  keep: 'stays in the library',
  remove: 'was removed from the library (kept in the bucket)',
  'remove-remote': 'was removed from the library and the bucket',
};

type EventFields = Pick<WatchEvent, 'kind' | 'path' | 'detail' | 'moved_from' | 'previous_id' | 'rule'>;

/**
 * How one watcher event reads in the activity list: "Edited photo.png — new version; the
 * previous one stays in the library", "Failed broken.jpg — corrupt image: …".
 */
export function eventLine(e: EventFields, folderPath?: string): EventLine {
  const folderWide = e.kind === 'offline' || e.kind === 'online' || (folderPath !== undefined && e.path === folderPath);
  const tone: EventTone =
    e.kind === 'failed' ? 'error' : e.kind === 'offline' ? 'warn' : e.kind === 'added' || e.kind === 'online' ? 'ok' : 'info';
  return { verb: VERBS[e.kind], name: folderWide ? '' : baseName(e.path), detail: eventDetail(e, folderPath), tone };
}

/** What an event meant, worded from its fields (ids mean nothing to people); else its own words. */
function eventDetail(e: EventFields, folderPath?: string): string | null {
  switch (e.kind) {
    case 'moved':
      return e.moved_from ? `from ${shortPath(e.moved_from, folderPath)}` : e.detail;
    case 'edited':
      return e.previous_id && e.rule ? `new version; the previous one ${PREVIOUS_FATE[e.rule]}` : e.detail;
    case 'duplicate':
      // "Already in library" says it.
      return null;
    default:
      return e.detail;
  }
}

/** A path inside the folder, relative to it ("day 2/a.jpg"); others stay whole. */
export function shortPath(path: string, folderPath?: string): string {
  if (folderPath && path.startsWith(`${folderPath}/`)) return path.slice(folderPath.length + 1);
  return path;
}

/** "just now", "3 min ago", "2 h ago", else the date. */
export function ago(at: string, now = Date.now()): string {
  const t = new Date(at).getTime();
  if (Number.isNaN(t)) return at;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString(undefined, { dateStyle: 'medium' });
}
