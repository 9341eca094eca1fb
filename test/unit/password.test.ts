import { describe, expect, it } from 'vitest';
import { MAX_PBKDF2_ITERATIONS } from '../../src/config';
import { hashPassword, verifyPassword, type PasswordParams } from '../../src/lib/password';

const PARAMS: PasswordParams = { iterations: 10_000 };
const PEPPER_A = 'pepper-a-0123456789abcdef0123456789abcdef';
const PEPPER_B = 'pepper-b-fedcba9876543210fedcba9876543210';
const PW = 'correct horse battery staple';

describe('hashPassword', () => {
  it('writes a self-describing PBKDF2-SHA-512 hash with a 16-byte salt and 512-bit output', async () => {
    const hash = await hashPassword(PW, PARAMS);
    const [algorithm, iterations, pepperId, salt, derived] = hash.split('$');
    expect([algorithm, iterations, pepperId]).toEqual(['pbkdf2-sha512', '10000', '-']);
    expect(salt).toMatch(/^[A-Za-z0-9_-]{22}$/); // 16 bytes, base64url
    expect(derived).toMatch(/^[A-Za-z0-9_-]{86}$/); // 64 bytes
  });

  it('salts every hash: the same password hashes differently twice', async () => {
    expect(await hashPassword(PW, PARAMS)).not.toBe(await hashPassword(PW, PARAMS));
  });

  it('names the pepper by a short id, never the secret', async () => {
    const hash = await hashPassword(PW, { ...PARAMS, pepper: PEPPER_A });
    expect(hash.split('$')[2]).toMatch(/^[0-9a-f]{12}$/);
    expect(hash).not.toContain(PEPPER_A);
  });

  it('hashes at the production default of 100,000 iterations and refuses more', async () => {
    const hash = await hashPassword(PW, { iterations: MAX_PBKDF2_ITERATIONS });
    expect((await verifyPassword(PW, hash, { iterations: MAX_PBKDF2_ITERATIONS })).ok).toBe(true);
    await expect(hashPassword(PW, { iterations: MAX_PBKDF2_ITERATIONS + 1 })).rejects.toThrow(RangeError);
  });
});

describe('verifyPassword', () => {
  it('accepts the password and refuses any other', async () => {
    const hash = await hashPassword(PW, PARAMS);
    expect(await verifyPassword(PW, hash, PARAMS)).toEqual({ ok: true, needsRehash: false });
    expect((await verifyPassword(`${PW}.`, hash, PARAMS)).ok).toBe(false);
  });

  it('verifies exactly as typed: no trimming, no case folding', async () => {
    const hash = await hashPassword(PW, PARAMS);
    for (const typed of [` ${PW}`, `${PW} `, PW.toUpperCase(), `${PW}\n`])
      expect((await verifyPassword(typed, hash, PARAMS)).ok, JSON.stringify(typed)).toBe(false);
  });

  it("normalises to NFC: precomposed and decomposed 'é' verify the same", async () => {
    const precomposed = 'caf\u00e9 au lait, sans sucre';
    const decomposed = 'cafe\u0301 au lait, sans sucre';
    expect(precomposed).not.toBe(decomposed);
    expect((await verifyPassword(decomposed, await hashPassword(precomposed, PARAMS), PARAMS)).ok).toBe(true);
    expect((await verifyPassword(precomposed, await hashPassword(decomposed, PARAMS), PARAMS)).ok).toBe(true);
  });

  it('asks for a rehash when the iteration count changed', async () => {
    const hash = await hashPassword(PW, { iterations: 20_000 });
    expect(await verifyPassword(PW, hash, PARAMS)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword(PW, hash, { iterations: 20_000 })).toEqual({ ok: true, needsRehash: false });
  });

  it('asks for a rehash when a pepper is added or rotated, verifying with the previous one', async () => {
    const plain = await hashPassword(PW, PARAMS);
    expect(await verifyPassword(PW, plain, { ...PARAMS, pepper: PEPPER_A })).toEqual({ ok: true, needsRehash: true });
    const peppered = await hashPassword(PW, { ...PARAMS, pepper: PEPPER_A });
    expect(await verifyPassword(PW, peppered, { ...PARAMS, pepper: PEPPER_A })).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword(PW, peppered, { ...PARAMS, pepper: PEPPER_B, previousPepper: PEPPER_A })).toEqual({ ok: true, needsRehash: true });
  });

  it('fails closed for a hash whose pepper is no longer configured', async () => {
    const peppered = await hashPassword(PW, { ...PARAMS, pepper: PEPPER_A });
    expect(await verifyPassword(PW, peppered, { ...PARAMS, pepper: PEPPER_B })).toEqual({ ok: false, needsRehash: false });
    expect(await verifyPassword(PW, peppered, PARAMS)).toEqual({ ok: false, needsRehash: false });
  });

  it('makes the pepper matter: the same salt and password under another pepper do not verify', async () => {
    const peppered = await hashPassword(PW, { ...PARAMS, pepper: PEPPER_A });
    const [alg, iter, , salt, derived] = peppered.split('$');
    const unpeppered = [alg, iter, '-', salt, derived].join('$');
    expect((await verifyPassword(PW, unpeppered, PARAMS)).ok).toBe(false);
  });

  it('fails closed for malformed stored hashes', async () => {
    for (const stored of ['', 'plaintext', 'pbkdf2-sha256$10000$-$AAAA$AAAA', 'pbkdf2-sha512$ten$-$AAAA$AAAA', 'pbkdf2-sha512$10000$-$$']) {
      expect(await verifyPassword(PW, stored, PARAMS), stored).toEqual({ ok: false, needsRehash: false });
    }
  });
});
