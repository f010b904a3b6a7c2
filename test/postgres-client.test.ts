import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Client, type Pool } from 'pg';
import { loadConfig } from '../src/config';
import { createPostgresPool } from '../src/db/database';
import { CallbackAnsweredPool } from '../src/db/postgres-pool';
import { createLogger } from '../src/observability/logger';

type Query = (this: Client, ...args: unknown[]) => unknown;

/*
 * Kysely reads through CallbackAnsweredPool (src/db/postgres-pool.ts), Kysely's own PostgresPool seam over a
 * pg pool: pg's own promise for a callback-less query kept the rows of each result alive through
 * young-generation collections, so they were copied and promoted instead of dying young.
 */
describe(
  'PostgreSQL pool for Kysely',
  { skip: loadConfig().databaseUrl ? false : 'needs DATABASE_URL (a PostgreSQL server)' },
  () => {
    const config = loadConfig();
    const logger = createLogger({ logLevel: 'silent' });
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the prototype's method, put back after the suite
    const pgQuery = Client.prototype.query as unknown as Query;
    let callbacksGiven: boolean[] = [];
    let pools: Pool[] = [];

    before(() => {
      // Spies on what reaches pg: a callback or not, for each statement.
      (Client.prototype as unknown as { query: Query }).query = function (this: Client, ...args: unknown[]) {
        if (typeof args[0] === 'string' || typeof (args[0] as { text?: unknown } | null)?.text === 'string')
          callbacksGiven.push(args.some((arg) => typeof arg === 'function'));
        return pgQuery.apply(this, args);
      };
    });
    after(() => {
      (Client.prototype as unknown as { query: Query }).query = pgQuery;
    });
    afterEach(async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      pools = [];
      callbacksGiven = [];
    });
    const poolWith = (prepared: boolean) => {
      const pool = createPostgresPool({ ...config, dbPoolMax: 1, dbPreparedStatements: prepared }, logger);
      pools.push(pool);
      return new CallbackAnsweredPool(pool, prepared);
    };

    for (const prepared of [false, true]) {
      it(`answers Kysely's statements through pg's callback${prepared ? ', as named statements' : ''}`, async () => {
        const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: poolWith(prepared) }) });
        const result = await sql<{ n: number }>`SELECT ${41}::int + 1 AS n`.execute(db);
        assert.deepEqual(result.rows, [{ n: 42 }]);
        assert.ok(
          callbacksGiven.length > 0 && callbacksGiven.every(Boolean),
          'pg was given a callback, never asked for its promise',
        );
        const named = await sql<{
          name: string;
        }>`SELECT name FROM pg_prepared_statements WHERE statement LIKE ${'SELECT $1::int + 1%'}`.execute(db);
        assert.equal(named.rows.length, prepared ? 1 : 0);
        if (prepared) assert.match(named.rows[0].name, /^sg_/);
      });
    }

    it('rejects a failing statement with PostgreSQL’s error; a transaction still commits or rolls back whole', async () => {
      const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: poolWith(true) }) });
      await assert.rejects(
        sql`SELECT 1 / ${0}::int`.execute(db),
        (error: Error & { code?: string }) => error.code === '22012',
      );
      await sql`CREATE TEMPORARY TABLE IF NOT EXISTS pool_probe (n int)`.execute(db);
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await sql`INSERT INTO pool_probe VALUES (${1})`.execute(trx);
          await sql`SELECT 1 / ${0}::int`.execute(trx);
        }),
      );
      const { rows } = await sql<{ count: string }>`SELECT count(*) FROM pool_probe`.execute(db);
      assert.equal(rows[0].count, '0', 'nothing of the failed transaction is left');
    });

    it('hands Kysely one client object per connection (Kysely keeps its connections by client)', async () => {
      const pool = poolWith(false);
      const first = await pool.connect();
      first.release();
      const second = await pool.connect();
      second.release();
      assert.equal(first, second, 'the one pooled connection comes back as the same object');
    });
  },
);
