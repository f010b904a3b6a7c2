import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // Search tolerates a typo per word by edit distance (levenshtein_less_equal), which trigram similarity
  // cannot do for short words ("sleap" shares a third of its trigrams with "sleep").
  await sql`CREATE EXTENSION IF NOT EXISTS fuzzystrmatch`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP EXTENSION IF EXISTS fuzzystrmatch`.execute(db);
}
