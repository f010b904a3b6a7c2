import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { signAccessToken } from '../src/auth/tokens';
import { startGatewayProcess, type GatewayProcess } from '../tools/gateway-process';
import { loadConfig } from '../src/config';
import { DEMO_USERS } from '../src/seed/scales';
import { createTestDatabase, type TestDatabase } from './support/database';
import { ACME_STUDY } from './support/ids';
import { until } from './support/wait';
import { WsClient } from './support/ws-client';

// Real processes (node dist/src/main.js) on a real PostgreSQL: locks hold a request in flight, and
// several processes must share one database.
const base = loadConfig();

/** Pids whose parent is `pid` (from /proc, so no ps is needed). */
function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === pid ? [Number(entry)] : [];
      } catch {
        return [];
      }
    });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe(
  'gateway processes: graceful shutdown and WORKERS',
  { skip: base.databaseUrl ? false : 'needs DATABASE_URL (a PostgreSQL server)' },
  () => {
    let database: TestDatabase;
    let token: string;
    const QUERY = '{ organizations(first: 5) { edges { node { name studies(first: 2) { totalCount } } } } }';

    before(async () => {
      database = await createTestDatabase(base);
      token = await signAccessToken({ id: DEMO_USERS.analyst.id, email: DEMO_USERS.analyst.email }, base.jwt);
    });
    after(() => database?.drop());

    // The response cache and the rate limits stay out of the way: every request reaches the database.
    const start = (workers: number, changes: Record<string, string> = {}) =>
      startGatewayProcess({
        ...changes,
        DATABASE_URL: database.config.databaseUrl!,
        WORKERS: String(workers),
        AUTO_MIGRATE: 'on',
        AUTO_SEED: 'on',
        RESPONSE_CACHE: 'off',
        RATE_LIMITS: 'off',
        LOG_LEVEL: 'error',
        NODE_ENV: 'development',
      });

    const ask = (gateway: GatewayProcess) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: QUERY }),
      });

    it('SIGTERM finishes the request in flight, refuses new connections, closes everything and exits 0', async () => {
      const gateway = await start(1);
      const admin = new pg.Client({ connectionString: database.config.databaseUrl });
      await admin.connect();
      try {
        // The lock holds the gateway's studies statement until we commit: a request provably in flight.
        await admin.query('BEGIN');
        await admin.query('LOCK TABLE studies IN ACCESS EXCLUSIVE MODE');
        const inFlight = ask(gateway);
        await until('the request to wait on the lock', async () => {
          const { rows } = await admin.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
          );
          return rows[0].n > 0 ? true : undefined;
        });
        process.kill(gateway.pid, 'SIGTERM');
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.ok(alive(gateway.pid), 'the process waits for its in-flight request');
        await assert.rejects(fetch(`${gateway.url}/healthz`), 'new connections are refused while it drains');
        await admin.query('COMMIT');
        const response = await inFlight;
        assert.equal(response.status, 200);
        const body = (await response.json()) as { data?: { organizations: { edges: unknown[] } }; errors?: unknown };
        assert.equal(body.errors, undefined);
        assert.ok(body.data!.organizations.edges.length > 0);
        assert.equal(await gateway.stop(), 0, 'exit code 0 after a clean shutdown');
      } finally {
        await admin.end();
        await gateway.stop();
      }
    });

    it('SHUTDOWN_DRAIN_MS: after SIGTERM /readyz answers 503 (draining) while requests are still served, then it stops', async () => {
      const gateway = await start(1, { SHUTDOWN_DRAIN_MS: '2000' });
      try {
        assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);
        const signalled = Date.now();
        process.kill(gateway.pid, 'SIGTERM');
        await until('readiness to turn 503', async () =>
          (await fetch(`${gateway.url}/readyz`)).status === 503 ? true : undefined,
        );
        const readiness = (await (await fetch(`${gateway.url}/readyz`)).json()) as { status: string };
        assert.equal(readiness.status, 'draining');
        const during = await ask(gateway);
        assert.equal(during.status, 200, 'a request during the drain is served');
        assert.equal(((await during.json()) as { errors?: unknown }).errors, undefined);
        assert.ok(Date.now() - signalled < 1800, 'all of that within the drain');
        assert.equal(await gateway.stop(), 0);
        assert.ok(Date.now() - signalled >= 2000, 'it stopped only after the drain');
      } finally {
        await gateway.stop();
      }
    });

    it('WORKERS=2 without Redis: a subscriber hears writes made through either worker (relayed by the primary)', async () => {
      const gateway = await start(2, { REDIS_URL: '' });
      try {
        await until('two workers', () => (childPids(gateway.pid).length === 2 ? true : undefined));
        const client = await WsClient.connect(gateway.url, token);
        client.subscribe('s', 'subscription($id: ID!) { studyActivity(studyId: $id) { node { details } } }', {
          id: ACME_STUDY,
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        // A new connection per write: the cluster hands them to both workers in turn.
        for (let i = 0; i < 6; i += 1) {
          const response = await fetch(`${gateway.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, connection: 'close' },
            body: JSON.stringify({
              query: 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
              variables: { input: { studyId: ACME_STUDY, body: `relay ${i}` } },
            }),
          });
          assert.equal(response.status, 200);
        }
        assert.equal((await client.nexts('s', 6)).length, 6);
        client.close();
      } finally {
        assert.equal(await gateway.stop(), 0);
      }
    });

    it('WORKERS=2 serves from two processes, replaces a worker that dies, and stops them all with exit 0', async () => {
      const gateway = await start(2);
      try {
        const workers = await until('two workers', () => {
          const pids = childPids(gateway.pid);
          return pids.length === 2 ? pids : undefined;
        });
        const answers = await Promise.all(Array.from({ length: 30 }, () => ask(gateway)));
        assert.deepEqual(new Set(answers.map((r) => r.status)), new Set([200]));
        // Whichever worker answers the scrape, it reports the whole cluster.
        for (let scrape = 0; scrape < 2; scrape += 1) {
          const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
          assert.match(metrics, /studygraph_request_duration_seconds_count\{operation="anonymous",outcome="ok"\} 30\n/);
        }

        process.kill(workers[0], 'SIGKILL');
        const replaced = await until('a replacement worker', () => {
          const pids = childPids(gateway.pid);
          return pids.length === 2 && !pids.includes(workers[0]) ? pids : undefined;
        });
        assert.ok(replaced.includes(workers[1]), 'the other worker kept serving');
        await until('the new worker to listen', async () =>
          (await Promise.all([ask(gateway), ask(gateway)])).every((r) => r.status === 200) ? true : undefined,
        );

        // Every worker at once: the primary stays up and forks a new set.
        for (const pid of replaced) process.kill(pid, 'SIGKILL');
        const fresh = await until('a new set of workers', () => {
          const pids = childPids(gateway.pid);
          return pids.length === 2 && pids.every((pid) => !replaced.includes(pid)) ? pids : undefined;
        });
        assert.ok(alive(gateway.pid), 'the primary survived losing every worker');
        await until('the new workers to listen', async () =>
          (await ask(gateway).catch(() => null))?.status === 200 ? true : undefined,
        );

        assert.equal(await gateway.stop(), 0);
        for (const pid of fresh) assert.equal(alive(pid), false, `worker ${pid} stopped with the primary`);
      } finally {
        await gateway.stop();
      }
    });
  },
);
