// `npm start [-- --port N]`: copies the docs' vendored assets into public/vendor/, applies local
// D1 migrations, creates .dev.vars with a fresh ES256 development key when it is missing, then
// runs `wrangler dev` (port 8787 unless given).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { generateSigningKey } from './generate-key';
import { vendorAssets } from './vendor-assets';

const args = process.argv.slice(2);

vendorAssets();

if (!existsSync('.dev.vars')) {
  const { privateJwk: jwk } = await generateSigningKey(`dev-${new Date().toISOString().slice(0, 10)}`);
  writeFileSync(
    '.dev.vars',
    `# Local development secrets, made by npm start. Never commit this file; production uses wrangler secret put.\nJWT_PRIVATE_KEY='${JSON.stringify(jwk)}'\n`,
    { mode: 0o600 },
  );
  console.log('Created .dev.vars with a fresh ES256 development signing key.');
}

const migrate = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], { stdio: 'inherit', env: { ...process.env, CI: '1' } });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const port = args.includes('--port') ? [] : ['--port', '8787'];
const dev = spawn('wrangler', ['dev', ...port, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));
