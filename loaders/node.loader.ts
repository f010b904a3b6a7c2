import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/types';
import { byKey, defineLoader, type LoaderSettings } from './loader-toolkit';
import { selectByShape } from './sql';

/** The tables whose rows are Nodes with a UUID id (Activity's ids are numbers; Member's and Collaborator's pairs). */
const NODE_TABLES = ['organizations', 'studies', 'users', 'comments', 'approvals', 'organization_invitations'] as const;
export type NodeTable = (typeof NODE_TABLES)[number];

/** In every table at once, probed by primary key: UUIDs are random, so an id is in one table at most. */
const tableOfKey = sql<NodeTable | null>`coalesce(${sql.join(
  NODE_TABLES.map((table) => sql`(SELECT ${sql.lit(table)} FROM ${sql.table(table)} t WHERE t.id = k)`),
)})`;

export function createNodeLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    /** Which table holds each UUID (null: none): one statement per batch, whatever the ids. */
    nodeTable: defineLoader<string, NodeTable | null>(settings, 'nodeTable', async (ids) => {
      const rows = await selectByShape(db, settings, 'nodeTable', ids, (keys) =>
        db
          .selectFrom(sql<{ k: string }>`unnest(${sql.val(keys)}::uuid[])`.as('k'))
          .select([sql<string>`k::text`.as('id'), tableOfKey.as('kind')]),
      );
      return byKey(ids, rows, 'id').map((row) => row?.kind ?? null);
    }),
  };
}
