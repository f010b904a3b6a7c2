import type { Kysely, Transaction } from 'kysely';
import type { Database, StudyRow } from '../types';

export interface ActivityEntry {
  organizationId: string;
  studyId: string | null;
  userId: string;
  type: string;
  details?: Record<string, unknown>;
}

/** The entry of a change to one study. */
export function studyActivity(study: StudyRow, actorId: string, type: string, details: Record<string, unknown> = {}): ActivityEntry {
  return { organizationId: study.organization_id, studyId: study.id, userId: actorId, type, details };
}

/**
 * Runs a write in one transaction together with the activity row it describes, so that the log never
 * disagrees with the data: if either fails, neither is kept.
 */
export async function writeWithActivity<T>(
  db: Kysely<Database>,
  write: (trx: Transaction<Database>) => Promise<{ result: T; activity: ActivityEntry }>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const { result, activity } = await write(trx);
    await trx
      .insertInto('collaboration_activity')
      .values({
        organization_id: activity.organizationId,
        study_id: activity.studyId,
        user_id: activity.userId,
        activity_type: activity.type,
        details: JSON.stringify(activity.details ?? {}),
      })
      .execute();
    return result;
  });
}
