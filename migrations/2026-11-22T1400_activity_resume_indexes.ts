import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // A subscription resuming after a cursor reads a study's or an organization's entries by id (`id > $1
  // ORDER BY id`): a range scan of these, not a sort of the whole log, whatever cursor a client sends.
  await sql`CREATE INDEX collaboration_activity_org_id_idx ON collaboration_activity (organization_id, id)`.execute(db);
  await sql`CREATE INDEX collaboration_activity_study_id_idx ON collaboration_activity (study_id, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS collaboration_activity_study_id_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS collaboration_activity_org_id_idx`.execute(db);
}
