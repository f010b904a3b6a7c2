import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { ParentField, ConnectionField } from '../schema/resolver-fields';
import type { GraphQLResolveInfo } from 'graphql';
import { ConnectionSize, Cost, ListSize } from '../schema/cost-directives';
import { CachePrivate, CACHE_SECONDS } from '../schema/cache-control';
import { COMMENT_ORDER, COMMENT_PAGES, commentTotalArgs } from '../loaders/comment.loader';
import { APPROVAL_LISTS } from '../loaders/approval.loader';
import { COLLABORATOR_LISTS } from '../loaders/collaborator.loader';
import { foldablePage } from '../loaders/folds';
import { atPosition, CONNECTION_NODES, LIST_ITEMS, readPlan } from '../loaders/selection';
import type { StudySearch } from '../loaders/study.loader';
import { whenLoaded } from '../loaders/loader-toolkit';
import { MAX_SEARCH_TERMS, parseSearchQuery, termCount } from '../src/domain/search-query';
import { Activity, ActivityConnection } from '../schema/activity.type';
import { Approval } from '../schema/approval.type';
import { Collaborator } from '../schema/collaborator.type';
import { Comment, CommentConnection } from '../schema/comment.type';
import type { ConnectionPayload } from '../schema/connection.type';
import { Organization } from '../schema/organization.type';
import { ActivityPageArgs, CommentPageArgs, SearchStudiesArgs } from '../schema/study.args';
import { CommentStats, Study, StudyConnection } from '../schema/study.type';
import { OrganizationStudiesArgs } from '../schema/study.input';
import { loadVisibleStudy, parseUuid, requireMember, requireViewer } from '../src/auth/access';
import type { GatewayContext, Viewer } from '../src/context/context';
import { badUserInput } from '../src/graphql/errors';
import { decodeOffsetCursor, encodeOffsetCursor } from '../src/domain/pagination';
import { connectionOf, LazyTotalConnection, loaderArgsOf } from './connection';
import { activityConnection } from './activity.resolver';
import { toApproval, toCollaborator, toComment, toOrganization, toStudy } from './mappers';
import { studyConnection } from './study-list';
import { CurrentViewer } from '../schema/current-viewer';
import { readStudyWithFolds } from './study-folds';

const SEARCH_LIST_KEY = 'search';

@Resolver(() => Study)
export class StudyResolver {
  @CachePrivate(CACHE_SECONDS.study)
  @Query(() => Study, { nullable: true, description: "A study of one of the viewer's organizations." })
  async study(
    @Arg('id', () => ID, { description: "The study's id; one the viewer may not see is NOT_FOUND." }) id: string,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Study> {
    await readStudyWithFolds(ctx, requireViewer(ctx), parseUuid(id, 'id'), info);
    return toStudy(await loadVisibleStudy(ctx, id));
  }

  @ConnectionSize()
  @CachePrivate(CACHE_SECONDS.study)
  // Nullable: refused (an organization of someone else's), it nulls only itself, not the whole answer.
  @Query(() => StudyConnection, {
    nullable: true,
    description:
      "An organization's studies; newest first unless `orderBy` says otherwise. null with an error when refused.",
  })
  studies(
    @Args(() => OrganizationStudiesArgs) args: OrganizationStudiesArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionPayload<Study>> {
    const organizationId = parseUuid(args.organizationId, 'organizationId');
    requireMember(ctx, organizationId);
    return studyConnection(ctx, organizationId, args, info);
  }

  @Cost(10)
  @ConnectionSize()
  @CachePrivate(CACHE_SECONDS.search)
  @Query(() => StudyConnection, {
    nullable: true,
    description:
      "Full-text and fuzzy search over the studies of the viewer's organizations, best match first. null with an error when refused.",
  })
  async searchStudies(
    @Args(() => SearchStudiesArgs) args: SearchStudiesArgs,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionPayload<Study>> {
    const query = args.query.trim();
    if (query.length === 0) throw badUserInput('`query` must not be blank.', 'query');
    if (termCount(parseSearchQuery(query)) > MAX_SEARCH_TERMS) {
      throw badUserInput(`A search holds at most ${MAX_SEARCH_TERMS} words, phrases and exclusions.`, 'query');
    }
    let organizationIds: string[];
    if (args.organizationId != null) {
      const organizationId = parseUuid(args.organizationId, 'organizationId');
      requireMember(ctx, organizationId);
      organizationIds = [organizationId];
    } else {
      organizationIds = [...viewer.roles.keys()];
    }
    // Ranked matches have no keyset: pages are offsets into the ranking, a cursor an edge's position.
    const window = loaderArgsOf(foldablePage(args));
    const at = window.after === null ? null : decodeOffsetCursor(window.after, SEARCH_LIST_KEY);
    const matches: Omit<StudySearch, 'first' | 'offset'> = { query, organizationIds };
    let offset = at === null ? 0 : at + 1;
    let size = window.first;
    if (window.backward) {
      // The last `last` before the cursor, or before the end of the ranking (its length, one count).
      const end =
        at ??
        (organizationIds.length === 0
          ? 0
          : await ctx.loaders.studySearchTotal.load({ ...matches, first: 0, offset: 0 }));
      offset = Math.max(0, end - window.first);
      size = end - offset;
    }
    const search: StudySearch = { ...matches, first: size, offset };
    const rows = organizationIds.length === 0 || size === 0 ? [] : await ctx.loaders.studySearch.load(search);
    const page = rows.slice(0, size);
    for (const row of page) ctx.loaders.studyById.prime(row.id, row);
    const edges = page.map((row, index) => ({
      cursor: encodeOffsetCursor(SEARCH_LIST_KEY, offset + index),
      node: toStudy(row),
    }));
    const pageInfo = {
      hasNextPage: window.backward ? at !== null : rows.length > size,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    };
    return new LazyTotalConnection(edges, pageInfo, () =>
      organizationIds.length === 0 ? Promise.resolve(0) : ctx.loaders.studySearchTotal.load(search),
    );
  }

  @ParentField(() => Organization, { description: 'The organization that runs the study.' })
  async organization(study: Study, ctx: GatewayContext): Promise<Organization> {
    const row = await ctx.loaders.organizationById.load(study.organizationId);
    if (!row) throw new Error(`Organization ${study.organizationId} of study ${study.id} is missing`);
    return toOrganization(row);
  }

  @ListSize({ assumedSize: 10 })
  @FieldResolver(() => [Collaborator], { description: 'Everyone working on the study, in the order they were added.' })
  collaborators(
    @Root() study: Study,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Collaborator[] | Promise<Collaborator[]> {
    const loaderArgs = atPosition(info, 'collaborators', () =>
      loaderArgsOf(COLLABORATOR_LISTS.argsFrom({}, readPlan(info, 'Collaborator', LIST_ITEMS), info)),
    );
    return whenLoaded(ctx.loaders.collaboratorsByStudy.loadNow({ parentId: study.id, args: loaderArgs }), (rows) =>
      rows.map(toCollaborator),
    );
  }

  @ConnectionField(() => CommentConnection, { description: 'Comments, oldest first.' })
  async comments(
    study: Study,
    args: CommentPageArgs,
    ctx: GatewayContext,
    info: GraphQLResolveInfo,
  ): Promise<ConnectionPayload<Comment>> {
    const loaderArgs = atPosition(info, 'comments', () =>
      loaderArgsOf(COMMENT_PAGES.argsFrom(args, readPlan(info, 'Comment', CONNECTION_NODES), info)),
    );
    return connectionOf(
      info,
      () => ctx.loaders.commentsPage.load({ parentId: study.id, args: loaderArgs }),
      COMMENT_ORDER,
      toComment,
      () => ctx.loaders.commentTotal.load({ parentId: study.id, args: commentTotalArgs(args) }),
    );
  }

  @ListSize({ assumedSize: 5 })
  @FieldResolver(() => [Approval], { description: 'Approval requests, oldest first.' })
  async approvals(
    @Root() study: Study,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Approval[]> {
    const loaderArgs = atPosition(info, 'approvals', () =>
      loaderArgsOf(APPROVAL_LISTS.argsFrom({}, readPlan(info, 'Approval', LIST_ITEMS), info)),
    );
    const rows = await ctx.loaders.approvalsByStudy.load({ parentId: study.id, args: loaderArgs });
    return rows.map(toApproval);
  }

  @ParentField(() => String, { nullable: true })
  description(study: Study, ctx: GatewayContext): string | null | Promise<string | null> {
    // Undefined on a study whose statement left the description out (its selection did not read it, see NODES).
    if (study.description !== undefined) return study.description;
    return whenLoaded(ctx.loaders.studyById.loadNow(study.id), (row) => row?.description ?? null);
  }

  @ConnectionField(() => ActivityConnection, { description: 'The collaboration log of the study, newest first.' })
  activity(
    study: Study,
    args: ActivityPageArgs,
    ctx: GatewayContext,
    info: GraphQLResolveInfo,
  ): Promise<ConnectionPayload<Activity>> {
    return activityConnection(ctx, study.id, args, { scope: 'study', actorId: null }, info);
  }

  @ParentField(() => CommentStats, { description: 'Comment counts and how fast comments get resolved.' })
  async commentStats(study: Study, ctx: GatewayContext): Promise<CommentStats> {
    return Object.assign(new CommentStats(), await ctx.loaders.commentStats.load(study.id));
  }
}
