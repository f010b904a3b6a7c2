import { ID, Resolver } from 'type-graphql';
import { ParentField, ConnectionField } from '../schema/resolver-fields';
import { DELIVERY_ORDER, type WebhookListing } from '../loaders/webhook.loader';
import { CachePrivate } from '../schema/cache-control';
import { CollaborationWrite } from '../schema/collaboration-write';
import type { ConnectionPayload } from '../schema/connection.type';
import { ListSize } from '../schema/cost-directives';
import type { ActivityType } from '../schema/enums';
import { Organization } from '../schema/organization.type';
import { PageArgs } from '../schema/pagination.args';
import {
  CreateWebhookInput,
  DeleteWebhookInput,
  RedeliverWebhookDeliveryInput,
  Webhook,
  WebhookCreation,
  WebhookDelivery,
  WebhookDeliveryConnection,
} from '../schema/webhook.type';
import { parseUuid, requireOrganizationRole } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import type { WebhookDeliveryRow } from '../src/db/types';
import { createWebhook, deleteWebhook, redeliverWebhookDelivery } from '../src/services/webhooks.service';
import { pageWindow, toConnection } from './connection';

function toWebhook(row: WebhookListing): Webhook {
  return Object.assign(new Webhook(), {
    id: row.id,
    url: row.url,
    events: row.events as ActivityType[],
    createdAt: row.created_at,
    organizationId: row.organization_id,
  });
}

function toDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return Object.assign(new WebhookDelivery(), {
    id: row.id,
    eventId: row.event_id,
    event: row.event_type.toLowerCase() as ActivityType,
    attempt: row.attempt,
    redelivery: row.redelivery,
    succeeded: row.succeeded,
    responseCode: row.response_code,
    durationMs: row.duration_ms,
    error: row.error,
    nextRetryAt: row.next_retry_at,
    attemptedAt: row.attempted_at,
    webhookId: row.webhook_id,
  });
}

@Resolver(() => Organization)
export class OrganizationWebhooksResolver {
  @CachePrivate(0)
  @ListSize({ assumedSize: 20 })
  @ParentField(() => [Webhook], {
    nullable: true,
    description: 'The organization’s webhooks, oldest first: its admins and owners only (others: null, FORBIDDEN).',
  })
  async webhooks(organization: Organization, ctx: GatewayContext): Promise<Webhook[]> {
    requireOrganizationRole(ctx, organization.id, 'admin', 'read webhooks');
    return (await ctx.loaders.webhooksOfOrganization.load(organization.id)).map(toWebhook);
  }

  @CollaborationWrite(() => WebhookCreation, {
    description:
      'Creates a webhook: the organization’s activity entries of the chosen types are POSTed to its URL. Organization admins and owners. The signing secret is in the answer, this once.',
    inputDescription: 'The organization, URL and event types.',
  })
  async createWebhook(input: CreateWebhookInput, ctx: GatewayContext): Promise<WebhookCreation> {
    const { webhook, secret } = await createWebhook(ctx, {
      organizationId: parseUuid(input.organizationId, 'input.organizationId'),
      url: input.url,
      events: input.events,
    });
    return Object.assign(new WebhookCreation(), { webhook: toWebhook(webhook), secret });
  }

  @CollaborationWrite(() => ID, {
    description: 'Deletes a webhook and its delivery log; returns its id. Organization admins and owners.',
    inputDescription: 'The webhook.',
  })
  deleteWebhook(input: DeleteWebhookInput, ctx: GatewayContext): Promise<string> {
    return deleteWebhook(ctx, parseUuid(input.webhookId, 'input.webhookId'));
  }

  @CollaborationWrite(() => Webhook, {
    description:
      'Sends an event again: a new series of attempts, queued behind what its webhook has waiting. Organization admins and owners.',
    inputDescription: 'One attempt of the event.',
  })
  async redeliverWebhookDelivery(input: RedeliverWebhookDeliveryInput, ctx: GatewayContext): Promise<Webhook | null> {
    const webhookId = await redeliverWebhookDelivery(ctx, parseUuid(input.deliveryId, 'input.deliveryId'));
    const row = await ctx.loaders.webhookById.load(webhookId);
    return row ? toWebhook(row) : null;
  }
}

@Resolver(() => Webhook)
export class WebhookResolver {
  @CachePrivate(0)
  @ConnectionField(() => WebhookDeliveryConnection, { description: 'Its delivery log, newest attempt first.' })
  async deliveries(webhook: Webhook, args: PageArgs, ctx: GatewayContext): Promise<ConnectionPayload<WebhookDelivery>> {
    requireOrganizationRole(ctx, webhook.organizationId, 'admin', 'read webhook deliveries');
    const page = await ctx.loaders.deliveriesPage.load({
      parentId: webhook.id,
      args: pageWindow(args, DELIVERY_ORDER),
    });
    return toConnection(page, DELIVERY_ORDER, toDelivery, () =>
      ctx.loaders.deliveryTotal.load({ parentId: webhook.id, args: {} }),
    );
  }
}
