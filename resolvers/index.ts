import type { ClassType, NonEmptyArray } from 'type-graphql';
import { ActivityResolver } from './activity.resolver';
import { OrganizationAnalyticsEntryResolver, OrganizationAnalyticsResolver } from './analytics.resolver';
import { ApprovalPolicyResolver } from './approval-policy.resolver';
import { InvitationResolver } from './invitation.resolver';
import { OrganizationWritesResolver } from './organization-writes.resolver';
import { StudyWritesResolver } from './study-writes.resolver';
import { NodeResolver } from './node.resolver';
import { NotificationResolver, UserNotificationsResolver } from './notification.resolver';
import { OrganizationWebhooksResolver, WebhookResolver } from './webhook.resolver';
import { AutomationRuleResolver } from './automation-rule.resolver';
import { OrganizationResolver } from './organization.resolver';
import { RateLimitResolver } from './rate-limit.resolver';
import { StudyResolver } from './study.resolver';
import { SubscriptionResolver } from './subscription.resolver';
import { TeamProductivityResolver } from './team-productivity.resolver';
import { UserResolver } from './user.resolver';
import { userReferenceResolvers } from './user-references.resolver';

export const resolvers: NonEmptyArray<ClassType> = [
  UserResolver,
  OrganizationResolver,
  OrganizationWritesResolver,
  InvitationResolver,
  StudyResolver,
  StudyWritesResolver,
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
  ...userReferenceResolvers,
];
