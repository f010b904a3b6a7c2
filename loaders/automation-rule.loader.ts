import type { Kysely } from 'kysely';
import type { AutomationRuleRow, Database } from '../src/db/types';
import { byKey, defineLoader, listsByParent } from './loader-toolkit';
import type { LoaderSettings } from './loader-toolkit';
import { anyUuid } from './sql';

export function createAutomationRuleLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    /** An organization's rules, oldest first (the order they run in). */
    automationRulesOfOrganization: defineLoader<string, AutomationRuleRow[]>(
      settings,
      'automationRulesOfOrganization',
      async (ids) =>
        listsByParent(
          ids,
          await db
            .selectFrom('automation_rules')
            .selectAll()
            .where('organization_id', '=', anyUuid(ids))
            .orderBy('created_at')
            .orderBy('id')
            .execute(),
          'organization_id',
        ),
    ),

    automationRuleById: defineLoader<string, AutomationRuleRow | null>(settings, 'automationRuleById', async (ids) =>
      byKey(ids, await db.selectFrom('automation_rules').selectAll().where('id', '=', anyUuid(ids)).execute(), 'id'),
    ),
  };
}
