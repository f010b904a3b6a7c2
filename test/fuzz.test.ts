import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { GraphQLSchema } from 'graphql';
import { sql } from 'kysely';
import { buildGatewaySchema } from '../src/graphql/build-schema';
import { COMPILE_AFTER_RUNS, MAX_PLAN_BYTES } from '../src/graphql/apollo-server';
import {
  distinctOperationNameRequest,
  fragmentHeavyOperation,
  invalidDocument,
  malformedBody,
  random,
  randomOperation,
  skippedBranchOperation,
  type Random,
} from './support/fuzz';
import { seriesValue } from './support/metrics';
import { startTestGateway, type TestGateway } from './support/gateway';
import { UMBRELLA } from './support/ids';

// FUZZ_SEED replays a run; FUZZ_REQUESTS sets its length (per half).
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1200);
/** Fragment- and directive-heavy requests; each must be answered well within this (bombs took hours). */
const FRAGMENT_REQUESTS = Number(process.env.FUZZ_FRAGMENT_REQUESTS ?? 600);
/** Requests of each hostile class (distinct operation names, skipped branches, invalid documents). */
const HOSTILE_REQUESTS = Number(process.env.FUZZ_HOSTILE_REQUESTS ?? 600);
const SLOWEST_ANSWER_MS = 2000;
const CONCURRENCY = 8;
/** Every code a client may see; INTERNAL_SERVER_ERROR would mean an unexpected failure. */
const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'QUERY_TOO_COSTLY',
  'PERSISTED_QUERY_NOT_FOUND',
  'RATE_LIMITED',
  'OPERATION_RESOLUTION_FAILURE',
]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe(`fuzzing the HTTP endpoint (seed ${SEED}, ${REQUESTS * 2 + FRAGMENT_REQUESTS + HOSTILE_REQUESTS * (2 + COMPILE_AFTER_RUNS + 1) + 1000} requests)`, () => {
  let gateway: TestGateway;
  let schema: GraphQLSchema;
  let viewers: { name: string; id: string | null; token: string | undefined }[];
  let ids: string[];
  /** Organization of every organization-scoped row (organizations, studies, comments, approvals). */
  let organizationOf: Map<string, string>;
  const tally = new Map<string, number>();
  let slowestMs = 0;

  before(async () => {
    gateway = await startTestGateway();
    schema = await buildGatewaySchema();
    const db = gateway.db;
    const other = await sql<{ user_id: string; email: string }>`
      SELECT m.user_id, u.email FROM organization_members m JOIN users u ON u.id = m.user_id
      WHERE m.organization_id = ${UMBRELLA}
        AND m.user_id NOT IN (SELECT user_id FROM organization_members WHERE organization_id <> ${UMBRELLA})
      ORDER BY m.user_id LIMIT 1`.execute(db);
    viewers = [
      {
        name: 'analyst',
        id: await gateway.userId('analyst@example.com'),
        token: await gateway.tokenFor('analyst@example.com'),
      },
      {
        name: 'outsider',
        id: await gateway.userId('outsider@example.com'),
        token: await gateway.tokenFor('outsider@example.com'),
      },
      { name: 'umbrella member', id: other.rows[0].user_id, token: await gateway.tokenFor(other.rows[0].email) },
      { name: 'anonymous', id: null, token: undefined },
    ];
    const rows = await sql<{ id: string; organization_id: string }>`
      SELECT id, id AS organization_id FROM organizations
      UNION ALL SELECT id, organization_id FROM studies
      UNION ALL SELECT c.id, s.organization_id FROM comments c JOIN studies s ON s.id = c.study_id
      UNION ALL SELECT a.id, s.organization_id FROM approvals a JOIN studies s ON s.id = a.study_id`.execute(db);
    organizationOf = new Map(rows.rows.map((row) => [row.id, row.organization_id]));
    const users = await db.selectFrom('users').select('id').limit(20).execute();
    // A pool of real ids of every kind and every tenant, so random operations hit real rows.
    const r = random(SEED);
    const entityIds = [...organizationOf.keys()];
    ids = [...Array.from({ length: 200 }, () => r.pick(entityIds)), ...users.map((u) => u.id)];
  });
  after(() => gateway?.close());

  /** Organizations whose rows this viewer may not see, as of now (fuzzed mutations change memberships). */
  async function foreignOrganizations(viewerId: string | null): Promise<Set<string>> {
    const all = await gateway.db.selectFrom('organizations').select('id').execute();
    const mine = viewerId
      ? await gateway.db
          .selectFrom('organization_members')
          .select('organization_id')
          .where('user_id', '=', viewerId)
          .execute()
      : [];
    const member = new Set(mine.map((m) => m.organization_id));
    return new Set(all.map((o) => o.id).filter((id) => !member.has(id)));
  }

  async function send(r: Random, body: string) {
    const viewer = r.pick(viewers);
    const headers: Record<string, string> = viewer.token ? { authorization: `Bearer ${viewer.token}` } : {};
    const started = performance.now();
    const response = await gateway.post(body, headers);
    const text = await response.text();
    const elapsedMs = performance.now() - started;
    slowestMs = Math.max(slowestMs, elapsedMs);
    const label = `${viewer.name} ${body.slice(0, 300)} → ${response.status} ${text.slice(0, 300)}`;
    tally.set(String(response.status), (tally.get(String(response.status)) ?? 0) + 1);

    assert.ok(response.status < 500, `no 5xx: ${label}`);
    assert.ok(elapsedMs < SLOWEST_ANSWER_MS, `answered in ${elapsedMs.toFixed(0)} ms: ${label}`);
    let parsed:
      | { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }
      | { data?: unknown; errors?: unknown[] }[];
    try {
      parsed = JSON.parse(text);
    } catch {
      assert.fail(`the answer is JSON: ${label}`);
    }
    for (const answer of Array.isArray(parsed) ? parsed : [parsed]) {
      for (const error of (answer.errors ?? []) as { extensions?: Record<string, unknown> }[]) {
        const code = String(error.extensions?.code);
        tally.set(code, (tally.get(code) ?? 0) + 1);
        assert.ok(CLIENT_CODES.has(code), `a client error code, not ${code}: ${label}`);
        assert.equal(error.extensions?.stacktrace, undefined, `no stack trace: ${label}`);
      }
    }
    // Ids of another tenant's rows may only come back if the request named them (e.g. in NOT_FOUND).
    const returned = new Set(text.match(UUID) ?? []);
    const asked = new Set(body.match(UUID) ?? []);
    const suspects = [...returned].filter((id) => organizationOf.has(id) && !asked.has(id));
    if (suspects.length > 0) {
      const foreign = await foreignOrganizations(viewer.id);
      const leaked = suspects.filter((id) => foreign.has(organizationOf.get(id)!));
      assert.deepEqual(leaked, [], `nothing of another tenant leaks: ${label}`);
    }
  }

  async function run(r: Random, count: number, makeBody: (r: Random) => string) {
    for (let sent = 0; sent < count; sent += CONCURRENCY) {
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count - sent) }, () => send(r, makeBody(r))));
    }
  }

  it('malformed bodies: coded 4xx answers, never a 5xx, never a stack trace', async () => {
    await run(random(SEED + 1), REQUESTS, malformedBody);
  });

  it('random operations built from the schema: no unexpected error, no other tenant’s data', async () => {
    await run(random(SEED + 2), REQUESTS, (r) => JSON.stringify({ query: randomOperation(schema, r, ids) }));
  });

  it('fragment- and directive-heavy operations (bombs, cycles, directives everywhere): answered at once, coded', async () => {
    await run(random(SEED + 4), FRAGMENT_REQUESTS, (r) => JSON.stringify(fragmentHeavyOperation(schema, r, ids)));
    console.log(
      `fuzz outcomes: ${JSON.stringify(Object.fromEntries([...tally].sort()))}; slowest answer ${slowestMs.toFixed(0)} ms`,
    );
  });

  it('hostile classes (distinct operation names, skipped branches, invalid documents): coded answers, and memory bounded', async () => {
    const r = random(SEED + 5);
    const known = '{ viewer { id } }';
    for (let i = 0; i < COMPILE_AFTER_RUNS; i += 1) await send(r, JSON.stringify({ query: known }));
    const heap = () => {
      collectGarbage();
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    // What any request warms (code, pools) is not what is measured.
    await run(r, 100, (r) => JSON.stringify(distinctOperationNameRequest(r, known)));
    const start = heap();
    // Names of up to 20 KB, distinct every time, with a document already compiled: nothing may be kept for them.
    await run(r, HOSTILE_REQUESTS, (r) => JSON.stringify(distinctOperationNameRequest(r, known)));
    const afterNames = heap();
    console.log(
      `distinct operation names: heap ${start.toFixed(1)} → ${afterNames.toFixed(1)} MB over ${HOSTILE_REQUESTS} requests`,
    );
    assert.ok(
      afterNames - start < 4,
      `the heap grew ${(afterNames - start).toFixed(1)} MB for names that named nothing`,
    );

    // Each skipped-branch document run often enough to be compiled: plans stay within their byte bound.
    // Few enough to stay in Apollo's parsed-document store (about 30 MB), so that their runs count towards compilation;
    // round after round, so that each run finds the document parsed by the one before.
    const skipped = Array.from({ length: Math.ceil(HOSTILE_REQUESTS / 10) }, () =>
      JSON.stringify(skippedBranchOperation(schema, r, ids)),
    );
    let nextSkipped = 0;
    const compiledBefore = await seriesValue(gateway.url, 'studygraph_compiled_operations_total{result="compiled"}');
    await run(r, skipped.length * (COMPILE_AFTER_RUNS + 3), () => skipped[nextSkipped++ % skipped.length]);
    const afterSkipped = heap();
    // The plans' bound, and Apollo's parsed-document store (about 30 MB by default), both full at worst.
    const boundMb = MAX_PLAN_BYTES / 2 ** 20 + 30;
    console.log(
      `skipped branches: heap ${afterNames.toFixed(1)} → ${afterSkipped.toFixed(1)} MB (bound ${boundMb} MB)`,
    );
    assert.ok(afterSkipped - afterNames < boundMb, `the heap grew ${(afterSkipped - afterNames).toFixed(1)} MB`);
    const compiled = (result: string) =>
      seriesValue(gateway.url, `studygraph_compiled_operations_total{result="${result}"}`);
    console.log(
      `compilations: ${await compiled('compiled')} compiled, ${await compiled('interpreted')} left to graphql-js, ${await compiled('deferred')} deferred by the budget`,
    );
    assert.ok(
      (await compiled('compiled')) > compiledBefore,
      'skipped-branch documents reached compilation (so their plans were bounded, not avoided)',
    );

    await run(r, HOSTILE_REQUESTS, (r) => JSON.stringify({ query: invalidDocument(schema, r, ids) }));
    const afterInvalid = heap();
    console.log(`invalid documents: heap ${afterSkipped.toFixed(1)} → ${afterInvalid.toFixed(1)} MB`);
    assert.ok(
      afterInvalid - afterSkipped < 8,
      `the heap grew ${(afterInvalid - afterSkipped).toFixed(1)} MB for documents that never ran`,
    );
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200, 'still serving');
  });

  it('memory is stable: replaying the same operations does not grow the heap', async () => {
    const r = random(SEED + 3);
    const bodies = Array.from({ length: 250 }, () => JSON.stringify({ query: randomOperation(schema, r, ids) }));
    let next = 0;
    const replay = () => bodies[next++ % bodies.length];
    // The first passes fill what is bounded by design (parsed-document and label caches, pool, and the
    // compiled plans: an operation is compiled on its COMPILE_AFTER_RUNS-th run).
    await run(r, bodies.length * COMPILE_AFTER_RUNS, replay);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    await run(r, bodies.length * 3, replay);
    collectGarbage();
    const grownMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    console.log(`heap grew ${grownMb.toFixed(1)} MB over ${bodies.length * 3} replayed requests`);
    assert.ok(grownMb < 8, `heap grew ${grownMb.toFixed(1)} MB`);
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200, 'still serving');
  });
});
