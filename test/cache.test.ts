import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@keyv/redis';
import { loadConfig } from '../src/config';
import { loadOperationManifest } from '../src/cache/persisted-queries';
import { organizationGenerationKey, userGenerationKey } from '../src/cache/generations';
import { PrintedDocuments } from '../src/cache/printed-documents';
import { dataOf, memberWithRole, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY, GLOBEX, INITECH, UMBRELLA } from './support/ids';
import { redisServerAvailable, startOwnRedis, type OwnRedis } from './support/redis';
import { WsClient } from './support/ws-client';
import { seriesValue } from './support/metrics';
import { until } from './support/wait';

const STUDY = `query Study($id: ID!) { study(id: $id) { id title status collaborators { role user { email } } } }`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('response cache (in-process store)', () => {
  let gateway: TestGateway;
  let analyst: string;

  before(async () => {
    gateway = await startTestGateway({ config: { responseCache: true, redisUrl: undefined } });
    analyst = await gateway.tokenFor('analyst@example.com');
  });
  after(() => gateway?.close());

  it('misses, then hits; formatting and comments do not matter, variables do', async () => {
    const first = await gateway.graphql(STUDY, { token: analyst, variables: { id: ACME_STUDY } });
    assert.equal(first.headers.get('x-cache'), 'miss');
    assert.match(first.headers.get('cache-control') ?? '', /max-age=120, private/);
    const second = await gateway.graphql(STUDY, { token: analyst, variables: { id: ACME_STUDY } });
    assert.equal(second.headers.get('x-cache'), 'hit');
    assert.deepEqual(second.body, first.body);
    assert.equal(second.sqlStatements, 0, 'a hit sends no statement: the viewer is kept in process');
    const reformatted = `# the same operation
      query Study($id: ID!) {
        study(id: $id) { id, title, status, collaborators { role, user { email } } }
      }`;
    assert.equal(
      (await gateway.graphql(reformatted, { token: analyst, variables: { id: ACME_STUDY } })).headers.get('x-cache'),
      'hit',
    );
    const other = await gateway.graphql(STUDY, {
      token: analyst,
      variables: { id: '8ee4b21f-26a4-1c12-7cc2-d3f9aa6d5e4c' },
    });
    assert.equal(other.headers.get('x-cache'), 'miss');
  });

  it('a mutation is never cached, and after it returns the cached query shows the new state', async () => {
    await gateway.graphql(STUDY, { token: analyst, variables: { id: ACME_STUDY } });
    const mutation = await gateway.graphql(
      'mutation($id: ID!) { updateStudy(input: { id: $id, title: "Renamed by the cache test" }) { title } }',
      {
        token: analyst,
        variables: { id: ACME_STUDY },
      },
    );
    assert.equal(mutation.headers.get('x-cache'), 'bypass');
    const after = await gateway.graphql(STUDY, { token: analyst, variables: { id: ACME_STUDY } });
    assert.equal(after.headers.get('x-cache'), 'miss');
    assert.equal(dataOf(after).study.title, 'Renamed by the cache test');
  });

  it("one user's private response is never served to another, even for the identical query", async () => {
    const query = `{ viewer { email } organization(id: "${ACME}") { viewerRole } }`;
    const member = (
      await gateway.db
        .selectFrom('organization_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select('u.email')
        .where('m.organization_id', '=', ACME)
        .where('m.role', '=', 'member')
        .orderBy('u.email')
        .executeTakeFirstOrThrow()
    ).email;
    const memberToken = await gateway.tokenFor(member);
    await gateway.graphql(query, { token: analyst });
    assert.equal((await gateway.graphql(query, { token: analyst })).headers.get('x-cache'), 'hit');
    const theirs = await gateway.graphql(query, { token: memberToken });
    assert.equal(theirs.headers.get('x-cache'), 'miss');
    assert.deepEqual(dataOf(theirs), { viewer: { email: member }, organization: { viewerRole: 'MEMBER' } });
    const outsider = await gateway.graphql(query, { token: await gateway.tokenFor('outsider@example.com') });
    assert.notEqual(outsider.headers.get('x-cache'), 'hit');
    assert.equal(onlyError(outsider).extensions?.code, 'NOT_FOUND');
  });

  it('errors are not cached and anonymous callers get nothing cached', async () => {
    const bad = `{ study(id: "00000000-0000-4000-8000-00000000ffff") { id } }`;
    await gateway.graphql(bad, { token: analyst });
    assert.equal((await gateway.graphql(bad, { token: analyst })).headers.get('x-cache'), 'miss');
    const anonymous = await gateway.graphql('{ __typename }');
    assert.notEqual(anonymous.headers.get('x-cache'), 'hit');
  });

  it('/metrics counts hits, misses and bypasses', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    for (const result of ['hit', 'miss', 'bypass'])
      assert.match(text, new RegExp(`studygraph_response_cache_requests_total\\{result="${result}"\\} [1-9]`));
  });
});

/**
 * A generation evicted from the store (or expired) is replaced by a fresh one, never read as a default: an
 * answer cached before a write could otherwise be keyed like one computed after it. Each eviction is
 * simulated by deleting the key through the gateway's own store, after an answer was cached and a write
 * bumped the generation. And a team productivity refresh bumps only the generation of answers that read it.
 */
function generationSuite(store: 'memory' | 'redis') {
  const skip = store === 'redis' && !redisServerAvailable() ? 'needs redis-server on this machine' : false;
  describe(`invalidation generations (${store} store)`, { skip }, () => {
    let redis: OwnRedis | undefined;
    let gateway: TestGateway;
    let analyst: string;
    const evict = (key: string) => gateway.gateway.cacheStore.generations.delete(key);
    before(async () => {
      if (store === 'redis') redis = await startOwnRedis();
      gateway = await startTestGateway({ config: { responseCache: true, redisUrl: redis?.url } });
      analyst = await gateway.tokenFor('analyst@example.com');
    });
    after(async () => {
      await gateway?.close();
      await redis?.stop();
    });

    it("an answer from before a write is not served once the generations of the viewer's organizations are gone", async () => {
      const ask = () => gateway.graphql(STUDY, { token: analyst, variables: { id: ACME_STUDY } });
      const cached = dataOf(await ask()).study.title;
      assert.equal((await ask()).headers.get('x-cache'), 'hit');
      const renamed = await gateway.graphql(
        'mutation($id: ID!) { updateStudy(input: { id: $id, title: "Renamed before the eviction" }) { title } }',
        {
          token: analyst,
          variables: { id: ACME_STUDY },
        },
      );
      assert.equal(dataOf(renamed).updateStudy.title, 'Renamed before the eviction');
      assert.notEqual(cached, 'Renamed before the eviction');
      // The write bumped every organization of the writer's, and the answer is keyed with all of them.
      for (const organizationId of [ACME, GLOBEX, INITECH]) await evict(organizationGenerationKey(organizationId));
      const afterEviction = await ask();
      assert.equal(afterEviction.headers.get('x-cache'), 'miss');
      assert.equal(dataOf(afterEviction).study.title, 'Renamed before the eviction');
      assert.equal((await ask()).headers.get('x-cache'), 'hit', 'the fresh generation is kept and used');
    });

    it("a kept viewer record from before a role change is not used once the user's generation is gone", async () => {
      const member = await memberWithRole(gateway, ACME, 'member');
      const role = async () =>
        dataOf(await gateway.graphql(`{ organization(id: "${ACME}") { viewerRole } }`, { token: member.token }))
          .organization.viewerRole;
      assert.equal(await role(), 'MEMBER');
      assert.equal(
        (await gateway.graphql('{ viewer { id } }', { token: member.token })).sqlStatements,
        0,
        'the viewer record is kept',
      );
      const changed = await gateway.graphql(
        'mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { role } }',
        {
          token: analyst,
          variables: { input: { organizationId: ACME, userId: member.id, role: 'VIEWER' } },
        },
      );
      assert.equal(dataOf(changed).changeMemberRole.role, 'VIEWER');
      await evict(userGenerationKey(member.id));
      assert.equal(await role(), 'VIEWER');
    });

    it('refreshing team productivity retires only answers that read it, in every organization, and no other answer', async () => {
      // A tenant none of whose organizations is the refreshing admin's (a mutation retires the admin's own).
      const { rows } = await sql<{ email: string }>`
        SELECT u.email FROM organization_members m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = ${UMBRELLA} AND NOT EXISTS (
          SELECT 1 FROM organization_members o WHERE o.user_id = m.user_id AND o.organization_id IN (${ACME}, ${GLOBEX}, ${INITECH}))
        ORDER BY u.email LIMIT 1`.execute(gateway.db);
      const tenant = await gateway.tokenFor(rows[0].email);
      const ask = (query: string) => gateway.graphql(query, { token: tenant, variables: { id: UMBRELLA } });
      const withoutFigures = 'query Name($id: ID!) { organization(id: $id) { name memberCount } }';
      const withFigures =
        'query Figures($id: ID!) { organization(id: $id) { name teamProductivity { studiesCreated } } }';
      const throughFragments = `query Nested($id: ID!) { organization(id: $id) { ... on Organization { ...Figures } } }
        fragment Figures on Organization { name figures: teamProductivity { studiesCreated } }`;
      for (const query of [withoutFigures, withFigures, throughFragments]) {
        await ask(query);
        assert.equal((await ask(query)).headers.get('x-cache'), 'hit', 'cached before the refresh');
      }
      const studiesCreated: number = dataOf(await ask(withFigures)).organization.teamProductivity.studiesCreated;
      // A study the view does not count until it is refreshed.
      await gateway.db
        .insertInto('studies')
        .values({
          organization_id: UMBRELLA,
          title: 'Counted after the refresh',
          created_by: await gateway.userId(rows[0].email),
        })
        .execute();
      const refresh = await gateway.graphql(
        'mutation($input: RefreshTeamProductivityInput!) { refreshTeamProductivity(input: $input) { memberCount } }',
        {
          token: analyst,
          variables: { input: { organizationId: ACME } },
        },
      );
      assert.equal(refresh.body.errors, undefined, JSON.stringify(refresh.body.errors));

      assert.equal(
        (await ask(withoutFigures)).headers.get('x-cache'),
        'hit',
        "another tenant's answer without the figures stays cached",
      );
      const figures = await ask(withFigures);
      assert.equal(figures.headers.get('x-cache'), 'miss');
      assert.equal(
        dataOf(figures).organization.teamProductivity.studiesCreated,
        studiesCreated + 1,
        'the refreshed figures',
      );
      const nested = await ask(throughFragments);
      assert.equal(
        nested.headers.get('x-cache'),
        'miss',
        'figures read through an aliased field in a fragment in an inline fragment',
      );
      assert.equal(dataOf(nested).organization.figures.studiesCreated, studiesCreated + 1);
    });
  });
}
generationSuite('memory');
generationSuite('redis');

describe('persisted queries filling the in-process store', () => {
  const storeBytes = 64 * 1024;
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      config: { responseCache: true, redisUrl: undefined, responseCacheMaxBytes: storeBytes },
    });
  });
  after(() => gateway?.close());

  it("other tenants' registrations evict each other, never an organization's generation: the answer after a write is never the one before", async () => {
    const analyst = await gateway.tokenFor('analyst@example.com');
    const ask = () => gateway.graphql(STUDY, { token: analyst, variables: { id: ACME_STUDY } });
    await ask();
    assert.equal((await ask()).headers.get('x-cache'), 'hit');
    const renamed = await gateway.graphql(
      'mutation($id: ID!) { updateStudy(input: { id: $id, title: "Renamed before the flood" }) { title } }',
      {
        token: analyst,
        variables: { id: ACME_STUDY },
      },
    );
    assert.equal(dataOf(renamed).updateStudy.title, 'Renamed before the flood');
    assert.equal((await ask()).headers.get('x-cache'), 'miss', 'the answer after the write is cached');

    const outsider = await gateway.tokenFor('outsider@example.com');
    const register = (query: string) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${outsider}` },
        body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } }),
      });
    // Three times the store's size in registrations (comments count: APQ keeps the text as sent).
    const queries = Array.from(
      { length: Math.ceil((3 * storeBytes) / 2000) },
      (_, i) => `{ viewer { id } } # registration ${i} ${'x'.repeat(2000)}`,
    );
    for (const query of queries) assert.equal((await register(query)).status, 200);
    const firstAgain = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${outsider}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(queries[0]) } } }),
    });
    assert.equal(
      ((await firstAgain.json()) as any).errors?.[0]?.extensions?.code,
      'PERSISTED_QUERY_NOT_FOUND',
      'the store was cycled through',
    );

    // Answers are kept apart from the store in process: only the generations decide what is served.
    const afterFlood = await ask();
    assert.equal(dataOf(afterFlood).study.title, 'Renamed before the flood');
    assert.equal(
      afterFlood.headers.get('x-cache'),
      'hit',
      "the organization's generation was not evicted: its current answer is still served",
    );
  });
});

describe('printed documents (the response cache key)', () => {
  it('are kept within a bound in bytes, whatever the number or size of the documents', () => {
    const printed = new PrintedDocuments(10_000);
    for (let i = 0; i < 100; i += 1)
      printed.textOf(sha256(String(i)), undefined, `{ viewer { id } } # ${i} ${'x'.repeat(1000)}`);
    assert.ok(printed.keptBytes > 0 && printed.keptBytes <= 10_000, `kept ${printed.keptBytes} bytes`);
    const huge = `{ viewer { id } } # ${'x'.repeat(20_000)}`;
    assert.equal(
      printed.textOf(sha256(huge), undefined, huge),
      huge,
      'a document larger than the bound is printed, not kept',
    );
    assert.ok(printed.keptBytes <= 10_000);
  });

  it('are not shared between documents that come without a hash', () => {
    const printed = new PrintedDocuments();
    assert.equal(printed.textOf(undefined, undefined, '{ viewer { id } }'), '{ viewer { id } }');
    assert.equal(printed.textOf(undefined, undefined, '{ viewer { email } }'), '{ viewer { email } }');
  });
});

describe('automatic persisted queries', () => {
  let gateway: TestGateway;
  let token: string;
  before(async () => {
    gateway = await startTestGateway({ config: { responseCache: true } });
    token = await gateway.tokenFor('analyst@example.com');
  });
  after(() => gateway?.close());

  const post = (body: unknown) =>
    fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  it('unknown hash → PERSISTED_QUERY_NOT_FOUND; register; then the hash alone works, also over GET', async () => {
    const query = '{ viewer { email } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    const unknown = (await (await post({ extensions })).json()) as any;
    assert.equal(unknown.errors[0].extensions.code, 'PERSISTED_QUERY_NOT_FOUND');
    assert.deepEqual(((await (await post({ query, extensions })).json()) as any).data, {
      viewer: { email: 'analyst@example.com' },
    });
    assert.deepEqual(((await (await post({ extensions })).json()) as any).data, {
      viewer: { email: 'analyst@example.com' },
    });
    const get = await fetch(`${gateway.url}/graphql?extensions=${encodeURIComponent(JSON.stringify(extensions))}`, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    assert.equal(get.status, 200);
    assert.deepEqual(((await get.json()) as any).data, { viewer: { email: 'analyst@example.com' } });
  });

  it('a hash that does not match the query is refused', async () => {
    const response = await post({
      query: '{ viewer { id } }',
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ viewer { name } }') } },
    });
    assert.equal(response.status, 400);
    const error = ((await response.json()) as any).errors[0];
    assert.match(error.message, /provided sha does not match query/i);
    assert.equal(error.extensions.code, 'BAD_REQUEST');
  });
});

describe('allow-list mode (PERSISTED_QUERIES=only)', () => {
  let gateway: TestGateway;
  let token: string;
  before(async () => {
    gateway = await startTestGateway({ config: { persistedQueries: 'only' } });
    token = await gateway.tokenFor('analyst@example.com');
  });
  after(() => gateway?.close());

  it('runs registered operations by hash or text, and refuses anything else with a clear error', async () => {
    const manifest = loadOperationManifest();
    const [hash, dashboard] = Object.entries(manifest.operations).find(([, op]) => op.file === 'dashboard.graphql')!;
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });
    const body = (await response.json()) as any;
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.equal(body.data.organizations.edges.length, 3);
    assert.equal(dataOf(await gateway.graphql(dashboard.query, { token })).viewer.name, 'Ada Analyst');
    const adHoc = await gateway.graphql('{ viewer { email } }', { token });
    assert.equal(adHoc.status, 400);
    assert.equal(onlyError(adHoc).extensions?.code, 'PERSISTED_QUERY_NOT_ALLOWED');
    // Refused from its text, before the parser sees it: an unparseable text is not allowed, not a syntax error.
    const unparseable = await gateway.graphql('{ viewer { email ', { token });
    assert.equal(onlyError(unparseable).extensions?.code, 'PERSISTED_QUERY_NOT_ALLOWED');
  });

  it('over WebSocket too: a registered subscription runs, any other is refused with the same code', async () => {
    const registered = Object.values(loadOperationManifest().operations).find(
      (op) => op.file === 'analytics-changed.graphql',
    )!;
    const client = await WsClient.connect(gateway.url, token);
    try {
      client.subscribe('unregistered', 'subscription { approvalRequests { id } }');
      await client.until('the refusal', () => client.of('unregistered', 'error').length > 0);
      assert.equal(client.of('unregistered', 'error')[0].payload[0].extensions.code, 'PERSISTED_QUERY_NOT_ALLOWED');
      client.subscribe('registered', registered.query, { organizationId: ACME });
      const running = async () =>
        (await seriesValue(gateway.url, 'studygraph_subscriptions_active{field="organizationAnalyticsChanged"}')) === 1
          ? true
          : undefined;
      await until('the registered subscription running', running);
      assert.deepEqual(client.of('registered', 'error'), [], 'the registered subscription is running');
    } finally {
      client.socket.close();
    }
  });
});

const config = loadConfig();

describe(
  'Redis stopped in the middle of a run',
  { skip: redisServerAvailable() ? false : 'needs redis-server on this machine' },
  () => {
    let redis: OwnRedis;
    let gateway: TestGateway;
    let token: string;
    before(async () => {
      redis = await startOwnRedis();
      gateway = await startTestGateway({ config: { responseCache: true, redisUrl: redis.url, cacheTimeoutMs: 200 } });
      token = await gateway.tokenFor('analyst@example.com');
    });
    after(async () => {
      await gateway?.close();
      await redis?.stop();
    });

    it('answers every request correctly while Redis is down (bypass) and caches again once it is back', async () => {
      const ask = () => gateway.graphql(STUDY, { token, variables: { id: ACME_STUDY } });
      const expected = dataOf(await ask());
      assert.equal((await ask()).headers.get('x-cache'), 'hit');

      await redis.stop();
      for (let i = 0; i < 5; i += 1) {
        const started = Date.now();
        const response = await ask();
        assert.equal(response.status, 200);
        assert.deepEqual(dataOf(response), expected);
        assert.notEqual(response.headers.get('x-cache'), 'hit');
        assert.ok(Date.now() - started < 2000, 'no request waits on the dead Redis');
      }
      const mutation = await gateway.graphql(
        'mutation($id: ID!) { addComment(input: { studyId: $id, body: "during the outage" }) { id } }',
        {
          token,
          variables: { id: ACME_STUDY },
        },
      );
      assert.equal(mutation.status, 200, 'writes work without the cache');
      assert.equal(mutation.body.errors, undefined);

      await redis.start();
      let outcome: string | null = null;
      for (let i = 0; i < 60 && outcome !== 'hit'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        outcome = (await ask()).headers.get('x-cache');
      }
      assert.equal(outcome, 'hit', 'caching resumed by itself');
    });
  },
);

describe(
  'several gateway processes sharing Redis',
  { skip: config.databaseUrl && config.redisUrl ? false : 'needs DATABASE_URL and REDIS_URL' },
  () => {
    let first: TestGateway;
    let second: TestGateway;
    before(async () => {
      first = await startTestGateway({ config: { responseCache: true } });
      second = await startTestGateway({ config: { responseCache: true }, shareDatabaseWith: first });
      // Each run has its own database, but Redis is shared with earlier runs: start from a clean keyspace.
      const client = createClient({ url: config.redisUrl });
      await client.connect();
      await client.flushDb();
      await client.quit();
    });
    after(async () => {
      await second?.close();
      await first?.close();
    });

    it('one caches a study, the other changes it, both then serve the new state', async () => {
      const token = await first.tokenFor('analyst@example.com');
      const ask = (gateway: TestGateway) => gateway.graphql(STUDY, { token, variables: { id: ACME_STUDY } });
      await ask(first);
      assert.equal((await ask(first)).headers.get('x-cache'), 'hit');
      assert.equal((await ask(second)).headers.get('x-cache'), 'hit', 'the second process reads what the first cached');
      const changed = await second.graphql(
        'mutation($id: ID!) { changeStudyStatus(input: { id: $id, status: ARCHIVED }) { status } }',
        {
          token,
          variables: { id: ACME_STUDY },
        },
      );
      assert.equal(dataOf(changed).changeStudyStatus.status, 'ARCHIVED');
      for (const gateway of [first, second]) {
        const response = await ask(gateway);
        assert.equal(response.headers.get('x-cache'), gateway === first ? 'miss' : 'hit');
        assert.equal(dataOf(response).study.status, 'ARCHIVED');
      }
    });

    it('a role changed on one process holds at once on the other: its kept viewer record is retired', async () => {
      const { rows } = await sql<{ email: string; user_id: string }>`
      SELECT u.email, m.user_id FROM organization_members m JOIN users u ON u.id = m.user_id
      WHERE m.organization_id = ${ACME} AND m.role = 'member' ORDER BY u.email LIMIT 1`.execute(first.db);
      const member = await first.tokenFor(rows[0].email);
      const roleOn = async (gateway: TestGateway) =>
        dataOf(await gateway.graphql(`{ organization(id: "${ACME}") { viewerRole } }`, { token: member })).organization
          .viewerRole;
      assert.equal(await roleOn(second), 'MEMBER');
      assert.equal(
        (await second.graphql('{ viewer { id } }', { token: member })).sqlStatements,
        0,
        'the second process keeps the viewer',
      );
      const analyst = await first.tokenFor('analyst@example.com');
      const changed = await first.graphql(
        'mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { role } }',
        {
          token: analyst,
          variables: { input: { organizationId: ACME, userId: rows[0].user_id, role: 'VIEWER' } },
        },
      );
      assert.equal(dataOf(changed).changeMemberRole.role, 'VIEWER');
      assert.equal(await roleOn(second), 'VIEWER', 'no process answers with the role from before');
    });

    it('corrupt or foreign values under our prefix are misses, not errors', async () => {
      const token = await first.tokenFor('analyst@example.com');
      const ask = (gateway: TestGateway) => gateway.graphql(STUDY, { token, variables: { id: ACME_STUDY } });
      const expected = dataOf(await ask(first));
      const client = createClient({ url: config.redisUrl });
      await client.connect();
      try {
        const keys = (await client.keys('studygraph:*')).filter((key) => key.includes('fqc:'));
        assert.ok(keys.length > 0, 'responses are stored under our namespace');
        // An answer cut off in the store: its header is whole, its data is not (other forms: cached-answer.test).
        const cut = JSON.stringify({
          value: '{"v":1,"cacheTime":1,"maxAge":120,"scope":"PRIVATE","cost":1,"length":99}\n{"study":',
          expires: null,
        });
        for (const key of keys) await client.set(key, cut);
        // The first process keeps its answer in memory; the second has only the store to read it from.
        const response = await ask(second);
        assert.equal(response.headers.get('x-cache'), 'miss');
        assert.deepEqual(dataOf(response), expected);
        assert.equal((await ask(second)).headers.get('x-cache'), 'hit');
        const replaced = await Promise.all(keys.map((key) => client.get(key)));
        const whole = replaced.map((value) => {
          try {
            return (JSON.parse(value ?? '') as { value?: string }).value ?? '';
          } catch {
            return '';
          }
        });
        assert.ok(
          whole.some((value) => value.startsWith('{"v":1,') && value.includes('\n{"study":')),
          'the corrupt entry was replaced by a whole answer',
        );
      } finally {
        await client.quit();
      }
      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      assert.match(
        metrics
          .split('\n')
          .filter((line) => line.includes('cache_store_errors'))
          .join('\n'),
        /studygraph_cache_store_errors_total\{operation="corrupt"\} [1-9]/,
      );
    });

    it('a hit is the stored answer as it was served, with its cost, and no statement', async () => {
      const token = await first.tokenFor('analyst@example.com');
      const computed = await first.graphql(STUDY, { token, variables: { id: ACME_STUDY } });
      const kept = await first.graphql(STUDY, { token, variables: { id: ACME_STUDY } });
      const stored = await second.graphql(STUDY, { token, variables: { id: ACME_STUDY } });
      for (const hit of [kept, stored]) {
        assert.equal(hit.headers.get('x-cache'), 'hit');
        assert.equal(hit.sqlStatements, 0);
        assert.deepEqual(hit.body.data, computed.body.data);
        const cost = (hit.body.extensions as any).cost;
        assert.equal(cost.actualQueryCost, (computed.body.extensions as any).cost.actualQueryCost);
        assert.match(hit.headers.get('age') ?? '', /^\d+$/);
      }
    });
  },
);
