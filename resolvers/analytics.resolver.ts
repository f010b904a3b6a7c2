import { Args, Ctx, FieldResolver, Float, Int, Resolver, Root } from 'type-graphql';
import { ParentField } from '../schema/resolver-fields';
import { Cost, FIELD_LIMITS, ListSize, RateLimit } from '../schema/cost-directives';
import { AnalyticsArgs, TopContributorsArgs } from '../schema/analytics.input';
import {
  ActivityTypeCount,
  Contributor,
  DailyCount,
  HourCount,
  OrganizationAnalytics,
  StudyStatusCount,
} from '../schema/analytics.type';
import type { ActivityType, StudyStatus } from '../schema/enums';
import { Organization } from '../schema/organization.type';
import { requireMember } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import { relatedUser } from './relations';

const of = (analytics: OrganizationAnalytics) => ({
  parentId: analytics.organizationId,
  args: { days: analytics.days, endingDaysAgo: analytics.endingDaysAgo },
});

@Resolver(() => Organization)
export class OrganizationAnalyticsEntryResolver {
  @RateLimit(FIELD_LIMITS.analytics.limit, FIELD_LIMITS.analytics.duration)
  @Cost(10)
  @FieldResolver(() => OrganizationAnalytics, {
    nullable: true,
    description:
      'How the organization works over the last `days`. Rate-limited per caller on its own: refused, it is null with RATE_LIMITED and the rest of the answer stands.',
  })
  analytics(
    @Root() organization: Organization,
    @Args(() => AnalyticsArgs) { days, endingDaysAgo }: AnalyticsArgs,
    @Ctx() ctx: GatewayContext,
  ): OrganizationAnalytics {
    requireMember(ctx, organization.id);
    return Object.assign(new OrganizationAnalytics(), { days, endingDaysAgo, organizationId: organization.id });
  }
}

@Resolver(() => OrganizationAnalytics)
export class OrganizationAnalyticsResolver {
  @ParentField(() => Int, { description: 'All studies of the organization (snapshot).' })
  async totalStudies(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number> {
    return (await ctx.loaders.studyMetrics.load(of(analytics))).total;
  }

  @ParentField(() => Int, { description: 'Studies in ACTIVE status (snapshot).' })
  async activeStudies(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number> {
    return (await ctx.loaders.studyMetrics.load(of(analytics))).byStatus.find((s) => s.status === 'active')?.count ?? 0;
  }

  @ListSize({ assumedSize: 6 })
  @ParentField(() => [StudyStatusCount], { description: 'Studies per status, every status listed (snapshot).' })
  async studiesByStatus(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<StudyStatusCount[]> {
    const metrics = await ctx.loaders.studyMetrics.load(of(analytics));
    return metrics.byStatus.map(({ status, count }) =>
      Object.assign(new StudyStatusCount(), { status: status as StudyStatus, count }),
    );
  }

  @ParentField(() => Int, { description: 'Studies created in the window.' })
  async studiesCreated(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number> {
    return (await ctx.loaders.studyMetrics.load(of(analytics))).created;
  }

  @ParentField(() => Int, { description: 'Studies completed in the window.' })
  async studiesCompleted(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number> {
    return (await ctx.loaders.studyMetrics.load(of(analytics))).completed;
  }

  @ParentField(() => Float, {
    nullable: true,
    description: 'Of the studies created in the window, the share (0..1) completed since; null when none was created.',
  })
  async studyCompletionRate(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number | null> {
    return (await ctx.loaders.studyMetrics.load(of(analytics))).completionRate;
  }

  @ParentField(() => Int, { description: 'Comments written in the window.' })
  async totalComments(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number> {
    return (await ctx.loaders.commentMetrics.load(of(analytics))).created;
  }

  @ParentField(() => Int, { description: 'Comments resolved in the window.' })
  async resolvedComments(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number> {
    return (await ctx.loaders.commentMetrics.load(of(analytics))).resolved;
  }

  @ParentField(() => Float, {
    nullable: true,
    description: 'Mean hours from writing to resolving, over the comments resolved in the window; null when none was.',
  })
  async averageCommentResolutionHours(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number | null> {
    return (await ctx.loaders.commentMetrics.load(of(analytics))).averageResolutionHours;
  }

  @ParentField(() => Float, {
    nullable: true,
    description:
      'Mean hours from request to decision, over the approvals decided in the window; null when none was (pending ones do not count).',
  })
  averageApprovalHours(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number | null> {
    return ctx.loaders.averageApprovalHours.load(of(analytics));
  }

  @ParentField(() => Int, { description: 'Distinct users with activity in the window.' })
  async activeMembers(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<number> {
    return (await ctx.loaders.activityMetrics.load(of(analytics))).activeMembers;
  }

  @ListSize({ assumedSize: 30 })
  @ParentField(() => [DailyCount], {
    description: 'Distinct active users per UTC day, one entry per day of the window, oldest first, zeros included.',
  })
  async dailyActiveUsers(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<DailyCount[]> {
    return (await ctx.loaders.dailyActiveUsers.load(of(analytics))).map((day) => Object.assign(new DailyCount(), day));
  }

  @ListSize({ assumedSize: 24 })
  @ParentField(() => [HourCount], { description: 'Activity per hour of the day (UTC) over the window, 24 entries.' })
  async peakHours(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<HourCount[]> {
    return (await ctx.loaders.activityMetrics.load(of(analytics))).byHour.map((hour) =>
      Object.assign(new HourCount(), hour),
    );
  }

  @ListSize({ assumedSize: 11 })
  @ParentField(() => [ActivityTypeCount], {
    description: 'Activity per type over the window, most frequent first; types without activity are left out.',
  })
  async activityByType(analytics: OrganizationAnalytics, ctx: GatewayContext): Promise<ActivityTypeCount[]> {
    const { byType } = await ctx.loaders.activityMetrics.load(of(analytics));
    return byType.map(({ type, count }) =>
      Object.assign(new ActivityTypeCount(), { type: type as ActivityType, count }),
    );
  }

  @ListSize({ slicingArguments: ['limit'], assumedSize: 5 })
  @FieldResolver(() => [Contributor], {
    description: 'The users with the most activity in the window, most active first.',
  })
  async topContributors(
    @Root() analytics: OrganizationAnalytics,
    @Args(() => TopContributorsArgs) { limit }: TopContributorsArgs,
    @Ctx() ctx: GatewayContext,
  ): Promise<Contributor[]> {
    const top = await ctx.loaders.topContributors.load({
      parentId: analytics.organizationId,
      args: { days: analytics.days, endingDaysAgo: analytics.endingDaysAgo, limit },
    });
    return Promise.all(
      top.map(async ({ userId, count }) =>
        Object.assign(new Contributor(), { user: await relatedUser(ctx, userId), count }),
      ),
    );
  }
}
