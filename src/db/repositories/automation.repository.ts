import { sql, type Kysely, type Transaction } from 'kysely';
import { DEFAULT_APPROVAL_POLICY } from '../../domain/approval-policy';
import { roleAtLeast } from '../../domain/roles';
import { canTransition } from '../../domain/study-lifecycle';
import type { AutomationRuleRow, Database, StudyStatus } from '../types';
import { belowOrganizationLimit } from './organization-limit';

/** An activity entry (ActivityEntry, declared here again: the log imports this module). */
export interface RuleEntry {
  organizationId: string;
  studyId: string | null;
  userId: string | null;
  type: string;
  details?: Record<string, unknown>;
}

/**
 * The enabled rules an activity entry triggers, as the entry's own INSERT finds them (RETURNING): a write
 * costs no statement more unless its organization has a rule for the entry.
 */
export const TRIGGERED_RULES = sql<string[] | null>`(SELECT array_agg(r.id ORDER BY r.created_at, r.id)
  FROM automation_rules r
  WHERE r.organization_id = collaboration_activity.organization_id AND r.enabled
    AND collaboration_activity.study_id IS NOT NULL
    AND ((r.trigger_kind = 'activity' AND r.trigger_activity_type = collaboration_activity.activity_type)
      OR (r.trigger_kind = 'status_reached' AND collaboration_activity.activity_type = 'status_changed'
        AND collaboration_activity.details->>'to' = r.trigger_status)))`;

/**
 * Runs rules an entry triggered, in the transaction of the write that made the entry, oldest rule first.
 * Returns the entries of what they did: the caller logs them without looking for rules they trigger, so a
 * rule's own writes never trigger rules (no loops).
 */
export async function runTriggeredRules(
  trx: Transaction<Database>,
  ruleIds: readonly string[],
  trigger: RuleEntry,
): Promise<RuleEntry[]> {
  if (!trigger.studyId || ruleIds.length === 0) return [];
  const rules = await trx
    .selectFrom('automation_rules')
    .selectAll()
    .where('id', '=', sql<string>`any(${sql.val([...ruleIds])}::uuid[])`)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const entries: RuleEntry[] = [];
  for (const rule of rules) entries.push(...(await applyRule(trx, rule, trigger.studyId, trigger.userId)));
  return entries;
}

/**
 * What one rule does to one study, if the study meets its conditions: each action an activity entry with no
 * actor, naming the rule (`details.ruleId`, `details.ruleName`). An action that cannot apply (a status the
 * lifecycle does not allow from here, no member of the role to ask) is skipped, and the others still run.
 */
export async function applyRule(
  trx: Transaction<Database>,
  rule: AutomationRuleRow,
  studyId: string,
  actorId: string | null,
): Promise<RuleEntry[]> {
  const study = await trx
    .selectFrom('studies')
    .select(['id', 'organization_id', 'status'])
    .where('id', '=', studyId)
    .forUpdate()
    .executeTakeFirst();
  if (!study) return [];
  if (rule.condition_statuses && !rule.condition_statuses.includes(study.status)) return [];
  const named = { ruleId: rule.id, ruleName: rule.name };
  const entry = (type: string, details: Record<string, unknown>): RuleEntry => ({
    organizationId: study.organization_id,
    studyId,
    userId: null,
    type,
    details: { ...details, ...named },
  });
  const entries: RuleEntry[] = [];
  let status: StudyStatus = study.status;
  for (const action of rule.actions) {
    if (action.kind === 'change_status') {
      if (!canTransition(status, action.status)) continue;
      await trx
        .updateTable('studies')
        .set((eb) => ({
          status: action.status,
          completed_at: action.status === 'completed' ? new Date() : eb.ref('completed_at'),
        }))
        .where('id', '=', studyId)
        .execute();
      entries.push(entry('status_changed', { from: status, to: action.status }));
      status = action.status;
    } else if (action.kind === 'request_approval') {
      // Asked on behalf of the rule's author while an admin (or, without one, of whoever triggered it while
      // a member); never of that person, nor of the one whose write set it off (no one approves their own).
      const requester = rule.created_by ?? actorId;
      if (!requester) continue;
      const requesterRole = await trx
        .selectFrom('organization_members')
        .select('role')
        .where('organization_id', '=', study.organization_id)
        .where('user_id', '=', requester)
        .executeTakeFirst();
      if (!requesterRole || !roleAtLeast(requesterRole.role, rule.created_by ? 'admin' : 'member')) continue;
      const policy = await trx
        .selectFrom('approval_policies')
        .select('reviewer_roles')
        .where('organization_id', '=', study.organization_id)
        .executeTakeFirst();
      const roles: readonly string[] = policy?.reviewer_roles ?? DEFAULT_APPROVAL_POLICY.reviewerRoles;
      if (!roles.includes(action.reviewerRole)) continue;
      const reviewer = await trx
        .selectFrom('organization_members as m')
        .select('m.user_id')
        .where('m.organization_id', '=', study.organization_id)
        .where('m.role', '=', action.reviewerRole)
        .where('m.user_id', 'not in', actorId ? [requester, actorId] : [requester])
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('approvals as a')
                .select('a.id')
                .where('a.study_id', '=', studyId)
                .whereRef('a.reviewer_id', '=', 'm.user_id')
                .where('a.status', '=', 'pending'),
            ),
          ),
        )
        .orderBy('m.joined_at')
        .orderBy('m.user_id')
        .limit(1)
        .executeTakeFirst();
      if (!reviewer) continue;
      const approval = await trx
        .insertInto('approvals')
        .values({ study_id: studyId, requested_by: requester, reviewer_id: reviewer.user_id })
        .returning('id')
        .executeTakeFirstOrThrow();
      entries.push(entry('approval_requested', { approvalId: approval.id, reviewerId: reviewer.user_id }));
    } else {
      entries.push(entry('automation_notified', { roles: action.roles, collaborators: action.collaborators }));
    }
  }
  return entries;
}

/** A rule as written by an admin: every column but the generated ones. */
export type RuleValues = Pick<
  AutomationRuleRow,
  | 'name'
  | 'enabled'
  | 'trigger_kind'
  | 'trigger_activity_type'
  | 'trigger_status'
  | 'inactive_days'
  | 'condition_statuses'
  | 'actions'
>;

/** Adds a rule unless its organization has `max` already (counted under a lock on the organization's row); null then. */
export async function insertAutomationRule(
  db: Kysely<Database>,
  input: { organizationId: string; createdBy: string; values: RuleValues; max: number },
): Promise<AutomationRuleRow | null> {
  return db.transaction().execute(async (trx) => {
    if (!(await belowOrganizationLimit(trx, 'automation_rules', input.organizationId, input.max))) return null;
    return trx
      .insertInto('automation_rules')
      .values({
        ...input.values,
        actions: JSON.stringify(input.values.actions),
        organization_id: input.organizationId,
        created_by: input.createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Replaces a rule's definition; undefined when it is gone. */
export async function updateAutomationRule(
  db: Kysely<Database>,
  input: { ruleId: string; values: RuleValues },
): Promise<AutomationRuleRow | undefined> {
  return db
    .updateTable('automation_rules')
    .set({ ...input.values, actions: JSON.stringify(input.values.actions), updated_at: new Date() })
    .where('id', '=', input.ruleId)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteAutomationRule(db: Kysely<Database>, ruleId: string): Promise<boolean> {
  const deleted = await db.deleteFrom('automation_rules').where('id', '=', ruleId).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}
