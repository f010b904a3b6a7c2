import { anyUuid, definers } from './sql';
import { definePageLoader, type PageStatement } from './pages';
import type { EntityPrimer } from './joins';
import type { Kysely } from 'kysely';
import type { Database, WebhookDeliveryRow, WebhookRow } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import type { LoaderSettings } from './loader-toolkit';
import { keysetOrder } from './keyset-order';
import { countedRows } from './counts';

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

export function createWebhookLoaders(db: Kysely<Database>, settings: LoaderSettings, prime: EntityPrimer) {
  const define = definers(db, settings);
  const listings = () => db.selectFrom('webhooks').select(LISTING_COLUMNS);
  return {
    /** An organization's webhooks, oldest first (admins read them: Organization.webhooks). */
    webhooksOfOrganization: define.listsByParent('webhooksOfOrganization', 'organization_id', (ids) =>
      listings().where('organization_id', '=', anyUuid(ids)).orderBy('created_at').orderBy('id'),
    ),
    webhookById: define.byId('webhookById', (ids) => listings().where('id', '=', anyUuid(ids))),

    deliveriesPage: definePageLoader(db, settings, prime, {
      name: 'deliveriesPage',
      statement: (args: DeliveryPageParams): PageStatement<WebhookDeliveryRow> => ({
        parents: 'webhooks',
        children: (eb) => eb.selectFrom('webhook_deliveries as d').selectAll('d').whereRef('d.webhook_id', '=', 'p.id'),
        order: DELIVERY_ORDER.columns,
        window: args,
      }),
      parentColumn: 'webhook_id',
    }),

    deliveryTotal: define.count<Record<string, never>>({
      loader: 'deliveryTotal',
      rows: (database) => countedRows(database.selectFrom('webhook_deliveries')),
      parentColumn: () => 'webhook_id',
    }),

    deliveryById: define.byId('deliveryById', (ids) =>
      db.selectFrom('webhook_deliveries').selectAll().where('id', '=', anyUuid(ids)),
    ),
  };
}
