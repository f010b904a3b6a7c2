import { sql, type Kysely, type Transaction } from 'kysely';
import type { ActivityEvent } from '../../realtime/events';
import type { Database, StudyRow } from '../types';

export interface ActivityEntry {
  organizationId: string;
  studyId: string | null;
  userId: string;
  type: string;
  details?: Record<string, unknown>;
}

/** Where writes with an activity entry go, and who hears of each entry once it is committed (subscriptions). */
export interface ActivityLog {
  readonly db: Kysely<Database>;
  readonly committed: (event: ActivityEvent) => void;
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

/**
 * Runs a write in one transaction together with the activity row it describes, so that the log never
 * disagrees with the data: if either fails, neither is kept. The entry is announced after the commit,
 * never before: a subscriber that hears of it can read it.
 */
export async function writeWithActivity<T>(
  log: ActivityLog,
  scope: ActivityScope,
  write: (trx: Transaction<Database>) => Promise<{ result: T; activity: ActivityEntry }>,
): Promise<T> {
  const { result, activity, entry } = await log.db.transaction().execute(async (trx) => {
    await lockOrganizationLog(trx, scope);
    const { result, activity } = await write(trx);
    const entry = await trx
      .insertInto('collaboration_activity')
      .values({
        organization_id: activity.organizationId,
        study_id: activity.studyId,
        user_id: activity.userId,
        activity_type: activity.type,
        details: JSON.stringify(activity.details ?? {}),
      })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    return { result, activity, entry };
  });
  const reviewerId = activity.type === 'approval_requested' ? activity.details?.reviewerId : undefined;
  log.committed({
    id: entry.id,
    organizationId: activity.organizationId,
    studyId: activity.studyId,
    type: activity.type,
    createdAt: entry.created_at.toISOString(),
    ...(typeof reviewerId === 'string' ? { reviewerId } : {}),
    publishedAt: Date.now(),
  });
  return result;
}
