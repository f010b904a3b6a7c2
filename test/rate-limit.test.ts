import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { sql } from 'kysely';
import { loadConfig } from '../src/config';
import { onlyError, startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY, INITECH, INITECH_STUDY } from './support/ids';
import { redisServerAvailable, startOwnRedis, type OwnRedis } from './support/redis';

const BASE = 12_000; // points a minute for a plain user in these tests: 200 a second
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plain member everywhere, or an admin somewhere; in an enterprise organization or in none. */
async function userWith(
  gateway: TestGateway,
  role: 'member' | 'admin',
  enterprise: boolean,
  skip = 0,
): Promise<{ email: string; organizationId: string }> {
  const roleCondition =
    role === 'member' ? sql`bool_and(m.role = 'member')` : sql`bool_or(m.role IN ('admin', 'owner'))`;
  const { rows } = await sql<{ email: string; organization_id: string }>`
    SELECT u.email, min(m.organization_id::text) AS organization_id
    FROM users u JOIN organization_members m ON m.user_id = u.id JOIN organizations o ON o.id = m.organization_id
    WHERE u.email <> 'analyst@example.com'
    GROUP BY u.id, u.email
    HAVING ${roleCondition} AND bool_or(o.plan = 'enterprise') = ${enterprise}
    ORDER BY u.email OFFSET ${skip} LIMIT 1`.execute(gateway.db);
  assert.ok(rows[0], `a ${role} (enterprise: ${enterprise}) exists in the seed`);
  return { email: rows[0].email, organizationId: rows[0].organization_id };
}

/** 30 aliased pages of 50 studies: estimate = actual = 1,500 points on the small seed (50 studies per organization). */
function expensive(organizationId: string, filter = '') {
  const pages = Array.from(
    { length: 30 },
    (_, i) => `p${i}: studies(organizationId: "${organizationId}", first: 50${filter}) { edges { node { id } } }`,
  );
  return `{ ${pages.join(' ')} }`;
}

const costOf = (response: GraphQLResponse) =>
  (response.body.extensions as { cost?: unknown } | undefined)?.cost as
    | {
        requestedQueryCost: number;
        actualQueryCost: number;
        throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } | null;
      }
    | undefined;

describe('cost-based rate limits', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      config: { rateLimits: true, rateLimitPointsPerMinute: BASE, trustProxy: 1, redisUrl: undefined },
    });
  });
  after(() => gateway?.close());

  it('every response carries its cost and the IETF RateLimit fields', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const response = await gateway.graphql('{ viewer { id } }', { token });
    const cost = costOf(response)!;
    assert.equal(cost.requestedQueryCost, 1);
    assert.equal(cost.actualQueryCost, 1);
    assert.ok(cost.throttleStatus);
    assert.match(response.headers.get('ratelimit-policy') ?? '', /^"points";q=\d+;w=\d+$/);
    assert.match(response.headers.get('ratelimit') ?? '', /^"points";r=\d+;t=\d+$/);
  });

  it('budgets by tier: user ×1, admin ×2, enterprise ×3, both ×6; anonymous callers a fifth, by address', async () => {
    const expectations: [string, number][] = [
      [(await userWith(gateway, 'member', false)).email, BASE],
      [(await userWith(gateway, 'admin', false)).email, 2 * BASE],
      [(await userWith(gateway, 'member', true)).email, 3 * BASE],
      ['analyst@example.com', 6 * BASE],
    ];
    for (const [email, maximum] of expectations) {
      const response = await gateway.graphql('{ viewer { id } }', { token: await gateway.tokenFor(email) });
      assert.equal(costOf(response)!.throttleStatus!.maximumAvailable, maximum, email);
    }
    const anonymous = await gateway.graphql('{ __typename }', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    assert.equal(costOf(anonymous)!.throttleStatus!.maximumAvailable, BASE / 5);
    // Ten requests a second per address: the eleventh from one address is refused, another address is not.
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        gateway.graphql('{ __typename }', { headers: { 'x-forwarded-for': '203.0.113.8' } }),
      ),
    );
    assert.ok(burst.some((r) => r.status === 429));
    assert.equal(
      (await gateway.graphql('{ __typename }', { headers: { 'x-forwarded-for': '203.0.113.9' } })).status,
      200,
    );
  });

  it('a forged token gets no budget of its own: it is refused before anything is charged', async () => {
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('00000000-0000-4000-8000-000000000001')
      .setIssuer('studygraph')
      .setAudience('studygraph')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a'.repeat(40)));
    const response = await gateway.graphql('{ viewer { id } }', { token: forged });
    assert.equal(response.status, 401);
    assert.equal(costOf(response), undefined);
  });

  it('a too costly operation is refused before it runs: no statement reaches the database', async () => {
    const query =
      '{ organizations(first: 100) { edges { node { studies(first: 100) { edges { node { collaborators { user { name } } } } } } } } }';
    const anonymous = await gateway.graphql(query, { headers: { 'x-forwarded-for': '203.0.113.20' } });
    const error = onlyError(anonymous);
    assert.equal(error.extensions?.code, 'QUERY_TOO_COSTLY');
    assert.deepEqual(error.extensions?.cost, {
      requestedQueryCost: 100 * (1 + 100 * (1 + 10 * 2)),
      maximumQueryCost: 10_000,
    });
    assert.equal(anonymous.sqlStatements, 0);
    const authenticated = await gateway.graphql(query, { token: await gateway.tokenFor('analyst@example.com') });
    assert.equal(onlyError(authenticated).extensions?.code, 'QUERY_TOO_COSTLY');
    assert.ok(
      authenticated.sqlStatements <= 1,
      'at most the viewer lookup of authentication (none once the viewer is kept)',
    );
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
    assert.equal(onlyError(await gateway.graphql(`{ ${aliases} }`)).extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('at the budget boundary the last allowed request passes, the next gets 429 with a correct Retry-After, and after it requests pass again', async () => {
    const user = await userWith(gateway, 'member', false);
    const token = await gateway.tokenFor(user.email);
    const query = expensive(user.organizationId);
    let passed = 0;
    let refused: GraphQLResponse | undefined;
    for (let i = 0; i < 12 && !refused; i += 1) {
      const response = await gateway.graphql(query, { token });
      if (response.status === 200) {
        assert.equal(costOf(response)!.actualQueryCost, 1500);
        passed += 1;
      } else refused = response;
    }
    assert.equal(passed, BASE / 1500, 'exactly the budget');
    assert.ok(refused);
    assert.equal(refused.status, 429);
    const error = onlyError(refused);
    assert.equal(error.extensions?.code, 'RATE_LIMITED');
    const throttle = costOf(refused)!.throttleStatus!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.equal(retryAfter, error.extensions?.retryAfterSeconds);
    assert.equal(
      retryAfter,
      Math.ceil((1500 - throttle.currentlyAvailable) / throttle.restoreRate),
      JSON.stringify(throttle),
    );
    assert.match(
      await (await fetch(`${gateway.url}/metrics`)).text(),
      /studygraph_throttled_requests_total\{reason="budget"\} [1-9]/,
    );
    await sleep(retryAfter * 1000 + 200);
    assert.equal((await gateway.graphql(query, { token })).status, 200, 'the budget refilled');
  });

  it('the difference between estimate and actual cost is refunded', async () => {
    const user = await userWith(gateway, 'admin', false);
    const token = await gateway.tokenFor(user.email);
    const first = await gateway.graphql('{ viewer { id } }', { token });
    const before = costOf(first)!.throttleStatus!.currentlyAvailable;
    const response = await gateway.graphql(expensive(user.organizationId, ', filter: { statuses: [DRAFT] }'), {
      token,
    });
    const cost = costOf(response)!;
    assert.equal(cost.requestedQueryCost, 1500);
    assert.ok(cost.actualQueryCost < 1500);
    const spent = before - cost.throttleStatus!.currentlyAvailable;
    assert.ok(spent <= cost.actualQueryCost + 1, `spent ${spent}, actual ${cost.actualQueryCost}`);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    for (const series of [
      'studygraph_operation_cost_estimated_count',
      'studygraph_operation_cost_actual_count',
      'studygraph_operation_cost_refunded_count',
    ]) {
      assert.match(metrics, new RegExp(`${series} [1-9]`), series);
    }
  });

  it('200 concurrent requests never overspend a budget', async () => {
    const user = await userWith(gateway, 'member', false, 1);
    const token = await gateway.tokenFor(user.email);
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => gateway.graphql(expensive(user.organizationId), { token })),
    );
    const elapsedSeconds = (Date.now() - started) / 1000;
    const passed = responses.filter((r) => r.status === 200).length;
    assert.ok(passed >= 1);
    assert.ok(passed * 1500 <= BASE + (BASE / 60) * elapsedSeconds, `${passed} passed in ${elapsedSeconds}s`);
    assert.ok(responses.every((r) => r.status === 200 || r.status === 429));
  });

  it('rateLimit(dryRun: true) prices the operation without running or charging it', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const before = costOf(await gateway.graphql('{ viewer { id } }', { token }))!.throttleStatus!.currentlyAvailable;
    const response = await gateway.graphql(
      '{ rateLimit(dryRun: true) { cost limit remaining restoreRate resetAt } organizations(first: 10) { edges { node { studies(first: 10) { edges { node { id } } } } } } }',
      { token },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.body.data ?? {}), ['rateLimit']);
    const status = response.body.data!.rateLimit;
    assert.equal(status.cost, 10 * (1 + 10));
    assert.equal(status.limit, 6 * BASE);
    assert.ok(status.remaining >= before - 1);
    assert.ok(response.sqlStatements <= 1, 'nothing but authentication ran');
    const charged = await gateway.graphql('{ rateLimit { cost remaining } viewer { id } }', { token });
    assert.equal(charged.body.data!.rateLimit.cost, 1);
  });

  it('@rateLimit on analytics: the 31st call in a minute is refused for that field alone', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const query = `{ organization(id: "${ACME}") { name analytics { totalStudies } } }`;
    for (let i = 0; i < 30; i += 1) {
      const response = await gateway.graphql(query, { token });
      assert.equal(response.body.errors, undefined, `call ${i + 1}`);
      await sleep(110);
    }
    const limited = await gateway.graphql(query, { token });
    const error = onlyError(limited);
    assert.equal(error.extensions?.code, 'RATE_LIMITED');
    assert.deepEqual(limited.body.errors![0].path, ['organization', 'analytics']);
    // The refusal nulls the field, not its organization: the siblings of the answer stand, and it is a 200.
    assert.equal(limited.body.data?.organization?.analytics, null);
    assert.equal(typeof limited.body.data?.organization?.name, 'string');
    assert.equal(limited.status, 200);
  });
});

describe(
  'rate limits with Redis going away',
  { skip: redisServerAvailable() ? false : 'needs redis-server on this machine' },
  () => {
    let redis: OwnRedis;
    let gateway: TestGateway;
    before(async () => {
      redis = await startOwnRedis();
      gateway = await startTestGateway({
        config: { rateLimits: true, rateLimitPointsPerMinute: BASE, redisUrl: redis.url },
      });
    });
    after(async () => {
      await gateway?.close();
      await redis?.stop();
    });

    it('keeps limiting from memory while Redis is down, and no request fails for that reason', async () => {
      const user = await userWith(gateway, 'member', false);
      const token = await gateway.tokenFor(user.email);
      assert.equal((await gateway.graphql('{ viewer { id } }', { token })).status, 200);
      await redis.stop();
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1)
        statuses.push((await gateway.graphql(expensive(user.organizationId), { token })).status);
      assert.ok(
        statuses.every((s) => s === 200 || s === 429),
        statuses.join(','),
      );
      assert.ok(statuses.includes(200));
      assert.ok(statuses.includes(429), 'the in-process limiter enforced the budget');
      await redis.start();
    });
  },
);

const config = loadConfig();

describe(
  'two processes share one budget',
  { skip: config.databaseUrl && config.redisUrl ? false : 'needs DATABASE_URL and REDIS_URL' },
  () => {
    let first: TestGateway;
    let second: TestGateway;
    before(async () => {
      first = await startTestGateway({ config: { rateLimits: true, rateLimitPointsPerMinute: BASE } });
      second = await startTestGateway({
        config: { rateLimits: true, rateLimitPointsPerMinute: BASE },
        shareDatabaseWith: first,
      });
    });
    after(async () => {
      await second?.close();
      await first?.close();
    });

    it('200 concurrent requests across both never overspend it', async () => {
      const user = await userWith(first, 'member', false);
      const token = await first.tokenFor(user.email);
      // Budgets in a shared Redis outlive a run: start this user's bucket afresh.
      const started = Date.now();
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 ? first : second).graphql(expensive(user.organizationId), { token }),
        ),
      );
      const elapsedSeconds = (Date.now() - started) / 1000;
      const passed = responses.filter((r) => r.status === 200).length;
      assert.ok(passed >= 1);
      assert.ok(passed * 1500 <= BASE + (BASE / 60) * elapsedSeconds, `${passed} passed in ${elapsedSeconds}s`);
    });
  },
);

describe('pricing kept per operation', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway();
  });
  after(() => gateway?.close());

  it('requests differing in ids share a price; a different page size or @include is priced anew; bad variables are still refused', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const query =
      'query($id: ID!, $n: Int!, $withActivity: Boolean!) { study(id: $id) { comments(first: $n) { edges { node { id } } } activity(first: 50) @include(if: $withActivity) { edges { node { id } } } } }';
    const price = async (variables: Record<string, unknown>) => {
      const response = await gateway.graphql(query, { token, variables });
      return costOf(response)?.requestedQueryCost ?? onlyError(response).extensions?.code;
    };
    const [first, otherStudy] = [
      await price({ id: ACME_STUDY, n: 5, withActivity: false }),
      await price({ id: INITECH_STUDY, n: 5, withActivity: false }),
    ];
    assert.equal(otherStudy, first);
    const larger = await price({ id: ACME_STUDY, n: 50, withActivity: false });
    assert.ok(typeof larger === 'number' && typeof first === 'number' && larger > first, `${larger} > ${first}`);
    assert.ok((await price({ id: ACME_STUDY, n: 5, withActivity: true })) > first);
    assert.equal(await price({ id: { not: 'an id' }, n: 5, withActivity: false }), 'BAD_USER_INPUT');
    assert.equal(await price({ id: ACME_STUDY, n: 5 }), 'BAD_USER_INPUT');
  });

  it('an omitted variable (its default applies) and an explicit null are priced apart; a request that cannot be priced spoils nothing', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    // `limit: Int! = 5`: omitted, the default applies; an explicit null is refused.
    const query =
      'query($id: ID!, $n: Int) { organization(id: $id) { analytics { topContributors(limit: $n) { count } } } }';
    const send = (variables: Record<string, unknown>) => gateway.graphql(query, { token, variables });
    const omitted = await send({ id: ACME });
    assert.ok(costOf(omitted)?.requestedQueryCost, JSON.stringify(omitted.body));
    const explicitNull = await send({ id: INITECH, n: null });
    assert.equal(onlyError(explicitNull).extensions?.code, 'BAD_USER_INPUT');
    const again = await send({ id: INITECH });
    assert.equal(costOf(again)?.requestedQueryCost, costOf(omitted)?.requestedQueryCost, JSON.stringify(again.body));
    assert.equal(
      onlyError(await send({ id: ACME, n: null })).extensions?.code,
      'BAD_USER_INPUT',
      'and the null is refused again, not served a kept price',
    );
  });
});
