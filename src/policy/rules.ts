import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { type User, users } from '../db/schema';

/** The caller's fields a rule may test: who they are, their role, and their organization membership. */
type Field = 'uuid' | 'role' | 'organizationId' | 'orgRole';

/**
 * What a term compares a caller's field with: a constant, or the organization of user `orgOf`
 * (known in memory from the batch's own read of that user, and a subquery in SQL), so "admin of
 * the target's organization" is one definition for the check and the guard.
 */
type Value = string | { orgOf: string };

/** A rule as data, so one definition yields both the check in memory and the SQL guard. */
type Term = { kind: 'always' } | { kind: 'is'; field: Field; value: Value } | { kind: 'any' | 'every'; of: Term[] };

export interface Rule {
  /** Words for logs and docs: "self or admin". */
  readonly name: string;
  readonly term: Term;
}

/** The caller as a rule sees them (a user, or a client token's stand-in: src/policy/caller.ts). */
export type Subject = Pick<User, Field> | { uuid: string; role: string; organizationId: string | null; orgRole: string | null };

/** What the batch read that a `{ orgOf }` value needs in memory: each named user's organization. */
export interface Facts {
  orgOf?: Record<string, string | null | undefined>;
}

const is = (field: Field, value: Value): Term => ({ kind: 'is', field, value });
const every = (...of: Term[]): Term => ({ kind: 'every', of });
const any = (...of: Term[]): Term => ({ kind: 'any', of });

/** Any signed-in, enabled user with a live session. */
export const anyone: Rule = { name: 'signed in', term: { kind: 'always' } };
export const admin: Rule = { name: 'admin', term: is('role', 'admin') };
export const self = (uuid: string): Rule => ({ name: 'self', term: is('uuid', uuid) });
export const selfOrAdmin = (uuid: string): Rule => ({ name: 'self or admin', term: any(is('uuid', uuid), is('role', 'admin')) });

/** The org role a client-credentials token's caller has in its own organization (never a user's). */
export const CLIENT_ORG_ROLE = 'client';

const orgAdminTerm = (org: Value) => every(is('organizationId', org), is('orgRole', 'admin'));
const orgClientTerm = (org: Value) => every(is('organizationId', org), is('orgRole', CLIENT_ORG_ROLE));

/** An admin of organization `orgId`. */
export const orgAdmin = (orgId: string): Rule => ({ name: 'org admin', term: orgAdminTerm(orgId) });
/** A global admin or an admin of organization `orgId`: who manages its members, clients and invitations. */
export const adminOrOrgAdmin = (orgId: string): Rule => ({ name: 'admin or org admin', term: any(is('role', 'admin'), orgAdminTerm(orgId)) });
/** Who lists an organization's members: its admins, its clients' tokens, a global admin. */
export const orgReader = (orgId: string): Rule => ({
  name: 'admin, org admin or org client',
  term: any(is('role', 'admin'), orgAdminTerm(orgId), orgClientTerm(orgId)),
});
/** Who manages user `uuid`'s membership as an org admin: an admin of the organization `uuid` belongs to. */
export const adminOfOrgOf = (uuid: string): Rule => ({ name: "admin of the user's organization", term: orgAdminTerm({ orgOf: uuid }) });
/** Who sets user `uuid`'s membership of `orgId`: a global admin, or an admin of `orgId` that `uuid` is a member of. */
export const memberManager = (orgId: string, uuid: string): Rule => ({
  name: 'admin, or admin of the organization the user is in',
  term: any(is('role', 'admin'), every(orgAdminTerm(orgId), orgAdminTerm({ orgOf: uuid }))),
});
/** Who may change user `uuid`'s profile: self, a global admin, or an admin of their organization. */
export const selfAdminOrOrgAdmin = (uuid: string): Rule => ({
  name: 'self, admin or org admin',
  term: any(is('uuid', uuid), is('role', 'admin'), orgAdminTerm({ orgOf: uuid })),
});
/** Who may read user `uuid`: self, a global admin, an admin or a client of their organization. */
export const userReader = (uuid: string): Rule => ({
  name: 'self, admin, org admin or org client',
  term: any(is('uuid', uuid), is('role', 'admin'), orgAdminTerm({ orgOf: uuid }), orgClientTerm({ orgOf: uuid })),
});

/** Both rules: the route's own rule and the operation's. */
export const both = (a: Rule, b: Rule): Rule =>
  a.term.kind === 'always' ? b : b.term.kind === 'always' ? a : { name: `${a.name}, ${b.name}`, term: { kind: 'every', of: [a.term, b.term] } };

function evaluate(term: Term, caller: Subject, facts: Facts): boolean {
  switch (term.kind) {
    case 'always':
      return true;
    case 'is': {
      const have = (caller as Record<Field, string | null>)[term.field];
      const want = typeof term.value === 'string' ? term.value : facts.orgOf?.[term.value.orgOf];
      // An unknown or absent organization matches nothing (as NULL = NULL in SQL).
      return have !== null && want !== null && want !== undefined && have === want;
    }
    case 'any':
      return term.of.some((t) => evaluate(t, caller, facts));
    case 'every':
      return term.of.every((t) => evaluate(t, caller, facts));
  }
}

function render(term: Term, columns: Record<Field, AnySQLiteColumn>): SQL {
  switch (term.kind) {
    case 'always':
      return sql`1`;
    case 'is':
      return typeof term.value === 'string'
        ? eq(columns[term.field], term.value)
        : sql`${columns[term.field]} = (select ${users.organizationId} from ${users} where ${users.uuid} = ${term.value.orgOf})`;
    case 'any':
      return or(...term.of.map((t) => render(t, columns)))!;
    case 'every':
      return and(...term.of.map((t) => render(t, columns)))!;
  }
}

/** Whether a loaded caller satisfies the rule (`facts`: what the batch read about the users a rule names). */
export const allows = (rule: Rule, caller: Subject, facts: Facts = {}) => evaluate(rule.term, caller, facts);

/** The rule as SQL over the caller's row (`columns` of `users` or an alias of it). */
export const ruleSql = (rule: Rule, columns: Record<Field, AnySQLiteColumn>) => render(rule.term, columns);
