import cluster from 'node:cluster';
import { withDeadline } from '../deadline';
import { serviceUnavailable } from '../graphql/errors';
import type { Logger } from '../observability/logger';
import { closeRedisClient, duplicateRedisClient, isCluster, startRedisClient, type RedisClient } from '../redis';
import { channelsOf, parseActivityEvent, type ActivityEvent } from './events';

export type EventListener = (event: ActivityEvent) => void;

/**
 * Where committed activity goes out and subscriptions listen. Without Redis it stays in this process;
 * with Redis it reaches every process (all workers, every host) through pub/sub.
 */
export interface EventBus {
  publish(event: ActivityEvent): Promise<void>;
  /**
   * Calls `listener` with every event on `channel` from now on; resolves once listening, to the way to
   * stop. `interrupted` is called (once) if events may have been missed since (the store's connection
   * dropped): a subscriber then resumes from its last cursor.
   */
  listen(channel: string, listener: EventListener, interrupted?: () => void): Promise<() => void>;
  close(): Promise<void>;
}

/** Listeners per channel, shared by both buses: a channel's first listener opens it, its last closes it. */
class Listeners {
  private readonly byChannel = new Map<string, Set<EventListener>>();

  add(channel: string, listener: EventListener): boolean {
    let set = this.byChannel.get(channel);
    const opened = set === undefined;
    if (!set) this.byChannel.set(channel, (set = new Set()));
    set.add(listener);
    return opened;
  }

  has(channel: string): boolean {
    return this.byChannel.has(channel);
  }

  /** True when the channel has no listener left. */
  remove(channel: string, listener: EventListener): boolean {
    const set = this.byChannel.get(channel);
    if (!set?.delete(listener) || set.size > 0) return false;
    this.byChannel.delete(channel);
    return true;
  }

  deliver(channel: string, event: ActivityEvent, logger: Logger): void {
    for (const listener of this.byChannel.get(channel) ?? []) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: error, channel }, 'subscription listener failed');
      }
    }
  }
}

export class InProcessEventBus implements EventBus {
  private readonly listeners = new Listeners();

  constructor(protected readonly logger: Logger) {}

  async publish(event: ActivityEvent): Promise<void> {
    for (const channel of channelsOf(event)) this.listeners.deliver(channel, event, this.logger);
  }

  async listen(channel: string, listener: EventListener): Promise<() => void> {
    this.listeners.add(channel, listener);
    return () => void this.listeners.remove(channel, listener);
  }

  async close(): Promise<void> {}
}

const CLUSTER_EVENT = 'studygraph:activity';

interface ClusterEventMessage {
  type: typeof CLUSTER_EVENT;
  event: ActivityEvent;
}

const isClusterEvent = (message: unknown): message is ClusterEventMessage =>
  (message as Partial<ClusterEventMessage> | null)?.type === CLUSTER_EVENT;

/**
 * WORKERS=N without Redis: the workers of one host share events through the cluster primary (IPC), so a
 * subscriber hears writes made through any worker. Separate hosts need Redis.
 */
export class ClusterEventBus extends InProcessEventBus {
  private readonly onMessage = (message: unknown) => {
    if (isClusterEvent(message)) void super.publish(message.event);
  };

  constructor(logger: Logger) {
    super(logger);
    process.on('message', this.onMessage);
  }

  override async publish(event: ActivityEvent): Promise<void> {
    await super.publish(event);
    // The primary gone (shutdown): the event stays in this worker; an 'error' on process would crash it.
    if (process.connected)
      process.send?.(
        { type: CLUSTER_EVENT, event } satisfies ClusterEventMessage,
        undefined,
        {},
        (error) => error && this.logger.debug({ err: error }, 'event not relayed to the other workers'),
      );
  }

  override async close(): Promise<void> {
    process.off('message', this.onMessage);
  }
}

/** In the primary of WORKERS=N without Redis: hands each worker's events to the other workers. */
export function relayClusterEvents(): void {
  cluster.on('message', (from, message: unknown) => {
    if (!isClusterEvent(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== from && worker.isConnected()) worker.send(message);
    }
  });
}

const CHANNEL_PREFIX = 'studygraph:rt:';
/** A subscribe that takes longer fails the subscription (the store is down or overloaded). */
const SUBSCRIBE_TIMEOUT_MS = 2000;

/**
 * Redis pub/sub: events are published with the process's shared client; one subscriber connection per
 * process listens to the channels its subscriptions need (organization and user channels, subscribed on
 * first use and unsubscribed after the last). The client re-subscribes by itself after a reconnect; events
 * published meanwhile are not lost to a client that resumes with `after`.
 */
export class RedisEventBus implements EventBus {
  private readonly listeners = new Listeners();
  private readonly subscriber: RedisClient;
  private readonly connected: Promise<unknown>;
  /** Channels being subscribed to or from, in order, so that a quick unsubscribe never overtakes its subscribe. */
  private readonly pending = new Map<string, Promise<unknown>>();
  /** Each open channel's subscribe: its listeners hear events once it has resolved. */
  private readonly ready = new Map<string, Promise<unknown>>();
  /** Told when the subscriber connection drops (see EventBus.listen). */
  private readonly interruptions = new Set<() => void>();
  /** Each channel's message handler (see handlerOf). */
  private readonly handlers = new Map<string, (message: string | Buffer) => void>();

  constructor(
    private readonly publisher: RedisClient,
    private readonly logger: Logger,
    private readonly onMalformed: () => void,
  ) {
    const subscriber = duplicateRedisClient(publisher, logger);
    this.subscriber = subscriber;
    subscriber.on('error', (error: unknown) => logger.debug({ err: error }, 'redis subscriber error'));
    // Pub/sub keeps nothing for a subscriber that is away: whoever listened may have missed events.
    if (isCluster(subscriber)) {
      // A cluster listens on one node's connection (moved to another node when that one leaves).
      const onNodeLost = (node: { host: string; port: number }) => {
        if (subscriber.pubSubNode?.address === `${node.host}:${node.port}`) this.interruptAll();
      };
      subscriber.on('node-disconnect', onNodeLost);
      subscriber.on('node-reconnecting', onNodeLost);
    } else {
      subscriber.on('end', () => this.interruptAll());
      subscriber.on('reconnecting', () => this.interruptAll());
    }
    this.connected = startRedisClient(subscriber, logger);
  }

  async publish(event: ActivityEvent): Promise<void> {
    const message = JSON.stringify(event);
    await Promise.all(channelsOf(event).map((channel) => this.publisher.publish(CHANNEL_PREFIX + channel, message)));
  }

  async listen(channel: string, listener: EventListener, interrupted?: () => void): Promise<() => void> {
    await withDeadline(this.connected, SUBSCRIBE_TIMEOUT_MS, 'redis subscriber');
    // Not connected now: a subscription started here would miss what is published until the client is
    // back, and nobody would tell it. It fails at once instead; the client retries and resumes.
    if (!this.canSubscribe())
      throw serviceUnavailable(
        'Live events are unavailable right now (the event store is unreachable); retry shortly.',
      );
    if (this.listeners.add(channel, listener)) {
      this.ready.set(
        channel,
        this.inOrder(channel, () =>
          withDeadline(
            this.subscriber.subscribe(CHANNEL_PREFIX + channel, this.handlerOf(channel)),
            SUBSCRIBE_TIMEOUT_MS,
            'redis subscribe',
          ),
        ),
      );
    }
    try {
      await this.ready.get(channel);
    } catch (error) {
      // Every listener that waited on the failed subscribe leaves; the channel's next listener tries again.
      // A subscribe that timed out may still succeed later: it is undone, in order, once nobody listens.
      if (this.listeners.remove(channel, listener)) {
        this.ready.delete(channel);
        this.unsubscribeLater(channel);
      }
      throw error;
    }
    if (interrupted) this.interruptions.add(interrupted);
    return () => {
      if (interrupted) this.interruptions.delete(interrupted);
      if (this.listeners.remove(channel, listener)) {
        this.ready.delete(channel);
        this.unsubscribeLater(channel);
      }
    };
  }

  /**
   * Whether a subscribe would reach Redis now. A cluster listens on one node's connection only: the
   * other nodes' state does not matter (before the first subscribe there is none yet: one is picked then).
   */
  private canSubscribe(): boolean {
    const subscriber = this.subscriber;
    if (!isCluster(subscriber)) return subscriber.isReady;
    return subscriber.isOpen && (subscriber.pubSubNode === undefined || subscriber.pubSubNode.client.isReady);
  }

  /**
   * One handler per channel, the same function every time: the client keeps its channel listeners in a
   * set (and re-subscribes them after a reconnect), so a channel opened again never delivers twice.
   */
  private handlerOf(channel: string): (message: string | Buffer) => void {
    let handler = this.handlers.get(channel);
    if (!handler)
      this.handlers.set(channel, (handler = (message: string | Buffer) => this.onMessage(channel, String(message))));
    return handler;
  }

  private unsubscribeLater(channel: string): void {
    void this.inOrder(channel, async () => {
      // Someone listens again meanwhile: the channel stays.
      if (this.listeners.has(channel)) return;
      await this.subscriber.unsubscribe(CHANNEL_PREFIX + channel, this.handlerOf(channel));
    }).catch((error: unknown) => this.logger.debug({ err: error, channel }, 'redis unsubscribe failed'));
  }

  private interruptAll(): void {
    const interrupted = [...this.interruptions];
    this.interruptions.clear();
    for (const interrupt of interrupted) interrupt();
  }

  private inOrder(channel: string, step: () => Promise<unknown>): Promise<unknown> {
    const previous = this.pending.get(channel) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(step);
    this.pending.set(channel, next);
    void next.finally(() => this.pending.get(channel) === next && this.pending.delete(channel)).catch(() => undefined);
    return next;
  }

  private onMessage(channel: string, message: string): void {
    const event = parseActivityEvent(message);
    if (!event) {
      this.onMalformed();
      return;
    }
    this.listeners.deliver(channel, event, this.logger);
  }

  async close(): Promise<void> {
    await closeRedisClient(this.subscriber);
  }
}
