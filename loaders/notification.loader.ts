import type { Kysely } from 'kysely';
import type { Database, NotificationRow } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import {
  byKey,
  byKeyOf,
  countsByParent,
  createPageLoader,
  createParentLoader,
  defineLoader,
  groupBy,
} from './loader-toolkit';
import type { LoaderSettings } from './loader-toolkit';
import { pagesOfParents } from './pages';
import { anyBigint, anyUuid, pairIn, selectByShape } from './sql';
import { keysetOrder } from './keyset-order';

export interface NotificationPageParams {
  first: number;
  after: Cursor | null;
  backward: boolean;
  unreadOnly: boolean;
}

/** A user's notifications, newest first: keyset on (created_at, id) descending. */
export const NOTIFICATION_ORDER = keysetOrder<NotificationRow>('notifications:created_at', {
  value: 'n.created_at',
  id: 'n.id',
  direction: 'desc',
  valueType: 'timestamptz',
  idType: 'bigint',
});

export function createNotificationLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    /** Pages of users' notifications (a user reads only their own: User.notifications). */
    notificationsPage: createPageLoader<NotificationPageParams, NotificationRow>(
      settings,
      'notificationsPage',
      async (userIds, args, argsKey) =>
        groupBy(
          await selectByShape(db, settings, `notificationsPage|${argsKey}`, userIds, (ids) =>
            pagesOfParents(
              db,
              {
                parents: 'users',
                children: (eb) => {
                  const page = eb.selectFrom('notifications as n').selectAll('n').whereRef('n.user_id', '=', 'p.id');
                  return args.unreadOnly ? page.where('n.read_at', 'is', null) : page;
                },
                order: NOTIFICATION_ORDER.columns,
                first: args.first,
                after: args.after,
                backward: args.backward,
              },
              ids,
            ),
          ),
          'user_id',
        ),
    ),

    /** How many notifications a user has (all, or unread only). */
    notificationTotal: createParentLoader<{ unreadOnly: boolean }, number>(
      settings,
      'notificationTotal',
      async (userIds, args, argsKey) =>
        countsByParent(
          await selectByShape(db, settings, `notificationTotal|${argsKey}`, userIds, (ids) => {
            const query = db
              .selectFrom('notifications')
              .select((eb) => ['user_id as parent', eb.fn.countAll<string>().as('count')])
              .where('user_id', '=', anyUuid(ids));
            return (args.unreadOnly ? query.where('read_at', 'is', null) : query).groupBy('user_id');
          }),
        ),
      () => 0,
    ),

    /** A user's notification of one activity entry, keyed `<activity id>:<user id>` (a notifications subscription's event). */
    notificationOfEntry: defineLoader<string, NotificationRow | null>(settings, 'notificationOfEntry', async (keys) => {
      const rows = await db
        .selectFrom('notifications')
        .selectAll()
        .where(pairIn(['activity_id', 'user_id'], ['bigint', 'uuid'], keys))
        .execute();
      return byKeyOf(keys, rows, (row) => `${row.activity_id}:${row.user_id}`);
    }),

    /** By number (node(id:), markNotificationsRead); whose it is, the caller checks. */
    notificationById: defineLoader<string, NotificationRow | null>(settings, 'notificationById', async (ids) =>
      byKey(ids, await db.selectFrom('notifications').selectAll().where('id', '=', anyBigint(ids)).execute(), 'id'),
    ),
  };
}
