import type { Kysely } from 'kysely';
import { ACTIVITY_ORDER } from '../../loaders/activity.loader';
import type { Database } from '../../src/db/types';
import { encodeCursor } from '../../src/domain/pagination';

/**
 * Appends `count` entries by `userId` to an organization's log, straight into the table (no events), and
 * returns the cursor of the entry before them: a subscription resuming `after` it replays them all.
 */
export async function appendBacklog(
  db: Kysely<Database>,
  input: { organizationId: string; userId: string; count: number; details?: string },
): Promise<string> {
  const latest = await db
    .selectFrom('collaboration_activity')
    .select(['id', 'created_at'])
    .where('organization_id', '=', input.organizationId)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('collaboration_activity')
    .values(
      Array.from({ length: input.count }, () => ({
        organization_id: input.organizationId,
        study_id: null,
        user_id: input.userId,
        activity_type: 'member_added',
        details: input.details ?? '{}',
      })),
    )
    .execute();
  return encodeCursor(ACTIVITY_ORDER.key, latest.created_at, latest.id);
}
