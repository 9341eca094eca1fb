/**
 * An instrumented D1 binding: the real local D1, with every round trip counted. A round trip
 * is one call that reaches the database: a statement's first/all/run/raw, a batch, an exec.
 * Used to hold each route to its round-trip budget (a regression fails `npm test`). It also
 * keeps the SQL text of every statement prepared since the last reset, and of every statement
 * that reached D1 (run alone or in a batch).
 */
/** What `sent()` holds for a batched statement this binding did not prepare (its SQL is unknown). */
export const UNSEEN = '(a statement prepared on another binding)';

export interface CountingD1 {
  db: D1Database;
  count: () => number;
  /** The SQL of every statement prepared since the last reset, in order. */
  queries: () => string[];
  /** The SQL of every statement sent to D1 since the last reset (alone or in a batch), in order. */
  sent: () => string[];
  reset: () => void;
}

export function countingD1(real: D1Database): CountingD1 {
  let trips = 0;
  let queries: string[] = [];
  let sent: string[] = [];
  const realOf = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();

  const wrap = (stmt: D1PreparedStatement, query: string): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrap(target.bind(...values), query);
        if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
          return (...args: unknown[]) => {
            trips += 1;
            sent.push(query);
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    realOf.set(proxy, stmt);
    sqlOf.set(proxy, query);
    return proxy;
  };

  const db = new Proxy(real, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (query: string) => {
          queries.push(query);
          return wrap(target.prepare(query), query);
        };
      }
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          trips += 1;
          for (const s of statements) sent.push(sqlOf.get(s) ?? UNSEEN);
          return target.batch(statements.map((s) => realOf.get(s) ?? s));
        };
      }
      if (prop === 'exec') {
        return (query: string) => {
          trips += 1;
          sent.push(query);
          return target.exec(query);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  return {
    db,
    count: () => trips,
    queries: () => [...queries],
    sent: () => [...sent],
    reset: () => {
      trips = 0;
      queries = [];
      sent = [];
    },
  };
}
