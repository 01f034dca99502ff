import { describe, expect, it } from 'vitest';
import { SelectionStore, rangeOf } from './selection.svelte';
import { bandIndexes } from '../grid/select';
import { computeLayout } from '../grid/virtual';

describe('SelectionStore', () => {
  it('toggles ids and remembers the anchor; becomes the core selection of those ids', () => {
    const s = new SelectionStore();
    expect(s.toCore()).toBeNull();
    s.toggle('a', 0);
    s.toggle('b', 3);
    s.toggle('a', 0);
    expect(s.count).toBe(1);
    expect(s.anchor).toBe(0);
    expect(s.toCore()).toEqual({ kind: 'ids', ids: ['b'] });
  });

  it('select all is the query minus exceptions; toggling there adds or removes exceptions', () => {
    const s = new SelectionStore();
    s.setTotal(100_000);
    s.selectAll({ visibility: 'public', search: 'cat', sort: 'newest', limit: 200, after: 'X' });
    expect(s.count).toBe(100_000);
    expect(s.has('anything')).toBe(true);
    s.toggle('z', 5);
    expect(s.has('z')).toBe(false);
    expect(s.count).toBe(99_999);
    expect(s.toCore()).toEqual({ kind: 'query', query: { visibility: 'public', search: 'cat' }, except: ['z'] });
    s.toggle('z', 5);
    expect(s.toCore()).toEqual({ kind: 'query', query: { visibility: 'public', search: 'cat' }, except: [] });
    // Deleted images simply stop matching the query.
    s.forget(['q']);
    expect(s.count).toBe(100_000);
    s.clear();
    expect(s.active).toBe(false);
  });

  it('ranges run either way from the anchor; replace keeps only what it is given', () => {
    expect(rangeOf(5, 2)).toEqual([2, 5]);
    expect(rangeOf(null, 7)).toEqual([7, 7]);
    const s = new SelectionStore();
    s.set(['a', 'b', 'c'], true);
    s.replace(['c', 'd'], 4);
    expect([...s.ids]).toEqual(['c', 'd']);
    expect(s.anchor).toBe(4);
    s.forget(['c']);
    expect([...s.ids]).toEqual(['d']);
  });
});

describe('rubber band', () => {
  const l = computeLayout(1000); // 4 columns of 232 px, gap 6, padding 12
  it('covers the cells it touches, from the layout alone (rows out of the DOM too)', () => {
    const row = l.rowHeight;
    // From inside cell 0 to inside cell 5 (row 1, column 1).
    expect(bandIndexes({ x1: 20, y1: 20, x2: 12 + l.cell + 10, y2: 12 + row + 10 }, l, 100)).toEqual([0, 1, 4, 5]);
    // Drawn backwards: the same.
    expect(bandIndexes({ x2: 20, y2: 20, x1: 12 + l.cell + 10, y1: 12 + row + 10 }, l, 100)).toEqual([0, 1, 4, 5]);
    // Far down the grid (row 400) and past the last item.
    expect(bandIndexes({ x1: 20, y1: 12 + 400 * row + 5, x2: 999, y2: 12 + 400 * row + 6 }, l, 1602)).toEqual([1600, 1601]);
    // Only the gap between two columns: nothing.
    expect(bandIndexes({ x1: 12 + l.cell + 1, y1: 20, x2: 12 + l.cell + 4, y2: 30 }, l, 100)).toEqual([]);
  });
});
