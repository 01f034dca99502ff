import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deletes, UNDO_MS } from './deletes.svelte';
import { Gallery } from './gallery.svelte';
import { Toasts } from './toasts.svelte';
import { fakeCore } from '../../test/helpers';

async function setup() {
  const lib = fakeCore({ count: 5 });
  const gallery = new Gallery();
  const toasts = new Toasts();
  gallery.setFilter({ sort: 'newest' });
  await vi.waitFor(() => expect(gallery.items).toHaveLength(5));
  const deletes = new Deletes(gallery, toasts);
  return { lib, gallery, toasts, deletes };
}

describe('delete with undo window', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hides at once and sends delete_images only when the window closes', async () => {
    const { lib, gallery, toasts, deletes } = await setup();
    const id = gallery.items[2]!.id;
    deletes.schedule([id], 'Deleted 1 image');
    expect(gallery.visible.map((r) => r?.id)).not.toContain(id);
    expect(toasts.list.at(-1)?.action?.label).toBe('Undo');
    await vi.advanceTimersByTimeAsync(UNDO_MS - 1);
    expect(lib.callsOf('delete_images')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(lib.callsOf('delete_images').map((c) => c.args)).toEqual([{ ids: [id] }]);
    expect(gallery.items.map((r) => r?.id)).not.toContain(id);
    expect(gallery.hidden.size).toBe(0);
  });

  it('Undo inside the window restores the item and never sends the command', async () => {
    const { lib, gallery, toasts, deletes } = await setup();
    const id = gallery.items[0]!.id;
    const key = deletes.schedule([id], 'Deleted');
    await vi.advanceTimersByTimeAsync(3000);
    toasts.list.at(-1)?.action?.run();
    expect(gallery.visible.map((r) => r?.id)).toContain(id);
    await vi.advanceTimersByTimeAsync(UNDO_MS * 2);
    expect(lib.callsOf('delete_images')).toHaveLength(0);
    deletes.undo(key); // idempotent
    expect(gallery.visible).toHaveLength(5);
  });

  it('a failed delete brings the item back with an error', async () => {
    const { lib, gallery, toasts, deletes } = await setup();
    lib.failures = { delete_images: { code: 'io', message: 'permission denied' } };
    const id = gallery.items[1]!.id;
    deletes.schedule([id], 'Deleted');
    await vi.advanceTimersByTimeAsync(UNDO_MS);
    expect(gallery.visible.map((r) => r?.id)).toContain(id);
    expect(toasts.list.at(-1)).toMatchObject({ kind: 'error' });
  });

  it('flushAll commits open windows immediately (app closing)', async () => {
    const { lib, gallery, deletes } = await setup();
    deletes.schedule([gallery.items[0]!.id], 'a');
    deletes.schedule([gallery.items[1]!.id], 'b');
    await deletes.flushAll();
    expect(lib.callsOf('delete_images')).toHaveLength(2);
    expect(deletes.pending).toHaveLength(0);
  });
});
