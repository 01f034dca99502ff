import { describe, expect, it } from 'vitest';
import { thumb } from './thumb';
import { flush } from '../../test/helpers';

function img(decode?: () => Promise<void>) {
  const el = document.createElement('img');
  if (decode) Object.defineProperty(el, 'decode', { value: decode });
  return el;
}

function deferred() {
  let resolve: () => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('thumb action', () => {
  it('stays transparent after load until decode() resolves', async () => {
    const d = deferred();
    const el = img(() => d.promise);
    thumb(el, 'vitrine://a');
    expect(el.getAttribute('src')).toBe('vitrine://a');
    el.dispatchEvent(new Event('load'));
    await flush();
    expect(el.classList.contains('loaded')).toBe(false);
    d.resolve();
    await flush();
    expect(el.classList.contains('loaded')).toBe(true);
  });

  it('a reused element hides the old picture at once and ignores a stale decode', async () => {
    const first = deferred();
    const decodes = [first.promise, Promise.resolve()];
    const el = img(() => decodes.shift()!);
    const a = thumb(el, 'vitrine://a');
    el.dispatchEvent(new Event('load'));
    a.update('vitrine://b');
    expect(el.getAttribute('src')).toBe('vitrine://b');
    first.resolve();
    await flush();
    expect(el.classList.contains('loaded')).toBe(false);
    el.dispatchEvent(new Event('load'));
    await flush();
    expect(el.classList.contains('loaded')).toBe(true);
    a.update('vitrine://c');
    expect(el.classList.contains('loaded')).toBe(false);
  });

  it('null removes src (nothing is fetched); errors mark the image broken', async () => {
    const el = img(() => Promise.resolve());
    const a = thumb(el, null);
    expect(el.hasAttribute('src')).toBe(false);
    a.update('vitrine://x');
    el.dispatchEvent(new Event('error'));
    expect(el.classList.contains('broken')).toBe(true);
    a.update(null);
    expect(el.hasAttribute('src')).toBe(false);
    expect(el.classList.contains('broken')).toBe(false);
  });

  it('falls back to the load event without decode()', async () => {
    const el = img();
    Object.defineProperty(el, 'decode', { value: undefined });
    thumb(el, 'vitrine://a');
    el.dispatchEvent(new Event('load'));
    expect(el.classList.contains('loaded')).toBe(true);
  });
});
