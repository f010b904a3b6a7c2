import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client, type Pool, type QueryResult } from 'pg';
import { loadConfig } from '../src/config';
import { createPostgresPool } from '../src/db/database';
import { createLogger } from '../src/observability/logger';

type Query = (this: Client, ...args: unknown[]) => unknown;

/*
 * The gateway's pool clients answer every statement through a callback (answerThroughCallbacks): pg's own
 * promise for a callback-less query kept the rows of each result alive through young-generation
 * collections, so they were copied and promoted instead of dying young.
 */
describe(
  'PostgreSQL pool clients',
  { skip: loadConfig().databaseUrl ? false : 'needs DATABASE_URL (a PostgreSQL server)' },
  () => {
    const config = loadConfig();
    const logger = createLogger({ logLevel: 'silent' });
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the prototype's method, put back after the suite
    const pgQuery = Client.prototype.query as unknown as Query;
    let callbacksGiven: boolean[] = [];
    /** What reached pg, call by call. */
    let calls: unknown[][] = [];
    let pools: Pool[] = [];

    before(() => {
      // Spies on what reaches pg: bound by each client as it connects, so installed before any connects.
      (Client.prototype as unknown as { query: Query }).query = function (this: Client, ...args: unknown[]) {
        calls.push(args);
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
      calls = [];
    });
    const poolWith = (prepared: boolean) => {
      const pool = createPostgresPool({ ...config, dbPoolMax: 1, dbPreparedStatements: prepared }, logger);
      pools.push(pool);
      return pool;
    };

    for (const prepared of [false, true]) {
      it(`answer a statement asked without a callback through one${prepared ? ', as a named statement' : ''}`, async () => {
        const client = await poolWith(prepared).connect();
        try {
          callbacksGiven = [];
          const result = await client.query<{ n: number }>('SELECT $1::int + 1 AS n', [41]);
          assert.deepEqual(result.rows, [{ n: 42 }]);
          assert.deepEqual(callbacksGiven, [true], 'pg was given a callback, not asked for its promise');
          const named = await client.query<{ name: string }>(
            `SELECT name FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::int + 1%'`,
          );
          assert.equal(named.rows.length, prepared ? 1 : 0);
          if (prepared) assert.match(named.rows[0].name, /^sg_/);
        } finally {
          client.release();
        }
      });
    }

    it('reject a failing statement with PostgreSQL’s error, and leave callers’ callbacks to pg', async () => {
      const client = await poolWith(true).connect();
      try {
        await assert.rejects(
          client.query('SELECT 1 / $1::int', [0]),
          (error: Error & { code?: string }) => error.code === '22012',
        );
        const viaCallback = await new Promise<number>((resolve, reject) =>
          client.query('SELECT $1::int AS n', [7], (error: Error | undefined, result: QueryResult<{ n: number }>) =>
            error ? reject(error) : resolve(result.rows[0].n),
          ),
        );
        assert.equal(viaCallback, 7);
        const unparameterised = await client.query<{ n: number }>('SELECT 3 AS n');
        assert.equal(unparameterised.rows[0].n, 3);
      } finally {
        client.release();
      }
    });

    // A dropped callback would leave the test waiting: the timeout turns that into a failure.
    it(
      'hand pg a call that answers itself with its arguments untouched (tracing looks at the last one)',
      { timeout: 10_000 },
      async () => {
        const client = await poolWith(false).connect();
        try {
          calls = [];
          const viaTrailingCallback = await new Promise<number>((resolve, reject) =>
            client.query('SELECT 5 AS n', (error: Error | undefined, result: QueryResult<{ n: number }>) =>
              error ? reject(error) : resolve(result.rows[0].n),
            ),
          );
          assert.equal(viaTrailingCallback, 5);
          assert.equal(calls[0].length, 2, 'text and callback, no added argument');
          assert.equal(typeof calls[0][1], 'function');
          const viaConfigCallback = await new Promise<number>((resolve, reject) => {
            const config = {
              text: 'SELECT $1::int AS n',
              values: [6],
              callback: (error: Error | undefined, result: QueryResult<{ n: number }>) =>
                error ? reject(error) : resolve(result.rows[0].n),
            };
            (client.query as unknown as (config: object) => unknown)(config);
          });
          assert.equal(viaConfigCallback, 6, 'a callback in the config is the one that answers');
          assert.throws(
            () => client.query(null as unknown as string),
            TypeError,
            'no config: pg refuses it at once, as before',
          );
          const asArrays = await client.query<[number, string]>({
            text: 'SELECT 1, $1::text',
            values: ['x'],
            rowMode: 'array',
          });
          assert.deepEqual(asArrays.rows, [[1, 'x']], 'a config object keeps its options through our callback');
        } finally {
          client.release();
        }
      },
    );
  },
);
