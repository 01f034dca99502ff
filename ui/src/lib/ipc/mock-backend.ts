/**
 * An in-memory stand-in for the Rust core, speaking the same IPC contract.
 * Used by `npm run dev` in a plain browser (no Tauri) and by the Vitest suite.
 *
 * - `mock/fixtures.ts`: rows typed by the generated bindings (`fakeRecord`, `fakeFolder`, …);
 * - `mock/library.ts`: `FakeLibrary`, the state and what the core does with it;
 * - `mock/handlers.ts`: one handler per `CommandName`.
 */
import { mockIPC, mockWindows, clearMocks } from '@tauri-apps/api/mocks';
import { setUrlResolver } from './urls';
import type { FakeLibrary } from './mock/library';
import { svgThumbnail } from './mock/thumbnails';

// For tests outside lib/ipc/ (which may not import @tauri-apps directly).
export { mockIPC, mockWindows, mockConvertFileSrc } from '@tauri-apps/api/mocks';
export { emit } from '@tauri-apps/api/event';

export { FakeLibrary, type Call, type FakeOptions, type InvokedName } from './mock/library';
export { emptyStatus, fakeDetail, fakeFolder, fakeId, fakeRecord } from './mock/fixtures';
export { handlers, type Handler, type HandlerTable } from './mock/handlers';

/** Installs the fake core behind `invoke`, events and drag-drop. */
export function installMockBackend(lib: FakeLibrary, opts: { thumbnails?: boolean } = {}): void {
  mockWindows('main');
  mockIPC((cmd, args) => lib.handle(cmd, args), { shouldMockEvents: true });
  // mockIPC drops invoke options; keep them for import_blob headers.
  const internals = (window as unknown as { __TAURI_INTERNALS__: Record<string, unknown> }).__TAURI_INTERNALS__;
  const inner = internals.invoke as (cmd: string, args: unknown, options?: unknown) => Promise<unknown>;
  internals.invoke = (cmd: string, args: unknown, options?: unknown) =>
    cmd === 'import_blob' ? lib.handle(cmd, args, options) : inner(cmd, args, options);
  internals.convertFileSrc = (p: string, protocol = 'asset') => `${protocol}://localhost/${encodeURIComponent(p)}`;
  lib.enableEvents();
  if (opts.thumbnails) setUrlResolver(svgThumbnail);
}

export function uninstallMockBackend(): void {
  setUrlResolver(null);
  clearMocks();
}
