import type { OrganizationRow, User } from '../../db/schema';
import { notFound } from '../../lib/problem';
import { adminOrOrgAdmin, allows, type Rule, type Subject } from '../../policy/rules';

/** The organization as the caller may see it: a global admin or its own admins (`rule`); anyone else gets the 404 of a missing one. */
export function visibleOrg(caller: Subject, found: OrganizationRow[], id: string, rule: Rule = adminOrOrgAdmin(id)): OrganizationRow {
  const org = found[0];
  if (!org || !allows(rule, caller)) throw notFound('organization');
  return org;
}

/** What a rule naming user `uuid`'s organization needs in memory: that user as the batch read them. */
export const orgFacts = (uuid: string, found: Pick<User, 'organizationId'>[]) => ({ orgOf: { [uuid]: found[0]?.organizationId ?? null } });
