import { afterEach } from 'vitest';
import { uninstallMockBackend } from '../lib/ipc/mock-backend';

// jsdom has no ResizeObserver (Svelte's bind:clientWidth uses it).
if (!('ResizeObserver' in window)) {
  class RO {
    #cb: ResizeObserverCallback;
    constructor(cb: ResizeObserverCallback) {
      this.#cb = cb;
    }
    observe(el: Element) {
      this.#cb([{ target: el } as ResizeObserverEntry], this as unknown as ResizeObserver);
    }
    unobserve() {}
    disconnect() {}
  }
  (window as unknown as { ResizeObserver: unknown }).ResizeObserver = RO;
  (globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver = RO;
}

afterEach(() => {
  uninstallMockBackend();
});
