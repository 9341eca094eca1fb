import type { AppRouteHandler } from '../../http/openapi';
import { iso, isoOrNull } from '../../lib/clock';
import { decodeCursor } from '../../lib/pagination';
import { createClient } from '../../services/clients/create-client';
import { listClients } from '../../services/clients/list-clients';
import { revokeClientKey } from '../../services/clients/revoke-client';
import type * as routes from './clients.routes';

export const createClientHandler: AppRouteHandler<typeof routes.createClient> = async (c) => {
  const { client, apiKey } = await createClient(c.var.deps, c.var.access, c.req.valid('param').id, c.req.valid('json'));
  c.header('cache-control', 'no-store');
  return c.json({ client_id: client.id, name: client.name, api_key: apiKey, created_at: iso(client.createdAt) }, 201);
};

export const listClientsHandler: AppRouteHandler<typeof routes.listClients> = async (c) => {
  const q = c.req.valid('query');
  const page = await listClients(c.var.deps, c.var.access, c.req.valid('param').id, { limit: q.limit, after: decodeCursor(q.cursor) });
  const items = page.items.map((k) => ({
    client_id: k.id,
    name: k.name,
    key_prefix: k.keyPrefix,
    created_at: iso(k.createdAt),
    last_used_at: isoOrNull(k.lastUsedAt),
  }));
  return c.json({ items, next_cursor: page.next_cursor }, 200);
};

export const revokeClientHandler: AppRouteHandler<typeof routes.revokeClient> = async (c) => {
  const { id, client_id } = c.req.valid('param');
  await revokeClientKey(c.var.deps, c.var.access, id, client_id);
  return c.body(null, 204);
};
