import { ArrayMaxSize, ArrayMinSize, ArrayUnique, MaxLength } from 'class-validator';
import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CachePrivate } from './cache-control';
import { Connection } from './connection.type';
import { ActivityType } from './enums';
import { UuidField } from './uuid-field';

/** The longest webhook URL taken. */
const MAX_WEBHOOK_URL_LENGTH = 2000;

// Webhooks and their delivery log change without activity entries (attempts): never kept in the response cache.
@CachePrivate(0)
@ObjectType({
  simpleResolvers: true,
  description:
    'Where an organization’s activity is POSTed: each entry of a chosen type, as JSON, signed with the webhook’s secret (`X-Studygraph-Signature: sha256=<HMAC-SHA256 of the body>`), with its event id (`X-Studygraph-Event-Id`) for de-duplication. Delivered at least once, in order per webhook, retried with exponential backoff.',
})
export class Webhook {
  @Field(() => ID, { description: 'The webhook’s id.' })
  id!: string;

  @Field(() => String, { description: 'Where events are POSTed (http or https).' })
  url!: string;

  @Field(() => [ActivityType], { description: 'The activity types sent.' })
  events!: ActivityType[];

  @Field(() => GraphQLISODateTime, { description: 'When it was created.' })
  createdAt!: Date;

  organizationId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A new webhook and its signing secret.' })
export class WebhookCreation {
  @Field(() => Webhook, { description: 'The webhook.' })
  webhook!: Webhook;

  @Field(() => String, {
    description: 'The secret its deliveries are signed with. Shown this once: it cannot be read again.',
  })
  secret!: string;
}

@CachePrivate(0)
@ObjectType({ simpleResolvers: true, description: 'One attempt to deliver one event to a webhook.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'The attempt’s id (redeliverWebhookDelivery takes it).' })
  id!: string;

  @Field(() => ID, { description: 'The event’s id (its activity entry’s), the same on every attempt and redelivery.' })
  eventId!: string;

  @Field(() => ActivityType, { description: 'The event’s type.' })
  event!: ActivityType;

  @Field(() => Int, { description: 'Which attempt of its series this was, from 1.' })
  attempt!: number;

  @Field(() => Boolean, { description: 'Part of a series an admin asked for (redeliverWebhookDelivery).' })
  redelivery!: boolean;

  @Field(() => Boolean, { description: 'The receiver answered 2xx.' })
  succeeded!: boolean;

  @Field(() => Int, {
    nullable: true,
    description: 'The receiver’s HTTP status; null when none came (timeout, refused).',
  })
  responseCode!: number | null;

  @Field(() => Int, { description: 'How long the attempt took, in milliseconds.' })
  durationMs!: number;

  @Field(() => String, { nullable: true, description: 'Why it failed; null when it succeeded.' })
  error!: string | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When the next attempt is due; null when none follows (it succeeded, or this was the last).',
  })
  nextRetryAt!: Date | null;

  @Field(() => GraphQLISODateTime, { description: 'When the attempt ended.' })
  attemptedAt!: Date;

  webhookId!: string;
}

export const WebhookDeliveryConnection = Connection('WebhookDelivery', WebhookDelivery);

@InputType({ description: 'A webhook to create.' })
export class CreateWebhookInput {
  @UuidField({ description: 'The organization whose activity it is sent.' })
  organizationId!: string;

  @Field(() => String, {
    description: `An http or https URL, at most ${MAX_WEBHOOK_URL_LENGTH} characters, without credentials; in production not one that resolves to a loopback, private or link-local address.`,
  })
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  url!: string;

  @Field(() => [ActivityType], { description: 'The activity types to send, each once.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(Object.keys(ActivityType).length)
  @ArrayUnique()
  events!: ActivityType[];
}

@InputType({ description: 'A webhook to delete.' })
export class DeleteWebhookInput {
  @UuidField({ description: 'The webhook.' })
  webhookId!: string;
}

@InputType({ description: 'A delivery to send again.' })
export class RedeliverWebhookDeliveryInput {
  @UuidField({ description: 'One attempt of the event (any of its series).' })
  deliveryId!: string;
}
