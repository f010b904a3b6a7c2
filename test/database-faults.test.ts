import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../src/config';
import { dataOf, onlyError, startTestGateway, type TestGateway } from './support/gateway';

// Killing server connections and dropping a database need a real PostgreSQL server.
const serverUrl = loadConfig().databaseUrl;

describe(
  'PostgreSQL going away mid-run',
  { skip: serverUrl ? false : 'needs DATABASE_URL (a PostgreSQL server)' },
  () => {
    let gateway: TestGateway;
    let token: string;

    async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        return await fn(client);
      } finally {
        await client.end();
      }
    }

    const databaseName = () => new URL(gateway.config.databaseUrl!).pathname.slice(1);

    before(async () => {
      gateway = await startTestGateway();
      token = await gateway.tokenFor('analyst@example.com');
    });
    after(() => gateway?.close());

    it('connections killed by the server are replaced: the next requests answer normally', async () => {
      // Fill the pool with several connections first.
      await Promise.all(
        Array.from({ length: 5 }, () => gateway.graphql('{ organizations { totalCount } }', { token })),
      );
      const killed = await admin(async (client) => {
        const result = await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [databaseName()],
        );
        return result.rowCount;
      });
      assert.ok(killed && killed > 0, 'the gateway had open connections');
      // An in-flight request may meet a dead connection; within two tries the pool has replaced them all.
      let answered = false;
      for (let attempt = 0; attempt < 3 && !answered; attempt += 1) {
        const response = await gateway.graphql('{ organizations { totalCount } }', { token });
        answered = !response.body.errors;
      }
      assert.ok(answered);
      for (let i = 0; i < 5; i += 1)
        assert.equal(
          dataOf(await gateway.graphql('{ organizations { totalCount } }', { token })).organizations.totalCount,
          3,
        );
    });

    it('with the database gone, requests fail fast with a 503 SERVICE_UNAVAILABLE and /readyz says 503', async () => {
      // A viewer this process has not seen yet: their record must be read, and cannot be.
      const newcomer = await gateway.tokenFor('outsider@example.com');
      await admin((client) => client.query(`DROP DATABASE ${databaseName()} WITH (FORCE)`));
      const started = Date.now();
      const response = await gateway.graphql('{ viewer { id } }', { token: newcomer });
      assert.ok(Date.now() - started < 6000, 'no hang past the connection timeout');
      assert.equal(response.status, 503);
      const error = onlyError(response);
      assert.equal(error.extensions?.code, 'SERVICE_UNAVAILABLE');
      assert.match(error.message, /retry/);
      assert.doesNotMatch(
        error.message,
        /relation|pg|ECONN|3D000|studygraph_test/i,
        'no driver details leak to clients',
      );
      assert.ok(error.extensions?.requestId);
      const ready = await fetch(`${gateway.url}/readyz`);
      assert.equal(ready.status, 503);
      // Whether, not why: the reason names the database's address, and goes to the log only.
      assert.deepEqual(Object.keys((await ready.json()) as object).sort(), ['database', 'status']);
      const health = await fetch(`${gateway.url}/healthz`);
      assert.equal(health.status, 200, 'the process itself is alive');
      // A viewer kept in process gets as far as the first statement, which fails the same way.
      const known = await gateway.graphql('{ organizations { totalCount } }', { token });
      assert.equal(onlyError(known).extensions?.code, 'SERVICE_UNAVAILABLE');
    });
  },
);
