import type { ClassType, NonEmptyArray } from 'type-graphql';
import { ActivityResolver } from './activity.resolver';
import { OrganizationAnalyticsEntryResolver, OrganizationAnalyticsResolver } from './analytics.resolver';
import { ApprovalResolver } from './approval.resolver';
import { ApprovalPolicyResolver } from './approval-policy.resolver';
import { CollaboratorResolver } from './collaborator.resolver';
import { CommentResolver } from './comment.resolver';
import { InvitationResolver } from './invitation.resolver';
import { MemberResolver } from './member.resolver';
import { NodeResolver } from './node.resolver';
import { NotificationResolver, UserNotificationsResolver } from './notification.resolver';
import { OrganizationWebhooksResolver, WebhookResolver } from './webhook.resolver';
import { AutomationRuleResolver } from './automation-rule.resolver';
import { OrganizationResolver } from './organization.resolver';
import { StudyMutationResolver } from './study-mutation.resolver';
import { RateLimitResolver } from './rate-limit.resolver';
import { StudyResolver } from './study.resolver';
import { SubscriptionResolver } from './subscription.resolver';
import { TeamProductivityResolver } from './team-productivity.resolver';
import { UserResolver } from './user.resolver';

export const resolvers: NonEmptyArray<ClassType> = [
  UserResolver,
  OrganizationResolver,
  MemberResolver,
  InvitationResolver,
  StudyResolver,
  StudyMutationResolver,
  CollaboratorResolver,
  CommentResolver,
  ApprovalResolver,
  ApprovalPolicyResolver,
  ActivityResolver,
  OrganizationAnalyticsEntryResolver,
  OrganizationAnalyticsResolver,
  TeamProductivityResolver,
  RateLimitResolver,
  NodeResolver,
  UserNotificationsResolver,
  NotificationResolver,
  OrganizationWebhooksResolver,
  WebhookResolver,
  AutomationRuleResolver,
  SubscriptionResolver,
];
