import type { Kysely } from 'kysely';
import { noteNextRetry, recordDeliveryAttempt, webhookTarget } from '../db/repositories/webhook.repository';
import type { Database } from '../db/types';
import type { Logger } from '../observability/logger';
import { sendWebhook, type SendOptions } from './send';
import type { WebhookQueue } from './webhook-queue';

/**
 * This process's share of webhook delivery: each claimed event is sent to its webhook's current URL, signed
 * with its secret, and every attempt's outcome is logged. An event whose webhook is gone is dropped.
 */
export async function startWebhookDelivery(
  queue: WebhookQueue,
  db: Kysely<Database>,
  options: SendOptions & { logger: Logger },
): Promise<void> {
  await queue.work(async (job) => {
    const { webhookId, eventId, eventType, body, redelivery } = job.data;
    const target = await webhookTarget(db, webhookId);
    if (!target) return 'done';
    const outcome = await sendWebhook({ url: target.url, secret: target.secret, eventId, eventType, body }, options);
    const retry = !outcome.succeeded && !job.lastAttempt;
    const deliveryId = await recordDeliveryAttempt(db, {
      webhook_id: webhookId,
      event_id: eventId,
      event_type: eventType,
      body,
      attempt: job.attempt,
      redelivery,
      succeeded: outcome.succeeded,
      response_code: outcome.responseCode,
      duration_ms: outcome.durationMs,
      error: outcome.error,
    });
    if (!outcome.succeeded)
      options.logger.info(
        { webhookId, eventId, attempt: job.attempt, error: outcome.error, retry },
        'webhook delivery attempt failed',
      );
    return retry ? (at: Date | null) => noteNextRetry(db, deliveryId, at) : 'done';
  });
}
