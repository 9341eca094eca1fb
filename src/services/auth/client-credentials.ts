import { runBatch } from '../../db/statement';
import type { Deps } from '../../deps';
import { signAccessToken } from '../../lib/jwt';
import { apiKeyHash } from '../clients/keys';
import { assertClientWithinLimit } from '../clients/client-limit';
import { clientByCredentials } from '../clients/statements';
import { tokenSettings } from './access-token';

export type ClientCredentialsResult = { kind: 'issued'; accessToken: string; expiresIn: number } | { kind: 'refused' };

/**
 * RFC 6749 §4.4: a client authenticated with its id and API key (HTTP Basic) gets an access token
 * for itself (`sub` = `client_id` = its id, no refresh token) in one round trip. Its caller is
 * the client row while the key is not revoked (src/policy/caller.ts), and it may only list and
 * read its own organization's members.
 */
export async function clientCredentialsGrant(deps: Deps, input: { clientId: string; key: string }): Promise<ClientCredentialsResult> {
  const hash = await apiKeyHash(input.key);
  if (!hash) return { kind: 'refused' };
  const now = deps.now();
  const { found } = await runBatch(deps.db, { found: clientByCredentials(deps.db, input.clientId, hash) });
  const client = found[0];
  if (!client) return { kind: 'refused' };
  // Counted once the credentials held: nobody burns another client's allowance with its id alone.
  await assertClientWithinLimit(deps, { clientId: client.id });
  // RFC 8176 has no method for a client secret; `amr` must be non-empty, so it names the grant.
  const access = await signAccessToken(
    tokenSettings(deps.config),
    { sub: client.id, sid: client.id, role: 'client', clientId: client.id, amr: ['client'] },
    now,
  );
  return { kind: 'issued', accessToken: access.token, expiresIn: access.expiresIn };
}
