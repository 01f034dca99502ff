import {
  api,
  errorMessage,
  onSyncEvent,
  onSyncStatus,
  toUserError,
  type MassDelete,
  type ProbeReport,
  type ProviderPreset,
  type RemoteSpec,
  type RemoteState,
  type RemoteView,
  type SyncStatus,
  type Unlisten,
} from '../ipc';
import { shortenKeys } from '../util/format';

export type SyncTone = 'off' | 'ok' | 'busy' | 'warn' | 'error';

export interface SyncSummary {
  tone: SyncTone;
  text: string;
  /** Longer text (an error message) for a tooltip or a second line. */
  detail: string | null;
  /** What the indicator offers: set up a bucket, or retry. */
  action: 'setup' | 'retry' | null;
  /** The fix is in Settings (credentials, keychain): offer to go there too. */
  settings?: boolean;
  /** Sync stopped before deleting this many of the bucket's files: offer to confirm. */
  deletes?: MassDelete;
}

/** Error codes whose fix is in the bucket settings. */
const SETTINGS_FIXES = new Set(['remote_auth', 'credentials_missing', 'keychain_unavailable', 'keychain_locked', 'keychain']);

/**
 * What a `mass_delete` stop would delete, as the status carries it (`mass_delete`). The
 * message is for people and is never parsed: without the fields there is nothing to confirm.
 */
export function massDelete(s: SyncStatus): MassDelete | null {
  return s.error?.code === 'mass_delete' ? s.mass_delete : null;
}

/** "This sync would delete 25 of 30 images' files from your bucket." */
export function massDeleteText(d: MassDelete): string {
  return `This sync would delete ${d.deletes.toLocaleString()} of ${d.total.toLocaleString()} images' files from your bucket.`;
}

/** How the sidebar words the sync state. */
export function summarize(s: SyncStatus | null): SyncSummary {
  if (!s || !s.remote) return { tone: 'off', text: 'No bucket', detail: 'Images stay on this computer only.', action: 'setup' };
  const deletes = massDelete(s);
  if (deletes) {
    // The core's message names a CLI flag; the app asks with a button instead.
    return {
      tone: 'error',
      text: 'Sync stopped',
      detail: `${massDeleteText(deletes)} Nothing is deleted until you confirm.`,
      action: 'retry',
      settings: false,
      deletes,
    };
  }
  if (s.error) {
    return { tone: 'error', text: 'Sync stopped', detail: shortenKeys(s.error.message), action: 'retry', settings: SETTINGS_FIXES.has(s.error.code) };
  }
  if (s.running || s.queued > 0) {
    const n = s.queued;
    return { tone: 'busy', text: n > 0 ? `Syncing ${n.toLocaleString()}…` : 'Syncing…', detail: null, action: null };
  }
  if (s.failed > 0) {
    const failure = s.last?.errors[0]?.message ?? null;
    return { tone: 'warn', text: `${s.failed.toLocaleString()} failed`, detail: failure && shortenKeys(failure), action: 'retry' };
  }
  return { tone: 'ok', text: 'Synced', detail: s.last_run_at ? `Last sync ${new Date(s.last_run_at).toLocaleString()}` : null, action: null };
}

export interface SyncHooks {
  /** An image's remote state changed (patch the grid and the detail view). */
  onImage: (id: string, state: RemoteState, error: string | null) => void;
  /** The remote was saved or removed: every image's state changed. */
  onRemoteChanged: () => void;
}

/** The bucket settings and the background sync's status, kept current from core events. */
export class SyncStore {
  status = $state.raw<SyncStatus | null>(null);
  remote = $state.raw<RemoteView | null>(null);
  /** The core's provider presets (what the settings ask for and default to), read once. */
  presets = $state.raw<ProviderPreset[]>([]);
  loaded = $state(false);
  saving = $state(false);
  /** The last save/remove error, with its code (`keychain_unavailable`, `credentials_missing`, …). */
  error = $state.raw<{ code: string; message: string } | null>(null);
  testing = $state(false);
  probe = $state.raw<ProbeReport | null>(null);
  retrying = $state(false);
  #hooks: SyncHooks;

  constructor(hooks: SyncHooks) {
    this.#hooks = hooks;
  }

  get configured(): boolean {
    return this.remote !== null;
  }

  get summary(): SyncSummary {
    return summarize(this.status);
  }

  /** Subscribes to `sync-status` and `sync-event`; returns the unlisteners. */
  subscribe(): Unlisten[] {
    return [
      onSyncStatus((s) => {
        this.status = s;
      }),
      onSyncEvent((e) => {
        if (e.kind === 'image') this.#hooks.onImage(e.id, e.state, e.error);
      }),
    ];
  }

  async load(): Promise<void> {
    try {
      const [remote, status, presets] = await Promise.all([
        api.getRemote(),
        api.syncStatus(),
        this.presets.length > 0 ? this.presets : api.providers(),
      ]);
      this.remote = remote;
      this.status = status;
      this.presets = presets;
    } catch (e) {
      this.error = toUserError(e);
    } finally {
      this.loaded = true;
    }
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await api.syncStatus();
    } catch {
      /* the next sync-status event will tell */
    }
  }

  /** Saves the settings (credentials, when typed, go to the keychain). */
  save(form: RemoteSpec, accessKeyId: string, secretAccessKey: string): Promise<boolean> {
    return this.#changeRemote(() =>
      api.setRemote(form, accessKeyId.trim() || undefined, secretAccessKey.trim() || undefined),
    );
  }

  remove(): Promise<boolean> {
    const remote = this.remote;
    if (!remote) return Promise.resolve(true);
    return this.#changeRemote(async () => {
      await api.removeRemote(remote.name);
      return null;
    });
  }

  /** Saves or removes the remote: the new one (or none) replaces it, and a stale probe goes. */
  async #changeRemote(change: () => Promise<RemoteView | null>): Promise<boolean> {
    this.saving = true;
    this.error = null;
    try {
      this.remote = await change();
      this.probe = null;
      this.#hooks.onRemoteChanged();
      void this.refreshStatus();
      return true;
    } catch (e) {
      this.error = toUserError(e);
      return false;
    } finally {
      this.saving = false;
    }
  }

  async test(): Promise<void> {
    this.testing = true;
    this.probe = null;
    try {
      this.probe = await api.testRemote();
      // A passing test restarts a stopped sync; the credentials line may have changed too.
      if (this.probe.ok) void this.refreshStatus();
    } catch (e) {
      this.probe = {
        ok: false,
        remote: this.remote?.name ?? '',
        checks: [{ check: 'test', status: 'fail', message: errorMessage(e), fix: null }],
      };
    } finally {
      this.testing = false;
    }
  }

  /** "Retry" / "Retry failed": quarantined items go again and a stopped sync restarts. */
  async retry(): Promise<string | null> {
    return this.#restart(() => api.retryFailedSync());
  }

  /** "Delete from bucket", confirmed: the sync that stopped before deleting goes on, once. */
  async allowDeletes(): Promise<string | null> {
    return this.#restart(() => api.syncAllowDeletes());
  }

  async #restart(call: () => Promise<SyncStatus>): Promise<string | null> {
    this.retrying = true;
    try {
      this.status = await call();
      return null;
    } catch (e) {
      return errorMessage(e);
    } finally {
      this.retrying = false;
    }
  }
}
