import type { Config } from '../config';
import type { GatewayContext } from '../context';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { AnalyticsSignals, type AnalyticsSignal } from './analytics-signals';
import type { EventBus } from './event-bus';
import { openStream } from './event-stream';
import { organizationChannel, userChannel, type ActivityEvent } from './events';

/** The context of one subscription: a request context whose viewer and loaders are renewed for every event. */
export interface LiveContext extends GatewayContext {
  /** Replaces viewer and loaders with fresh ones: nothing read for one event is reused for the next. */
  renew(): Promise<void>;
  /** When the event being resolved was published (for the delivery latency). */
  publishedAt?: number;
}

export function isLiveContext(ctx: GatewayContext): ctx is LiveContext {
  return typeof (ctx as Partial<LiveContext>).renew === 'function';
}

export interface ActivityStreamRequest {
  field: string;
  channel: 'organization' | 'reviewer';
  /** The organization (or, for `reviewer`, the reviewer's user id) whose channel is heard. */
  id: string;
  accepts: (event: ActivityEvent) => boolean;
  /** Entries after the client's cursor, oldest first. */
  replay?: () => Promise<ActivityEvent[]>;
  /**
   * What losing membership of an event's organization does: `end` the subscription with this error (a
   * study's or organization's feed), or `skip` the event (a reviewer's requests from several organizations).
   */
  onAccessLost: { end: () => Error } | 'skip';
}

/**
 * Subscriptions' live side, built once per process: committed activity goes out on the bus, each
 * subscription hears its channel, and every event is checked against the subscriber's current rights
 * with fresh loaders before it is resolved.
 */
export class Realtime {
  private readonly signals: AnalyticsSignals;

  constructor(
    private readonly bus: EventBus,
    private readonly config: Config['realtime'],
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.signals = new AnalyticsSignals(bus, config.analyticsSignalSeconds * 1000);
  }

  /** Told of every committed activity entry (see createRepositories); never fails the write that made it. */
  readonly committed = (event: ActivityEvent): void => {
    this.bus.publish(event).catch((error: unknown) => {
      this.metrics.realtimeFaults.inc({ kind: 'publish' });
      this.logger.warn({ err: error, activityId: event.id }, 'activity event not published; subscribers resuming with `after` still get it');
    });
  };

  activity(ctx: LiveContext, request: ActivityStreamRequest): Promise<AsyncIterableIterator<ActivityEvent>> {
    const channel = request.channel === 'organization' ? organizationChannel(request.id) : userChannel(request.id);
    return openStream<ActivityEvent>({
      listen: (push) => this.bus.listen(channel, (event) => request.accepts(event) && push(event)),
      replay: request.replay,
      keyOf: (event) => event.id,
      bufferSize: this.config.sendBufferEvents,
      onDropped: () => this.metrics.eventsDropped.inc({ field: request.field }),
      beforeDelivery: async (event) => {
        await ctx.renew();
        if (!ctx.viewer?.roles.has(event.organizationId)) {
          if (request.onAccessLost === 'skip') return false;
          throw request.onAccessLost.end();
        }
        ctx.publishedAt = event.publishedAt;
        return true;
      },
    });
  }

  analyticsChanged(ctx: LiveContext, organizationId: string, accessLost: () => Error): Promise<AsyncIterableIterator<AnalyticsSignal>> {
    return openStream<AnalyticsSignal>({
      listen: (push) => this.signals.subscribe(organizationId, push),
      // A signal waiting to be sent is superseded by the next: one is enough to tell a dashboard to refetch.
      bufferSize: 1,
      onDropped: () => this.metrics.eventsDropped.inc({ field: 'organizationAnalyticsChanged' }),
      beforeDelivery: async (signal) => {
        await ctx.renew();
        if (!ctx.viewer?.roles.has(organizationId)) throw accessLost();
        ctx.publishedAt = signal.publishedAt;
        return true;
      },
    });
  }

  async close(): Promise<void> {
    this.signals.close();
    await this.bus.close();
  }
}
