import { Int, Resolver } from 'type-graphql';
import { ParentField, ConnectionField } from '../schema/resolver-fields';
import { NOTIFICATION_ORDER } from '../loaders/notification.loader';
import { Activity } from '../schema/activity.type';
import { CachePrivate } from '../schema/cache-control';
import { CollaborationWrite } from '../schema/collaboration-write';
import type { ConnectionPayload } from '../schema/connection.type';
import { Cost } from '../schema/cost-directives';
import {
  MarkNotificationsReadInput,
  Notification,
  NotificationConnection,
  NotificationPageArgs,
} from '../schema/notification.type';
import { User } from '../schema/user.type';
import { requireViewer, viewerRole } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import { forbidden } from '../src/graphql/errors';
import { markNotificationsRead } from '../src/services/notifications.service';
import { pageWindow, toConnection } from './connection';
import { toActivity, toNotification } from './mappers';

/** A user's notifications are theirs alone: anyone else asking is refused, and only that field is null. */
function requireSelf(ctx: GatewayContext, user: User): void {
  if (requireViewer(ctx).id !== user.id) throw forbidden('Notifications are private to their user.');
}

@Resolver(() => User)
export class UserNotificationsResolver {
  // Never kept in the response cache: marking read writes no activity entry, so no generation would move.
  @CachePrivate(0)
  @ConnectionField(() => NotificationConnection, {
    nullable: true,
    description: 'The viewer’s notifications, newest first (another user’s: null, FORBIDDEN).',
  })
  async notifications(
    user: User,
    args: NotificationPageArgs,
    ctx: GatewayContext,
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
  @ParentField(() => Int, {
    nullable: true,
    description: 'How many of the viewer’s notifications are unread (another user’s: null, FORBIDDEN).',
  })
  unreadNotificationCount(user: User, ctx: GatewayContext): Promise<number> {
    requireSelf(ctx, user);
    return ctx.loaders.notificationTotal.load({ parentId: user.id, args: { unreadOnly: true } });
  }

  @CollaborationWrite(() => Int, {
    description:
      'Marks notifications of the viewer read, all or none; returns how many were unread. An id that is not one of the viewer’s is NOT_FOUND.',
    inputDescription: 'The notifications.',
  })
  markNotificationsRead(input: MarkNotificationsReadInput, ctx: GatewayContext): Promise<number> {
    return markNotificationsRead(ctx, input.ids);
  }
}

@Resolver(() => Notification)
export class NotificationResolver {
  @ParentField(() => Activity, {
    nullable: true,
    description: 'The activity entry it tells of; null once its organization is no longer the viewer’s.',
  })
  async activity(notification: Notification, ctx: GatewayContext): Promise<Activity | null> {
    if (!viewerRole(ctx, notification.organizationId)) return null;
    const row = await ctx.loaders.activityById.load(notification.activityId);
    return row ? toActivity(row) : null;
  }
}
