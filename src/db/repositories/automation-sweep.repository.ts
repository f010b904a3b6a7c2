import { sql, type Kysely, type Transaction } from 'kysely';
import type { AutomationRuleRow, Database } from '../types';
import { writeWithActivity, type ActivityLog } from './activity.repository';
import { applyRule } from './automation.repository';

/** Studies one inactivity rule fires for in one sweep; the rest wait for the next. */
const STUDIES_PER_RULE_AND_SWEEP = 100;

/**
 * Studies of the rule's organization that meet its conditions and have been quiet for its days (no entry but
 * rules' since: a rule's own entries are not activity), and for which the rule has not fired since their last
 * entry (compared by the log's ids, which follow commit order). With the last entry's id, for the run's row.
 */
function quietStudies(db: Kysely<Database> | Transaction<Database>, rule: AutomationRuleRow, only?: string) {
  return sql<{ id: string; last_id: string | null }>`
    SELECT s.id, last.id AS last_id FROM studies s
    LEFT JOIN LATERAL (
      SELECT a.id, a.created_at FROM collaboration_activity a
      WHERE a.study_id = s.id AND NOT (a.details ? 'ruleId')
      ORDER BY a.id DESC LIMIT 1) AS last ON true
    WHERE s.organization_id = ${rule.organization_id}::uuid
      ${only ? sql`AND s.id = ${only}::uuid` : sql``}
      ${rule.condition_statuses ? sql`AND s.status = ANY (${sql.val(rule.condition_statuses)}::text[])` : sql``}
      AND coalesce(last.created_at, s.created_at) < now() - make_interval(days => ${rule.inactive_days ?? 1})
      AND NOT EXISTS (SELECT FROM automation_rule_runs r
        WHERE r.rule_id = ${rule.id}::uuid AND r.study_id = s.id
          AND r.last_activity_id IS NOT DISTINCT FROM last.id)
    ORDER BY s.id
    LIMIT ${STUDIES_PER_RULE_AND_SWEEP}`.execute(db);
}

/** The rule as it stands now, if it is still an enabled inactivity rule (it may have changed since the sweep began). */
function currentRule(trx: Transaction<Database>, ruleId: string) {
  return trx
    .selectFrom('automation_rules')
    .selectAll()
    .where('id', '=', ruleId)
    .where('enabled', '=', true)
    .where('trigger_kind', '=', 'inactive')
    .executeTakeFirst();
}

/**
 * Fires the enabled inactivity rules for the studies that have been quiet long enough. Each firing is its
 * own write under the organization's log lock, where the rule and the study are read again, so processes
 * sweeping at once fire a rule for a study once and a rule changed meanwhile acts as it now is. What the rule
 * does triggers no rule. A firing that fails is reported and the sweep goes on. Returns the organizations
 * written to (their cached answers are stale), once per firing.
 */
export async function sweepInactivityRules(
  log: ActivityLog,
  onFailure: (error: unknown) => void = () => undefined,
): Promise<string[]> {
  const rules = await log.db
    .selectFrom('automation_rules')
    .selectAll()
    .where('enabled', '=', true)
    .where('trigger_kind', '=', 'inactive')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const fired: string[] = [];
  for (const listed of rules) {
    const { rows } = await quietStudies(log.db, listed);
    for (const { id } of rows) {
      try {
        const didFire = await writeWithActivity(
          log,
          { studyId: id },
          async (trx) => {
            const rule = await currentRule(trx, listed.id);
            const quiet = rule ? (await quietStudies(trx, rule, id)).rows[0] : undefined;
            if (!rule || !quiet) return { result: false, activity: [] };
            const activity = await applyRule(trx, rule, id, null);
            await trx
              .insertInto('automation_rule_runs')
              .values({ rule_id: rule.id, study_id: id, last_activity_id: quiet.last_id, fired_at: sql<Date>`now()` })
              .onConflict((conflict) =>
                conflict
                  .columns(['rule_id', 'study_id'])
                  .doUpdateSet({ last_activity_id: quiet.last_id, fired_at: sql<Date>`now()` }),
              )
              .execute();
            return { result: true, activity };
          },
          { byRule: true },
        );
        if (didFire) fired.push(listed.organization_id);
      } catch (error) {
        onFailure(error);
      }
    }
  }
  return fired;
}
