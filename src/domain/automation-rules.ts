import type { AutomationAction, AutomationRulesTable, OrganizationRole, StudyStatus } from '../db/types';

/** Rules one organization may have; each runs in the transaction of every write it triggers. */
export const MAX_AUTOMATION_RULES = 20;
export const MAX_RULE_ACTIONS = 5;
export const MAX_INACTIVE_DAYS = 365;

/** Entries that belong to an organization, not a study: rules act on a study, so these trigger none. */
const ORGANIZATION_WIDE_TYPES: ReadonlySet<string> = new Set(['member_added', 'member_role_changed']);
/** Entries only rules write: they never trigger a rule, so a rule waiting for one would never run. */
const RULE_ONLY_TYPES: ReadonlySet<string> = new Set(['automation_notified']);

export type TriggerKind = AutomationRulesTable['trigger_kind'];

export interface RuleTrigger {
  kind: TriggerKind;
  activityType?: string | null;
  status?: StudyStatus | null;
  inactiveDays?: number | null;
}

export interface RuleActionInput {
  kind: AutomationAction['kind'];
  status?: StudyStatus | null;
  reviewerRole?: OrganizationRole | null;
  notifyRoles?: OrganizationRole[] | null;
  notifyCollaborators?: boolean | null;
}

/** The columns a trigger is stored in, or why it is refused (a message naming the missing or wrong part). */
export function triggerColumns(
  trigger: RuleTrigger,
): Pick<AutomationRulesTable, 'trigger_kind' | 'trigger_activity_type' | 'trigger_status' | 'inactive_days'> | string {
  switch (trigger.kind) {
    case 'activity':
      if (!trigger.activityType) return 'an ACTIVITY trigger names its activityType';
      if (ORGANIZATION_WIDE_TYPES.has(trigger.activityType))
        return 'rules act on a study: MEMBER_ADDED and MEMBER_ROLE_CHANGED (organization-wide) cannot trigger one';
      if (RULE_ONLY_TYPES.has(trigger.activityType))
        return 'AUTOMATION_NOTIFIED is written by rules only, and what rules write triggers no rule';
      return {
        trigger_kind: 'activity',
        trigger_activity_type: trigger.activityType,
        trigger_status: null,
        inactive_days: null,
      };
    case 'status_reached':
      if (!trigger.status) return 'a STATUS_REACHED trigger names its status';
      return {
        trigger_kind: 'status_reached',
        trigger_activity_type: null,
        trigger_status: trigger.status,
        inactive_days: null,
      };
    case 'inactive':
      if (!trigger.inactiveDays || trigger.inactiveDays < 1 || trigger.inactiveDays > MAX_INACTIVE_DAYS)
        return `an INACTIVE trigger names inactiveDays, 1 to ${MAX_INACTIVE_DAYS}`;
      return {
        trigger_kind: 'inactive',
        trigger_activity_type: null,
        trigger_status: null,
        inactive_days: trigger.inactiveDays,
      };
  }
}

/** An action as stored, or why it is refused. */
export function storedAction(action: RuleActionInput): AutomationAction | string {
  switch (action.kind) {
    case 'change_status':
      if (!action.status) return 'a CHANGE_STATUS action names its status';
      return { kind: 'change_status', status: action.status };
    case 'request_approval':
      if (!action.reviewerRole || action.reviewerRole === 'viewer')
        return 'a REQUEST_APPROVAL action names a reviewerRole of OWNER, ADMIN or MEMBER';
      return { kind: 'request_approval', reviewerRole: action.reviewerRole };
    case 'notify': {
      const roles = [...new Set(action.notifyRoles ?? [])];
      if (roles.length === 0 && !action.notifyCollaborators)
        return 'a NOTIFY action names notifyRoles or sets notifyCollaborators';
      return { kind: 'notify', roles, collaborators: Boolean(action.notifyCollaborators) };
    }
  }
}
