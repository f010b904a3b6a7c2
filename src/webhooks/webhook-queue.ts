import type { Transaction } from 'kysely';
import { PgBoss } from 'pg-boss';
import { fromKysely } from 'pg-boss/dist/adapters/kysely.js';
import type { WebhookEvent, WebhookOutbox } from '../db/repositories/activity.repository';
import type { Database } from '../db/types';
import type { Logger } from '../observability/logger';
import { orderedUuid } from './ordered-ids';

/** An attempt as pg-boss hands it out: which try of the job this is, and whether another may follow. */
export interface ClaimedJob {
  id: string;
  data: WebhookEvent;
  attempt: number;
  lastAttempt: boolean;
}

export interface WebhookQueueOptions {
  /** The PostgreSQL server (pg-boss keeps its own small pool and its tables in the `pgboss` schema). */
  connectionString: string;
  /** Attempts per event, the first included. */
  maxAttempts: number;
  /** The first retry waits between one and two times this; each further one twice as long (pg-boss: whole seconds). */
  retryBaseMs: number;
  /** A delivery's whole exchange; an attempt held longer than this by a process that died is handed to another. */
  timeoutMs: number;
  pollMs: number;
  /** This process sends events (else it only enqueues them). */
  deliver: boolean;
  logger: Logger;
}

const QUEUE = 'webhook-delivery';
/** Deliveries one process runs at once (of different webhooks: one webhook's run one at a time). */
const LOCAL_CONCURRENCY = 8;
const POOL_SIZE = 4;
/** Delivered and given-up jobs are kept this long by pg-boss (the delivery log is ours, in webhook_deliveries). */
const RETENTION_SECONDS = 24 * 3600;
/** A queued event waits this long at most for its turn (retries included) before pg-boss drops it. */
const QUEUED_RETENTION_SECONDS = 30 * 24 * 3600;
/** The longest wait between two attempts. */
const MAX_RETRY_DELAY_SECONDS = 3600;
/**
 * Attempts pg-boss may make beyond ours: an attempt cut short by a process that died, or a handler that
 * failed before logging, counts as one of pg-boss's. Ours end with a completed job (logged as given up), so
 * a job never reaches pg-boss's `failed` state, which would hold back the webhook's later events.
 */
const SPARE_ATTEMPTS = 3;
/** A claimed job whose process stops renewing it this long is handed to another process. */
const HEARTBEAT_SECONDS = 10;

/**
 * The webhook outbox and its workers, on pg-boss. Why pg-boss: its jobs are rows inserted in the very
 * transaction of the write that causes them (`db` option), so an event is queued exactly when its write
 * commits; its `key_strict_fifo` policy runs one job at a time per key (a webhook) in insertion order and
 * holds later ones back while one waits for a retry, which is in-order delivery per webhook; it claims jobs
 * with SKIP LOCKED, so several processes deliver each job once between them; a job whose process died
 * expires and is retried elsewhere; retries back off exponentially. It polls (no LISTEN), so it works behind
 * a transaction-mode pooler as the gateway does.
 */
export class WebhookQueue implements WebhookOutbox {
  private constructor(
    private readonly boss: PgBoss,
    private readonly options: WebhookQueueOptions,
  ) {}

  static async start(options: WebhookQueueOptions): Promise<WebhookQueue> {
    // The send's own timeout ends an attempt long before this: expiry is a last resort, a dead process is
    // found by its missing heartbeat.
    const expireInSeconds = Math.ceil(options.timeoutMs / 1000) + 30;
    const superviseSeconds = Math.max(1, Math.min(HEARTBEAT_SECONDS, Math.ceil(options.timeoutMs / 1000)));
    const boss = new PgBoss({
      connectionString: options.connectionString,
      max: POOL_SIZE,
      application_name: 'studygraph-webhooks',
      schedule: false,
      supervise: options.deliver,
      // Each queue's expiry and heartbeat checks run at most once per monitor interval (60 s by default).
      superviseIntervalSeconds: superviseSeconds,
      monitorIntervalSeconds: superviseSeconds,
      registerInstance: false,
    });
    boss.on('error', (error) => options.logger.warn({ err: error }, 'webhook queue error'));
    await boss.start();
    const queue = {
      policy: 'key_strict_fifo' as const,
      retryLimit: options.maxAttempts - 1 + SPARE_ATTEMPTS,
      retryDelay: Math.max(1, Math.ceil(options.retryBaseMs / 1000)),
      retryBackoff: true,
      retryDelayMax: MAX_RETRY_DELAY_SECONDS,
      expireInSeconds,
      heartbeatSeconds: HEARTBEAT_SECONDS,
      retentionSeconds: QUEUED_RETENTION_SECONDS,
      deleteAfterSeconds: RETENTION_SECONDS,
    };
    const existing = await boss.getQueue(QUEUE);
    if (!existing) await boss.createQueue(QUEUE, queue);
    else {
      const { policy: _policy, ...changeable } = queue;
      await boss.updateQueue(QUEUE, changeable);
    }
    return new WebhookQueue(boss, options);
  }

  /** Queues events in the transaction of the write that caused them: they exist once it commits, never before. */
  async enqueue(trx: Transaction<Database>, jobs: readonly WebhookEvent[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(
      QUEUE,
      jobs.map((job) => ({ id: orderedUuid(), data: job, singletonKey: job.webhookId })),
      { db: fromKysely(trx) },
    );
  }

  /** Queues a new series of attempts of an event (redelivery), behind what the webhook has waiting. */
  async enqueueNow(job: WebhookEvent): Promise<void> {
    await this.boss.send(QUEUE, job, { id: orderedUuid(), singletonKey: job.webhookId });
  }

  /**
   * Hands each claimed job to `handle`, which resolves with `done` (the job is complete: delivered, given up
   * or moot) or with a function: the attempt failed and another may follow, so pg-boss fails it and schedules
   * the retry, and the function is told when that will be (null: no retry after all).
   */
  async work(handle: (job: ClaimedJob) => Promise<'done' | ((nextAttemptAt: Date | null) => Promise<void>)>) {
    if (!this.options.deliver) return;
    await this.boss.work(
      QUEUE,
      {
        batchSize: 1,
        localConcurrency: LOCAL_CONCURRENCY,
        pollingIntervalSeconds: this.options.pollMs / 1000,
        includeMetadata: true,
      },
      async ([job]) => {
        if (!job) return;
        const lastAttempt = job.retryCount + 1 >= this.options.maxAttempts;
        let outcome: Awaited<ReturnType<typeof handle>>;
        try {
          outcome = await handle({
            id: job.id,
            data: job.data as WebhookEvent,
            attempt: job.retryCount + 1,
            lastAttempt,
          });
        } catch (error) {
          // Past our attempts, a failure of our own (the database, say) gives the event up rather than
          // leaving a failed job that would hold back the webhook's later events.
          if (lastAttempt) {
            this.options.logger.warn(
              { err: error, webhookId: (job.data as WebhookEvent).webhookId },
              'webhook event given up',
            );
            return;
          }
          throw error;
        }
        if (outcome === 'done') return;
        // Failed here rather than by throwing, so that the time pg-boss chose for the retry can be logged;
        // the completion pg-boss then attempts finds the job no longer active and leaves it.
        await this.boss.fail(QUEUE, { id: job.id, retryCount: job.retryCount }, { error: 'delivery failed' });
        const next = await this.boss.getJobById(QUEUE, job.id);
        await outcome(next?.state === 'retry' ? next.startAfter : null);
      },
    );
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: this.options.timeoutMs + 1000 });
  }
}
