import { exportJWK, generateKeyPair } from 'jose';

/** Fresh ES256 keys per test run (Node side), passed to the worker as secrets. */
export async function testSigningKeys() {
  const make = async (kid: string) => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    return { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  };
  const current = await make('test-current');
  const previous = await make('test-previous');
  const { d: _d, ...previousPublic } = previous;
  return {
    current: JSON.stringify(current),
    previous: JSON.stringify(previous),
    previousPublic: JSON.stringify(previousPublic),
    pepper: crypto.getRandomValues(new Uint8Array(32)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), ''),
    /** MFA_ENCRYPTION_KEY: `<id>:<32 bytes base64url>` (src/lib/secret-box.ts). */
    mfa: `test:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`,
  };
}
