import type { Kysely } from 'kysely';
import type { Database, WebhookDeliveryRow, WebhookRow } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import {
  byKey,
  countsByParent,
  createPageLoader,
  createParentLoader,
  defineLoader,
  groupBy,
  listsByParent,
} from './loader-toolkit';
import type { LoaderSettings } from './loader-toolkit';
import { pagesOfParents } from './pages';
import { anyUuid, selectByShape } from './sql';
import { keysetOrder } from './keyset-order';

export interface DeliveryPageParams {
  first: number;
  after: Cursor | null;
  backward: boolean;
}

/** A webhook's delivery log, newest attempt first: keyset on (attempted_at, id) descending. */
export const DELIVERY_ORDER = keysetOrder<WebhookDeliveryRow>('webhook_deliveries:attempted_at', {
  value: 'd.attempted_at',
  id: 'd.id',
  direction: 'desc',
  valueType: 'timestamptz',
  idType: 'uuid',
});

/** Webhooks without their secret: it is shown once, when created, and read only by the delivery worker. */
export type WebhookListing = Omit<WebhookRow, 'secret'>;
const LISTING_COLUMNS = ['id', 'organization_id', 'url', 'events', 'created_by', 'created_at'] as const;

export function createWebhookLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    /** An organization's webhooks, oldest first (admins read them: Organization.webhooks). */
    webhooksOfOrganization: defineLoader<string, WebhookListing[]>(settings, 'webhooksOfOrganization', async (ids) =>
      listsByParent(
        ids,
        await db
          .selectFrom('webhooks')
          .select(LISTING_COLUMNS)
          .where('organization_id', '=', anyUuid(ids))
          .orderBy('created_at')
          .orderBy('id')
          .execute(),
        'organization_id',
      ),
    ),

    webhookById: defineLoader<string, WebhookListing | null>(settings, 'webhookById', async (ids) =>
      byKey(
        ids,
        await db.selectFrom('webhooks').select(LISTING_COLUMNS).where('id', '=', anyUuid(ids)).execute(),
        'id',
      ),
    ),

    deliveriesPage: createPageLoader<DeliveryPageParams, WebhookDeliveryRow>(
      settings,
      'deliveriesPage',
      async (webhookIds, args, argsKey) =>
        groupBy(
          await selectByShape(db, settings, `deliveriesPage|${argsKey}`, webhookIds, (ids) =>
            pagesOfParents(
              db,
              {
                parents: 'webhooks',
                children: (eb) =>
                  eb.selectFrom('webhook_deliveries as d').selectAll('d').whereRef('d.webhook_id', '=', 'p.id'),
                order: DELIVERY_ORDER.columns,
                first: args.first,
                after: args.after,
                backward: args.backward,
              },
              ids,
            ),
          ),
          'webhook_id',
        ),
    ),

    deliveryTotal: createParentLoader<Record<string, never>, number>(
      settings,
      'deliveryTotal',
      async (webhookIds, _args, argsKey) =>
        countsByParent(
          await selectByShape(db, settings, `deliveryTotal|${argsKey}`, webhookIds, (ids) =>
            db
              .selectFrom('webhook_deliveries')
              .select((eb) => ['webhook_id as parent', eb.fn.countAll<string>().as('count')])
              .where('webhook_id', '=', anyUuid(ids))
              .groupBy('webhook_id'),
          ),
        ),
      () => 0,
    ),

    deliveryById: defineLoader<string, WebhookDeliveryRow | null>(settings, 'deliveryById', async (ids) =>
      byKey(ids, await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', anyUuid(ids)).execute(), 'id'),
    ),
  };
}
