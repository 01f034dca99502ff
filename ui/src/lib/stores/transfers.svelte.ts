import { api, errorMessage, type ImportEvent, type Outcome, type SourceKind } from '../ipc';
import { displayName } from '../util/format';

export type BatchState = 'running' | 'done' | 'error';

export interface Batch {
  id: number;
  label: string;
  source: SourceKind;
  tags: string[];
  inputs: string[];
  total: number;
  done: number;
  imported: number;
  duplicates: number;
  failed: number;
  /** Files in dropped folders passed over because they are not images. */
  skipped: number;
  failures: Outcome[];
  /** The most recent outcomes, newest first (bounded). */
  recent: Outcome[];
  state: BatchState;
  /** Set when the command itself failed (not a per-file failure). */
  error: string | null;
  /** Pasted bytes, kept so a failed paste can be retried. */
  blob?: { bytes: Uint8Array; name: string };
  /** The image of the earliest input that landed (imported or already there), to show it. */
  first: string | null;
  /** That input's place in `inputs` (inputs inside a folder rank after every named input). */
  firstRank: number;
}

const RECENT = 8;

export interface TransferHooks {
  /** An item landed in the library (throttle on the caller's side). */
  onImported?: (outcome: Outcome) => void;
  onFinished?: (batch: Batch) => void;
}

/** Each batch's inputs by place (first occurrence), built once: a drop of 10,000 files looks
 * up every outcome, which a scan of the inputs would make quadratic. */
const ranks = new WeakMap<string[], Map<string, number>>();

/** An input's place in `inputs`; files found inside a named folder rank after every input. */
function inputRank(inputs: string[], input: string): number {
  let places = ranks.get(inputs);
  if (!places) {
    places = new Map();
    inputs.forEach((x, i) => {
      if (!places!.has(x)) places!.set(x, i);
    });
    ranks.set(inputs, places);
  }
  return places.get(input) ?? inputs.length;
}

/** Applies one progress event to a batch (pure; exported for tests). */
export function applyEvent(b: Batch, e: ImportEvent): void {
  switch (e.event) {
    case 'started':
      b.total = e.total;
      break;
    case 'item': {
      b.total = e.total;
      b.done = Math.max(b.done, e.done);
      const o = e.outcome;
      if (o.id && b.firstRank > 0) {
        const rank = inputRank(b.inputs, o.input);
        if (b.first === null || rank < b.firstRank) {
          b.first = o.id;
          b.firstRank = rank;
        }
      }
      if (o.status === 'imported') b.imported++;
      else if (o.status === 'duplicate') b.duplicates++;
      else {
        b.failed++;
        b.failures.push(o);
      }
      b.recent = [o, ...b.recent].slice(0, RECENT);
      break;
    }
    case 'finished':
      b.imported = e.imported;
      b.duplicates = e.duplicates;
      b.failed = e.failed;
      b.skipped = e.skipped;
      b.done = b.total = Math.max(b.total, e.imported + e.duplicates + e.failed);
      b.state = 'done';
      break;
  }
}

export function batchLabel(inputs: string[], source: SourceKind): string {
  if (source === 'paste') return 'Pasted image';
  if (inputs.length === 1) return displayName(inputs[0]);
  return `${inputs.length} ${source === 'url' ? 'links' : 'items'}`;
}

export interface TransferTotals {
  total: number;
  done: number;
  imported: number;
  duplicates: number;
  failed: number;
  running: number;
}

/** Header summary: failures always shown (right after imported), duplicates only when there are some. */
/** "3 files were not images" (folders dropped with notes or sidecars in them); '' for none. */
export function notImagesText(skipped: number): string {
  if (skipped <= 0) return '';
  return skipped === 1 ? '1 file was not an image' : `${skipped} files were not images`;
}

export function summaryParts(t: Pick<TransferTotals, 'imported' | 'duplicates' | 'failed'>): string[] {
  const parts = [`${t.imported} imported`, `${t.failed} failed`];
  if (t.duplicates > 0) parts.push(`${t.duplicates} duplicate${t.duplicates === 1 ? '' : 's'}`);
  return parts;
}

export class Transfers {
  batches = $state<Batch[]>([]);
  open = $state(true);
  #next = 1;
  #hooks: TransferHooks;

  constructor(hooks: TransferHooks = {}) {
    this.#hooks = hooks;
  }

  totals = $derived.by((): TransferTotals => {
    let total = 0;
    let done = 0;
    let imported = 0;
    let duplicates = 0;
    let failed = 0;
    let running = 0;
    for (const b of this.batches) {
      total += b.total;
      done += b.done;
      imported += b.imported;
      duplicates += b.duplicates;
      failed += b.failed;
      if (b.state === 'running') running++;
    }
    return { total, done, imported, duplicates, failed, running };
  });

  #newBatch(inputs: string[], source: SourceKind, tags: string[]): Batch {
    const b: Batch = {
      id: this.#next++,
      label: batchLabel(inputs, source),
      source,
      tags,
      inputs,
      total: inputs.length,
      done: 0,
      imported: 0,
      duplicates: 0,
      failed: 0,
      skipped: 0,
      failures: [],
      recent: [],
      state: 'running',
      error: null,
      first: null,
      firstRank: Infinity,
    };
    this.batches = [b, ...this.batches];
    this.open = true;
    // Return the reactive proxy so later mutations are seen by the UI.
    return this.batches[0];
  }

  #event(b: Batch, e: ImportEvent): void {
    applyEvent(b, e);
    if (e.event === 'item' && e.outcome.status === 'imported') this.#hooks.onImported?.(e.outcome);
  }

  #finish(b: Batch): void {
    b.state = b.error ? 'error' : 'done';
    this.#hooks.onFinished?.(b);
  }

  /** Imports paths or URLs, streaming progress into a new batch. */
  async importInputs(inputs: string[], source: SourceKind, tags: string[] = []): Promise<Batch> {
    const b = this.#newBatch(inputs, source, tags);
    try {
      const s = await api.importInputs(inputs, source, tags, (e) => this.#event(b, e));
      b.imported = s.imported;
      b.duplicates = s.duplicates;
      b.failed = s.failed;
      b.skipped = s.skipped;
      b.done = b.total = Math.max(b.total, s.imported + s.duplicates + s.failed);
    } catch (e) {
      b.error = errorMessage(e);
    }
    this.#finish(b);
    return b;
  }

  /** Imports pasted bytes as one batch of one. */
  async importBlob(bytes: Uint8Array, name: string): Promise<Batch> {
    const b = this.#newBatch([name], 'paste', []);
    b.blob = { bytes, name };
    this.#event(b, { event: 'started', total: 1 });
    try {
      const o = await api.importBlob(bytes, name);
      this.#event(b, { event: 'item', done: 1, total: 1, outcome: o });
    } catch (e) {
      const msg = errorMessage(e);
      this.#event(b, { event: 'item', done: 1, total: 1, outcome: { input: name, status: 'error', id: null, error: msg, code: null } });
    }
    this.#finish(b);
    return b;
  }

  /** Inputs worth retrying for a batch (its failures, or everything if the command failed). */
  retryList(id: number): string[] {
    const b = this.batches.find((x) => x.id === id);
    if (!b) return [];
    if (b.error && b.failures.length === 0) return [...b.inputs];
    return b.failures.map((f) => f.input);
  }

  async retryFailed(id: number): Promise<Batch | null> {
    const b = this.batches.find((x) => x.id === id);
    if (!b || b.state === 'running') return null;
    if (b.blob) return this.importBlob(b.blob.bytes, b.blob.name);
    const inputs = this.retryList(id);
    if (inputs.length === 0) return null;
    return this.importInputs(inputs, b.source, b.tags);
  }

  dismiss(id: number): void {
    this.batches = this.batches.filter((b) => b.id !== id || b.state === 'running');
  }

  clearFinished(): void {
    this.batches = this.batches.filter((b) => b.state === 'running');
  }
}
