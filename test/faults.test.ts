import assert from 'node:assert/strict';
import { setTimeout as pause } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { freePort } from '../tools/gateway-process';
import { startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY } from './support/ids';
import { ownPostgresAvailable, startOwnPostgres, type OwnPostgres } from './support/postgres';
import { redisServerAvailable, startOwnRedis, type OwnRedis } from './support/redis';
import { until } from './support/wait';

interface Outcome {
  at: number;
  ms: number;
  status: number;
  codes: string[];
  cache: string | null;
}

/** Keeps `loops` clients sending `request()` until stopped; every answer is recorded. */
function load(loops: number, request: (loop: number, n: number) => Promise<Response>, thinkMs: number) {
  const outcomes: Outcome[] = [];
  let running = true;
  const started = Date.now();
  const workers = Array.from({ length: loops }, async (_, loop) => {
    for (let n = 0; running; n += 1) {
      const t = Date.now();
      let outcome: Outcome;
      try {
        const response = await request(loop, n);
        const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
        outcome = {
          at: t - started,
          ms: Date.now() - t,
          status: response.status,
          codes: (body.errors ?? []).map((e) => String(e.extensions?.code)),
          cache: response.headers.get('x-cache'),
        };
      } catch (error) {
        outcome = { at: t - started, ms: Date.now() - t, status: 0, codes: [String(error)], cache: null };
      }
      outcomes.push(outcome);
      await pause(thinkMs);
    }
  });
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(workers);
      return outcomes;
    },
  };
}

async function readyStatus(gateway: TestGateway): Promise<number> {
  return (await fetch(`${gateway.url}/readyz`)).status;
}

describe(
  'PostgreSQL restarted under load',
  { skip: ownPostgresAvailable() ? false : 'needs PostgreSQL server binaries (and a postgres user when run as root)' },
  () => {
    let postgres: OwnPostgres;
    let gateway: TestGateway;
    let tokens: string[];

    before(async () => {
      postgres = startOwnPostgres(await freePort());
      gateway = await startTestGateway({ config: { databaseUrl: postgres.url } });
      tokens = [await gateway.tokenFor('analyst@example.com')];
    });
    after(async () => {
      await gateway?.close();
      postgres?.destroy();
    });

    it('requests in the gap fail fast with SERVICE_UNAVAILABLE, /readyz goes false, all recovers, no mutation is half-applied', async () => {
      const read = `{ studies(organizationId: "${ACME}", first: 5) { totalCount edges { node { id title } } } }`;
      const traffic = load(
        6,
        (loop, n) =>
          n % 2 === 0
            ? gateway.post(JSON.stringify({ query: read }), { authorization: `Bearer ${tokens[0]}` })
            : gateway.post(
                JSON.stringify({
                  query: `mutation { addComment(input: { studyId: "${ACME_STUDY}", body: "fault-${loop}-${n}" }) { id } }`,
                }),
                {
                  authorization: `Bearer ${tokens[0]}`,
                },
              ),
        20,
      );
      await pause(1500);
      postgres.stop('fast');
      await until('/readyz to say 503', async () => ((await readyStatus(gateway)) === 503 ? true : undefined), 10_000);
      await pause(2000);
      postgres.start();
      await until(
        '/readyz to say 200 again',
        async () => ((await readyStatus(gateway)) === 200 ? true : undefined),
        30_000,
      );
      const recoveredAt = traffic.outcomes.length;
      await pause(2000);
      const outcomes = await traffic.stop();

      const failed = outcomes.filter((o) => o.status !== 200 || o.codes.length > 0);
      const slowest = Math.max(...outcomes.map((o) => o.ms));
      console.log(
        `PostgreSQL restart under load: ${outcomes.length} requests, ${failed.length} failed during the gap, slowest ${slowest} ms, codes ${JSON.stringify([...new Set(failed.flatMap((o) => o.codes))])}`,
      );
      assert.ok(failed.length > 0, 'the gap was real');
      for (const o of failed) {
        assert.ok(o.status === 503 || o.status === 200, `a 503, or a 200 with errors, not ${o.status}`);
        assert.deepEqual([...new Set(o.codes)], ['SERVICE_UNAVAILABLE'], JSON.stringify(o));
      }
      assert.ok(slowest < 8000, `no request hung (slowest ${slowest} ms; connection timeout 5 s)`);
      const afterRecovery = outcomes.slice(recoveredAt + 12);
      assert.ok(afterRecovery.length > 10);
      assert.deepEqual(
        afterRecovery.filter((o) => o.status !== 200 || o.codes.length > 0),
        [],
        'everything answers after the restart',
      );

      // Each addComment wrote its comment and its activity row in one transaction, or neither.
      const orphans = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM comments c WHERE c.body LIKE 'fault-%'
        AND NOT EXISTS (SELECT 1 FROM collaboration_activity a WHERE a.details->>'commentId' = c.id::text)`.execute(
        gateway.db,
      );
      assert.equal(orphans.rows[0].n, 0);
    });
  },
);

describe('Redis stopped under load', { skip: redisServerAvailable() ? false : 'needs redis-server' }, () => {
  let redis: OwnRedis;
  let gateway: TestGateway;
  let readers: string[];
  let greedy: string;

  before(async () => {
    redis = await startOwnRedis();
    gateway = await startTestGateway({ config: { redisUrl: redis.url, responseCache: true, rateLimits: true } });
    readers = await Promise.all(
      ['analyst@example.com', 'user2@example.com', 'user3@example.com', 'user4@example.com'].map((email) =>
        gateway.tokenFor(email),
      ),
    );
    greedy = await gateway.tokenFor('user5@example.com');
  });
  after(async () => {
    await gateway?.close();
    await redis?.stop();
  });

  it('the cache is bypassed and the in-process limiter takes over, with no error; both come back with Redis', async () => {
    const query = '{ organizations(first: 5) { edges { node { id name studyCount } } } }';
    const traffic = load(
      4,
      (loop) => gateway.post(JSON.stringify({ query }), { authorization: `Bearer ${readers[loop]}` }),
      150,
    );
    await pause(1000);
    await redis.stop();
    await pause(500);
    // A greedy client during the outage: the in-process buckets still refuse its burst.
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => gateway.post(JSON.stringify({ query }), { authorization: `Bearer ${greedy}` })),
    );
    await pause(1500);
    const duringOutage = traffic.outcomes.length;
    await redis.start();
    await pause(2500);
    const outcomes = await traffic.stop();

    const statuses = burst.map((r) => r.status);
    console.log(
      `Redis outage under load: ${outcomes.length} requests, cache ${JSON.stringify(Object.fromEntries(['hit', 'miss', 'bypass'].map((c) => [c, outcomes.filter((o) => o.cache === c).length])))}, greedy burst ${statuses.filter((s) => s === 429).length}/40 refused`,
    );
    assert.deepEqual(
      outcomes.filter((o) => o.status !== 200 || o.codes.length > 0),
      [],
      'readers were served throughout',
    );
    assert.ok(statuses.filter((s) => s === 429).length >= 20, 'the burst limit held without Redis');
    assert.ok(statuses.every((s) => s === 200 || s === 429));
    assert.ok(
      outcomes.slice(duringOutage).some((o) => o.cache === 'hit'),
      'the cache serves hits again once Redis is back',
    );
  });
});
