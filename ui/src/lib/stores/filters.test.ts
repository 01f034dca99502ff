import { describe, expect, it } from 'vitest';
import { NO_FILTERS, activeCount, chips, filtersKey, imagesText, isEmpty, set, toQuery, toggle, toggleTag, type Filters } from './filters';

const f = (over: Partial<Filters>): Filters => ({ ...NO_FILTERS, ...over });

describe('filters', () => {
  it('map to the core selectors, one tag as tag and several as tags (any, or all)', () => {
    expect(toQuery(NO_FILTERS)).toEqual({});
    expect(toQuery(f({ tags: ['trip'], remote_state: 'synced' }))).toEqual({ tag: 'trip', remote_state: 'synced' });
    expect(toQuery(f({ tags: ['a', 'b'] }))).toEqual({ tags: ['a', 'b'] });
    expect(toQuery(f({ tags: ['a', 'b'], all_tags: true }))).toEqual({ tags: ['a', 'b'], all_tags: true });
    expect(
      toQuery(f({ generator: 'any', model: 'sdxl', format: 'png', camera: 'E-M1', from: '2024-01-01', to: '2024-12-31', orientation: 'portrait', size: 'large' })),
    ).toEqual({ generator: 'any', model: 'sdxl', format: 'png', camera: 'E-M1', from: '2024-01-01', to: '2024-12-31', orientation: 'portrait', size: 'large' });
  });

  it('toggle sets a value, clears it when set again, replaces another', () => {
    let x = toggle(NO_FILTERS, 'visibility', 'public');
    expect(x.visibility).toBe('public');
    x = toggle(x, 'visibility', 'unlisted');
    expect(x.visibility).toBe('unlisted');
    expect(toggle(x, 'visibility', 'unlisted').visibility).toBeNull();
  });

  it('tags toggle one by one; "all" only means something with two or more', () => {
    let x = toggleTag(NO_FILTERS, 'a');
    x = toggleTag(set(x, 'all_tags', true), 'b');
    expect(x).toMatchObject({ tags: ['a', 'b'], all_tags: true });
    x = toggleTag(x, 'a');
    expect(x).toMatchObject({ tags: ['b'], all_tags: false });
  });

  it('one chip per filter, each removing only itself', () => {
    const x = f({ visibility: 'public', tags: ['trip', 'beach'], generator: 'comfyui', from: '2024-05-01', to: '2024-05-31', size: 'small' });
    const cs = chips(x);
    expect(cs.map((c) => c.key)).toEqual(['visibility', 'tag:trip', 'tag:beach', 'generator', 'date', 'size']);
    expect(cs.find((c) => c.key === 'generator')?.label).toBe('ComfyUI');
    expect(cs.find((c) => c.key === 'tag:trip')?.without.tags).toEqual(['beach']);
    const date = cs.find((c) => c.key === 'date')!;
    expect(date.label).toContain('–');
    expect(date.without).toEqual({ ...x, from: null, to: null });
    expect(chips(f({ to: '2024-01-02' }))[0].label).toMatch(/^Until /);
    // Removing every chip in turn leaves no filter.
    let y = x;
    while (chips(y).length) y = chips(y)[0].without;
    expect(isEmpty(y)).toBe(true);
  });

  it('count and key', () => {
    expect(activeCount(f({ tags: ['a', 'b'], format: 'png' }))).toBe(3);
    expect(filtersKey(f({ tags: ['a', 'b'] }))).toBe(filtersKey(f({ tags: ['b', 'a'] })));
    expect(filtersKey(f({ tags: ['a', 'b'], all_tags: true }))).not.toBe(filtersKey(f({ tags: ['a', 'b'] })));
    expect(imagesText(1)).toBe('1 image');
    expect(imagesText(12345)).toBe('12,345 images');
  });
});
