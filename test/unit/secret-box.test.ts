import { describe, expect, it } from 'vitest';
import { base64url } from '../../src/lib/encoding';
import { loadSecretKeys, open, SecretKeyError, seal, sealedWithOlderKey } from '../../src/lib/secret-box';

const material = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

describe('secret box (AES-256-GCM with a key id)', () => {
  it('opens what it sealed, only in the same context', async () => {
    const keys = await loadSecretKeys(`k1:${material()}`);
    const plain = crypto.getRandomValues(new Uint8Array(20));
    const sealed = await seal(keys, plain, 'totp:alice');
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(await open(keys, sealed, 'totp:alice')).toEqual(plain);
    expect(await open(keys, sealed, 'totp:bob')).toBeNull();
  });

  it('refuses a tampered value and an unknown key', async () => {
    const keys = await loadSecretKeys(`k1:${material()}`);
    const sealed = await seal(keys, new Uint8Array([1, 2, 3]), 'c');
    const parts = sealed.split('.');
    const flipped = parts[3]!.startsWith('A') ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    expect(await open(keys, [...parts.slice(0, 3), flipped].join('.'), 'c')).toBeNull();
    expect(await open(await loadSecretKeys(`k1:${material()}`), sealed, 'c')).toBeNull();
  });

  it('rotates: a new first key seals, the previous one still opens, and old values are flagged for re-sealing', async () => {
    const old = material();
    const before = await loadSecretKeys(`k1:${old}`);
    const sealed = await seal(before, new Uint8Array([9]), 'c');
    const after = await loadSecretKeys(`k2:${material()},k1:${old}`);
    expect(await open(after, sealed, 'c')).toEqual(new Uint8Array([9]));
    expect(sealedWithOlderKey(after, sealed)).toBe(true);
    expect(sealedWithOlderKey(after, await seal(after, new Uint8Array([9]), 'c'))).toBe(false);
  });

  it('refuses a malformed key secret without echoing it', async () => {
    for (const bad of ['', 'nokey', 'k1:short', `k1:${material()},k1:${material()}`, `bad id!:${material()}`]) {
      const err = await loadSecretKeys(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SecretKeyError);
      expect((err as Error).message).not.toContain(bad.split(':')[1] ?? '~');
    }
  });
});
