import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import StorageSettings from './StorageSettings.svelte';
import { fakeSettings } from '../ipc/mock/fixtures';

afterEach(() => cleanup());

function show(keep = fakeSettings().keep_originals) {
  const onsave = vi.fn(async () => true);
  const settings = { ...fakeSettings(), keep_originals: keep };
  render(StorageSettings, { props: { settings, saving: false, onsave } });
  return { onsave, settings };
}

describe('Settings → Storage', () => {
  it('starts from the stored policy; Save is off until something changes', () => {
    show({ keep: 'viewed', days: 14 });
    expect((screen.getByTestId('keep-viewed') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('keep-days') as HTMLInputElement).value).toBe('14');
    expect((screen.getByTestId('keep-gb') as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByTestId('storage-save') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('keep-hint').textContent).toContain('not viewed in the last 14 days');
  });

  it('saves "up to N GB" as bytes with the other settings unchanged', async () => {
    const { onsave, settings } = show();
    await fireEvent.click(screen.getByTestId('keep-size'));
    await fireEvent.input(screen.getByTestId('keep-gb'), { target: { value: '2.5' } });
    await fireEvent.click(screen.getByTestId('storage-save'));
    expect(onsave).toHaveBeenCalledWith({ ...settings, keep_originals: { keep: 'size', bytes: 2_500_000_000 } });
  });

  it('a number out of range cannot be saved', async () => {
    const { onsave } = show();
    await fireEvent.click(screen.getByTestId('keep-viewed'));
    await fireEvent.input(screen.getByTestId('keep-days'), { target: { value: '0' } });
    expect((screen.getByTestId('storage-save') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('keep-hint').textContent).toContain('at least one day');
    expect(onsave).not.toHaveBeenCalled();
  });
});
