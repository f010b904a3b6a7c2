import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { createGateway } from '../src/app';
import { loadConfig, type Config } from '../src/config';
import { createLogger } from '../src/observability/logger';
import { createTestDatabase, type TestDatabase } from './support/database';
import { dataOf, startTestGateway, type TestGateway } from './support/gateway';
import { ACME } from './support/ids';
import { pgbouncerAvailable, startOwnPgBouncer, type OwnPgBouncer } from './support/pgbouncer';

const config = loadConfig();
const TIMEOUT_MS = 400;

describe(
  'behind PgBouncer in transaction mode (Debian’s pgbouncer 1.18: no prepared statements)',
  { skip: config.databaseUrl && pgbouncerAvailable() ? false : 'needs DATABASE_URL and pgbouncer' },
  () => {
    let pooler: OwnPgBouncer;
    /** The server (where migrations go) and the pooler (where the gateway goes). */
    const behindPooler = (): Partial<Config> => ({
      databaseUrl: pooler.url,
      databaseMigrationUrl: config.databaseMigrationUrl ?? config.databaseUrl,
      dbSessionSettings: 'role',
      dbPreparedStatements: false,
      dbStatementTimeoutMs: TIMEOUT_MS,
    });
    before(async () => {
      pooler = await startOwnPgBouncer(config.databaseMigrationUrl ?? config.databaseUrl!);
    });
    after(() => pooler?.stop());

    describe('with the settings stored as the role’s defaults (DB_SESSION_SETTINGS=role)', () => {
      let gateway: TestGateway;
      before(async () => {
        gateway = await startTestGateway({ config: behindPooler() });
      });
      after(() => gateway?.close());

      it('serves queries, mutations and searches (a transaction with SET LOCAL) through the pooler', async () => {
        const token = await gateway.tokenFor('analyst@example.com');
        const studies = await gateway.graphql(
          'query($id: ID!) { organization(id: $id) { studies(first: 5) { edges { node { id title } } } } }',
          {
            token,
            variables: { id: ACME },
          },
        );
        const first = dataOf(studies).organization.studies.edges[0].node;
        const word = (first.title as string).split(/\s+/).find((part) => part.length > 3)!;
        const found = await gateway.graphql(
          'query($q: String!) { searchStudies(query: $q, first: 5) { edges { node { id } } } }',
          {
            token,
            variables: { q: word },
          },
        );
        assert.ok(dataOf(found).searchStudies.edges.length > 0, `a search for "${word}" finds studies`);
        const renamed = await gateway.graphql(
          'mutation($input: UpdateStudyInput!) { updateStudy(input: $input) { title } }',
          {
            token,
            variables: { input: { id: first.id, title: 'Renamed through PgBouncer' } },
          },
        );
        assert.equal(dataOf(renamed).updateStudy.title, 'Renamed through PgBouncer');
      });

      it('cuts a slow statement at the statement timeout, and every pooled connection has the timeouts', async () => {
        const started = Date.now();
        await assert.rejects(
          sql`SELECT pg_sleep(3)`.execute(gateway.db),
          (error: { code?: string }) => error.code === '57014',
        );
        assert.ok(Date.now() - started < 2500, `cut after ${Date.now() - started} ms`);
        // Several at once take several server connections: each of them runs with the role's settings.
        const settings = await Promise.all(
          Array.from({ length: 8 }, () =>
            sql<{
              statement: string;
              idle: string;
            }>`SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle, pg_sleep(0.05)`.execute(
              gateway.db,
            ),
          ),
        );
        for (const { rows } of settings)
          assert.deepEqual({ ...rows[0] }, { statement: `${TIMEOUT_MS}ms`, idle: `${TIMEOUT_MS * 2}ms`, pg_sleep: '' });
      });
    });

    describe('settings changed while the pooler holds connections', () => {
      it('stores the new defaults and starts, warning that an older pooled connection still has the old ones', async () => {
        const old = await startTestGateway({ config: behindPooler() });
        try {
          // The pooler now holds server connections made with the old defaults (400 ms).
          await Promise.all(Array.from({ length: 4 }, () => sql`SELECT pg_sleep(0.05)`.execute(old.db)));
          const warnings: string[] = [];
          const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
          const settings = {
            ...old.config,
            dbStatementTimeoutMs: TIMEOUT_MS + 100,
            autoMigrate: true,
            autoSeed: false,
          } as Config;
          const gateway = await createGateway(settings, logger);
          try {
            assert.ok(
              warnings.some(
                (line) =>
                  line.includes(`statement_timeout is ${TIMEOUT_MS}, want ${TIMEOUT_MS + 100}`) &&
                  line.includes('RECONNECT'),
              ),
              warnings.join('\n'),
            );
            const stored = await sql<{ setting: string }>`
              SELECT unnest(setconfig) AS setting FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(
              gateway.database.db,
            );
            assert.ok(
              stored.rows.some((row) => row.setting === `statement_timeout=${TIMEOUT_MS + 100}`),
              JSON.stringify(stored.rows),
            );
          } finally {
            await gateway.close();
          }
        } finally {
          await old.close();
        }
      });
    });

    describe('refusals that name the fix', () => {
      let database: TestDatabase;
      before(async () => {
        database = await createTestDatabase({ ...loadConfig(), ...behindPooler() });
      });
      after(() => database?.drop());

      it('does not start with startup parameters through the pooler (it refuses them), and says to use DB_SESSION_SETTINGS=role', async () => {
        const settings = {
          ...database.config,
          dbSessionSettings: 'startup',
          autoMigrate: false,
          autoSeed: false,
          logLevel: 'silent',
        } as Config;
        await assert.rejects(
          createGateway(settings, createLogger(settings)),
          /unsupported startup parameter.*DB_SESSION_SETTINGS=role/s,
        );
      });

      it('does not start when the role’s defaults were never stored (migrate not run), and says so', async () => {
        const settings = { ...database.config, autoMigrate: false, autoSeed: false, logLevel: 'silent' } as Config;
        await assert.rejects(
          createGateway(settings, createLogger(settings)),
          /statement_timeout is not set, want 400.*npm run migrate/s,
        );
      });
    });
  },
);
