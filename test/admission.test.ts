import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MAX_DOCUMENT_NESTING, MAX_SELECTIONS, MAX_VALIDATION_ERRORS } from '../src/graphql/limits';
import { onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME } from './support/ids';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const heapMb = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const fromAddress = (address: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-for': address, ...extra });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A document of `fields` distinct invalid fields: costly to validate, refused. */
const invalidDocument = (fields: number, salt: number) =>
  `{ ${Array.from({ length: fields }, (_, i) => `viewer { f${salt}x${i} }`).join(' ')} }`;

describe('admission: what a caller can make the gateway keep or do before it pays', () => {
  let gateway: TestGateway;
  let analyst: string;

  before(async () => {
    gateway = await startTestGateway({ config: { rateLimits: true, trustProxy: 1, redisUrl: undefined } });
    analyst = await gateway.tokenFor('analyst@example.com');
  });
  after(() => gateway?.close());

  it('an operationName that names no operation is refused (400), charged, counted, and nothing is kept for it', async () => {
    const known = '{ viewer { id } }';
    for (let i = 0; i < 4; i += 1) assert.equal((await gateway.graphql(known, { token: analyst })).status, 200);
    const name = (i: number) => `Made${i}${'x'.repeat(20_000)}`;
    const refused = await gateway.post(
      JSON.stringify({ query: known, operationName: name(0) }),
      fromAddress('198.51.100.200'),
    );
    assert.equal(refused.status, 400);
    const error = ((await refused.json()) as { errors: { message: string; extensions: { code: string } }[] }).errors[0];
    assert.equal(error.extensions.code, 'OPERATION_RESOLUTION_FAILURE');
    assert.ok(error.message.length < 200, 'the name is not echoed whole');

    const sendNames = async (from: number, count: number) => {
      for (let sent = from; sent < from + count; sent += 10) {
        await Promise.all(
          Array.from({ length: 10 }, (_, k) =>
            gateway
              .post(
                JSON.stringify({ query: known, operationName: name(sent + k) }),
                fromAddress(`10.${sent % 250}.${k}.1`),
              )
              .then((r) => r.text()),
          ),
        );
      }
    };
    await sendNames(100_000, 200); // what every request warms (buckets of new addresses, code) is not what is measured
    const start = heapMb();
    await sendNames(0, 1000);
    const grown = heapMb() - start;
    console.log(`1,000 distinct 20 KB operation names: the heap grew ${grown.toFixed(1)} MB`);
    assert.ok(
      grown < 5,
      `the heap grew ${grown.toFixed(1)} MB for names that named nothing (20 MB of names were sent)`,
    );

    // And each is charged by its document's tokens (a 203-token document: 12 points) against the address's budget.
    const long = `{ ${'__typename '.repeat(200)} }`;
    for (let i = 0; i < 5; i += 1) {
      assert.equal(
        (await gateway.post(JSON.stringify({ query: long, operationName: `None${i}` }), fromAddress('198.51.100.202')))
          .status,
        400,
      );
    }
    const level = await gateway.post(
      JSON.stringify({ query: '{ rateLimit(dryRun: true) { remaining } }' }),
      fromAddress('198.51.100.202'),
    );
    const { remaining } = ((await level.json()) as { data: { rateLimit: { remaining: number } } }).data.rateLimit;
    assert.ok(remaining <= 600 - 5 * 12 + 5, `${remaining} points left after five refusals`);

    // Refused requests take their share of the burst: the eleventh at once from one address is refused before parsing.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gateway.post(JSON.stringify({ query: known, operationName: `Other${i}` }), fromAddress('198.51.100.201')),
      ),
    );
    assert.ok(
      burst.some((r) => r.status === 429),
      JSON.stringify(burst.map((r) => r.status)),
    );
  });

  it('pricings kept per operation are bounded in bytes, whatever variables a client sends', async () => {
    // Input objects change a price, so their values key the pricings kept for an operation: 180 KB each here.
    const query = `query Filtered($filter: StudyFilter) { studies(organizationId: "${ACME}", filter: $filter) { totalCount } }`;
    const send = (items: number) =>
      gateway
        .post(
          JSON.stringify({ query, variables: { filter: { statuses: Array.from({ length: items }, () => 'ACTIVE') } } }),
          {
            authorization: `Bearer ${analyst}`,
          },
        )
        .then((r) => r.text());
    for (let i = 0; i < 4; i += 1) await send(20_000 - i); // warm-up: the operation is parsed and kept
    const start = heapMb();
    for (let i = 0; i < 40; i += 1) {
      await send(19_000 - i);
      await new Promise((resolve) => setTimeout(resolve, 110)); // under the analyst's burst
    }
    const grown = heapMb() - start;
    console.log(`40 requests with distinct 180 KB price variables: the heap grew ${grown.toFixed(1)} MB`);
    assert.ok(grown < 3, `the heap grew ${grown.toFixed(1)} MB (up to 32 pricings of 180 KB each would be 5.8 MB)`);
  });

  it('operation labels in /metrics are validated names: anonymous made-up names cannot push real operations out', async () => {
    for (let sent = 0; sent < 260; sent += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          gateway
            .post(
              JSON.stringify({ query: `query Made${sent + k} { __typename }` }),
              fromAddress(`10.77.${sent / 10}.${k}`),
            )
            .then((r) => r.text()),
        ),
      );
    }
    await gateway.post(
      JSON.stringify({ query: '{ __typename }', operationName: 'NamesNothing' }),
      fromAddress('10.78.0.1'),
    );
    const dashboard = 'query Dashboard { viewer { id } }';
    assert.equal((await gateway.graphql(dashboard, { token: analyst })).status, 200);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const labels = new Set(
      [...metrics.matchAll(/studygraph_request_duration_seconds_count\{operation="([^"]*)"/g)].map((match) => match[1]),
    );
    assert.ok(labels.has('Dashboard'), 'a registered operation keeps its own label');
    assert.ok(labels.has('other'), 'anonymous callers’ names are counted as other');
    assert.ok(labels.has('unresolved'), 'a name that named no operation is no label');
    assert.deepEqual(
      [...labels].filter((label) => label.startsWith('Made') || label === 'NamesNothing'),
      [],
    );
  });

  it('invalid documents are charged by their tokens: an address that sends them is soon refused before parsing', async () => {
    const statuses: number[] = [];
    // Some 1,600 tokens each, 81 points: the address's 600 points pay for seven.
    for (let i = 0; i < 14; i += 1) {
      const response = await gateway.post(
        JSON.stringify({ query: invalidDocument(400, i) }),
        fromAddress('198.51.100.210'),
      );
      statuses.push(response.status);
      await new Promise((resolve) => setTimeout(resolve, 120)); // under the burst: only the points can refuse
    }
    assert.equal(statuses[0], 400);
    assert.ok(
      statuses.slice(-4).every((status) => status === 429),
      JSON.stringify(statuses),
    );
    const last = await gateway.post(JSON.stringify({ query: '{ __typename }' }), fromAddress('198.51.100.210'));
    assert.equal(last.status, 429, 'a cheap document too, until the points come back');
    assert.ok(Number(last.headers.get('retry-after')) >= 1);
  });

  it('a member’s latency holds while anonymous loops send distinct invalid documents', async () => {
    const memberQuery = `{ organization(id: "${ACME}") { name studies(first: 10) { edges { node { title createdBy { name } } } } } }`;
    // Paced under the member's own burst (10 a second).
    const sample = async (count: number) => {
      const timings: number[] = [];
      for (let i = 0; i < count; i += 1) {
        const started = performance.now();
        assert.equal((await gateway.graphql(memberQuery, { token: analyst })).status, 200);
        const elapsed = performance.now() - started;
        timings.push(elapsed);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 110 - elapsed)));
      }
      return timings;
    };
    await sample(3);
    const quiet = median(await sample(15));
    let flooding = true;
    const outcomes = new Map<number, number>();
    const loop = async (address: string) => {
      for (let i = 0; flooding; i += 1) {
        const response = await gateway.post(JSON.stringify({ query: invalidDocument(400, i) }), fromAddress(address));
        outcomes.set(response.status, (outcomes.get(response.status) ?? 0) + 1);
      }
    };
    const loops = ['203.0.113.61', '203.0.113.62', '203.0.113.63', '203.0.113.64'].map(loop);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const loud = median(await sample(15));
    flooding = false;
    await Promise.all(loops);
    console.log(
      `member median ${quiet.toFixed(1)} ms quiet, ${loud.toFixed(1)} ms under the flood; flood answers ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    assert.ok((outcomes.get(429) ?? 0) > (outcomes.get(400) ?? 0), 'most of the flood is refused before parsing');
    // Generous for a shared machine: before admission came first, the same flood took it from 7 ms to 400 ms.
    assert.ok(
      loud < Math.max(100, quiet * 4),
      `median ${loud.toFixed(1)} ms under the flood, ${quiet.toFixed(1)} ms quiet`,
    );
  });

  it('behind one trusted proxy the address is the one it appended: entries a client writes to the left change nothing', async () => {
    const spoofed = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gateway.post(JSON.stringify({ query: '{ __typename }' }), fromAddress(`10.9.${i}.1, 198.51.100.220`)),
      ),
    );
    assert.ok(
      spoofed.some((r) => r.status === 429),
      `one address for all: ${JSON.stringify(spoofed.map((r) => r.status))}`,
    );
    // The control: distinct addresses appended by the proxy are distinct callers.
    const distinct = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gateway.post(JSON.stringify({ query: '{ __typename }' }), fromAddress(`198.51.100.7, 10.8.${i}.1`)),
      ),
    );
    assert.ok(
      distinct.every((r) => r.status === 200),
      JSON.stringify(distinct.map((r) => r.status)),
    );
  });

  it('refuses, before the parser recurses, a document nested deeper than its limit (a list literal 2,400 deep)', async () => {
    const deep = `{ studies(organizationId: "${ACME}", filter: { statuses: ${'['.repeat(2400)}ACTIVE${']'.repeat(2400)} }) { totalCount } }`;
    const response = await gateway.graphql(deep, { token: analyst });
    assert.equal(response.status, 400);
    const error = onlyError(response);
    assert.equal(error.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(error.message, new RegExp(`more than ${MAX_DOCUMENT_NESTING} levels`));
    // Brackets in comments, strings and block strings are text, not nesting.
    const comment = `query Q { __typename } # ${'['.repeat(500)}\n`;
    assert.equal((await gateway.graphql(comment, { token: analyst })).status, 200);
    for (const text of [
      `"${'{'.repeat(200)}\\"${'('.repeat(200)}"`,
      `"""${'['.repeat(200)}\\"""${'{'.repeat(200)}"""`,
    ]) {
      const response = await gateway.graphql(`{ searchStudies(query: ${text}) { totalCount } }`, { token: analyst });
      assert.notEqual(
        response.body.errors?.[0]?.extensions?.code,
        'GRAPHQL_PARSE_FAILED',
        JSON.stringify(response.body),
      );
    }
  });

  it('refuses a document of more selections than its limit before the other rules pair its fields', async () => {
    // Every one of these fields is unknown too: had the other rules walked the document, each would be an error of its own.
    const wide = `{ ${'viewer { nope } '.repeat(MAX_SELECTIONS)} }`;
    const started = performance.now();
    const response = await gateway.graphql(wide, { token: analyst });
    const elapsed = performance.now() - started;
    const error = onlyError(response);
    assert.equal(error.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(error.extensions?.limit, 'selections');
    console.log(`a ${MAX_SELECTIONS * 2}-selection document refused in ${elapsed.toFixed(1)} ms`);
    // Under the limit, the same rules report (at most MAX_VALIDATION_ERRORS of) what is wrong.
    const narrow = await gateway.graphql(`{ ${'viewer { nope } '.repeat(20)} }`, { token: analyst });
    // (graphql-js adds one saying it stopped there.)
    assert.equal(narrow.body.errors?.length, MAX_VALIDATION_ERRORS + 1);
  });
});
