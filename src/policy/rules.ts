import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { User } from '../db/schema';

/** The caller's fields a rule may test (organization membership joins them with the next issue). */
type Field = 'uuid' | 'role';

/** A rule as data, so one definition yields both the check in memory and the SQL guard. */
type Term = { kind: 'always' } | { kind: 'is'; field: Field; value: string } | { kind: 'any' | 'every'; of: Term[] };

export interface Rule {
  /** Words for logs and docs: "self or admin". */
  readonly name: string;
  readonly term: Term;
}

const is = (field: Field, value: string): Term => ({ kind: 'is', field, value });

/** Any signed-in, enabled user with a live session. */
export const anyone: Rule = { name: 'signed in', term: { kind: 'always' } };
export const admin: Rule = { name: 'admin', term: is('role', 'admin') };
export const self = (uuid: string): Rule => ({ name: 'self', term: is('uuid', uuid) });
export const selfOrAdmin = (uuid: string): Rule => ({ name: 'self or admin', term: { kind: 'any', of: [is('uuid', uuid), is('role', 'admin')] } });
/** Both rules: the route's own rule and the operation's. */
export const both = (a: Rule, b: Rule): Rule =>
  a.term.kind === 'always' ? b : b.term.kind === 'always' ? a : { name: `${a.name}, ${b.name}`, term: { kind: 'every', of: [a.term, b.term] } };

function evaluate(term: Term, caller: Pick<User, Field>): boolean {
  switch (term.kind) {
    case 'always':
      return true;
    case 'is':
      return caller[term.field] === term.value;
    case 'any':
      return term.of.some((t) => evaluate(t, caller));
    case 'every':
      return term.of.every((t) => evaluate(t, caller));
  }
}

function render(term: Term, columns: Record<Field, AnySQLiteColumn>): SQL {
  switch (term.kind) {
    case 'always':
      return sql`1`;
    case 'is':
      return eq(columns[term.field], term.value);
    case 'any':
      return or(...term.of.map((t) => render(t, columns)))!;
    case 'every':
      return and(...term.of.map((t) => render(t, columns)))!;
  }
}

/** Whether a loaded caller satisfies the rule. */
export const allows = (rule: Rule, caller: Pick<User, Field>) => evaluate(rule.term, caller);

/** The rule as SQL over the caller's row (`columns` of `users` or an alias of it). */
export const ruleSql = (rule: Rule, columns: Record<Field, AnySQLiteColumn>) => render(rule.term, columns);
