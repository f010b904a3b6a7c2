import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { ParentField } from '../schema/resolver-fields';
import { Cost, RateLimit } from '../schema/cost-directives';
import { RefreshTeamProductivityInput } from '../schema/analytics.input';
import { TeamProductivity } from '../schema/analytics.type';
import { Organization } from '../schema/organization.type';
import { parseUuid, requireMember } from '../src/auth/access';
import { refreshTeamProductivity } from '../src/services/team-productivity.service';
import type { GatewayContext } from '../src/context/context';
import type { TeamProductivityRow } from '../src/db/types';

function toTeamProductivity(row: TeamProductivityRow | null): TeamProductivity {
  return Object.assign(new TeamProductivity(), {
    memberCount: row?.member_count ?? 0,
    studiesCreated: row?.studies_created ?? 0,
    studiesPerMember: row?.studies_per_member ?? null,
    commentsPerMember: row?.comments_per_member ?? null,
    approvalsDecided: row?.approvals_decided ?? 0,
    periodDays: row?.period_days ?? 90,
    refreshedAt: row?.refreshed_at ?? null,
  });
}

@Resolver(() => Organization)
export class TeamProductivityResolver {
  @ParentField(() => TeamProductivity, {
    description:
      'Team figures over the last 90 days, as of the last hourly or on-demand refresh (refreshTeamProductivity).',
  })
  async teamProductivity(organization: Organization, ctx: GatewayContext): Promise<TeamProductivity> {
    requireMember(ctx, organization.id);
    return toTeamProductivity(await ctx.loaders.teamProductivity.load(organization.id));
  }

  @RateLimit(5, 60)
  @Cost(50)
  // Nullable as every mutation is (schema/collaboration-write.ts): a refusal nulls only itself.
  @Mutation(() => TeamProductivity, {
    nullable: true,
    description:
      'Recomputes the team figures now (all organizations) and returns this organization’s. Organization admins and owners.',
  })
  async refreshTeamProductivity(
    @Arg('input', () => RefreshTeamProductivityInput, { description: 'The organization whose figures to return.' })
    input: RefreshTeamProductivityInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<TeamProductivity> {
    const organizationId = parseUuid(input.organizationId, 'input.organizationId');
    await refreshTeamProductivity(ctx, { organizationId });
    return toTeamProductivity(await ctx.loaders.teamProductivity.load(organizationId));
  }
}
