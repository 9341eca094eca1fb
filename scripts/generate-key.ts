// `npm run -s generate-key -- [kid]`: a fresh ES256 (P-256) signing key as a JWK.
// stdout: the private JWK on one line, ready for `wrangler secret put JWT_PRIVATE_KEY`
// (pipe it: `npm run -s generate-key -- key-2026-01 | npx wrangler secret put JWT_PRIVATE_KEY`;
// -s keeps npm's own banner lines out of the pipe).
// stderr: its public half, which becomes JWT_PREVIOUS_PUBLIC_KEY at the next rotation
// (it is also the first entry of /.well-known/jwks.json while the key is current).
import { pathToFileURL } from 'node:url';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** A JWK with the `kid` and `alg` the worker requires of its signing key. */
export type SigningJwk = JWK & { kid: string; alg: 'ES256' };

/** A new ES256 key pair as JWKs carrying `kid` (the worker refuses a key without one). */
export async function generateSigningKey(kid: string): Promise<{ privateJwk: SigningJwk; publicJwk: SigningJwk }> {
  if (typeof kid !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(kid)) throw new Error('kid must be 1-64 characters of A-Z a-z 0-9 . _ -');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk: SigningJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  const { d: _d, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwk };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const kid = process.argv[2] ?? `key-${new Date().toISOString().slice(0, 10)}`;
  const { privateJwk, publicJwk } = await generateSigningKey(kid).catch((err: Error) => {
    console.error(`generate-key: ${err.message}`);
    process.exit(2);
  });
  process.stdout.write(`${JSON.stringify(privateJwk)}\n`);
  process.stderr.write(`public JWK (keep it for JWT_PREVIOUS_PUBLIC_KEY at the next rotation):\n${JSON.stringify(publicJwk)}\n`);
}
