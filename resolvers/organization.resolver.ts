import { Args, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { ConnectionSize, Cost } from '../schema/cost-directives';
import { CachePrivate, CACHE_SECONDS } from '../schema/cache-control';
import { ORGANIZATIONS_ORDER_KEY, type ViewerOrganizationRow } from '../loaders/organization.loader';
import { MEMBERS_ORDER_KEY } from '../loaders/membership.loader';
import { CONNECTION_NODES, readPlan } from '../loaders/selection';
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
import type { MemberRow } from '../src/db/types';
import { badUserInput, notFound } from '../src/graphql/errors';
import { pageWindow, toConnection, type KeysetOrder } from './connection';
import { activityConnection } from './activity.resolver';
import { toMember, toOrganization } from './mappers';
import { studyConnection } from './study-list';
import { NO_STUDY_FILTER } from '../loaders/study.loader';
import { CurrentViewer } from '../schema/current-viewer';

const ORGANIZATION_ORDER: KeysetOrder<ViewerOrganizationRow> = {
  key: ORGANIZATIONS_ORDER_KEY,
  valueKind: 'text',
  idKind: 'uuid',
  value: (row) => row.name,
  id: (row) => row.id,
};

const MEMBER_ORDER: KeysetOrder<MemberRow> = {
  key: MEMBERS_ORDER_KEY,
  valueKind: 'timestamp',
  idKind: 'uuid',
  value: (row) => row.joined_at,
  id: (row) => row.user_id,
};

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
  ): Promise<Organization> {
    requireViewer(ctx);
    if ((id == null) === (slug == null)) throw badUserInput('Pass exactly one of `id` and `slug`.');
    const row =
      id != null
        ? await ctx.loaders.organizationById.load(parseUuid(id, 'id'))
        : await ctx.loaders.organizationBySlug.load(slug!.toLowerCase());
    if (!row || !viewerRole(ctx, row.id)) throw notFound('Organization', (id ?? slug)!);
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
    const folds = ctx.loaders.folding ? foldsOf(info, 'Organization', CONNECTION_NODES) : [];
    const loaderArgs = { ...pageWindow(args, ORGANIZATION_ORDER), folds };
    const page = await ctx.loaders.organizationsOfUser.load({ parentId: viewer.id, args: loaderArgs });
    for (const row of page.rows) ctx.loaders.organizationById.prime(row.id, row);
    return toConnection(page, ORGANIZATION_ORDER, toOrganization, async () => viewer.roles.size);
  }

  @FieldResolver(() => OrganizationRole, { nullable: true, description: "The viewer's role in this organization." })
  viewerRole(@Root() organization: Organization, @Ctx() ctx: GatewayContext): OrganizationRole | null {
    return viewerRole(ctx, organization.id) as OrganizationRole | null;
  }

  @Cost(1)
  @FieldResolver(() => Int, { description: 'Members of the organization now, every role.' })
  memberCount(@Root() organization: Organization, @Ctx() ctx: GatewayContext): Promise<number> {
    return ctx.loaders.memberTotal.load({ parentId: organization.id, args: { role: null } });
  }

  @Cost(1)
  @FieldResolver(() => Int, { description: 'Studies of the organization, every status (archived included).' })
  studyCount(@Root() organization: Organization, @Ctx() ctx: GatewayContext): Promise<number> {
    return ctx.loaders.studyTotal.load({ parentId: organization.id, args: NO_STUDY_FILTER });
  }

  @ConnectionSize()
  @FieldResolver(() => MemberConnection, { description: 'Members in the order they joined.' })
  async members(
    @Root() organization: Organization,
    @Args(() => MemberPageArgs) args: MemberPageArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionPayload<Member>> {
    requireMember(ctx, organization.id);
    const role = args.role ?? null;
    const loaderArgs = {
      ...pageWindow(args, MEMBER_ORDER),
      role,
      plan: readPlan(info, 'Member', CONNECTION_NODES),
    };
    const page = await ctx.loaders.membersPage.load({ parentId: organization.id, args: loaderArgs });
    return toConnection(page, MEMBER_ORDER, toMember, () =>
      ctx.loaders.memberTotal.load({ parentId: organization.id, args: { role } }),
    );
  }

  @ConnectionSize()
  @FieldResolver(() => StudyConnection, {
    description: "The organization's studies; newest first unless `orderBy` says otherwise.",
  })
  studies(
    @Root() organization: Organization,
    @Args(() => StudyPageArgs) args: StudyPageArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionPayload<Study>> {
    requireMember(ctx, organization.id);
    return studyConnection(ctx, organization.id, args, info);
  }

  @ConnectionSize()
  @FieldResolver(() => ActivityConnection, {
    description:
      "The organization's collaboration log, newest first: every study's entries and organization-wide ones.",
  })
  activity(
    @Root() organization: Organization,
    @Args(() => OrganizationActivityArgs) args: OrganizationActivityArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
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
