import { sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import type { Database } from '../src/db/types';
import type { Cursor } from '../src/pagination';

/** `= any($1::uuid[])`: one parameter for a whole batch, so statements keep one shape whatever the batch size. */
export function anyUuid(ids: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${sql.val([...ids])}::uuid[])`;
}

/** The same for bigint keys (activity entries), which both drivers hand over as text. */
export function anyBigint(ids: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${sql.val([...ids])}::bigint[])`;
}

/**
 * Rows strictly after `cursor` in the order `(orderColumn, idColumn) direction`: a row comparison, so
 * PostgreSQL walks the matching index from the cursor on.
 */
export function keysetAfter(
  orderColumn: string,
  idColumn: string,
  direction: 'asc' | 'desc',
  cursor: Cursor,
  valueType: 'timestamptz' | 'text',
  idType: 'uuid' | 'bigint',
): RawBuilder<SqlBool> {
  const comparison = sql.raw(direction === 'desc' ? '<' : '>');
  const value = sql`cast(${String(cursor.value)} as ${sql.raw(valueType)})`;
  const id = sql`cast(${cursor.id} as ${sql.raw(idType)})`;
  return sql<SqlBool>`(${sql.ref(orderColumn)}, ${sql.ref(idColumn)}) ${comparison} (${value}, ${id})`;
}

/**
 * Runs `read` in a transaction whose statements are planned for their parameters' values. The gateway's
 * connections plan each statement once (see createPostgresPool), right for keyed lookups; a search's best
 * plan depends on its words (value-blind plans measured ~20% slower on the large seed).
 */
export function withValueAwarePlans<T>(db: Kysely<Database>, read: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL plan_cache_mode = force_custom_plan`.execute(trx);
    return read(trx);
  });
}
