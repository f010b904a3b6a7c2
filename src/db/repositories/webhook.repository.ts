import { sql, type Kysely } from 'kysely';
import type { Database, WebhookDeliveryRow, WebhookRow } from '../types';
import { belowOrganizationLimit } from './organization-limit';

/** Webhooks one organization may have: each event of the organization is queued once per webhook. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 20;

/**
 * Adds a webhook, unless its organization has MAX_WEBHOOKS_PER_ORGANIZATION already (checked under a lock on
 * the organization's row, so concurrent creations cannot pass the limit together). Returns null then.
 */
export async function insertWebhook(
  db: Kysely<Database>,
  input: { organizationId: string; url: string; events: readonly string[]; secret: string; createdBy: string },
): Promise<WebhookRow | null> {
  return db.transaction().execute(async (trx) => {
    if (!(await belowOrganizationLimit(trx, 'webhooks', input.organizationId, MAX_WEBHOOKS_PER_ORGANIZATION)))
      return null;
    return trx
      .insertInto('webhooks')
      .values({
        organization_id: input.organizationId,
        url: input.url,
        events: [...input.events],
        secret: input.secret,
        created_by: input.createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Deletes a webhook and its delivery log; events still queued for it are dropped when their turn comes. */
export async function deleteWebhook(db: Kysely<Database>, webhookId: string): Promise<boolean> {
  const deleted = await db.deleteFrom('webhooks').where('id', '=', webhookId).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

/** What a delivery worker needs to send an event: where, and the secret to sign it with. */
export async function webhookTarget(
  db: Kysely<Database>,
  webhookId: string,
): Promise<Pick<WebhookRow, 'url' | 'secret'> | undefined> {
  return db.selectFrom('webhooks').select(['url', 'secret']).where('id', '=', webhookId).executeTakeFirst();
}

/** Logs one attempt's outcome (the delivery log shows one row per attempt). */
export async function recordDeliveryAttempt(
  db: Kysely<Database>,
  attempt: Omit<WebhookDeliveryRow, 'id' | 'attempted_at' | 'next_retry_at'>,
): Promise<string> {
  const row = await db
    .insertInto('webhook_deliveries')
    .values(attempt)
    .returning('id')
    .executeTakeFirstOrThrow()
    // The webhook was deleted while this attempt was under way: there is no log to add to.
    .catch((error: unknown) => {
      if ((error as { code?: string }).code === '23503') return { id: '' };
      throw error;
    });
  return row.id;
}

/** When the next attempt of a failed one is due (as the queue scheduled it). */
export async function noteNextRetry(db: Kysely<Database>, deliveryId: string, at: Date | null): Promise<void> {
  if (!deliveryId) return;
  await db
    .updateTable('webhook_deliveries')
    .set({ next_retry_at: at ?? sql<null>`NULL` })
    .where('id', '=', deliveryId)
    .execute();
}
