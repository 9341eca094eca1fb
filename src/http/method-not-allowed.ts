import type { Context } from 'hono';
import { problemResponse } from '../lib/problem';

type Route = { method: string; path: string };

let table: { pattern: RegExp; methods: Set<string> }[] | undefined;

function compile(routes: Route[]) {
  const byPath = new Map<string, Set<string>>();
  for (const r of routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    const methods = byPath.get(r.path) ?? new Set<string>();
    methods.add(r.method);
    if (r.method === 'GET') methods.add('HEAD');
    byPath.set(r.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({
    pattern: new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/:[^/]+/g, '[^/]+')}$`),
    methods,
  }));
}

/** A 405 with `Allow` when the path exists under other methods; undefined when it does not. */
export function methodNotAllowed(c: Context, routes: Route[]): Response | undefined {
  table ??= compile(routes);
  const allowed = new Set<string>();
  for (const { pattern, methods } of table) if (pattern.test(c.req.path)) for (const m of methods) allowed.add(m);
  if (allowed.size === 0) return undefined;
  const allow = [...allowed].sort().join(', ');
  return problemResponse('method_not_allowed', `Use one of: ${allow}`, undefined, { allow });
}
