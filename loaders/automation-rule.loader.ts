import type { Kysely } from 'kysely';
import type { Database } from '../src/db/types';
import type { LoaderSettings } from './loader-toolkit';
import { anyUuid, definers } from './sql';

export function createAutomationRuleLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  const define = definers(db, settings);
  const rules = () => db.selectFrom('automation_rules').selectAll();
  return {
    /** An organization's rules, oldest first (the order they run in). */
    automationRulesOfOrganization: define.listsByParent('automationRulesOfOrganization', 'organization_id', (ids) =>
      rules().where('organization_id', '=', anyUuid(ids)).orderBy('created_at').orderBy('id'),
    ),
    automationRuleById: define.byId('automationRuleById', (ids) => rules().where('id', '=', anyUuid(ids))),
  };
}
