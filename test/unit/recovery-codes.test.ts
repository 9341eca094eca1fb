import { describe, expect, it } from 'vitest';
import { normaliseRecoveryCode, recoveryCode, recoveryCodeHash, recoveryCodes } from '../../src/lib/recovery-codes';

describe('recovery codes', () => {
  it('are ten readable codes of 60 random bits, with no look-alike characters', () => {
    const codes = recoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(codes.join('')).not.toMatch(/[01IO]/);
  });

  it('use every symbol about equally (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i += 1) for (const ch of recoveryCode().replace(/-/g, '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (2000 * 12) / 32;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.2);
  });

  it('forgive case, spaces and dashes as typed, and refuse anything else', () => {
    const code = recoveryCode();
    expect(normaliseRecoveryCode(` ${code.toLowerCase().replace(/-/g, ' ')} `)).toBe(code.replace(/-/g, ''));
    for (const bad of ['', 'ABCD-EFGH-JKL', 'ABCD-EFGH-JKLMN', 'ABCD-EFGH-JK0M', 'ABCD-EFGH-JKIM']) expect(normaliseRecoveryCode(bad)).toBeNull();
  });

  it('hash per user: the same code of two users is stored differently', async () => {
    const code = normaliseRecoveryCode(recoveryCode())!;
    expect(await recoveryCodeHash('a', code)).not.toBe(await recoveryCodeHash('b', code));
    expect(await recoveryCodeHash('a', code)).toMatch(/^[0-9a-f]{64}$/);
  });
});
