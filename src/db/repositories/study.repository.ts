import { concurrentChange } from '../../graphql/errors';
import { STUDY_ROW_COLUMNS, type StudyRow, type StudyStatus } from '../types';
import { studyActivity, writeWithActivity, type ActivityLog } from './activity.repository';

/** Creates a study and makes its creator its owner. */
export async function insertStudy(
  log: ActivityLog,
  input: { organizationId: string; title: string; description: string | null; actorId: string },
): Promise<StudyRow> {
  return writeWithActivity(log, { organizationId: input.organizationId }, async (trx) => {
    const study = await trx
      .insertInto('studies')
      .values({
        organization_id: input.organizationId,
        title: input.title,
        description: input.description,
        created_by: input.actorId,
      })
      .returning(STUDY_ROW_COLUMNS)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('study_collaborators')
      .values({ study_id: study.id, user_id: input.actorId, role: 'owner', permissions: [], added_by: input.actorId })
      .execute();
    return { result: study, activity: studyActivity(study, input.actorId, 'study_created', { title: study.title }) };
  });
}

export async function updateStudyFields(
  log: ActivityLog,
  input: { id: string; title?: string; description?: string | null; actorId: string },
): Promise<StudyRow> {
  const changes: { title?: string; description?: string | null } = {};
  if (input.title !== undefined) changes.title = input.title;
  if (input.description !== undefined) changes.description = input.description;
  return writeWithActivity(log, { studyId: input.id }, async (trx) => {
    const study = await trx
      .updateTable('studies')
      .set(changes)
      .where('id', '=', input.id)
      .returning(STUDY_ROW_COLUMNS)
      .executeTakeFirst();
    if (!study) throw concurrentChange('The study');
    return {
      result: study,
      activity: studyActivity(study, input.actorId, 'study_updated', { fields: Object.keys(changes) }),
    };
  });
}

/** Moves a study from `from` to `to`; fails if someone else moved it first. */
export async function updateStudyStatus(
  log: ActivityLog,
  input: { id: string; from: StudyStatus; to: StudyStatus; actorId: string },
): Promise<StudyRow> {
  return writeWithActivity(log, { studyId: input.id }, async (trx) => {
    const study = await trx
      .updateTable('studies')
      .set((eb) => ({ status: input.to, completed_at: input.to === 'completed' ? new Date() : eb.ref('completed_at') }))
      .where('id', '=', input.id)
      .where('status', '=', input.from)
      .returning(STUDY_ROW_COLUMNS)
      .executeTakeFirst();
    if (!study) throw concurrentChange('The study status');
    return {
      result: study,
      activity: studyActivity(study, input.actorId, 'status_changed', { from: input.from, to: input.to }),
    };
  });
}
