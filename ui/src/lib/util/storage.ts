import type { KeepPolicy } from '../ipc';

/** Settings → Storage: which originals stay on this computer, as the form edits it. */
export type KeepKind = KeepPolicy['keep'];

export interface KeepFields {
  kind: KeepKind;
  days: number;
  /** Gigabytes (10⁹ bytes, as `--keep-under 10GB`). */
  gb: number;
}

const GB = 1e9;

/** The form's fields for a stored policy (the other kinds keep sensible defaults). */
export function keepFields(p: KeepPolicy): KeepFields {
  return {
    kind: p.keep,
    days: p.keep === 'viewed' ? p.days : 30,
    gb: p.keep === 'size' ? Math.round((p.bytes / GB) * 10) / 10 : 10,
  };
}

/** The policy the form describes, or null while a number is out of range. */
export function keepPolicy(f: KeepFields): KeepPolicy | null {
  switch (f.kind) {
    case 'all':
      return { keep: 'all' };
    case 'viewed':
      return Number.isInteger(f.days) && f.days >= 1 && f.days <= 3650 ? { keep: 'viewed', days: f.days } : null;
    case 'size':
      return Number.isFinite(f.gb) && f.gb >= 0.1 && f.gb <= 1_000_000 ? { keep: 'size', bytes: Math.round(f.gb * GB) } : null;
  }
}

export function samePolicy(a: KeepPolicy, b: KeepPolicy): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** In words, for people. */
export function describeKeep(p: KeepPolicy): string {
  switch (p.keep) {
    case 'all':
      return 'Every original stays on this computer.';
    case 'viewed':
      return `After each sync, originals not viewed in the last ${p.days} day${p.days === 1 ? '' : 's'} leave this computer once the bucket's copy is verified.`;
    case 'size':
      return `After each sync, the least recently viewed originals leave this computer (once the bucket's copy is verified) until the rest take at most ${p.bytes / GB} GB.`;
  }
}
