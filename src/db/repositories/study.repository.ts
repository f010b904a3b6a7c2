import type { Kysely } from 'kysely';
import type { Database, StudyRow, StudyStatus } from '../types';
import { concurrentChange } from '../../errors';
import { recordActivity } from './activity';

const RETURNED = ['id', 'organization_id', 'title', 'description', 'status', 'created_by', 'created_at', 'updated_at', 'completed_at'] as const;

/** Creates a study and makes its creator its owner. */
export async function insertStudy(
  db: Kysely<Database>,
  input: { organizationId: string; title: string; description: string | null; actorId: string },
): Promise<StudyRow> {
  return db.transaction().execute(async (trx) => {
    const study = await trx
      .insertInto('studies')
      .values({
        organization_id: input.organizationId,
        title: input.title,
        description: input.description,
        created_by: input.actorId,
      })
      .returning(RETURNED)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('study_collaborators')
      .values({ study_id: study.id, user_id: input.actorId, role: 'owner', permissions: [], added_by: input.actorId })
      .execute();
    await recordActivity(trx, {
      organizationId: study.organization_id,
      studyId: study.id,
      userId: input.actorId,
      type: 'study_created',
      details: { title: study.title },
    });
    return study;
  });
}

export async function updateStudyFields(
  db: Kysely<Database>,
  input: { id: string; title?: string; description?: string | null; actorId: string },
): Promise<StudyRow> {
  return db.transaction().execute(async (trx) => {
    const changes: { title?: string; description?: string | null } = {};
    if (input.title !== undefined) changes.title = input.title;
    if (input.description !== undefined) changes.description = input.description;
    const study = await trx
      .updateTable('studies')
      .set(changes)
      .where('id', '=', input.id)
      .returning(RETURNED)
      .executeTakeFirst();
    if (!study) throw concurrentChange('The study');
    await recordActivity(trx, {
      organizationId: study.organization_id,
      studyId: study.id,
      userId: input.actorId,
      type: 'study_updated',
      details: { fields: Object.keys(changes) },
    });
    return study;
  });
}

/** Moves a study from `from` to `to`; fails if someone else moved it first. */
export async function updateStudyStatus(
  db: Kysely<Database>,
  input: { id: string; from: StudyStatus; to: StudyStatus; actorId: string },
): Promise<StudyRow> {
  return db.transaction().execute(async (trx) => {
    const study = await trx
      .updateTable('studies')
      .set((eb) => ({
        status: input.to,
        completed_at: input.to === 'completed' ? new Date() : eb.ref('completed_at'),
      }))
      .where('id', '=', input.id)
      .where('status', '=', input.from)
      .returning(RETURNED)
      .executeTakeFirst();
    if (!study) throw concurrentChange('The study status');
    await recordActivity(trx, {
      organizationId: study.organization_id,
      studyId: study.id,
      userId: input.actorId,
      type: 'status_changed',
      details: { from: input.from, to: input.to },
    });
    return study;
  });
}
