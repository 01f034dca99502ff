import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { App as AppState } from './lib/stores/app.svelte';
import { fakeCore } from './test/helpers';

// Vitest hands CSS files over empty (even with ?raw): read the stylesheet itself. (Node's types
// are not in the app's tsconfig, hence the untyped import.)
const fsModule = 'node:fs';
const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as { readFileSync: (path: string, enc: 'utf8') => string };
const appCss = readFileSync('src/app.css', 'utf8');

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Element.prototype.scrollIntoView = () => {};
});

afterEach(() => cleanup());

/** Dispatches a cancelable event on `el`; true when something prevented its default. */
function prevented(el: EventTarget, ev: Event): boolean {
  el.dispatchEvent(ev);
  return ev.defaultPrevented;
}

const contextmenu = () => new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: 10, clientY: 10 });
const dragstart = () => new Event('dragstart', { bubbles: true, cancelable: true });
const ctrlA = () => new KeyboardEvent('keydown', { key: 'a', ctrlKey: true, bubbles: true, cancelable: true });

async function start(count = 5) {
  fakeCore({ count });
  const app = new AppState();
  render(App, { props: { app } });
  await waitFor(() => expect(screen.getAllByTestId('cell').length).toBeGreaterThan(0));
  return app;
}

describe('No browser behaviour', () => {
  it("WebKit's context menu shows nowhere but in text fields", async () => {
    await start();
    expect(prevented(document.body, contextmenu())).toBe(true);
    expect(prevented(screen.getByTestId('add-files'), contextmenu())).toBe(true);
    expect(prevented(screen.getByTestId('tag-list'), contextmenu())).toBe(true);
    // Cut/copy/paste stay where text is typed.
    expect(prevented(screen.getByTestId('search'), contextmenu())).toBe(false);
  });

  it('interface images, links and buttons are not dragged; text in a field is', async () => {
    await start();
    const img = screen.getAllByTestId('cell')[0].querySelector('img')!;
    expect(img.getAttribute('draggable')).toBe('false');
    expect(prevented(img, dragstart())).toBe(true);
    expect(prevented(screen.getByTestId('add-files'), dragstart())).toBe(true);
    await fireEvent.click(screen.getAllByTestId('cell')[0]);
    const preview = await screen.findByTestId('detail-preview');
    expect(preview.getAttribute('draggable')).toBe('false');
    expect(prevented(preview, dragstart())).toBe(true);
    expect(prevented(screen.getByTestId('tag-input'), dragstart())).toBe(false);
    expect(prevented(screen.getByTestId('search'), dragstart())).toBe(false);
  });

  it('Ctrl+A outside a text field selects no page text and goes to the selection hook', async () => {
    const app = await start();
    const hook = vi.spyOn(app, 'selectAll');
    expect(prevented(screen.getByTestId('grid'), ctrlA())).toBe(true);
    expect(hook).toHaveBeenCalledTimes(1);
    expect(prevented(document.body, new KeyboardEvent('keydown', { key: 'A', metaKey: true, bubbles: true, cancelable: true }))).toBe(true);
    // In a field, Ctrl+A selects the field's text as usual.
    expect(prevented(screen.getByTestId('search'), ctrlA())).toBe(false);
    expect(hook).toHaveBeenCalledTimes(2);
  });
});

describe('App stylesheet', () => {
  it('makes the chrome unselectable and lets fields and .selectable values be selected', () => {
    const body = appCss.match(/\nbody\s*\{([^}]*)\}/)![1];
    expect(body).toMatch(/(^|\s)user-select:\s*none/);
    expect(body).toMatch(/-webkit-user-select:\s*none/);
    const text = appCss.match(/input,\s*textarea,\s*\[contenteditable\],\s*\.selectable\s*\{([^}]*)\}/);
    expect(text?.[1]).toMatch(/(^|\s)user-select:\s*text/);
  });

  it('falls back to system CJK and emoji fonts after the UI font, before the generic family', () => {
    const font = appCss.match(/--font:([^;]+);/)![1];
    const fallback = appCss.match(/--font-fallback:([^;]+);/)![1];
    expect(font.indexOf('var(--font-fallback)')).toBeGreaterThan(font.indexOf("'Noto Sans'"));
    expect(font.trim().endsWith('sans-serif')).toBe(true);
    for (const f of ['Noto Sans CJK SC', 'Noto Sans CJK JP', 'Noto Sans CJK KR', 'Noto Color Emoji']) expect(fallback).toContain(`'${f}'`);
    expect(appCss).not.toMatch(/@font-face/);
  });
});
