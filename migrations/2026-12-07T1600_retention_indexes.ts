import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // The retention job deletes by age: notifications and webhook delivery attempts past their days.
  await sql`CREATE INDEX notifications_created_idx ON notifications (created_at)`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_attempted_idx ON webhook_deliveries (attempted_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS webhook_deliveries_attempted_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS notifications_created_idx`.execute(db);
}
