import { anyBigint, definers, pairIn } from './sql';
import { definePageLoader, type PageStatement } from './pages';
import type { EntityPrimer } from './joins';
import type { Kysely } from 'kysely';
import type { Database, NotificationRow } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import type { LoaderSettings } from './loader-toolkit';
import { keysetOrder } from './keyset-order';
import { countedRows } from './counts';

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

export function createNotificationLoaders(db: Kysely<Database>, settings: LoaderSettings, prime: EntityPrimer) {
  const define = definers(db, settings);
  const notifications = () => db.selectFrom('notifications').selectAll();
  return {
    /** Pages of users' notifications (a user reads only their own: User.notifications). */
    notificationsPage: definePageLoader(db, settings, prime, {
      name: 'notificationsPage',
      statement: (args: NotificationPageParams): PageStatement<NotificationRow> => ({
        parents: 'users',
        children: (eb) => {
          const page = eb.selectFrom('notifications as n').selectAll('n').whereRef('n.user_id', '=', 'p.id');
          return args.unreadOnly ? page.where('n.read_at', 'is', null) : page;
        },
        order: NOTIFICATION_ORDER.columns,
        window: args,
      }),
      parentColumn: 'user_id',
    }),

    /** How many notifications a user has (all, or unread only). */
    notificationTotal: define.count<{ unreadOnly: boolean }>({
      loader: 'notificationTotal',
      rows: (database, { unreadOnly }) => {
        const rows = database.selectFrom('notifications');
        return countedRows(unreadOnly ? rows.where('read_at', 'is', null) : rows);
      },
      parentColumn: () => 'user_id',
    }),

    /** A user's notification of one activity entry, keyed `<activity id>:<user id>` (a notifications subscription's event). */
    notificationOfEntry: define.byPair(
      'notificationOfEntry',
      (keys) => notifications().where(pairIn(['activity_id', 'user_id'], ['bigint', 'uuid'], keys)),
      (row) => `${row.activity_id}:${row.user_id}`,
    ),
    /** By number (node(id:), markNotificationsRead); whose it is, the caller checks. */
    notificationById: define.byId('notificationById', (ids) => notifications().where('id', '=', anyBigint(ids))),
  };
}
