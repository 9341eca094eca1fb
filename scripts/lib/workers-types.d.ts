// The Workers binding types that src/ modules imported by the scripts name as globals
// (D1Database in src/db, KVNamespace in src/services/revocation.ts, ...). tsconfig.node.json
// checks the scripts with Node's globals, not @cloudflare/workers-types' (the two declare
// fetch, Request, crypto and more in conflicting ways), so only these names are brought in,
// as aliases of the module form of the same package: src/ is checked against the real types.
// Add a name here when a script starts importing a src/ module that uses another binding type.
import type * as Workers from '@cloudflare/workers-types/index.ts';

declare global {
  type D1Database = Workers.D1Database;
  type D1PreparedStatement = Workers.D1PreparedStatement;
  type D1Result<T = unknown> = Workers.D1Result<T>;
  type KVNamespace<Key extends string = string> = Workers.KVNamespace<Key>;
}
