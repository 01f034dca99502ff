import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import SyncIndicator from './SyncIndicator.svelte';
import { summarize } from '../stores/sync.svelte';
import { emptyStatus } from '../ipc/mock-backend';
import type { SyncStatus } from '../ipc';

afterEach(() => cleanup());

const status = (over: Partial<SyncStatus>): SyncStatus => ({ ...emptyStatus(), remote: 'main', ...over });

function show(s: SyncStatus, retrying = false) {
  const props = { summary: summarize(s), retrying, onretry: vi.fn(), onsetup: vi.fn(), onallowdeletes: vi.fn() };
  render(SyncIndicator, { props });
  return props;
}

const massStop = status({
  error: { code: 'mass_delete', message: 'stopped: this sync would delete 25 of 30 images\' files from the bucket' },
  mass_delete: { deletes: 25, total: 30 },
});

describe('SyncIndicator', () => {
  it('a stop before a mass delete says what would go and offers "Delete from bucket" next to Retry', async () => {
    const p = show(massStop);
    expect(screen.getByTestId('sync-text').textContent).toBe('Sync stopped');
    expect(screen.getByTestId('sync-error').textContent).toContain("This sync would delete 25 of 30 images' files from your bucket.");
    expect(screen.getByTestId('sync-retry').textContent?.trim()).toBe('Retry');
    const del = screen.getByTestId('sync-allow-deletes');
    expect(del.textContent?.trim()).toBe('Delete from bucket');
    await fireEvent.click(del);
    expect(p.onallowdeletes).toHaveBeenCalledTimes(1);
    await fireEvent.click(screen.getByTestId('sync-retry'));
    expect(p.onretry).toHaveBeenCalledTimes(1);
  });

  it('is disabled while a restart is on its way', () => {
    show(massStop, true);
    expect((screen.getByTestId('sync-allow-deletes') as HTMLButtonElement).disabled).toBe(true);
  });

  it('other stops offer Retry (and Settings for credentials) but no delete', () => {
    show(status({ error: { code: 'remote_auth', message: 'the bucket refused the credentials' } }));
    expect(screen.getByTestId('sync-retry')).toBeTruthy();
    expect(screen.getByTestId('sync-settings')).toBeTruthy();
    expect(screen.queryByTestId('sync-allow-deletes')).toBeNull();
  });
});
