import { Arg, Args, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { NOTIFICATIONS_ORDER_KEY } from '../loaders/notification.loader';
import { Activity } from '../schema/activity.type';
import { CachePrivate } from '../schema/cache-control';
import { CollaborationWrite } from '../schema/collaboration-write';
import type { ConnectionPayload } from '../schema/connection.type';
import { ConnectionSize, Cost } from '../schema/cost-directives';
import {
  MarkNotificationsReadInput,
  Notification,
  NotificationConnection,
  NotificationPageArgs,
} from '../schema/notification.type';
import { User } from '../schema/user.type';
import { requireViewer, viewerRole } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import type { NotificationRow } from '../src/db/types';
import { forbidden } from '../src/graphql/errors';
import { markNotificationsRead } from '../src/services/notifications.service';
import { pageWindow, toConnection, type KeysetOrder } from './connection';
import { toActivity, toNotification } from './mappers';

const NOTIFICATION_ORDER: KeysetOrder<NotificationRow> = {
  key: NOTIFICATIONS_ORDER_KEY,
  valueKind: 'timestamp',
  idKind: 'bigint',
  value: (row) => row.created_at,
  id: (row) => row.id,
};

/** A user's notifications are theirs alone: anyone else asking is refused, and only that field is null. */
function requireSelf(ctx: GatewayContext, user: User): void {
  if (requireViewer(ctx).id !== user.id) throw forbidden('Notifications are private to their user.');
}

@Resolver(() => User)
export class UserNotificationsResolver {
  // Never kept in the response cache: marking read writes no activity entry, so no generation would move.
  @CachePrivate(0)
  @ConnectionSize()
  @FieldResolver(() => NotificationConnection, {
    nullable: true,
    description: 'The viewer’s notifications, newest first (another user’s: null, FORBIDDEN).',
  })
  async notifications(
    @Root() user: User,
    @Args(() => NotificationPageArgs) args: NotificationPageArgs,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionPayload<Notification>> {
    requireSelf(ctx, user);
    const loaderArgs = { ...pageWindow(args, NOTIFICATION_ORDER), unreadOnly: args.unreadOnly };
    const page = await ctx.loaders.notificationsPage.load({ parentId: user.id, args: loaderArgs });
    return toConnection(page, NOTIFICATION_ORDER, toNotification, () =>
      ctx.loaders.notificationTotal.load({ parentId: user.id, args: { unreadOnly: args.unreadOnly } }),
    );
  }

  // A count statement of its own, priced as every count is.
  @Cost(1)
  @CachePrivate(0)
  @FieldResolver(() => Int, {
    nullable: true,
    description: 'How many of the viewer’s notifications are unread (another user’s: null, FORBIDDEN).',
  })
  unreadNotificationCount(@Root() user: User, @Ctx() ctx: GatewayContext): Promise<number> {
    requireSelf(ctx, user);
    return ctx.loaders.notificationTotal.load({ parentId: user.id, args: { unreadOnly: true } });
  }

  @CollaborationWrite(
    () => Int,
    'Marks notifications of the viewer read, all or none; returns how many were unread. An id that is not one of the viewer’s is NOT_FOUND.',
  )
  markNotificationsRead(
    @Arg('input', { description: 'The notifications.' }) input: MarkNotificationsReadInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<number> {
    return markNotificationsRead(ctx, input.ids);
  }
}

@Resolver(() => Notification)
export class NotificationResolver {
  @FieldResolver(() => Activity, {
    nullable: true,
    description: 'The activity entry it tells of; null once its organization is no longer the viewer’s.',
  })
  async activity(@Root() notification: Notification, @Ctx() ctx: GatewayContext): Promise<Activity | null> {
    if (!viewerRole(ctx, notification.organizationId)) return null;
    const row = await ctx.loaders.activityById.load(notification.activityId);
    return row ? toActivity(row) : null;
  }
}
