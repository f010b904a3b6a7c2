import { sql, type Kysely, type Transaction } from 'kysely';
import type { AutomationRuleRow, Database } from '../types';
import { writeWithActivity, type ActivityLog } from './activity.repository';
import { applyRule } from './automation.repository';

/** Studies one inactivity rule fires for in one sweep; the rest wait for the next. */
const STUDIES_PER_RULE_AND_SWEEP = 100;

/**
 * Studies of the rule's organization that meet its conditions and have been quiet for its days: no entry
 * but rules' since then (a rule's own entries are not activity), and the rule has not fired since they
 * were last active, so it fires once per quiet spell.
 */
function quietStudies(db: Kysely<Database> | Transaction<Database>, rule: AutomationRuleRow, only?: string) {
  return sql<{ id: string }>`
    SELECT s.id FROM studies s
    CROSS JOIN LATERAL (
      SELECT max(a.created_at) AS at FROM collaboration_activity a
      WHERE a.study_id = s.id AND NOT (a.details ? 'ruleId')) AS last
    WHERE s.organization_id = ${rule.organization_id}::uuid
      ${only ? sql`AND s.id = ${only}::uuid` : sql``}
      ${rule.condition_statuses ? sql`AND s.status = ANY (${sql.val(rule.condition_statuses)}::text[])` : sql``}
      AND coalesce(last.at, s.created_at) < now() - make_interval(days => ${rule.inactive_days ?? 1})
      AND NOT EXISTS (SELECT FROM automation_rule_runs r
        WHERE r.rule_id = ${rule.id}::uuid AND r.study_id = s.id AND r.fired_at >= coalesce(last.at, s.created_at))
    ORDER BY s.id
    LIMIT ${STUDIES_PER_RULE_AND_SWEEP}`.execute(db);
}

/**
 * Fires the enabled inactivity rules for the studies that have been quiet long enough. Each firing is its
 * own write under the organization's log lock, where the study is checked again, so processes sweeping at
 * once fire a rule for a study once. What the rule does triggers no rule. Returns how many firings there were.
 */
export async function sweepInactivityRules(log: ActivityLog): Promise<number> {
  const rules = await log.db
    .selectFrom('automation_rules')
    .selectAll()
    .where('enabled', '=', true)
    .where('trigger_kind', '=', 'inactive')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  let fired = 0;
  for (const rule of rules) {
    const { rows } = await quietStudies(log.db, rule);
    for (const { id } of rows) {
      const didFire = await writeWithActivity(
        log,
        { studyId: id },
        async (trx) => {
          if ((await quietStudies(trx, rule, id)).rows.length === 0) return { result: false, activity: [] };
          const activity = await applyRule(trx, rule, id, null);
          await trx
            .insertInto('automation_rule_runs')
            .values({ rule_id: rule.id, study_id: id, fired_at: sql<Date>`now()` })
            .onConflict((conflict) =>
              conflict.columns(['rule_id', 'study_id']).doUpdateSet({ fired_at: sql<Date>`now()` }),
            )
            .execute();
          return { result: true, activity };
        },
        { byRule: true },
      );
      if (didFire) fired += 1;
    }
  }
  return fired;
}
