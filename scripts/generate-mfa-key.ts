// `npm run -s generate-mfa-key -- [id]`: a fresh MFA_ENCRYPTION_KEY, `<id>:<32 random bytes base64url>`
// (src/lib/secret-box.ts), for `npm run -s generate-mfa-key -- k2 | npx wrangler secret put MFA_ENCRYPTION_KEY`.
// To rotate, put the new entry first and keep the old one after a comma: `k2:…,k1:…`.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export function generateMfaKey(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error('id must be 1-32 characters of A-Z a-z 0-9 _ -');
  return `${id}:${randomBytes(32).toString('base64url')}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.stdout.write(`${generateMfaKey(process.argv[2] ?? `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`)}\n`);
  } catch (err) {
    console.error(`generate-mfa-key: ${(err as Error).message}`);
    process.exit(2);
  }
}
