import { describe, expect, it } from 'vitest';
import { describeKeep, keepFields, keepPolicy, samePolicy } from './storage';

describe('Settings → Storage policy', () => {
  it('reads a stored policy into the form and back', () => {
    expect(keepFields({ keep: 'all' })).toEqual({ kind: 'all', days: 30, gb: 10 });
    expect(keepFields({ keep: 'viewed', days: 14 })).toMatchObject({ kind: 'viewed', days: 14 });
    expect(keepFields({ keep: 'size', bytes: 2_500_000_000 })).toMatchObject({ kind: 'size', gb: 2.5 });
    expect(keepPolicy({ kind: 'size', days: 30, gb: 2.5 })).toEqual({ keep: 'size', bytes: 2_500_000_000 });
    expect(keepPolicy({ kind: 'viewed', days: 7, gb: 10 })).toEqual({ keep: 'viewed', days: 7 });
    expect(keepPolicy({ kind: 'all', days: 0, gb: 0 })).toEqual({ keep: 'all' });
  });

  it('refuses numbers the core would refuse', () => {
    expect(keepPolicy({ kind: 'viewed', days: 0, gb: 10 })).toBeNull();
    expect(keepPolicy({ kind: 'viewed', days: 1.5, gb: 10 })).toBeNull();
    expect(keepPolicy({ kind: 'size', days: 30, gb: 0 })).toBeNull();
    expect(keepPolicy({ kind: 'size', days: 30, gb: Number.NaN })).toBeNull();
  });

  it('says what it does in words', () => {
    expect(describeKeep({ keep: 'all' })).toBe('Every original stays on this computer.');
    expect(describeKeep({ keep: 'viewed', days: 1 })).toContain('last 1 day ');
    expect(describeKeep({ keep: 'size', bytes: 10e9 })).toContain('at most 10 GB');
    expect(samePolicy({ keep: 'viewed', days: 3 }, { keep: 'viewed', days: 3 })).toBe(true);
    expect(samePolicy({ keep: 'viewed', days: 3 }, { keep: 'all' })).toBe(false);
  });
});
