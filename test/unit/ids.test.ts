import { describe, expect, it } from 'vitest';
import { UUID_PATTERN, uuidv7 } from '../../src/lib/ids';

describe('uuidv7', () => {
  it('makes version-7, variant-10 UUIDs carrying the millisecond', () => {
    const id = uuidv7(0x0123456789ab);
    expect(id).toMatch(UUID_PATTERN);
    expect(id.slice(0, 13)).toBe('01234567-89ab');
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('sorts in creation order within one millisecond', () => {
    const ids = Array.from({ length: 3000 }, () => uuidv7(1_800_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never goes backwards when the clock does', () => {
    const later = uuidv7(1_900_000_000_000);
    expect(uuidv7(1_899_999_999_000) > later).toBe(true);
  });
});
