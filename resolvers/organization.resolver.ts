import { Args, Ctx, Info, Int, Query, Resolver } from 'type-graphql';
import { ParentField, ConnectionField } from '../schema/resolver-fields';
import type { GraphQLResolveInfo } from 'graphql';
import { ConnectionSize, Cost } from '../schema/cost-directives';
import { CachePrivate, CACHE_SECONDS } from '../schema/cache-control';
import { ORGANIZATION_ORDER } from '../loaders/organization.loader';
import { ALL_MEMBERS, MEMBER_ORDER, MEMBER_PAGES, memberTotalArgs } from '../loaders/membership.loader';
import { atPosition, CONNECTION_NODES, LIST_ITEMS, readPlan } from '../loaders/selection';
import { foldsOf } from '../loaders/folds';
import type { ConnectionPayload } from '../schema/connection.type';
import { OrganizationRole } from '../schema/enums';
import { Member, MemberConnection } from '../schema/member.type';
import { Organization, OrganizationConnection } from '../schema/organization.type';
import { MemberPageArgs, OrganizationLookupArgs } from '../schema/organization.args';
import { PageArgs } from '../schema/pagination.args';
import { StudyConnection, type Study } from '../schema/study.type';
import { StudyPageArgs } from '../schema/study.input';
import { OrganizationActivityArgs } from '../schema/study.args';
import { Activity, ActivityConnection } from '../schema/activity.type';
import { parseUuid, requireMember, requireViewer, viewerRole } from '../src/auth/access';
import type { GatewayContext, Viewer } from '../src/context/context';
import { badUserInput, notFound } from '../src/graphql/errors';
import { connectionOf, loaderArgsOf, pageWindow, toConnection } from './connection';
import { activityConnection } from './activity.resolver';
import { toMember, toOrganization } from './mappers';
import { studyConnection } from './study-list';
import { NO_STUDY_FILTER } from '../loaders/study.loader';
import { CurrentViewer } from '../schema/current-viewer';

@Resolver(() => Organization)
export class OrganizationResolver {
  @CachePrivate(CACHE_SECONDS.membership)
  @Query(() => Organization, {
    nullable: true,
    description: 'An organization the viewer is a member of, by id or by slug (exactly one).',
  })
  async organization(
    @Args(() => OrganizationLookupArgs) { id, slug }: OrganizationLookupArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Organization> {
    requireViewer(ctx);
    if ((id == null) === (slug == null)) throw badUserInput('Pass exactly one of `id` and `slug`.');
    const row =
      id != null
        ? await ctx.loaders.organizationById.load(parseUuid(id, 'id'))
        : await ctx.loaders.organizationBySlug.load(slug!.toLowerCase());
    if (!row || !viewerRole(ctx, row.id)) throw notFound('Organization', (id ?? slug)!);
    // Two or more relations below it come in one statement of the organization (folds.ts), not one each.
    if (ctx.loaders.folding) {
      const args = atPosition(info, 'organization folds', () => ({ folds: foldsOf(info, 'Organization', LIST_ITEMS) }));
      // A failed fold (a statement timeout) leaves each relation to its own loader, which reports on its own field.
      if (args.folds.length >= 2)
        await ctx.loaders.organizationFolds.load({ parentId: row.id, args }).catch(() => undefined);
    }
    return toOrganization(row);
  }

  @ConnectionSize()
  @CachePrivate(CACHE_SECONDS.membership)
  @Query(() => OrganizationConnection, { description: 'The organizations the viewer is a member of, by name.' })
  async organizations(
    @Args(() => PageArgs) args: PageArgs,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionPayload<Organization>> {
    // Each organization's studies, when plainly selected, come in the page's statement (folds.ts).
    const loaderArgs = atPosition(info, ctx.loaders.folding ? 'organizations' : 'organizations unfolded', () => ({
      ...pageWindow(args, ORGANIZATION_ORDER),
      folds: ctx.loaders.folding ? foldsOf(info, 'Organization', CONNECTION_NODES) : [],
    }));
    const page = await ctx.loaders.organizationsOfUser.load({ parentId: viewer.id, args: loaderArgs });
    for (const row of page.rows) ctx.loaders.organizationById.prime(row.id, row);
    return toConnection(page, ORGANIZATION_ORDER, toOrganization, async () => viewer.roles.size);
  }

  @ParentField(() => OrganizationRole, { nullable: true, description: "The viewer's role in this organization." })
  viewerRole(organization: Organization, ctx: GatewayContext): OrganizationRole | null {
    return viewerRole(ctx, organization.id) as OrganizationRole | null;
  }

  @Cost(1)
  @ParentField(() => Int, { description: 'Members of the organization now, every role.' })
  memberCount(organization: Organization, ctx: GatewayContext): Promise<number> {
    return ctx.loaders.memberTotal.load({ parentId: organization.id, args: ALL_MEMBERS });
  }

  @Cost(1)
  @ParentField(() => Int, { description: 'Studies of the organization, every status (archived included).' })
  studyCount(organization: Organization, ctx: GatewayContext): Promise<number> {
    return ctx.loaders.studyTotal.load({ parentId: organization.id, args: NO_STUDY_FILTER });
  }

  @ConnectionField(() => MemberConnection, { description: 'Members in the order they joined.' })
  async members(
    organization: Organization,
    args: MemberPageArgs,
    ctx: GatewayContext,
    info: GraphQLResolveInfo,
  ): Promise<ConnectionPayload<Member>> {
    requireMember(ctx, organization.id);
    const loaderArgs = atPosition(info, 'members', () =>
      loaderArgsOf(MEMBER_PAGES.argsFrom(args, readPlan(info, 'Member', CONNECTION_NODES), info)),
    );
    return connectionOf(
      info,
      () => ctx.loaders.membersPage.load({ parentId: organization.id, args: loaderArgs }),
      MEMBER_ORDER,
      toMember,
      () => ctx.loaders.memberTotal.load({ parentId: organization.id, args: memberTotalArgs(args) }),
    );
  }

  @ConnectionField(() => StudyConnection, {
    description: "The organization's studies; newest first unless `orderBy` says otherwise.",
  })
  studies(
    organization: Organization,
    args: StudyPageArgs,
    ctx: GatewayContext,
    info: GraphQLResolveInfo,
  ): Promise<ConnectionPayload<Study>> {
    requireMember(ctx, organization.id);
    return studyConnection(ctx, organization.id, args, info);
  }

  @ConnectionField(() => ActivityConnection, {
    description:
      "The organization's collaboration log, newest first: every study's entries and organization-wide ones.",
  })
  activity(
    organization: Organization,
    args: OrganizationActivityArgs,
    ctx: GatewayContext,
    info: GraphQLResolveInfo,
  ): Promise<ConnectionPayload<Activity>> {
    requireMember(ctx, organization.id);
    return activityConnection(
      ctx,
      organization.id,
      args,
      { scope: 'organization', actorId: args.actorId ?? null },
      info,
    );
  }
}
