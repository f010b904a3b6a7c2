import { LRUCache } from 'lru-cache';
import type { Config } from '../config';
import type { ActivityRow, StudyRow, UserRow } from '../db/types';
import type { Viewer } from '../auth/viewer';
import type { Loaders } from '../../loaders';
import { serviceUnavailable } from '../graphql/errors';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { AnalyticsSignals, type AnalyticsSignal } from './analytics-signals';
import type { EventBus } from './event-bus';
import { openStream } from './event-stream';
import { organizationChannel, userChannel, type ActivityEvent } from './events';

/** What a stream needs of a subscription's context (src/realtime/live-context.ts): the viewer and loaders, renewed per event. */
export interface LiveSession {
  readonly viewer: Viewer | null;
  readonly loaders: Loaders;
  /** Replaces viewer and loaders with fresh ones: nothing read for one event is reused for the next. */
  renew(): Promise<void>;
  /** When the event being resolved was published (for the delivery latency). */
  publishedAt?: number;
  /** Before each event is resolved: its estimated cost is taken from the subscriber's budget, or the subscription ends RATE_LIMITED (a client resumes later with `after`). */
  admitDelivery(): Promise<void>;
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

/** What every subscriber's answer to one event starts from: read once per process, then primed into each one's fresh loaders. */
interface EventRows {
  activity: ActivityRow | null;
  study: StudyRow | null;
  actor: UserRow | null;
}

/** Events whose rows are kept for the subscribers still being served: a burst's worth, for seconds. */
const EVENT_ROWS_KEPT = 1000;
const EVENT_ROWS_TTL_MS = 10_000;

/**
 * Subscriptions' live side, built once per process: committed activity goes out on the bus, each
 * subscription hears its channel, and every event is checked against the subscriber's current rights
 * with fresh loaders before it is resolved.
 */
export class Realtime {
  private readonly signals: AnalyticsSignals;
  /**
   * An event's rows (the entry, its study, its actor) by entry id, read through the first subscriber's fresh
   * loaders: a hundred subscribers of one organization cost one read of them, not a hundred. Rows are the
   * same for every reader; what each subscriber may see is decided before, by its own membership check.
   */
  private readonly eventRows = new LRUCache<string, Promise<EventRows>>({
    max: EVENT_ROWS_KEPT,
    ttl: EVENT_ROWS_TTL_MS,
  });

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
      this.logger.warn(
        { err: error, activityId: event.id },
        'activity event not published; subscribers resuming with `after` still get it',
      );
    });
  };

  activity(ctx: LiveSession, request: ActivityStreamRequest): Promise<AsyncIterableIterator<ActivityEvent>> {
    const channel = request.channel === 'organization' ? organizationChannel(request.id) : userChannel(request.id);
    return openStream<ActivityEvent>({
      listen: (push, interrupt) =>
        this.bus.listen(
          channel,
          (event) => request.accepts(event) && push(event),
          () =>
            interrupt(
              serviceUnavailable(
                'Live events were interrupted (the event store reconnected): subscribe again with `after` set to the last cursor you received.',
              ),
            ),
        ),
      // Replayed entries are delivered, and charged, like live ones (LiveSession.admitDelivery).
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
        await ctx.admitDelivery();
        await this.primeEventRows(ctx, event);
        ctx.publishedAt = event.publishedAt;
        return true;
      },
    });
  }

  /** Primes this subscriber's fresh loaders with the event's rows, reading them if no subscriber has yet. */
  private async primeEventRows(ctx: LiveSession, event: ActivityEvent): Promise<void> {
    let rows = this.eventRows.get(event.id);
    if (!rows) {
      const { loaders } = ctx;
      rows = (async () => {
        const activity = await loaders.activityById.load(event.id);
        const [study, actor] = await Promise.all([
          activity?.study_id ? loaders.studyById.load(activity.study_id) : null,
          activity?.user_id ? loaders.userById.load(activity.user_id) : null,
        ]);
        return { activity, study, actor };
      })();
      this.eventRows.set(event.id, rows);
      // A failed read is not kept: the next subscriber reads again.
      rows.catch(() => this.eventRows.get(event.id) === rows && this.eventRows.delete(event.id));
    }
    const { activity, study, actor } = await rows;
    if (activity) ctx.loaders.activityById.prime(event.id, activity);
    if (study) ctx.loaders.studyById.prime(study.id, study);
    if (actor) ctx.loaders.userById.prime(actor.id, actor);
  }

  analyticsChanged(
    ctx: LiveSession,
    organizationId: string,
    accessLost: () => Error,
  ): Promise<AsyncIterableIterator<AnalyticsSignal>> {
    return openStream<AnalyticsSignal>({
      listen: (push) => this.signals.subscribe(organizationId, push),
      // A signal waiting to be sent is superseded by the next: one is enough to tell a dashboard to refetch.
      bufferSize: 1,
      onDropped: () => this.metrics.eventsDropped.inc({ field: 'organizationAnalyticsChanged' }),
      beforeDelivery: async (signal) => {
        await ctx.renew();
        if (!ctx.viewer?.roles.has(organizationId)) throw accessLost();
        await ctx.admitDelivery();
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
