import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

/**
 * The analytics statements read a window of the newest activity and comments through covering indexes:
 * index-only scans, as long as the visibility map marks those pages all-visible. Only VACUUM sets it,
 * and by default an insert-only table is vacuumed after 20% of its size is inserted: the newest pages,
 * the ones a 30- or 90-day window reads, are the ones left unmarked. On the large seed the Trends
 * statements read the heap then (k6 load: Trends p95 146 ms against 22 ms once vacuumed). Vacuuming
 * after 1% of the table's size keeps the window marked; such a vacuum only reads pages not yet marked.
 */
const TABLES = ['collaboration_activity', 'comments'];

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await sql`ALTER TABLE ${sql.table(table)} SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await sql`ALTER TABLE ${sql.table(table)} RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)`.execute(
      db,
    );
  }
}
