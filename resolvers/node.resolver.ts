import { Arg, Ctx, ID, Info, Query, Resolver } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { readStudyWithFolds } from './study-folds';
import { ListSize } from '../schema/cost-directives';
import { CurrentViewer } from '../schema/current-viewer';
import { MAX_PAGE_SIZE } from '../schema/input-limits';
import { Node } from '../schema/node.type';
import { COLLABORATOR_ROLES } from '../loaders/collaborator.loader';
import { membershipKey } from '../loaders/membership.loader';
import { viewerRole } from '../src/auth/access';
import type { GatewayContext, Viewer } from '../src/context/context';
import type { StudyRow } from '../src/db/types';
import { normalizedEmail } from '../src/domain/email';
import { parseNodeId } from '../src/domain/node-ids';
import { badUserInput, notFound } from '../src/graphql/errors';
import {
  toActivity,
  toNotification,
  toApproval,
  toCollaborator,
  toComment,
  toInvitation,
  toMember,
  toOrganization,
  toStudy,
  toUser,
} from './mappers';

async function visibleStudy(ctx: GatewayContext, id: string): Promise<StudyRow | null> {
  const study = await ctx.loaders.studyById.load(id);
  return study && viewerRole(ctx, study.organization_id) ? study : null;
}

/** The viewer themself, or someone who shares one of their organizations (as `members` would show them). */
async function sharesOrganization(ctx: GatewayContext, viewer: Viewer, userId: string): Promise<boolean> {
  if (userId === viewer.id) return true;
  const memberships = await Promise.all(
    [...viewer.roles.keys()].map((organizationId) =>
      ctx.loaders.membership.load(membershipKey(organizationId, userId)),
    ),
  );
  return memberships.some((membership) => membership !== null);
}

/**
 * A row of a UUID-keyed table, by the same rules as the field that would reach it. A study comes with the
 * relations its selection reads below it, as from study(id:).
 */
async function visibleRow(
  ctx: GatewayContext,
  viewer: Viewer,
  id: string,
  info: GraphQLResolveInfo,
): Promise<Node | null> {
  // The viewer's organizations are known without a statement.
  const table = viewerRole(ctx, id) ? 'organizations' : await ctx.loaders.nodeTable.load(id);
  switch (table) {
    case 'organizations': {
      const row = viewerRole(ctx, id) ? await ctx.loaders.organizationById.load(id) : null;
      return row && toOrganization(row);
    }
    case 'studies': {
      await readStudyWithFolds(ctx, viewer, id, info);
      const study = await visibleStudy(ctx, id);
      return study && toStudy(study);
    }
    case 'users': {
      const row = (await sharesOrganization(ctx, viewer, id)) ? await ctx.loaders.userById.load(id) : null;
      return row && toUser(row);
    }
    case 'comments': {
      const row = await ctx.loaders.commentById.load(id);
      return row && (await visibleStudy(ctx, row.study_id)) ? toComment(row) : null;
    }
    case 'approvals': {
      const row = await ctx.loaders.approvalById.load(id);
      return row && (await visibleStudy(ctx, row.study_id)) ? toApproval(row) : null;
    }
    case 'organization_invitations': {
      // Invitations are their addressee's (the `invitations` field).
      const row = await ctx.loaders.invitationById.load(id);
      return row && row.email === normalizedEmail(viewer.email) ? toInvitation(row) : null;
    }
    default:
      return null;
  }
}

/** The object an id names, if the viewer may see it; null for anything else, so that nothing tells the two apart. */
async function visibleNode(
  ctx: GatewayContext,
  viewer: Viewer,
  id: string,
  info: GraphQLResolveInfo,
): Promise<Node | null> {
  const parsed = parseNodeId(id);
  switch (parsed?.kind) {
    case 'uuid':
      return visibleRow(ctx, viewer, parsed.id, info);
    case 'activity': {
      const row = await ctx.loaders.activityById.load(parsed.id);
      return row && viewerRole(ctx, row.organization_id) ? toActivity(row) : null;
    }
    case 'Member': {
      if (!viewerRole(ctx, parsed.parentId)) return null;
      const row = await ctx.loaders.membership.load(membershipKey(parsed.parentId, parsed.userId));
      return row && toMember(row);
    }
    case 'Notification': {
      // A user's own only: anyone else's is as if it did not exist.
      const row = await ctx.loaders.notificationById.load(parsed.id);
      return row && row.user_id === viewer.id ? toNotification(row) : null;
    }
    case 'Collaborator': {
      const study = await visibleStudy(ctx, parsed.parentId);
      const collaborators = study
        ? await ctx.loaders.collaboratorsByStudy.load({ parentId: study.id, args: COLLABORATOR_ROLES })
        : [];
      const row = collaborators.find((collaborator) => collaborator.user_id === parsed.userId);
      return row ? toCollaborator(row) : null;
    }
    default:
      return null;
  }
}

async function nodeOrNotFound(
  ctx: GatewayContext,
  viewer: Viewer,
  id: string,
  info: GraphQLResolveInfo,
): Promise<Node> {
  const node = await visibleNode(ctx, viewer, id, info);
  if (!node) throw notFound('Node', id.slice(0, 120));
  return node;
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description:
      'The object with this id, as the field that reaches it would show it (Relay’s refetch); null and NOT_FOUND when there is none the viewer may see.',
  })
  node(
    @Arg('id', () => ID, { description: 'The `id` of any Node, as a field gave it.' }) id: string,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Node> {
    return nodeOrNotFound(ctx, viewer, id, info);
  }

  @ListSize({ slicingArguments: ['ids'] })
  @Query(() => [Node], {
    nullable: 'items',
    description: `The objects with these ids, in their order (at most ${MAX_PAGE_SIZE}); null and NOT_FOUND for each the viewer may not see.`,
  })
  nodes(
    @Arg('ids', () => [ID], { description: `Node ids, at most ${MAX_PAGE_SIZE}; each is answered at its position.` })
    ids: string[],
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Node>[] {
    if (ids.length > MAX_PAGE_SIZE) throw badUserInput(`Pass at most ${MAX_PAGE_SIZE} ids; got ${ids.length}.`, 'ids');
    return ids.map((id) => nodeOrNotFound(ctx, viewer, id, info));
  }
}
