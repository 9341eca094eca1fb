// `npm start [-- --port N]`: copies the docs' vendored assets into public/vendor/, applies local
// D1 migrations, creates .dev.vars with a fresh ES256 development key and MFA_ENCRYPTION_KEY when missing, then
// runs `wrangler dev` (port 8787 unless given).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateSigningKey } from './generate-key';
import { generateMfaKey } from './generate-mfa-key';
import { vendorAssets } from './vendor-assets';

const args = process.argv.slice(2);

vendorAssets();

// Local development secrets, each made once (a .dev.vars from before a secret existed gets it appended).
const HEADER = '# Local development secrets, made by npm start. Never commit this file; production uses wrangler secret put.\n';
const current = existsSync('.dev.vars') ? readFileSync('.dev.vars', 'utf8') : HEADER;
const added: string[] = [];
if (!/^JWT_PRIVATE_KEY=/m.test(current)) {
  const { privateJwk: jwk } = await generateSigningKey(`dev-${new Date().toISOString().slice(0, 10)}`);
  added.push(`JWT_PRIVATE_KEY='${JSON.stringify(jwk)}'`);
}
if (!/^MFA_ENCRYPTION_KEY=/m.test(current)) added.push(`MFA_ENCRYPTION_KEY='${generateMfaKey('dev')}'`);
if (added.length > 0) {
  writeFileSync('.dev.vars', `${current.endsWith('\n') ? current : `${current}\n`}${added.join('\n')}\n`, { mode: 0o600 });
  console.log(`.dev.vars: added ${added.map((line) => line.split('=')[0]).join(' and ')} (fresh development values).`);
}

const migrate = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], { stdio: 'inherit', env: { ...process.env, CI: '1' } });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const port = args.includes('--port') ? [] : ['--port', '8787'];
const dev = spawn('wrangler', ['dev', ...port, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));
