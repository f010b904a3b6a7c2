import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BODY_LIMIT_BYTES } from '../src/http/server';
import { MAX_QUERY_DEPTH } from '../src/graphql/limits';
import { onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY, UMBRELLA_STUDY } from './support/ids';

describe('HTTP edge: malformed requests get coded GraphQL errors', () => {
  let gateway: TestGateway;
  let token: string;

  before(async () => {
    gateway = await startTestGateway();
    token = await gateway.tokenFor('analyst@example.com');
  });
  after(() => gateway?.close());

  async function errorOf(response: Response) {
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    assert.equal(body.errors.length, 1, JSON.stringify(body));
    return body.errors[0];
  }

  it('malformed JSON is a 400 BAD_REQUEST', async () => {
    const response = await gateway.post('{"query": "{ viewer { id } "');
    assert.equal(response.status, 400);
    const error = await errorOf(response);
    assert.equal(error.extensions.code, 'BAD_REQUEST');
    assert.match(error.message, /not valid JSON/);
  });

  it('a body over the limit is a 413 BAD_REQUEST', async () => {
    const response = await gateway.post(JSON.stringify({ query: `{ __typename } # ${'x'.repeat(BODY_LIMIT_BYTES)}` }));
    assert.equal(response.status, 413);
    assert.equal((await errorOf(response)).extensions.code, 'BAD_REQUEST');
  });

  it('a body without a query is a 400 BAD_REQUEST', async () => {
    const response = await gateway.post(JSON.stringify({ variables: {} }));
    assert.equal(response.status, 400);
    assert.equal((await errorOf(response)).extensions.code, 'BAD_REQUEST');
  });

  it('syntax errors, unknown fields and wrong argument types are refused before execution', async () => {
    const syntax = await gateway.graphql('{ viewer { id }', { token });
    assert.equal(onlyError(syntax).extensions?.code, 'GRAPHQL_PARSE_FAILED');
    const unknown = await gateway.graphql('{ viewer { id password } }', { token });
    assert.equal(onlyError(unknown).extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.ok(unknown.sqlStatements <= 1, 'at most the viewer lookup ran');
    const wrongLiteral = await gateway.graphql(`{ studies(organizationId: "${ACME}", first: "ten") { totalCount } }`, {
      token,
    });
    assert.equal(onlyError(wrongLiteral).extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    const wrongVariable = await gateway.graphql('query($n: Int!) { organizations(first: $n) { totalCount } }', {
      token,
      variables: { n: 'ten' },
    });
    assert.equal(wrongVariable.status, 400);
    assert.equal(onlyError(wrongVariable).extensions?.code, 'BAD_USER_INPUT');
    const badEnum = await gateway.graphql(
      `{ studies(organizationId: "${ACME}", filter: { statuses: [DONE] }) { totalCount } }`,
      { token },
    );
    assert.equal(onlyError(badEnum).extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('variables that are null for a non-null type or missing are BAD_USER_INPUT before anything runs (found by fuzzing)', async () => {
    const query = 'query($id: ID!) { study(id: $id) { id } }';
    for (const variables of [{ id: null }, {}]) {
      const response = await gateway.graphql(query, { token, variables });
      assert.equal(response.status, 400, JSON.stringify(variables));
      assert.equal(onlyError(response).extensions?.code, 'BAD_USER_INPUT');
      assert.ok(response.sqlStatements <= 1, 'at most the viewer lookup ran');
    }
  });

  it('NUL characters in text are refused instead of failing in PostgreSQL (found by fuzzing)', async () => {
    const literal = await gateway.graphql('{ organization(slug: "a\\u0000b") { id } }', { token });
    assert.equal(onlyError(literal).extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(onlyError(literal).message, /NUL/);
    const variable = await gateway.graphql('query($slug: String!) { organization(slug: $slug) { id } }', {
      token,
      variables: { slug: 'a\u0000b' },
    });
    assert.equal(variable.status, 400);
    assert.equal(onlyError(variable).extensions?.code, 'BAD_USER_INPUT');
    const nested = await gateway.graphql('mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }', {
      token,
      variables: { input: { organizationId: ACME, title: 'ok', description: 'bad \u0000 text' } },
    });
    assert.equal(onlyError(nested).extensions?.code, 'BAD_USER_INPUT');
  });

  it('queries nested deeper than the limit are refused without touching the database', async () => {
    let selection = 'id';
    // Each round adds 4 levels: studies → edges → node → organization.
    for (let i = 0; i < MAX_QUERY_DEPTH / 4 + 1; i += 1)
      selection = `studies(first: 1) { edges { node { organization { ${selection} } } } }`;
    const query = `{ organizations(first: 1) { edges { node { ${selection} } } } }`;
    const response = await gateway.graphql(query, { token });
    const error = onlyError(response);
    assert.equal(error.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(error.message, new RegExp(`nested \\d+ levels deep; the maximum is ${MAX_QUERY_DEPTH}`));
    assert.ok(response.sqlStatements <= 1, 'at most the viewer lookup ran');
  });

  it('huge documents are refused by the parser’s token limit', async () => {
    const aliases = Array.from({ length: 3000 }, (_, i) => `a${i}: __typename`).join(' ');
    const response = await gateway.graphql(`{ ${aliases} }`, { token });
    assert.equal(response.status, 400);
    const error = onlyError(response);
    assert.equal(error.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(error.message, /more th.t 5000 tokens/);
  });

  it('GET queries need a CSRF-safe header; with it they run', async () => {
    const query = encodeURIComponent('{ __typename }');
    const simple = await fetch(`${gateway.url}/graphql?query=${query}`);
    assert.equal(simple.status, 400);
    assert.match((await errorOf(simple)).message, /CSRF/);
    const preflighted = await fetch(`${gateway.url}/graphql?query=${query}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    assert.equal(preflighted.status, 200);
    assert.deepEqual(((await preflighted.json()) as { data: unknown }).data, { __typename: 'Query' });
    // The header the GraphQL over HTTP spec's CSRF note names works as Apollo's does.
    const standard = await fetch(`${gateway.url}/graphql?query=${query}`, {
      headers: { 'graphql-require-preflight': '1' },
    });
    assert.equal(standard.status, 200);
  });

  it('a response with data is 2xx whatever its errors; one without data keeps its error status', async () => {
    // Anonymous: rateLimit answers, the (nullable) study is UNAUTHENTICATED (401 on its own).
    const partial = await gateway.graphql(
      '{ rateLimit { limit } study(id: "00000000-0000-4000-8000-00000000ffff") { title } }',
    );
    assert.equal(partial.status, 200);
    assert.ok(partial.body.data?.rateLimit);
    assert.equal(partial.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    const refused = await gateway.graphql('{ viewer { id } }');
    assert.equal(refused.body.data, null);
    assert.equal(refused.status, 401);
  });

  it('a refused mutation nulls only itself: the document’s other writes keep their answers, with 200', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const response = await gateway.graphql(
      `mutation { kept: addComment(input: { studyId: "${ACME_STUDY}", body: "kept" }) { id body }
                  refused: addComment(input: { studyId: "${UMBRELLA_STUDY}", body: "not mine" }) { id } }`,
      { token },
    );
    assert.equal(response.status, 200);
    assert.equal(response.body.data?.kept.body, 'kept');
    assert.equal(response.body.data?.refused, null);
    assert.equal(onlyError(response).extensions?.code, 'NOT_FOUND');
    assert.deepEqual(response.body.errors?.[0]?.path, ['refused']);
  });

  it('an unknown persisted-query hash: 404 under application/graphql-response+json, 200 for application/json clients', async () => {
    const body = JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    const modern = await gateway.post(body, { accept: 'application/graphql-response+json, application/json;q=0.9' });
    assert.equal(modern.status, 404);
    assert.equal(
      ((await modern.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code,
      'PERSISTED_QUERY_NOT_FOUND',
    );
    const legacy = await gateway.post(body, { accept: 'application/json' });
    assert.equal(legacy.status, 200, 'what Apollo answers, and older clients expect');
  });

  it('batched requests (JSON arrays) are refused unless MAX_BATCH_OPERATIONS allows them, and then bounded', async () => {
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ query: '{ __typename }' })));
    const refused = await gateway.post(batch(2));
    assert.equal(refused.status, 400);
    assert.match((await errorOf(refused)).message, /Batched requests/);

    const batching = await startTestGateway({ seed: 'none', config: { maxBatchOperations: 3 } });
    try {
      const served = await batching.post(batch(3));
      assert.equal(served.status, 200);
      const answers = (await served.json()) as { data: unknown }[];
      assert.deepEqual(
        answers.map((answer) => answer.data),
        Array.from({ length: 3 }, () => ({ __typename: 'Query' })),
      );
      const tooMany = await batching.post(batch(4));
      assert.equal(tooMany.status, 400);
      assert.match((await errorOf(tooMany)).message, /1 to 3 operations; this one has 4/);
      assert.equal((await batching.post('[]')).status, 400);
    } finally {
      await batching.close();
    }
  });

  it('with introspection off (production’s default), schema queries are refused', async () => {
    const closed = await startTestGateway({ seed: 'none', config: { introspection: false } });
    try {
      const response = await closed.graphql('{ __schema { types { name } } }');
      assert.equal(response.status, 400);
      assert.equal(onlyError(response).extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.match(onlyError(response).message, /introspection/i);
      assert.equal((await closed.graphql('{ __typename }')).status, 200, '__typename is not introspection');
    } finally {
      await closed.close();
    }
  });

  it('mutations over GET are refused', async () => {
    const mutation = encodeURIComponent(
      `mutation { createStudy(input: { organizationId: "${ACME}", title: "GET" }) { id } }`,
    );
    const response = await fetch(`${gateway.url}/graphql?query=${mutation}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 405);
  });

  it('every response carries a request id; a sane client id is kept', async () => {
    const response = await gateway.post(JSON.stringify({ query: '{ __typename }' }), { 'x-request-id': 'trace-123' });
    assert.equal(response.headers.get('x-request-id'), 'trace-123');
    const generated = await gateway.post(JSON.stringify({ query: '{ __typename }' }), {
      'x-request-id': 'bad id with spaces',
    });
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('unknown routes are 404 with a pointer to /graphql', async () => {
    const response = await fetch(`${gateway.url}/nope`);
    assert.equal(response.status, 404);
    assert.match((await errorOf(response)).message, /\/graphql/);
  });

  it('/metrics has latency by operation, SQL statements per request and pool figures', async () => {
    await gateway.graphql('query DashboardProbe { viewer { id } }', { token });
    await gateway.graphql('{ viewer { id } }', { token });
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(text, /studygraph_request_duration_seconds_count\{operation="DashboardProbe",outcome="ok"\} 1/);
    assert.match(text, /studygraph_request_duration_seconds_count\{operation="anonymous",outcome="ok"\} [1-9]/);
    assert.match(text, /studygraph_sql_statements_per_request_count [1-9]/);
    assert.match(text, /studygraph_db_pool_connections\{state="total"\} [0-9]/);
    assert.match(text, /studygraph_process_resident_memory_bytes [0-9]/);
  });

  it('/metrics has the size of every DataLoader batch, by loader', async () => {
    const query =
      '{ organizations(first: 10) { edges { node { studies(first: 3) { edges { node { commentStats { total } comments(first: 2) { edges { node { body } } } } } } } } } }';
    const { body } = await gateway.graphql(query, { token });
    const organizations = (body.data as { organizations: { edges: unknown[] } }).organizations.edges.length;
    assert.ok(organizations >= 2, 'the analyst belongs to several organizations');
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    // One batch of one key (the viewer) held the page of organizations.
    assert.match(text, /studygraph_dataloader_batch_size_count\{loader="organizationsOfUser"\} 1\n/);
    // The studies of every organization, and their comments, came in its statement (folded): no batch of their own.
    assert.doesNotMatch(text, /loader="studiesPage"/);
    assert.doesNotMatch(text, /loader="commentsPage"/);
    // The comment figures of all those studies were one batch of several keys.
    assert.match(text, /studygraph_dataloader_batch_size_count\{loader="commentStats"\} 1\n/);
    assert.match(text, /studygraph_dataloader_batch_size_bucket\{le="1",loader="commentStats"\} 0\n/);
    assert.match(
      text,
      new RegExp(`studygraph_dataloader_batch_size_sum\\{loader="commentStats"\\} ${organizations * 3}\\n`),
    );
  });

  it('healthz and readyz answer', async () => {
    const health = await fetch(`${gateway.url}/healthz`);
    assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
    const ready = await fetch(`${gateway.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
  });
});

for (const compiledExecution of [true, false]) {
  describe(`an operationName that names no operation (compiled execution ${compiledExecution ? 'on' : 'off'})`, () => {
    let gateway: TestGateway;
    before(async () => {
      gateway = await startTestGateway({ config: { compiledExecution } });
    });
    after(() => gateway?.close());

    it('is OPERATION_RESOLUTION_FAILURE (400), never an internal error, however often it is sent', async () => {
      const cases = [
        { query: '{ __typename }', operationName: 'Nope' },
        { query: 'query A { __typename } query B { __typename }' },
        { query: 'query A { __typename } query B { __typename }', operationName: 'C' },
      ];
      for (let run = 0; run < 4; run++) {
        for (const body of cases) {
          const response = await gateway.post(JSON.stringify(body));
          const json = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
          assert.equal(response.status, 400, JSON.stringify(json));
          assert.equal(json.errors?.[0]?.extensions?.code, 'OPERATION_RESOLUTION_FAILURE', JSON.stringify(json));
        }
      }
      const named = await gateway.post(
        JSON.stringify({ query: 'query A { __typename } query B { __typename }', operationName: 'B' }),
      );
      assert.equal(named.status, 200);
    });
  });
}
