import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { signAccessToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/observability/logger';
import { closeRedisClient, createRedisClient, isCluster } from '../src/redis';
import { openStream } from '../src/realtime/event-stream';
import { memberWithRole, startTestGateway, type TestGateway } from './support/gateway';
import { seriesValue } from './support/metrics';
import { ACME, ACME_STUDY, GLOBEX, INITECH, UMBRELLA, UMBRELLA_STUDY } from './support/ids';
import { WebSocket } from 'ws';
import { WsClient } from './support/ws-client';
import { redisServerAvailable, startOwnRedis } from './support/redis';
import { until } from './support/wait';
import { appendBacklog } from './support/activity';

const ANALYST = 'analyst@example.com';

/** Leases left in a shared Redis by an earlier run that was killed (they lapse within a minute by themselves). */
async function forgetConnectionLeases(): Promise<void> {
  const url = loadConfig().redisUrl;
  if (!url) return;
  const redis = await createRedisClient({ redisUrl: url, redisClusterNodes: [] }, createLogger(loadConfig()));
  if (!redis || isCluster(redis)) throw new Error('REDIS_URL names one server');
  try {
    for await (const keys of redis.scanIterator({ MATCH: 'studygraph:{ws:*}:connections', COUNT: 1000 }))
      if (keys.length > 0) await redis.del(keys);
  } finally {
    await closeRedisClient(redis);
  }
}
const ADD_COMMENT = 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }';
const STUDY_ACTIVITY =
  'subscription($studyId: ID!, $after: String) { studyActivity(studyId: $studyId, after: $after) { cursor node { id type details study { id } actor { email } } } }';
const ORGANIZATION_ACTIVITY =
  'subscription($organizationId: ID!, $types: [ActivityType!]) { organizationActivity(organizationId: $organizationId, types: $types) { cursor node { id type study { id organization { id } } } } }';

async function comment(gateway: TestGateway, token: string, studyId: string, body: string): Promise<string> {
  const response = await gateway.graphql(ADD_COMMENT, { token, variables: { input: { studyId, body } } });
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  return response.body.data.addComment.id;
}

describe('subscriptions over WebSocket', () => {
  let gateway: TestGateway;
  let analystToken: string;
  const clients: WsClient[] = [];
  const open = async (token: string) => {
    const client = await WsClient.connect(gateway.url, token);
    clients.push(client);
    return client;
  };

  before(async () => {
    await forgetConnectionLeases();
    gateway = await startTestGateway({
      config: {
        jwt: { ...loadConfig().jwt, clockToleranceSeconds: 0 },
        realtime: { ...loadConfig().realtime, maxSubscriptionsPerConnection: 3, maxConnectionsPerUser: 4 },
      },
    });
    analystToken = await gateway.tokenFor(ANALYST);
  });
  // Each test's connections end with it: the analyst's connection limit counts the open ones.
  afterEach(async () => {
    const open = clients.splice(0);
    for (const client of open) client.close();
    await Promise.all(open.map((client) => client.closeCode()));
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
  after(async () => {
    await gateway.close();
  });

  it('closes with 4401 without a token, with a malformed one or a forged one, before any subscription', async () => {
    for (const payload of [
      undefined,
      {},
      { authorization: 'Bearer not-a-jwt' },
      { authorization: `Bearer ${analystToken.slice(0, -4)}AAAA` },
      { authorization: analystToken },
    ]) {
      const client = await WsClient.open(gateway.url, payload);
      client.subscribe('1', STUDY_ACTIVITY, { studyId: ACME_STUDY });
      assert.equal(await client.closeCode(), 4401, JSON.stringify(payload));
      assert.deepEqual(client.messages, [], 'nothing is answered on a refused connection');
    }
  });

  it('closes with 4403 when the token expires, so the client reconnects with a fresh one', async () => {
    const user = await gateway.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', ANALYST)
      .executeTakeFirstOrThrow();
    const shortLived = await signAccessToken(user, gateway.config.jwt, 2);
    const client = await WsClient.connect(gateway.url, shortLived);
    client.subscribe('1', STUDY_ACTIVITY, { studyId: ACME_STUDY });
    assert.equal(await client.closeCode(6000), 4403);
  });

  it('delivers a new entry of a study to its subscriber as an edge, resolved with the subscriber’s loaders', async () => {
    const client = await open(analystToken);
    client.subscribe('s', STUDY_ACTIVITY, { studyId: ACME_STUDY });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const commentId = await comment(gateway, analystToken, ACME_STUDY, 'live one');
    const [event] = await client.nexts('s', 1);
    assert.equal(event.errors, undefined);
    const edge = event.data.studyActivity;
    assert.equal(edge.node.type, 'COMMENT_ADDED');
    assert.equal(edge.node.details.commentId, commentId);
    assert.equal(edge.node.study.id, ACME_STUDY);
    assert.equal(edge.node.actor.email, ANALYST);
    assert.equal(typeof edge.cursor, 'string');
    assert.equal(typeof event.extensions.publishedAt, 'number');
  });

  it('reads an event’s rows once per process, whatever the number of its subscribers there', async () => {
    const subscribers = await Promise.all([open(analystToken), open(analystToken), open(analystToken)]);
    for (const client of subscribers) client.subscribe('s', STUDY_ACTIVITY, { studyId: ACME_STUDY });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const batches = (loader: string) =>
      seriesValue(gateway.url, `studygraph_dataloader_batch_size_count{loader="${loader}"}`);
    const before = { activity: await batches('activityById'), study: await batches('studyById') };
    const commentId = await comment(gateway, analystToken, ACME_STUDY, 'three readers');
    const events = await Promise.all(subscribers.map((client) => client.nexts('s', 1)));
    for (const [event] of events) assert.equal(event.data.studyActivity.node.details.commentId, commentId);
    assert.equal((await batches('activityById')) - before.activity, 1, 'one read of the entry');
    assert.equal(
      (await batches('studyById')) - before.study,
      2,
      'one read of its study for the mutation, one for its event',
    );
  });

  it('refuses another tenant’s study or organization with NOT_FOUND, like a query', async () => {
    const client = await open(analystToken);
    client.subscribe('study', STUDY_ACTIVITY, { studyId: UMBRELLA_STUDY });
    client.subscribe('org', ORGANIZATION_ACTIVITY, { organizationId: UMBRELLA });
    const answered = (id: string) =>
      client.messages.some((m) => m.id === id && (m.type === 'next' || m.type === 'error'));
    await client.until('both answers', () => answered('study') && answered('org'));
    for (const id of ['study', 'org']) {
      const answer = client.messages.find((m) => m.id === id && (m.type === 'next' || m.type === 'error'))!;
      const errors = answer.type === 'error' ? answer.payload : answer.payload.errors;
      assert.equal(errors[0].extensions.code, 'NOT_FOUND', JSON.stringify(answer));
    }
  });

  it('never delivers one tenant’s events to another while both publish side by side', async () => {
    const umbrellaAdmin = await memberWithRole(gateway, UMBRELLA, 'admin');
    const analyst = await open(analystToken);
    const umbrella = await open(umbrellaAdmin.token);
    analyst.subscribe('a', ORGANIZATION_ACTIVITY, { organizationId: ACME });
    umbrella.subscribe('u', ORGANIZATION_ACTIVITY, { organizationId: UMBRELLA });
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 5; i++) {
      await Promise.all([
        comment(gateway, analystToken, ACME_STUDY, `acme ${i}`),
        comment(gateway, umbrellaAdmin.token, UMBRELLA_STUDY, `umbrella ${i}`),
      ]);
    }
    const [mine, theirs] = await Promise.all([analyst.nexts('a', 5), umbrella.nexts('u', 5)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(analyst.of('a').length, 5);
    assert.equal(umbrella.of('u').length, 5);
    assert.ok(
      mine.every((e) => e.data.organizationActivity.node.study.organization.id === ACME),
      JSON.stringify(mine),
    );
    assert.ok(
      theirs.every((e) => e.data.organizationActivity.node.study.organization.id === UMBRELLA),
      JSON.stringify(theirs),
    );
  });

  it('re-checks membership on every delivery: a member removed meanwhile stops receiving (the feed ends NOT_FOUND)', async () => {
    const admin = await memberWithRole(gateway, GLOBEX, 'admin');
    const leaving = await memberWithRole(gateway, GLOBEX, 'viewer');
    const client = await open(leaving.token);
    client.subscribe('g', ORGANIZATION_ACTIVITY, { organizationId: GLOBEX });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const study = await gateway.db
      .selectFrom('studies')
      .select('id')
      .where('organization_id', '=', GLOBEX)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await comment(gateway, admin.token, study.id, 'still a member');
    await client.nexts('g', 1);

    // Removed behind the API's back; losing the user's generation (as an eviction would) makes every process reread the viewer.
    await gateway.db
      .deleteFrom('organization_members')
      .where('organization_id', '=', GLOBEX)
      .where('user_id', '=', leaving.id)
      .execute();
    await gateway.gateway.cacheStore.generations.delete(`gen:user:${leaving.id}`);
    await comment(gateway, admin.token, study.id, 'after the removal');
    await client.until('the feed to end', () => client.of('g', 'error').length > 0);
    assert.equal(client.of('g', 'error')[0].payload[0].extensions.code, 'NOT_FOUND');
    assert.equal(client.of('g').length, 1, 'nothing after the removal');
  });

  it('filters an organization’s feed by type', async () => {
    const client = await open(analystToken);
    client.subscribe('t', ORGANIZATION_ACTIVITY, { organizationId: ACME, types: ['APPROVAL_REQUESTED'] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await comment(gateway, analystToken, ACME_STUDY, 'not an approval');
    const reviewer = await memberWithRole(gateway, ACME, 'member');
    const requested = await gateway.graphql(
      'mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id } }',
      {
        token: analystToken,
        variables: { input: { studyId: ACME_STUDY, reviewerId: reviewer.id } },
      },
    );
    assert.equal(requested.body.errors, undefined, JSON.stringify(requested.body.errors));
    const [event] = await client.nexts('t', 1);
    assert.equal(event.data.organizationActivity.node.type, 'APPROVAL_REQUESTED');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(client.of('t').length, 1);
  });

  it('tells a reviewer of the approvals requested of them, and nobody else', async () => {
    const requester = await memberWithRole(gateway, INITECH, 'admin');
    const reviewer = await memberWithRole(gateway, INITECH, 'member');
    const reviewerClient = await open(reviewer.token);
    const analystClient = await open(analystToken);
    const QUERY = 'subscription { approvalRequests { id status reviewer { id } } }';
    reviewerClient.subscribe('r', QUERY);
    analystClient.subscribe('r', QUERY);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const study = await gateway.db
      .selectFrom('studies')
      .select('id')
      .where('organization_id', '=', INITECH)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const requested = await gateway.graphql(
      'mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id } }',
      {
        token: requester.token,
        variables: { input: { studyId: study.id, reviewerId: reviewer.id } },
      },
    );
    assert.equal(requested.body.errors, undefined, JSON.stringify(requested.body.errors));
    const [event] = await reviewerClient.nexts('r', 1);
    assert.deepEqual(event.data.approvalRequests, {
      id: requested.body.data.requestApproval.id,
      status: 'PENDING',
      reviewer: { id: reviewer.id },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(analystClient.of('r').length, 0);
  });

  it('resumes after a reconnect from the last cursor: the missed entries in order, no gap, no duplicate, then live', async () => {
    const first = await open(analystToken);
    first.subscribe('s', STUDY_ACTIVITY, { studyId: ACME_STUDY });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await comment(gateway, analystToken, ACME_STUDY, 'before the blip');
    const [seen] = await first.nexts('s', 1);
    first.close();
    const missed = [];
    for (let i = 0; i < 3; i++) missed.push(await comment(gateway, analystToken, ACME_STUDY, `missed ${i}`));

    const second = await open(analystToken);
    second.subscribe('s', STUDY_ACTIVITY, { studyId: ACME_STUDY, after: seen.data.studyActivity.cursor });
    const replayed = await second.nexts('s', 3);
    assert.deepEqual(
      replayed.map((e) => e.data.studyActivity.node.details.commentId),
      missed,
    );
    const live = await comment(gateway, analystToken, ACME_STUDY, 'after the resume');
    const all = await second.nexts('s', 4);
    assert.equal(all[3].data.studyActivity.node.details.commentId, live);
    const ids = all.map((e) => e.data.studyActivity.node.id);
    assert.equal(new Set(ids).size, ids.length, 'no entry twice');
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => Number(a) - Number(b)),
      'in order',
    );
  });

  it('resumes from a cursor of the Study.activity connection too', async () => {
    const page = await gateway.graphql(
      'query($id: ID!) { study(id: $id) { activity(first: 1) { edges { cursor node { id } } } } }',
      {
        token: analystToken,
        variables: { id: ACME_STUDY },
      },
    );
    const newest = page.body.data.study.activity.edges[0];
    const next = await comment(gateway, analystToken, ACME_STUDY, 'after the page');
    const client = await open(analystToken);
    client.subscribe('s', STUDY_ACTIVITY, { studyId: ACME_STUDY, after: newest.cursor });
    const [event] = await client.nexts('s', 1);
    assert.equal(event.data.studyActivity.node.details.commentId, next);
  });

  it('refuses queries and mutations over the socket, bad documents and too many subscriptions with coded errors', async () => {
    const client = await open(analystToken);
    client.subscribe('q', '{ viewer { id } }');
    client.subscribe('p', 'subscription {');
    client.subscribe('v', 'subscription { nope }');
    // A refused operation ends at once: its slot is free again.
    await client.until('three errors', () => client.messages.filter((m) => m.type === 'error').length >= 3);
    client.subscribe('c', 'subscription($studyId: ID!) { studyActivity(studyId: $studyId) { cursor } }', {
      studyId: true,
    });
    await client.until('four errors', () => client.messages.filter((m) => m.type === 'error').length >= 4);
    // Arguments the resolver refuses (not a UUID) answer like a query's: a result with the error.
    client.subscribe('u', 'subscription { studyActivity(studyId: "42") { cursor } }');
    const [refused] = await client.nexts('u', 1);
    assert.equal(refused.errors[0].extensions.code, 'BAD_USER_INPUT');
    const codeOf = (id: string) => client.of(id, 'error')[0].payload[0].extensions.code;
    assert.equal(codeOf('q'), 'BAD_REQUEST');
    assert.equal(codeOf('p'), 'GRAPHQL_PARSE_FAILED');
    assert.equal(codeOf('v'), 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(codeOf('c'), 'BAD_USER_INPUT');

    const busy = await open(analystToken);
    for (const id of ['1', '2', '3', '4']) busy.subscribe(id, STUDY_ACTIVITY, { studyId: ACME_STUDY });
    await busy.until('the fourth refused', () => busy.of('4', 'error').length > 0);
    assert.equal(busy.of('4', 'error')[0].payload[0].extensions.code, 'TOO_MANY_SUBSCRIPTIONS');
    assert.equal(busy.of('3', 'error').length, 0);
  });

  it('refuses an operation id reused while its first setup runs, so no stream runs unseen', async () => {
    const client = await open(analystToken);
    client.subscribe('a', STUDY_ACTIVITY, { studyId: ACME_STUDY });
    client.send({ id: 'a', type: 'complete' });
    client.subscribe('a', STUDY_ACTIVITY, { studyId: ACME_STUDY });
    await client.until('the reuse refused', () => client.of('a', 'error').length > 0);
    assert.equal(client.of('a', 'error')[0].payload[0].extensions.code, 'BAD_REQUEST');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await comment(gateway, analystToken, ACME_STUDY, 'nobody listens');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(client.of('a').length, 0, 'neither setup left a stream running');
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.doesNotMatch(text, /studygraph_subscription_events_delivered_total\{field="unknown"\}/);
  });

  it('refuses a subscription sent over HTTP with 400 BAD_REQUEST', async () => {
    const response = await gateway.graphql(STUDY_ACTIVITY, { token: analystToken, variables: { studyId: ACME_STUDY } });
    assert.equal(response.status, 400);
    assert.equal(response.body.errors![0].extensions!.code, 'BAD_REQUEST');
  });

  it('limits the connections one user holds (4429 beyond) and frees a slot when one closes', async () => {
    const reviewer = await memberWithRole(gateway, GLOBEX, 'member');
    const held = [];
    for (let i = 0; i < 4; i++) held.push(await WsClient.connect(gateway.url, reviewer.token));
    const refused = await WsClient.open(gateway.url, { authorization: `Bearer ${reviewer.token}` });
    assert.equal(await refused.closeCode(), 4429);
    held[0].close();
    await held[0].closeCode();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const admitted = await WsClient.connect(gateway.url, reviewer.token);
    for (const client of [...held, admitted]) client.close();
  });

  it('closes a message larger than the limit with 1009', async () => {
    const client = await open(analystToken);
    client.subscribe(
      'big',
      `subscription { approvalRequests { id } } ${'#'.repeat(gateway.config.realtime.maxMessageBytes)}`,
    );
    assert.equal(await client.closeCode(), 1009);
  });

  it('reports connections, subscriptions, deliveries and latency at /metrics', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(text, /studygraph_ws_connections \d+/);
    assert.match(text, /studygraph_subscriptions_active\{field="studyActivity"\} \d+/);
    assert.match(text, /studygraph_subscription_events_delivered_total\{field="studyActivity"\} [1-9]/);
    assert.match(text, /studygraph_subscription_delivery_seconds_count [1-9]/);
  });
});

describe('subscription shutdown', () => {
  it('closes every socket with 1001 when the gateway stops, so clients reconnect elsewhere', async () => {
    const gateway = await startTestGateway();
    const client = await WsClient.connect(gateway.url, await gateway.tokenFor(ANALYST));
    client.subscribe('s', STUDY_ACTIVITY, { studyId: ACME_STUDY });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = client.closeCode();
    await gateway.close();
    assert.equal(await closed, 1001);
  });
});

describe('organizationAnalyticsChanged', () => {
  it('coalesces a burst of writes into one signal at once and one at the interval’s end', async () => {
    const gateway = await startTestGateway({
      config: { realtime: { ...loadConfig().realtime, analyticsSignalSeconds: 1 } },
    });
    try {
      const token = await gateway.tokenFor(ANALYST);
      const client = await WsClient.connect(gateway.url, token);
      client.subscribe(
        'a',
        'subscription($id: ID!) { organizationAnalyticsChanged(organizationId: $id) { organizationId changedAt events } }',
        { id: ACME },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (let i = 0; i < 4; i++) await comment(gateway, token, ACME_STUDY, `burst ${i}`);
      const signals = await client.nexts('a', 2, 5000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(client.of('a').length, 2, 'two signals for the burst');
      assert.deepEqual(
        signals.map((s) => s.data.organizationAnalyticsChanged.organizationId),
        [ACME, ACME],
      );
      assert.equal(
        signals[0].data.organizationAnalyticsChanged.events + signals[1].data.organizationAnalyticsChanged.events,
        4,
      );
      const [first, second] = signals.map((s) => Date.parse(s.data.organizationAnalyticsChanged.changedAt));
      assert.ok(second - first >= 950, `signals ${second - first} ms apart`);
      client.close();
    } finally {
      await gateway.close();
    }
  });
});

describe(
  'Redis restarted under live subscriptions',
  { skip: redisServerAvailable() ? false : 'needs redis-server on this machine' },
  () => {
    it('ends them with SERVICE_UNAVAILABLE, and a resume from the last cursor brings what was written meanwhile', async () => {
      const redis = await startOwnRedis();
      const gateway = await startTestGateway({ config: { redisUrl: redis.url, cacheTimeoutMs: 200 } });
      try {
        const token = await gateway.tokenFor(ANALYST);
        const client = await WsClient.connect(gateway.url, token);
        client.subscribe('s', STUDY_ACTIVITY, { studyId: ACME_STUDY });
        await new Promise((resolve) => setTimeout(resolve, 300));
        await comment(gateway, token, ACME_STUDY, 'before the outage');
        const [seen] = await client.nexts('s', 1);

        await redis.stop();
        await client.until('the feed to end', () => client.of('s', 'error').length > 0);
        assert.equal(client.of('s', 'error')[0].payload[0].extensions.code, 'SERVICE_UNAVAILABLE');
        const written = await comment(gateway, token, ACME_STUDY, 'during the outage');

        await redis.start();
        const resumed = await until(
          'a subscription to be accepted again',
          async () => {
            const again = await WsClient.connect(gateway.url, token);
            again.subscribe('r', STUDY_ACTIVITY, { studyId: ACME_STUDY, after: seen.data.studyActivity.cursor });
            try {
              await again.nexts('r', 1, 3000);
              // Until the store answers again a subscription is refused with an error (a `next` without data): try again.
              if (again.of('r')[0].payload.data) return again;
              again.close();
              return undefined;
            } catch {
              again.close();
              return undefined;
            }
          },
          20_000,
        );
        assert.equal(resumed.of('r')[0].payload.data.studyActivity.node.details.commentId, written);
        resumed.close();
        client.close();
      } finally {
        await gateway.close();
        await redis.stop();
      }
    });
  },
);

describe('what deliveries cost', () => {
  it('charges every event it delivers to the subscriber’s budget; a spent budget ends the subscription RATE_LIMITED', async () => {
    const gateway = await startTestGateway({ config: { rateLimits: true, rateLimitPointsPerMinute: 60 } });
    try {
      const member = await memberWithRole(gateway, INITECH, 'member');
      // Replayed entries are delivered like live ones, one event at a time, through the same admission.
      const cursor = await appendBacklog(gateway.db, { organizationId: INITECH, userId: member.id, count: 150 });
      const QUERY =
        'subscription($id: ID!, $after: String) { organizationActivity(organizationId: $id, after: $after) { cursor node { type actor { name } } } }';
      const started = Date.now();
      const client = await WsClient.connect(gateway.url, member.token);
      client.subscribe('r', QUERY, { id: INITECH, after: cursor });
      await client.until(
        'the subscription to end',
        () => client.of('r', 'error').length > 0 || client.of('r', 'complete').length > 0,
        20_000,
      );
      const seconds = (Date.now() - started) / 1000;
      const [error] = client.of('r', 'error')[0].payload as {
        extensions: { code: string; retryAfterSeconds: number };
      }[];
      assert.equal(error.extensions.code, 'RATE_LIMITED');
      assert.ok(error.extensions.retryAfterSeconds >= 1);
      // 60 points, refilled at one a second: the subscription (10 and more) and then at least a point per event.
      const delivered = client.of('r').length;
      assert.ok(
        delivered >= 20 && delivered <= 50 + seconds,
        `${delivered} events delivered in ${seconds.toFixed(1)} s before the budget ran out`,
      );
      // The same budget HTTP requests draw on: spent (429 before anything runs), or nearly.
      const check = await gateway.graphql('{ rateLimit(dryRun: true) { remaining } }', { token: member.token });
      const level = check.status === 429 ? 0 : (check.body.data.rateLimit.remaining as number);
      assert.ok(level < 10, `the deliveries were charged to the budget rateLimit reports (${level} left)`);
      client.close();
    } finally {
      await gateway.close();
    }
  });
});

describe(
  'the activity log’s commit order',
  { skip: loadConfig().databaseUrl ? false : 'needs DATABASE_URL (a second connection holds a transaction open)' },
  () => {
    it('commits an organization’s entries in id order: a write waits for the one before it, so resuming by id skips nothing', async () => {
      const gateway = await startTestGateway();
      const pg = await import('pg');
      const held = new pg.default.Client({ connectionString: gateway.config.databaseUrl });
      await held.connect();
      try {
        const token = await gateway.tokenFor(ANALYST);
        await held.query('BEGIN');
        // An in-flight write of ACME: it holds the organization's log lock and has taken an id.
        await held.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`studygraph:activity:${ACME}`]);
        const inFlight = (
          await held.query(
            `INSERT INTO collaboration_activity (organization_id, study_id, activity_type) VALUES ($1, $2, 'study_updated') RETURNING id`,
            [ACME, ACME_STUDY],
          )
        ).rows[0].id as string;
        let done = false;
        const later = comment(gateway, token, ACME_STUDY, 'after the in-flight write').then(
          (id) => ((done = true), id),
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(done, false, 'the later write waits for the in-flight one to commit');
        await held.query('COMMIT');
        const commentId = await later;
        const entry = await gateway.db
          .selectFrom('collaboration_activity')
          .select('id')
          .where('details', '@>', JSON.stringify({ commentId }) as any)
          .executeTakeFirstOrThrow();
        assert.ok(BigInt(entry.id) > BigInt(inFlight), `${entry.id} after ${inFlight}`);
      } finally {
        await held.query('ROLLBACK').catch(() => undefined);
        await held.end();
        await gateway.close();
      }
    });
  },
);

describe('heartbeats', () => {
  it('drop a peer that stops answering pings', async () => {
    const gateway = await startTestGateway({ config: { realtime: { ...loadConfig().realtime, keepAliveMs: 200 } } });
    try {
      const token = await gateway.tokenFor(ANALYST);
      const silent = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
        autoPong: false,
      });
      await new Promise((resolve, reject) => silent.once('open', resolve).once('error', reject));
      silent.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      const started = Date.now();
      const code = await new Promise<number>((resolve) => silent.once('close', (closeCode) => resolve(closeCode)));
      assert.equal(code, 1006, 'terminated, not closed by a handshake');
      assert.ok(Date.now() - started < 5000);
      const answering = await WsClient.connect(gateway.url, token);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(answering.closed, undefined, 'a peer that answers stays');
      answering.close();
    } finally {
      await gateway.close();
    }
  });
});

describe(
  'a slow consumer over a real WebSocket',
  {
    skip:
      loadConfig().databaseUrl && loadConfig().redisUrl
        ? false
        : 'needs DATABASE_URL and REDIS_URL (events are published straight into Redis)',
  },
  () => {
    it('gets at most its buffer of waiting events; the rest are dropped and counted, not queued', async () => {
      const gateway = await startTestGateway({
        config: { realtime: { ...loadConfig().realtime, sendBufferEvents: 5 } },
      });
      const redis = (await createRedisClient(gateway.config, createLogger(gateway.config)))!;
      try {
        const token = await gateway.tokenFor(ANALYST);
        const client = await WsClient.connect(gateway.url, token);
        client.subscribe(
          's',
          'subscription($id: ID!) { organizationActivity(organizationId: $id) { cursor node { id type } } }',
          { id: ACME },
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        // The client stops reading: its socket's buffers fill and the server's sends stall.
        (client.socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
        const entry = await gateway.db
          .selectFrom('collaboration_activity')
          .select(['id', 'study_id', 'activity_type', 'created_at'])
          .where('organization_id', '=', ACME)
          .orderBy('id', 'desc')
          .executeTakeFirstOrThrow();
        const message = JSON.stringify({
          id: entry.id,
          organizationId: ACME,
          studyId: entry.study_id,
          type: entry.activity_type,
          createdAt: entry.created_at.toISOString(),
          publishedAt: Date.now(),
        });
        const published = 20_000;
        for (let sent = 0; sent < published; sent += 1000) {
          await Promise.all(Array.from({ length: 1000 }, () => redis.publish(`studygraph:rt:org:${ACME}`, message)));
        }
        const dropped = () =>
          seriesValue(gateway.url, 'studygraph_subscription_events_dropped_total{field="organizationActivity"}');
        const deadline = Date.now() + 15_000;
        while ((await dropped()) === 0 && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 200));
        assert.ok((await dropped()) > 0, 'events beyond the buffer are dropped');

        (client.socket as unknown as { _socket: import('node:net').Socket })._socket.resume();
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const received = client.of('s').length;
        const droppedCount = await dropped();
        // Every event is either delivered or counted as dropped; only the buffer and what was already in the socket arrive.
        assert.equal(received + droppedCount, published, `received ${received}, dropped ${droppedCount}`);
        assert.ok(received < 200, `received ${received} of ${published}`);
        client.close();
      } finally {
        await closeRedisClient(redis);
        await gateway.close();
      }
    });
  },
);

describe('a slow consumer', () => {
  it('keeps at most its buffer of live events, dropping (and counting) the oldest', async () => {
    let push!: (item: number) => void;
    let dropped = 0;
    const stream = await openStream<number>({
      listen: async (p) => {
        push = p;
        return () => undefined;
      },
      bufferSize: 3,
      onDropped: () => (dropped += 1),
      beforeDelivery: async () => true,
    });
    for (let i = 1; i <= 10; i++) push(i);
    assert.equal(dropped, 7);
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await stream.next()).value);
    assert.deepEqual(got, [8, 9, 10]);
    await stream.return!();
    assert.equal((await stream.next()).done, true);
  });

  it('replays first, then live, skipping live items the replay already gave', async () => {
    let push!: (item: { id: string }) => void;
    const stream = await openStream<{ id: string }>({
      listen: async (p) => {
        push = p;
        return () => undefined;
      },
      replay: async () => {
        push({ id: '2' }); // committed while the replay was read: heard live too
        return [{ id: '1' }, { id: '2' }];
      },
      keyOf: (item) => item.id,
      bufferSize: 10,
      onDropped: () => undefined,
      beforeDelivery: async () => true,
    });
    push({ id: '3' });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await stream.next()).value!.id);
    assert.deepEqual(ids, ['1', '2', '3']);
  });
});

describe(
  'subscriptions across processes',
  { skip: loadConfig().databaseUrl && loadConfig().redisUrl ? false : 'needs DATABASE_URL and REDIS_URL' },
  () => {
    it('fans an entry written through one process out to a subscriber of another, through Redis, and counts a user’s connections across both', async () => {
      await forgetConnectionLeases();
      const realtime = { ...loadConfig().realtime, maxConnectionsPerUser: 2 };
      const writer = await startTestGateway({ config: { realtime } });
      const reader = await startTestGateway({ shareDatabaseWith: writer, config: { realtime } });
      try {
        const token = await writer.tokenFor(ANALYST);
        const client = await WsClient.connect(reader.url, token);
        client.subscribe('s', STUDY_ACTIVITY, { studyId: ACME_STUDY });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const commentId = await comment(writer, token, ACME_STUDY, 'from the other process');
        const [event] = await client.nexts('s', 1);
        assert.equal(event.data.studyActivity.node.details.commentId, commentId);

        // One connection on each process: the user's limit of 2 is reached for both.
        const second = await WsClient.connect(writer.url, token);
        const third = await WsClient.open(reader.url, { authorization: `Bearer ${token}` });
        assert.equal(await third.closeCode(), 4429);
        client.close();
        second.close();
      } finally {
        await reader.close();
        await writer.close();
      }
    });
  },
);
