import { requireOrganizationRole, requireViewer, viewerRole } from '../auth/access';
import type { GatewayContext } from '../context/context';
import { MAX_WEBHOOKS_PER_ORGANIZATION } from '../db/repositories/webhook.repository';
import type { WebhookRow } from '../db/types';
import { badUserInput, notFound, notSupported } from '../graphql/errors';
import { assertPublicHost, ForbiddenAddressError } from '../webhooks/address-guard';
import { newWebhookSecret } from '../webhooks/signature';
import type { WebhookQueue } from '../webhooks/webhook-queue';

function requireQueue(ctx: GatewayContext): WebhookQueue {
  const queue = ctx.services.webhooks;
  if (!queue)
    throw notSupported(
      'Webhooks need a PostgreSQL server (DATABASE_URL): the embedded database has no job queue to deliver them from.',
    );
  return queue;
}

/** A URL a webhook may have: http(s), no credentials, and (unless development allows it) a public host. */
async function checkedUrl(ctx: GatewayContext, text: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUserInput('url is not a valid URL.', 'input.url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw badUserInput('url must be an http or https URL.', 'input.url');
  if (url.username || url.password) throw badUserInput('url must not carry credentials.', 'input.url');
  if (!ctx.services.config.webhooks.allowPrivateAddresses) {
    try {
      await assertPublicHost(url);
    } catch (error) {
      if (error instanceof ForbiddenAddressError) throw badUserInput(`url refused: ${error.message}.`, 'input.url');
      throw badUserInput(`url refused: its host ${url.hostname} does not resolve.`, 'input.url');
    }
  }
  return url.toString();
}

/** Creates a webhook for an organization's admins; its secret is returned this once. */
export async function createWebhook(
  ctx: GatewayContext,
  input: { organizationId: string; url: string; events: readonly string[] },
): Promise<{ webhook: WebhookRow; secret: string }> {
  const viewer = requireViewer(ctx);
  requireOrganizationRole(ctx, input.organizationId, 'admin', 'create webhooks');
  requireQueue(ctx);
  const url = await checkedUrl(ctx, input.url);
  const secret = newWebhookSecret();
  const webhook = await ctx.repositories.insertWebhook({
    organizationId: input.organizationId,
    url,
    events: [...new Set(input.events)],
    secret,
    createdBy: viewer.id,
  });
  if (!webhook)
    throw badUserInput(
      `An organization has at most ${MAX_WEBHOOKS_PER_ORGANIZATION} webhooks; delete one first.`,
      'input.organizationId',
    );
  ctx.loaders.forget('webhooks');
  return { webhook, secret };
}

/** The webhook, for an admin of its organization; NOT_FOUND for anyone else (as if it did not exist). */
async function webhookOfAdmin(ctx: GatewayContext, webhookId: string, action: string) {
  requireViewer(ctx);
  const webhook = await ctx.loaders.webhookById.load(webhookId);
  if (!webhook || !viewerRole(ctx, webhook.organization_id)) throw notFound('Webhook', webhookId);
  requireOrganizationRole(ctx, webhook.organization_id, 'admin', action);
  return webhook;
}

/** Deletes a webhook (admins); what it still had queued is dropped. Returns its id. */
export async function deleteWebhook(ctx: GatewayContext, webhookId: string): Promise<string> {
  await webhookOfAdmin(ctx, webhookId, 'delete webhooks');
  if (!(await ctx.repositories.deleteWebhook(webhookId))) throw notFound('Webhook', webhookId);
  ctx.loaders.forget('webhooks');
  return webhookId;
}

/** Queues an event again for its webhook (admins): a new series of attempts, behind what the webhook has waiting. */
export async function redeliverWebhookDelivery(ctx: GatewayContext, deliveryId: string): Promise<WebhookRow['id']> {
  requireViewer(ctx);
  const delivery = await ctx.loaders.deliveryById.load(deliveryId);
  if (!delivery) throw notFound('WebhookDelivery', deliveryId);
  const webhook = await webhookOfAdmin(ctx, delivery.webhook_id, 'redeliver webhook events');
  await requireQueue(ctx).enqueueNow({
    webhookId: webhook.id,
    eventId: delivery.event_id,
    eventType: delivery.event_type,
    body: delivery.body,
    redelivery: true,
  });
  return webhook.id;
}
