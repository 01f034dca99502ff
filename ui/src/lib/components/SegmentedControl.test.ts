import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import SegmentedControl from './SegmentedControl.svelte';

afterEach(() => {
  cleanup();
  document.getElementById('seg-label')?.remove();
});

const options = [
  { value: 600, label: '10 min', testid: 'expiry-600' },
  { value: 3600, label: '1 hour', testid: 'expiry-3600' },
  { value: 86_400, label: '1 day', testid: 'expiry-86400' },
];

function show(over: Record<string, unknown> = {}) {
  const label = document.createElement('span');
  label.id = 'seg-label';
  label.textContent = 'Link expires after';
  document.body.append(label);
  const props = { options, value: 3600, onchange: vi.fn(), labelledby: 'seg-label', testid: 'choice', ...over };
  const r = render(SegmentedControl<number>, { props });
  return { props, ...r };
}

const radios = () => screen.getAllByRole('radio') as HTMLButtonElement[];

describe('SegmentedControl', () => {
  it('is a radio group named by its label, one radio per option, only the value checked', () => {
    show();
    const group = screen.getByRole('radiogroup', { name: 'Link expires after' });
    expect(group.dataset.testid).toBe('choice');
    expect(radios().map((b) => b.textContent)).toEqual(['10 min', '1 hour', '1 day']);
    expect(radios().map((b) => b.dataset.testid)).toEqual(['expiry-600', 'expiry-3600', 'expiry-86400']);
    expect(radios().map((b) => b.getAttribute('aria-checked'))).toEqual(['false', 'true', 'false']);
    expect(radios().map((b) => b.classList.contains('on'))).toEqual([false, true, false]);
    expect(screen.getByRole('radio', { checked: true }).textContent).toBe('1 hour');
  });

  it('choosing an option reports its value (a number stays a number); the parent moves the check', async () => {
    const { props, rerender } = show();
    await fireEvent.click(screen.getByTestId('expiry-600'));
    expect(props.onchange).toHaveBeenCalledWith(600);
    // Nothing changes until the value comes back down.
    expect(screen.getByTestId('expiry-3600').getAttribute('aria-checked')).toBe('true');
    await rerender({ value: 600 });
    expect(radios().map((b) => b.getAttribute('aria-checked'))).toEqual(['true', 'false', 'false']);
  });

  it('every option is a native button in the Tab order (Enter and Space choose it)', () => {
    show();
    for (const b of radios()) {
      expect(b.tagName).toBe('BUTTON');
      expect(b.disabled).toBe(false);
      expect(b.tabIndex).toBe(0);
      b.focus();
      expect(document.activeElement).toBe(b);
    }
  });

  it('a compact group is marked for its smaller buttons; the default is not', async () => {
    const { rerender } = show();
    expect(screen.getByRole('radiogroup').classList.contains('compact')).toBe(false);
    await rerender({ compact: true });
    expect(screen.getByRole('radiogroup').classList.contains('compact')).toBe(true);
  });
});
