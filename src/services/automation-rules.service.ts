import { requireOrganizationRole, requireViewer, viewerRole } from '../auth/access';
import type { GatewayContext } from '../context/context';
import type { RuleValues } from '../db/repositories/automation.repository';
import type { AutomationRuleRow, StudyStatus } from '../db/types';
import {
  MAX_AUTOMATION_RULES,
  storedAction,
  triggerColumns,
  type RuleActionInput,
  type RuleTrigger,
} from '../domain/automation-rules';
import { badUserInput, notFound } from '../graphql/errors';

export interface RuleDefinition {
  name: string;
  enabled: boolean;
  trigger: RuleTrigger;
  conditionStatuses: StudyStatus[] | null;
  actions: RuleActionInput[];
}

/** A definition as stored, or BAD_USER_INPUT naming what is missing or wrong. */
function ruleValues(definition: RuleDefinition): RuleValues {
  const trigger = triggerColumns(definition.trigger);
  if (typeof trigger === 'string') throw badUserInput(`The trigger is incomplete: ${trigger}.`, 'input.trigger');
  const actions = definition.actions.map((action, index) => {
    const stored = storedAction(action);
    if (typeof stored === 'string')
      throw badUserInput(`Action ${index + 1} is incomplete: ${stored}.`, 'input.actions');
    return stored;
  });
  const name = definition.name.trim();
  if (!name) throw badUserInput('The rule needs a name.', 'input.name');
  return {
    name,
    enabled: definition.enabled,
    ...trigger,
    condition_statuses: definition.conditionStatuses ? [...new Set(definition.conditionStatuses)] : null,
    actions,
  };
}

/** A rule's definition as it is stored, the starting point of an update. */
function definitionOf(row: AutomationRuleRow): RuleDefinition {
  return {
    name: row.name,
    enabled: row.enabled,
    trigger: {
      kind: row.trigger_kind,
      activityType: row.trigger_activity_type,
      status: row.trigger_status,
      inactiveDays: row.inactive_days,
    },
    conditionStatuses: row.condition_statuses,
    actions: row.actions.map((action) =>
      action.kind === 'change_status'
        ? { kind: action.kind, status: action.status }
        : action.kind === 'request_approval'
          ? { kind: action.kind, reviewerRole: action.reviewerRole }
          : { kind: action.kind, notifyRoles: action.roles, notifyCollaborators: action.collaborators },
    ),
  };
}

/** Creates a rule: the organization's admins and owners. */
export async function createAutomationRule(
  ctx: GatewayContext,
  input: { organizationId: string; definition: RuleDefinition },
): Promise<AutomationRuleRow> {
  const viewer = requireViewer(ctx);
  requireOrganizationRole(ctx, input.organizationId, 'admin', 'create automation rules');
  const row = await ctx.repositories.insertAutomationRule({
    organizationId: input.organizationId,
    createdBy: viewer.id,
    values: ruleValues(input.definition),
    max: MAX_AUTOMATION_RULES,
  });
  if (!row)
    throw badUserInput(
      `An organization has at most ${MAX_AUTOMATION_RULES} automation rules; delete one first.`,
      'input.organizationId',
    );
  ctx.loaders.forget('automationRules');
  return row;
}

/** The rule, for an admin of its organization; NOT_FOUND for anyone outside it. */
async function ruleOfAdmin(ctx: GatewayContext, ruleId: string, action: string): Promise<AutomationRuleRow> {
  requireViewer(ctx);
  const rule = await ctx.loaders.automationRuleById.load(ruleId);
  if (!rule || !viewerRole(ctx, rule.organization_id)) throw notFound('AutomationRule', ruleId);
  requireOrganizationRole(ctx, rule.organization_id, 'admin', action);
  return rule;
}

/** Changes a rule: what the input gives replaces what it had; admins and owners. */
export async function updateAutomationRule(
  ctx: GatewayContext,
  ruleId: string,
  changes: Partial<RuleDefinition>,
): Promise<AutomationRuleRow> {
  const rule = await ruleOfAdmin(ctx, ruleId, 'change automation rules');
  const definition = { ...definitionOf(rule), ...changes };
  const row = await ctx.repositories.updateAutomationRule({ ruleId, values: ruleValues(definition) });
  if (!row) throw notFound('AutomationRule', ruleId);
  ctx.loaders.forget('automationRules');
  return row;
}

export async function deleteAutomationRule(ctx: GatewayContext, ruleId: string): Promise<string> {
  await ruleOfAdmin(ctx, ruleId, 'delete automation rules');
  if (!(await ctx.repositories.deleteAutomationRule(ruleId))) throw notFound('AutomationRule', ruleId);
  ctx.loaders.forget('automationRules');
  return ruleId;
}
