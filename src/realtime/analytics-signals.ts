import type { EventBus } from './event-bus';
import { organizationChannel, type ActivityEvent } from './events';

/** What tells a dashboard to refetch an organization's analytics: never the analytics themselves. */
export interface AnalyticsSignal {
  organizationId: string;
  /** When the signal left. */
  changedAt: Date;
  /** Activity entries since the previous signal (to this process's subscribers). */
  events: number;
  /** When the first of those entries was published: delivery latency starts there. */
  publishedAt: number;
}

type Deliver = (signal: AnalyticsSignal) => void;

interface Coalescer {
  subscribers: Set<Deliver>;
  stopListening: () => void;
  lastSentAt: number;
  pending: number;
  firstPublishedAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * One coalesced signal per organization at most every `intervalMs`, whatever the number of writes and of
 * subscribers: the first change after a quiet interval goes out at once, later ones wait for the
 * interval's end and go out as one. The process listens to an organization once for all its subscribers.
 */
export class AnalyticsSignals {
  private readonly byOrganization = new Map<string, Coalescer>();
  /** Subscribes being set up, so two at once share one listener. */
  private readonly opening = new Map<string, Promise<Coalescer>>();

  constructor(
    private readonly bus: EventBus,
    private readonly intervalMs: number,
  ) {}

  async subscribe(organizationId: string, deliver: Deliver): Promise<() => void> {
    const coalescer = this.byOrganization.get(organizationId) ?? (await this.open(organizationId));
    coalescer.subscribers.add(deliver);
    return () => {
      coalescer.subscribers.delete(deliver);
      if (coalescer.subscribers.size > 0 || this.byOrganization.get(organizationId) !== coalescer) return;
      this.byOrganization.delete(organizationId);
      clearTimeout(coalescer.timer);
      coalescer.stopListening();
    };
  }

  private open(organizationId: string): Promise<Coalescer> {
    let opening = this.opening.get(organizationId);
    if (!opening) {
      opening = (async () => {
        const coalescer: Coalescer = {
          subscribers: new Set(),
          stopListening: () => undefined,
          lastSentAt: 0,
          pending: 0,
          firstPublishedAt: 0,
        };
        coalescer.stopListening = await this.bus.listen(organizationChannel(organizationId), (event) =>
          this.heard(organizationId, coalescer, event),
        );
        this.byOrganization.set(organizationId, coalescer);
        return coalescer;
      })().finally(() => this.opening.delete(organizationId));
      this.opening.set(organizationId, opening);
    }
    return opening;
  }

  private heard(organizationId: string, coalescer: Coalescer, event: ActivityEvent): void {
    if (coalescer.pending === 0) coalescer.firstPublishedAt = event.publishedAt;
    coalescer.pending += 1;
    if (coalescer.timer) return;
    const wait = coalescer.lastSentAt + this.intervalMs - Date.now();
    if (wait <= 0) this.send(organizationId, coalescer);
    else coalescer.timer = setTimeout(() => this.send(organizationId, coalescer), wait);
  }

  private send(organizationId: string, coalescer: Coalescer): void {
    coalescer.timer = undefined;
    coalescer.lastSentAt = Date.now();
    const signal: AnalyticsSignal = {
      organizationId,
      changedAt: new Date(coalescer.lastSentAt),
      events: coalescer.pending,
      publishedAt: coalescer.firstPublishedAt,
    };
    coalescer.pending = 0;
    for (const deliver of coalescer.subscribers) deliver(signal);
  }

  close(): void {
    for (const coalescer of this.byOrganization.values()) {
      clearTimeout(coalescer.timer);
      coalescer.stopListening();
    }
    this.byOrganization.clear();
  }
}
