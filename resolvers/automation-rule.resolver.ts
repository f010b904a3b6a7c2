import { ID, Resolver } from 'type-graphql';
import { ParentField } from '../schema/resolver-fields';
import {
  AutomationAction,
  AutomationConditions,
  AutomationRule,
  AutomationTrigger,
  CreateAutomationRuleInput,
  DeleteAutomationRuleInput,
  UpdateAutomationRuleInput,
  type AutomationActionInput,
  type AutomationTriggerInput,
} from '../schema/automation-rule.type';
import { CachePrivate } from '../schema/cache-control';
import { CollaborationWrite } from '../schema/collaboration-write';
import { ListSize } from '../schema/cost-directives';
import type {
  ActivityType,
  AutomationActionKind,
  AutomationTriggerKind,
  OrganizationRole,
  StudyStatus,
} from '../schema/enums';
import { Organization } from '../schema/organization.type';
import { parseUuid, requireMember } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import type { AutomationRuleRow } from '../src/db/types';
import type { RuleActionInput, RuleTrigger } from '../src/domain/automation-rules';
import {
  createAutomationRule,
  deleteAutomationRule,
  updateAutomationRule,
  type RuleDefinition,
} from '../src/services/automation-rules.service';

function toRule(row: AutomationRuleRow): AutomationRule {
  return Object.assign(new AutomationRule(), {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    trigger: Object.assign(new AutomationTrigger(), {
      kind: row.trigger_kind as AutomationTriggerKind,
      activityType: row.trigger_activity_type as ActivityType | null,
      status: row.trigger_status as StudyStatus | null,
      inactiveDays: row.inactive_days,
    }),
    conditions: Object.assign(new AutomationConditions(), {
      studyStatusIn: row.condition_statuses as StudyStatus[] | null,
    }),
    actions: row.actions.map((action) =>
      Object.assign(new AutomationAction(), {
        kind: action.kind as AutomationActionKind,
        status: action.kind === 'change_status' ? (action.status as StudyStatus) : null,
        reviewerRole: action.kind === 'request_approval' ? (action.reviewerRole as OrganizationRole) : null,
        notifyRoles: action.kind === 'notify' ? (action.roles as OrganizationRole[]) : null,
        notifyCollaborators: action.kind === 'notify' ? action.collaborators : null,
      }),
    ),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

const triggerOf = (input: AutomationTriggerInput): RuleTrigger => ({
  kind: input.kind,
  activityType: input.activityType ?? null,
  status: input.status ?? null,
  inactiveDays: input.inactiveDays ?? null,
});

const actionOf = (input: AutomationActionInput): RuleActionInput => ({
  kind: input.kind,
  status: input.status ?? null,
  reviewerRole: input.reviewerRole ?? null,
  notifyRoles: input.notifyRoles ?? null,
  notifyCollaborators: input.notifyCollaborators ?? null,
});

@Resolver(() => Organization)
export class AutomationRuleResolver {
  @CachePrivate(0)
  @ListSize({ assumedSize: 20 })
  @ParentField(() => [AutomationRule], {
    description: 'The organization’s automation rules, in the order they run (oldest first). Any member may read them.',
  })
  async automationRules(organization: Organization, ctx: GatewayContext): Promise<AutomationRule[]> {
    requireMember(ctx, organization.id);
    return (await ctx.loaders.automationRulesOfOrganization.load(organization.id)).map(toRule);
  }

  @CollaborationWrite(() => AutomationRule, {
    description: 'Creates an automation rule. Organization admins and owners; at most 20 rules per organization.',
    inputDescription: 'The rule.',
  })
  async createAutomationRule(input: CreateAutomationRuleInput, ctx: GatewayContext): Promise<AutomationRule> {
    const definition: RuleDefinition = {
      name: input.name,
      enabled: input.enabled,
      trigger: triggerOf(input.trigger),
      conditionStatuses: (input.conditions?.studyStatusIn as RuleDefinition['conditionStatuses']) ?? null,
      actions: input.actions.map(actionOf),
    };
    return toRule(
      await createAutomationRule(ctx, {
        organizationId: parseUuid(input.organizationId, 'input.organizationId'),
        definition,
      }),
    );
  }

  @CollaborationWrite(() => AutomationRule, {
    description: 'Changes an automation rule. Organization admins and owners.',
    inputDescription: 'The rule and what changes.',
  })
  async updateAutomationRule(input: UpdateAutomationRuleInput, ctx: GatewayContext): Promise<AutomationRule> {
    const changes: Partial<RuleDefinition> = {
      ...(input.name != null ? { name: input.name } : {}),
      ...(input.enabled != null ? { enabled: input.enabled } : {}),
      ...(input.trigger ? { trigger: triggerOf(input.trigger) } : {}),
      ...(input.conditions ? { conditionStatuses: input.conditions.studyStatusIn ?? null } : {}),
      ...(input.actions ? { actions: input.actions.map(actionOf) } : {}),
    };
    return toRule(await updateAutomationRule(ctx, parseUuid(input.ruleId, 'input.ruleId'), changes));
  }

  @CollaborationWrite(() => ID, {
    description: 'Deletes an automation rule; returns its id. Organization admins and owners.',
    inputDescription: 'The rule.',
  })
  deleteAutomationRule(input: DeleteAutomationRuleInput, ctx: GatewayContext): Promise<string> {
    return deleteAutomationRule(ctx, parseUuid(input.ruleId, 'input.ruleId'));
  }
}
