import type { Transaction } from 'kysely';
import type { Database } from '../types';

export interface ActivityEntry {
  organizationId: string;
  studyId: string | null;
  userId: string;
  type: string;
  details?: Record<string, unknown>;
}

/** Every write appends its activity row in the same transaction, so the log never disagrees with the data. */
export async function recordActivity(trx: Transaction<Database>, entry: ActivityEntry): Promise<void> {
  await trx
    .insertInto('collaboration_activity')
    .values({
      organization_id: entry.organizationId,
      study_id: entry.studyId,
      user_id: entry.userId,
      activity_type: entry.type,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
