import { describe, expect, it } from 'vitest';
import { Detail } from './detail.svelte';
import { Gallery } from './gallery.svelte';
import { Toasts } from './toasts.svelte';
import { fakeCore, flush } from '../../test/helpers';

async function setup(count = 5) {
  const lib = fakeCore({ count });
  const gallery = new Gallery();
  const toasts = new Toasts();
  const detail = new Detail(gallery, toasts);
  gallery.setFilter({ sort: 'newest' });
  await gallery.idle();
  return { lib, gallery, toasts, detail };
}

describe('visibility toggle (optimistic)', () => {
  it('changes the UI before the command answers, then keeps it', async () => {
    const { lib, gallery, detail } = await setup();
    const rec = gallery.items.find((r) => r?.visibility === 'private')!;
    await detail.open(rec.id);
    const p = detail.setVisibility(rec.id, 'public');
    expect(gallery.get(rec.id)?.visibility).toBe('public');
    expect(detail.record?.visibility).toBe('public');
    await p;
    expect(gallery.get(rec.id)?.visibility).toBe('public');
    expect(lib.callsOf('set_visibility')[0].args).toEqual({ id: rec.id, visibility: 'public' });
  });

  it('rolls back and shows an error toast when the command fails', async () => {
    const { lib, gallery, detail, toasts } = await setup();
    const rec = gallery.items.find((r) => r?.visibility === 'private')!;
    await detail.open(rec.id);
    lib.failures = { set_visibility: { code: 'remote_unreachable', message: 'bucket unreachable' } };
    const p = detail.setVisibility(rec.id, 'unlisted');
    expect(gallery.get(rec.id)?.visibility).toBe('unlisted');
    await p;
    expect(gallery.get(rec.id)?.visibility).toBe('private');
    expect(detail.record?.visibility).toBe('private');
    expect(toasts.list.at(-1)).toMatchObject({ kind: 'error' });
    expect(toasts.list.at(-1)?.message).toContain('bucket unreachable');
  });

  it('a late failure does not undo a newer choice', async () => {
    const { lib, gallery, detail } = await setup();
    const rec = gallery.items.find((r) => r?.visibility === 'private')!;
    const realHandle = lib.handle.bind(lib);
    let rejectFirst: (e: unknown) => void = () => {};
    let first = true;
    lib.handle = (cmd, args, options) => {
      if (cmd === 'set_visibility' && first) {
        first = false;
        return new Promise((_, rej) => (rejectFirst = rej));
      }
      return realHandle(cmd, args, options);
    };
    const p1 = detail.setVisibility(rec.id, 'unlisted');
    await flush();
    await detail.setVisibility(rec.id, 'public');
    rejectFirst({ code: 'x', message: 'late failure' });
    await p1;
    expect(gallery.get(rec.id)?.visibility).toBe('public');
  });
});

describe('tags (optimistic)', () => {
  it('adds and removes with the core answer as truth', async () => {
    const { lib, gallery, detail } = await setup();
    const rec = gallery.items[0]!;
    await detail.open(rec.id);
    const p = detail.editTags(rec.id, ['  new-tag '], []);
    expect(detail.record?.tags).toContain('new-tag');
    await p;
    expect(detail.record?.tags).toContain('new-tag');
    expect(lib.callsOf('edit_tags')[0].args).toEqual({ id: rec.id, add: ['new-tag'], remove: [] });
    await detail.editTags(rec.id, [], ['new-tag']);
    expect(detail.record?.tags).not.toContain('new-tag');
  });

  it('rolls back on failure', async () => {
    const { lib, gallery, detail, toasts } = await setup();
    const rec = gallery.items[0]!;
    await detail.open(rec.id);
    const before = [...(detail.record?.tags ?? [])];
    lib.failures = { edit_tags: { code: 'invalid_input', message: 'tag too long' } };
    await detail.editTags(rec.id, ['x'], []);
    expect(detail.record?.tags).toEqual(before);
    expect(toasts.list.at(-1)?.message).toContain('tag too long');
  });
});

describe('full record from get_image', () => {
  it('the gallery keeps no full record: the detail shows get_image data, a placeholder until then', async () => {
    const { lib, gallery, detail } = await setup();
    const rec = gallery.items[2]!;
    expect(Object.keys(gallery.get(rec.id)!)).not.toContain('prompt');
    const p = detail.open(rec.id);
    expect(detail.isOpen).toBe(true);
    expect(detail.record).toBeNull();
    expect(detail.preview?.filename).toBe(rec.filename);
    await p;
    expect(lib.callsOf('get_image').map((c) => c.args)).toEqual([{ id: rec.id }]);
    expect(detail.record?.id).toBe(rec.id);
    expect(detail.record).toBe(detail.detail);
    expect(detail.record).toHaveProperty('sha256');
    expect(detail.record).toHaveProperty('prompt');
  });
});

describe('navigation', () => {
  it('step moves through the gallery order', async () => {
    const { gallery, detail } = await setup();
    await detail.open(gallery.items[0]!.id);
    detail.step(1);
    await flush();
    expect(detail.id).toBe(gallery.items[1]!.id);
    expect(detail.detail?.id).toBe(gallery.items[1]!.id);
    detail.step(-1);
    detail.step(-1);
    await flush();
    expect(detail.id).toBe(gallery.items[0]!.id);
    detail.close();
    expect(detail.isOpen).toBe(false);
  });
});

describe('navigation onto a dropped page', () => {
  /** A big library scrolled far: the pages near the start are dropped from memory. */
  async function deep() {
    const lib = fakeCore({ count: 20_000 });
    const gallery = new Gallery();
    const detail = new Detail(gallery, new Toasts());
    gallery.setKnownTotal(20_000);
    gallery.setFilter({ sort: 'newest' });
    await gallery.idle();
    const ids: string[] = [];
    for (let i = 0; i <= 12_000; i += 40) {
      gallery.ensure(i + 39, i);
      await gallery.idle();
      for (let k = i; k < i + 40; k++) if (ids[k] === undefined && gallery.items[k]) ids[k] = gallery.items[k]!.id;
    }
    // The first loaded entry: the one before it sits in a dropped page.
    const first = gallery.items.findIndex((r) => r !== undefined);
    expect(first).toBeGreaterThan(0);
    expect(gallery.items[first - 1]).toBeUndefined();
    await detail.open(gallery.items[first]!.id);
    return { lib, gallery, detail, ids, first };
  }

  it('one key press loads the neighbour and moves onto it', async () => {
    const { gallery, detail, ids, first } = await deep();
    detail.step(-1);
    await gallery.idle();
    await flush();
    expect(detail.id).toBe(ids[first - 1]);
    expect(detail.detail?.id).toBe(ids[first - 1]);
  });

  it('two quick presses move two, each press once (no double move, none lost)', async () => {
    const { lib, gallery, detail, ids, first } = await deep();
    const opens = lib.callsOf('get_image').length;
    detail.step(-1);
    detail.step(-1);
    await gallery.idle();
    await flush();
    expect(detail.id).toBe(ids[first - 2]);
    // Landed once: the intermediate image was not opened on the way.
    expect(lib.callsOf('get_image').length).toBe(opens + 1);
    // Settled: a later wait moves nothing.
    await flush();
    expect(detail.id).toBe(ids[first - 2]);
    detail.step(1);
    await flush();
    expect(detail.id).toBe(ids[first - 1]);
  });
});

describe('onChanged hook (sidebar counts)', () => {
  it('runs after a tag edit or visibility change went through, not after a failure', async () => {
    const lib = fakeCore({ count: 5 });
    const gallery = new Gallery();
    let changed = 0;
    const detail = new Detail(gallery, new Toasts(), () => changed++);
    gallery.setFilter({ sort: 'newest' });
    await gallery.idle();
    const rec = gallery.items[0]!;
    await detail.open(rec.id);
    await detail.editTags(rec.id, ['sunset'], []);
    expect(changed).toBe(1);
    await detail.setVisibility(rec.id, rec.visibility === 'public' ? 'private' : 'public');
    expect(changed).toBe(2);
    lib.failures = { edit_tags: { code: 'internal', message: 'nope' } };
    await detail.editTags(rec.id, ['other'], []);
    expect(changed).toBe(2);
  });
});
