import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/svelte';
import TopBar from './TopBar.svelte';
import SettingsView from './SettingsView.svelte';
import StatsView from './StatsView.svelte';
import { FakeLibrary } from '../ipc/mock-backend';
import { fakeSettings } from '../ipc/mock/fixtures';

afterEach(() => cleanup());

const sources = import.meta.glob(['/src/lib/components/StatsView.svelte'], { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

function topBar(showSearch: boolean) {
  const noop = () => {};
  return render(TopBar, {
    props: {
      search: '',
      sort: 'newest',
      showSearch,
      transfersRunning: 0,
      onsearch: noop,
      onsearchenter: noop,
      onclearsearch: noop,
      onsort: noop,
      onaddfiles: noop,
      onaddfolder: noop,
      onurl: noop,
      onshortcuts: noop,
      sidebarShown: true,
      ontogglesidebar: noop,
    },
  });
}

/** The bar's layout: its children's tags and classes, minus the on/off state. */
function shape(el: Element): string[] {
  return [...el.children].map((c) => `${c.tagName}.${[...c.classList].filter((k) => k !== 'off' && !k.startsWith('svelte-')).join('.')}`);
}

describe('Top bar', () => {
  it('keeps the same layout on Statistics and Settings: search and sort hidden and disabled, not removed', () => {
    const { container } = topBar(true);
    const gallery = shape(container.querySelector('header')!);
    cleanup();
    const other = topBar(false);
    const bar = other.container.querySelector('header')!;
    expect(shape(bar)).toEqual(gallery);
    const search = screen.getByTestId('search') as HTMLInputElement;
    const sort = screen.getByTestId('sort') as HTMLSelectElement;
    expect(search.disabled).toBe(true);
    expect(sort.disabled).toBe(true);
    expect(search.closest('.search')?.classList.contains('off')).toBe(true);
    expect(search.closest('.search')?.getAttribute('aria-hidden')).toBe('true');
    expect(sort.closest('label')?.classList.contains('off')).toBe(true);
  });
});

describe('Settings', () => {
  it('has one Save per form, at the end of the form it saves', () => {
    render(SettingsView, { props: { settings: fakeSettings(), saving: false, error: null, onsave: vi.fn(async () => true) } });
    const forms = [...screen.getByTestId('settings-view').querySelectorAll('form')];
    expect(forms.map((f) => f.dataset.testid)).toEqual(['settings-limits', 'settings-storage']);
    for (const f of forms) {
      const submit = f.querySelectorAll('button[type="submit"]');
      expect(submit).toHaveLength(1);
      expect([...f.querySelectorAll('input, select, textarea, button')].at(-1)).toBe(submit[0]);
    }
    expect(screen.getByTestId('storage-save').textContent?.trim()).toBe('Save storage');
    const form = screen.getByTestId('settings-limits');
    const saves = form.querySelectorAll('button[type="submit"]');
    expect(saves).toHaveLength(1);
    expect(saves[0].textContent?.trim()).toBe('Save import limits');
    // Its fields are in the same form, before it; nothing of the form comes after the Save row.
    const fieldset = within(form).getByRole('group');
    expect(fieldset.querySelector('legend')?.textContent).toBe('Import limits');
    const controls = [...form.querySelectorAll('input, select, textarea, button')];
    expect(controls.at(-1)).toBe(saves[0]);
    expect(form.contains(screen.getByTestId('settings-max-file-size'))).toBe(true);
    // Read-only facts are not in a form with a Save.
    expect(screen.getByTestId('settings-library-path').closest('form')).toBeNull();
    expect(screen.getByTestId('settings-rendering').closest('form')).toBeNull();
  });
});

describe('Statistics', () => {
  it('lays its cards out in columns that divide their number (no orphan card at any width)', async () => {
    const stats = new FakeLibrary({ count: 12 }).stats();
    render(StatsView, { props: { stats, root: '/lib', onopen: () => {} } });
    const cards = screen.getAllByTestId('stats-card').length;
    const css = sources['/src/lib/components/StatsView.svelte'];
    const cardsRules = [...css.matchAll(/\.cards\s*\{([^}]*)\}/g)].map((m) => m[1]);
    const columns = cardsRules.flatMap((r) => [...r.matchAll(/grid-template-columns:\s*repeat\((\d+),/g)].map((m) => Number(m[1])));
    expect(columns.length).toBeGreaterThanOrEqual(2);
    for (const n of columns) expect(cards % n, `${cards} cards in ${n} columns`).toBe(0);
    expect(css).not.toMatch(/\.cards\s*\{[^}]*auto-(fill|fit)/);
  });
});
