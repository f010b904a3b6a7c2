import { sql, type Kysely, type Transaction } from 'kysely';
import { MAX_NOTIFIED_PER_EVENT, type ActivityEvent } from '../../realtime/events';
import type { Database, StudyRow } from '../types';
import { runTriggeredRules, TRIGGERED_RULES } from './automation.repository';
import { notifyOf } from './notification.repository';

export interface ActivityEntry {
  organizationId: string;
  studyId: string | null;
  /** null: no person did it (an approval policy moved the study, see recordApprovalDecision). */
  userId: string | null;
  type: string;
  details?: Record<string, unknown>;
}

/** An event for one webhook, queued in the transaction of the write it tells of (src/webhooks). */
export interface WebhookEvent {
  webhookId: string;
  eventId: string;
  eventType: string;
  body: string;
  redelivery: boolean;
}

/** Where webhook events wait for delivery: written to in the write's own transaction (a transactional outbox). */
export interface WebhookOutbox {
  enqueue(trx: Transaction<Database>, events: readonly WebhookEvent[]): Promise<void>;
}

/** Where writes with an activity entry go, and who hears of each entry once it is committed (subscriptions, webhooks). */
export interface ActivityLog {
  readonly db: Kysely<Database>;
  readonly committed: (event: ActivityEvent) => void;
  /** Absent on the embedded database, where no webhook can be created. */
  readonly outbox?: WebhookOutbox;
}

/** What a webhook receives of an entry: the body is fixed when the entry commits and sent as is on every attempt. */
function webhookBody(entry: ActivityEntry, row: { id: string; created_at: Date }): string {
  return JSON.stringify({
    id: row.id,
    type: entry.type.toUpperCase(),
    organizationId: entry.organizationId,
    studyId: entry.studyId,
    actorId: entry.userId,
    details: entry.details ?? {},
    createdAt: row.created_at.toISOString(),
  });
}

/** Whose log a write adds to: an organization's, or that of the organization a study belongs to. */
export type ActivityScope = { organizationId: string } | { studyId: string };

/**
 * Entries of one organization are committed in the order of their ids: each write takes its organization's
 * transaction-level advisory lock first (before any row lock, so no two writes wait on each other in
 * opposite orders) and holds it until it commits. A client resuming after the entry it saw last (`id >`)
 * then never misses an entry committed later with a smaller id.
 */
async function lockOrganizationLog(trx: Transaction<Database>, scope: ActivityScope): Promise<void> {
  if ('organizationId' in scope) {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${LOG_LOCK_PREFIX}${scope.organizationId}`}, 0))`.execute(
      trx,
    );
    return;
  }
  // A study's organization is looked up in the same statement; a study that is gone takes no lock (the write itself finds so).
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${LOG_LOCK_PREFIX} || organization_id::text, 0)) FROM studies WHERE id = ${scope.studyId}`.execute(
    trx,
  );
}

const LOG_LOCK_PREFIX = 'studygraph:activity:';

/** The entry of a change to one study. */
export function studyActivity(
  study: StudyRow,
  actorId: string,
  type: string,
  details: Record<string, unknown> = {},
): ActivityEntry {
  return { organizationId: study.organization_id, studyId: study.id, userId: actorId, type, details };
}

interface LoggedEntry {
  activity: ActivityEntry;
  entry: { id: string; created_at: Date };
  notified: string[];
}

/**
 * Appends one entry in the write's transaction with what it causes there: its notifications, its webhook
 * events (queued in the outbox), and, when `findRules`, the ids of the rules it triggers. The webhooks and
 * rules are found by the INSERT itself, so a write costs no statement more unless its organization has any.
 */
async function logEntry(
  log: ActivityLog,
  trx: Transaction<Database>,
  entry: ActivityEntry,
  findRules: boolean,
): Promise<LoggedEntry & { ruleIds: string[] | null }> {
  const row = await trx
    .insertInto('collaboration_activity')
    .values({
      organization_id: entry.organizationId,
      study_id: entry.studyId,
      user_id: entry.userId,
      activity_type: entry.type,
      details: JSON.stringify(entry.details ?? {}),
    })
    .returning([
      'id',
      'created_at',
      sql<
        string[] | null
      >`(SELECT array_agg(w.id ORDER BY w.created_at, w.id) FROM webhooks w WHERE w.organization_id = collaboration_activity.organization_id AND collaboration_activity.activity_type = ANY (w.events))`.as(
        'webhook_ids',
      ),
      (findRules ? TRIGGERED_RULES : sql<string[] | null>`NULL::uuid[]`).as('rule_ids'),
    ])
    .executeTakeFirstOrThrow();
  if (row.webhook_ids?.length && log.outbox) {
    const body = webhookBody(entry, row);
    await log.outbox.enqueue(
      trx,
      row.webhook_ids.map((webhookId) => ({
        webhookId,
        eventId: row.id,
        eventType: entry.type.toUpperCase(),
        body,
        redelivery: false,
      })),
    );
  }
  const notified = await notifyOf(trx, entry, row.id);
  return { activity: entry, entry: { id: row.id, created_at: row.created_at }, notified, ruleIds: row.rule_ids };
}

/**
 * Runs a write in one transaction together with the activity rows it describes (its own entry, then any
 * entries of what it caused, as an approval policy's move of the study), so that the log never disagrees
 * with the data: if any fails, none is kept. Automation rules its entries trigger run in the same
 * transaction (`byRule`: the write is a rule's own, as the inactivity sweep's, and triggers none). The entries
 * are announced after the commit, in order, never before: a subscriber that hears of one can read it.
 */
export async function writeWithActivity<T>(
  log: ActivityLog,
  scope: ActivityScope,
  write: (trx: Transaction<Database>) => Promise<{ result: T; activity: ActivityEntry | readonly ActivityEntry[] }>,
  options: { byRule?: boolean } = {},
): Promise<T> {
  const { result, logged } = await log.db.transaction().execute(async (trx) => {
    await lockOrganizationLog(trx, scope);
    const { result, activity } = await write(trx);
    const logged: LoggedEntry[] = [];
    const triggered: { entry: ActivityEntry; ruleIds: string[] }[] = [];
    for (const entry of 'type' in activity ? [activity] : activity) {
      const { ruleIds, ...done } = await logEntry(log, trx, entry, !options.byRule);
      logged.push(done);
      if (ruleIds?.length) triggered.push({ entry, ruleIds });
    }
    // What rules do is logged after what triggered them, and triggers no rule itself (no loops).
    for (const { entry, ruleIds } of triggered)
      for (const ruled of await runTriggeredRules(trx, ruleIds, entry))
        logged.push(await logEntry(log, trx, ruled, false));
    return { result, logged };
  });
  for (const { activity, entry, notified } of logged) {
    const reviewerId = activity.type === 'approval_requested' ? activity.details?.reviewerId : undefined;
    log.committed({
      id: entry.id,
      organizationId: activity.organizationId,
      studyId: activity.studyId,
      type: activity.type,
      createdAt: entry.created_at.toISOString(),
      ...(typeof reviewerId === 'string' ? { reviewerId } : {}),
      // Live notifications for the first of them; the rest read theirs from the stored rows.
      ...(notified.length > 0 ? { notified: notified.slice(0, MAX_NOTIFIED_PER_EVENT) } : {}),
      publishedAt: Date.now(),
    });
  }
  return result;
}
