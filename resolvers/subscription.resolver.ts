import { Args, Ctx, Resolver, Root, Subscription } from 'type-graphql';
import { ActivityEdge } from '../schema/activity.type';
import { Cost } from '../schema/cost-directives';
import { composed, parameters } from '../schema/resolver-fields';
import { Approval } from '../schema/approval.type';
import { Notification } from '../schema/notification.type';
import { OrganizationAnalyticsSignal } from '../schema/analytics.type';
import {
  MAX_ACTIVITY_TYPES,
  MAX_CURSOR_LENGTH,
  OrganizationActivityArgs,
  OrganizationAnalyticsChangedArgs,
  StudyActivityArgs,
} from '../schema/subscription.args';
import { loadVisibleStudy, parseUuid, requireMember, requireViewer } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import type { ActivityRow } from '../src/db/types';
import { badUserInput, notFound } from '../src/graphql/errors';
import type { AnalyticsSignal } from '../src/realtime/analytics-signals';
import type { ActivityEvent } from '../src/realtime/events';
import { isLiveContext, type LiveContext } from '../src/realtime/live-context';
import { ACTIVITY_ORDER } from '../loaders/activity.loader';
import { cursorOf, decodeAfter } from '../loaders/keyset-order';
import { toActivity, toApproval, toNotification } from './mappers';

/** What type-graphql hands a field's `subscribe`: its arguments as declared, and the connection's context. */
interface Subscribing<Arguments = Record<string, never>> {
  args: Arguments;
  context: GatewayContext;
}

function liveContext(ctx: GatewayContext): LiveContext {
  if (!isLiveContext(ctx))
    throw badUserInput(
      'Subscriptions are served on /graphql over WebSocket (graphql-transport-ws) or as an event stream (Accept: text/event-stream).',
    );
  return ctx;
}

/**
 * The viewer's own events (approvals asked of them, their notifications) from every organization of theirs:
 * removed from one, they still hear the others'.
 */
function viewerEvents(
  context: GatewayContext,
  field: string,
  accepts: (event: ActivityEvent, viewerId: string) => boolean,
): ReturnType<LiveContext['services']['realtime']['activity']> {
  const ctx = liveContext(context);
  const viewer = requireViewer(ctx);
  return ctx.services.realtime.activity(ctx, {
    field,
    channel: 'reviewer',
    id: viewer.id,
    accepts: (event) => accepts(event, viewer.id),
    onAccessLost: 'skip',
  });
}

/** A subscription of an organization's: refused unless the viewer is one of its members. */
function organizationMember(
  context: GatewayContext,
  organizationId: string,
): { ctx: LiveContext; organizationId: string } {
  const ctx = liveContext(context);
  const id = parseUuid(organizationId, 'organizationId');
  requireMember(ctx, id);
  return { ctx, organizationId: id };
}

/** The cursor an entry's edge carries: the same as Study.activity's, so either resumes the other. */
function activityEdge(row: ActivityRow): ActivityEdge {
  return {
    cursor: cursorOf(ACTIVITY_ORDER, row),
    node: toActivity(row),
  };
}

function eventOf(row: ActivityRow): ActivityEvent {
  return {
    id: row.id,
    organizationId: row.organization_id,
    studyId: row.study_id,
    type: row.activity_type,
    createdAt: row.created_at.toISOString(),
    publishedAt: Date.now(),
  };
}

function afterArgument(after: string | null | undefined): string | null {
  if (!after) return null;
  if (after.length > MAX_CURSOR_LENGTH)
    throw badUserInput(`\`after\` is longer than ${MAX_CURSOR_LENGTH} characters.`, 'after');
  return decodeAfter(after, ACTIVITY_ORDER)!.id;
}

/** Entries after the cursor, oldest first; one past the replay limit means the cursor is too old to resume from. */
async function replayAfter(
  ctx: LiveContext,
  scope: 'study' | 'organization',
  parentId: string,
  afterId: string,
  types: string[] | null,
): Promise<ActivityEvent[]> {
  const limit = ctx.services.config.realtime.maxReplayEntries;
  const rows = await ctx.loaders.activitySince.load({ parentId, args: { scope, afterId, types, limit: limit + 1 } });
  if (rows.length > limit) {
    throw badUserInput(
      `More than ${limit} entries came after this cursor: read them through the activity connection, then subscribe from its newest cursor.`,
      'after',
    );
  }
  return rows.map(eventOf);
}

/** The event's entry, read with this event's loaders and the subscriber's current rights. */
async function entryOf(ctx: GatewayContext, event: ActivityEvent): Promise<ActivityRow> {
  const row = await ctx.loaders.activityById.load(event.id);
  if (!row) throw notFound('Activity', event.id);
  return row;
}

/**
 * What starting a subscription costs beyond its selection: it holds a connection's slot, a listener and a
 * fresh read for every event it receives, like a mutation's weight.
 */
const SUBSCRIPTION_COST = 10;

/**
 * A subscription field with arguments, priced as every subscription is: its resolver takes the event, the
 * field's arguments (their class is the signature's) and the context.
 */
function SubscriptionWithArgs(...[type, options]: Parameters<typeof Subscription>): MethodDecorator {
  return composed(Cost(SUBSCRIPTION_COST), Subscription(type, options), parameters(Root(), Args(), Ctx()));
}

@Resolver()
export class SubscriptionResolver {
  @SubscriptionWithArgs(() => ActivityEdge, {
    description:
      'Every new activity entry of a study, as an edge; `after` replays the entries after a cursor first, so a reconnecting client loses nothing.',
    subscribe: async ({ args, context }: Subscribing<StudyActivityArgs>) => {
      const ctx = liveContext(context);
      const study = await loadVisibleStudy(ctx, args.studyId, 'studyId');
      const afterId = afterArgument(args.after);
      return ctx.services.realtime.activity(ctx, {
        field: 'studyActivity',
        channel: 'organization',
        id: study.organization_id,
        accepts: (event) => event.studyId === study.id,
        replay: afterId ? () => replayAfter(ctx, 'study', study.id, afterId, null) : undefined,
        onAccessLost: { end: () => notFound('Study', args.studyId) },
      });
    },
  })
  async studyActivity(event: ActivityEvent, _args: StudyActivityArgs, ctx: GatewayContext): Promise<ActivityEdge> {
    return activityEdge(await entryOf(ctx, event));
  }

  @SubscriptionWithArgs(() => ActivityEdge, {
    description:
      "Every new activity entry of an organization (optionally of some types only), as an edge; `after` resumes as studyActivity's does.",
    subscribe: async ({ args, context }: Subscribing<OrganizationActivityArgs>) => {
      const { ctx, organizationId } = organizationMember(context, args.organizationId);
      const types: string[] | null = args.types?.length ? [...new Set<string>(args.types)].sort() : null;
      if (types && types.length > MAX_ACTIVITY_TYPES)
        throw badUserInput(`\`types\` names at most ${MAX_ACTIVITY_TYPES} types.`, 'types');
      const afterId = afterArgument(args.after);
      return ctx.services.realtime.activity(ctx, {
        field: 'organizationActivity',
        channel: 'organization',
        id: organizationId,
        accepts: (event) => types === null || types.includes(event.type),
        replay: afterId ? () => replayAfter(ctx, 'organization', organizationId, afterId, types) : undefined,
        onAccessLost: { end: () => notFound('Organization', organizationId) },
      });
    },
  })
  async organizationActivity(
    event: ActivityEvent,
    _args: OrganizationActivityArgs,
    ctx: GatewayContext,
  ): Promise<ActivityEdge> {
    return activityEdge(await entryOf(ctx, event));
  }

  @Cost(SUBSCRIPTION_COST)
  @Subscription(() => Approval, {
    description: 'Approvals requested of the viewer as reviewer, in any of their organizations, as they are requested.',
    subscribe: ({ context }: Subscribing) =>
      viewerEvents(
        context,
        'approvalRequests',
        (event, viewerId) => event.type === 'approval_requested' && event.reviewerId === viewerId,
      ),
  })
  async approvalRequests(@Root() event: ActivityEvent, @Ctx() ctx: GatewayContext): Promise<Approval> {
    const approvalId = (await entryOf(ctx, event)).details.approvalId;
    const row = typeof approvalId === 'string' ? await ctx.loaders.approvalById.load(approvalId) : null;
    if (!row) throw notFound('Approval', String(approvalId));
    return toApproval(row);
  }

  @Cost(SUBSCRIPTION_COST)
  @Subscription(() => Notification, {
    description:
      'The viewer’s notifications as they are written (an approval asked of them, a decision on their request, a comment on a study they collaborate on), in any of their organizations.',
    subscribe: ({ context }: Subscribing) =>
      viewerEvents(context, 'notifications', (event, viewerId) => event.notified?.includes(viewerId) === true),
  })
  async notifications(@Root() event: ActivityEvent, @Ctx() ctx: GatewayContext): Promise<Notification> {
    const viewer = requireViewer(ctx);
    const row = await ctx.loaders.notificationOfEntry.load(`${event.id}:${viewer.id}`);
    if (!row) throw notFound('Notification', event.id);
    return toNotification(row);
  }

  @SubscriptionWithArgs(() => OrganizationAnalyticsSignal, {
    description:
      "Tells a dashboard that an organization's analytics are worth refetching; coalesced to at most one signal per organization every few seconds (ANALYTICS_SIGNAL_SECONDS).",
    subscribe: async ({ args, context }: Subscribing<OrganizationAnalyticsChangedArgs>) => {
      const { ctx, organizationId } = organizationMember(context, args.organizationId);
      return ctx.services.realtime.analyticsChanged(ctx, organizationId, () =>
        notFound('Organization', organizationId),
      );
    },
  })
  organizationAnalyticsChanged(
    signal: AnalyticsSignal,
    _args: OrganizationAnalyticsChangedArgs,
  ): OrganizationAnalyticsSignal {
    return Object.assign(new OrganizationAnalyticsSignal(), {
      organizationId: signal.organizationId,
      changedAt: signal.changedAt,
      events: signal.events,
    });
  }
}
