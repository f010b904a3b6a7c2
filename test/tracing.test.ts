import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signAccessToken } from '../src/auth/tokens';
import { startGatewayProcess, type GatewayProcess } from '../tools/gateway-process';
import { loadConfig } from '../src/config';
import { DEMO_USERS } from '../src/seed/scales';
import { createTestDatabase, type TestDatabase } from './support/database';
import { ACME_STUDY } from './support/ids';
import { until } from './support/wait';
import { WsClient } from './support/ws-client';

interface ReceivedSpan {
  /** OTLP's SpanKind: 2 is SERVER. */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}

/** An OTLP/HTTP receiver (JSON encoding), as a collector would be: it keeps every span exported to it. */
async function startReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = [];
  const receive = async (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    if (request.method === 'POST' && request.url === '/v1/traces') {
      const exported = JSON.parse(body) as {
        resourceSpans: {
          scopeSpans: {
            spans: (Omit<ReceivedSpan, 'attributes'> & { attributes?: { key: string; value: OtlpValue }[] })[];
          }[];
        }[];
      };
      for (const resource of exported.resourceSpans) {
        for (const scope of resource.scopeSpans) {
          for (const span of scope.spans) {
            const attributes = Object.fromEntries(
              (span.attributes ?? []).map(({ key, value }) => [
                key,
                value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue,
              ]),
            );
            spans.push({
              kind: span.kind,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              attributes,
            });
          }
        }
      }
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  };
  const server = createServer((request, response) => void receive(request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans };
}

const base = loadConfig();

// The SQL spans come from the pg instrumentation: a PostgreSQL server, not the embedded PGlite.
describe(
  'OpenTelemetry tracing',
  { skip: base.databaseUrl ? false : 'needs DATABASE_URL (a PostgreSQL server)' },
  () => {
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let database: TestDatabase;
    let gateway: GatewayProcess;
    let token: string;

    before(async () => {
      receiver = await startReceiver();
      database = await createTestDatabase(base);
      token = await signAccessToken({ id: DEMO_USERS.analyst.id, email: DEMO_USERS.analyst.email }, base.jwt);
      gateway = await startGatewayProcess(
        {
          DATABASE_URL: database.config.databaseUrl!,
          AUTO_MIGRATE: 'on',
          AUTO_SEED: 'on',
          NODE_ENV: 'development',
          // Debug: Fastify logs every request (incoming, completed), so the request has log lines to check.
          LOG_LEVEL: 'debug',
          RATE_LIMITS: 'on',
          MAX_BATCH_OPERATIONS: '5',
          // Every request runs its statements (a shared Redis may hold answers of an earlier run's seed).
          RESPONSE_CACHE: 'off',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTEL_SERVICE_NAME: 'studygraph-test',
          // Whatever the developer's shell says: every trace sampled.
          OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        },
        { output: 'capture' },
      );
    });
    after(async () => {
      await gateway?.stop();
      await database?.drop();
      receiver?.server.close();
    });

    it('continues the caller’s trace: operation → DataLoader batch → SQL, with cost, cache outcome and the rate-limit decision', async () => {
      const traceId = randomBytes(16).toString('hex');
      const callerSpanId = randomBytes(8).toString('hex');
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          traceparent: `00-${traceId}-${callerSpanId}-01`,
        },
        // The studies' collaborators keep the studies in a statement of their own (not folded into the organizations').
        body: JSON.stringify({
          query:
            'query Overview { organizations(first: 3) { edges { node { name studies(first: 2) { edges { node { title collaborators { role } } } } } } } }',
        }),
      });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { errors?: unknown }).errors, undefined);
      assert.equal(response.headers.get('x-trace-id'), traceId, 'the trace id is in the answer');

      const spans = await until('the request’s spans, SQL included', () => {
        const ofTrace = receiver.spans.filter((span) => span.traceId === traceId);
        // The operation's span and the HTTP server span end last (graphql's execute span is named like the
        // operation's, without our attributes).
        const operationDone = ofTrace.some((span) => span.attributes['studygraph.outcome'] !== undefined);
        return operationDone && ofTrace.some((span) => span.parentSpanId === callerSpanId) ? ofTrace : undefined;
      });
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const descendsFrom = (span: ReceivedSpan, ancestor: ReceivedSpan): boolean => {
        for (let parent = span.parentSpanId; parent; parent = byId.get(parent)?.parentSpanId)
          if (parent === ancestor.spanId) return true;
        return false;
      };
      assert.ok(
        spans.some((span) => span.parentSpanId === callerSpanId),
        'the server span is the caller’s child',
      );

      const operation = spans.find((span) => span.attributes['studygraph.outcome'] !== undefined)!;
      assert.equal(operation.name, 'query Overview');
      assert.equal(operation.attributes['graphql.operation.name'], 'Overview');
      assert.ok(Number(operation.attributes['studygraph.cost.requested']) > 0, 'the cost is on the operation');
      assert.ok(Number(operation.attributes['studygraph.cost.actual']) > 0);
      assert.equal(operation.attributes['studygraph.cache'], 'bypass', 'the cache outcome is on the operation');

      const charge = spans.find((span) => span.name === 'rate_limit.charge');
      assert.equal(charge?.parentSpanId, operation.spanId, 'the rate-limit decision is a span of the operation');
      assert.equal(charge?.attributes['studygraph.rate_limit.allowed'], true);

      // Under the operation (through graphql's execute span while the operation is not compiled yet): the page
      // of organizations, whose statement brings their studies and the studies' collaborators (folded).
      const batches = spans.filter((span) => span.name === 'dataloader.batch' && descendsFrom(span, operation));
      assert.ok(
        batches.some((batch) => batch.attributes['dataloader.name'] === 'organizationsOfUser'),
        batches.map((b) => b.attributes['dataloader.name']).join(),
      );
      const pageBatch = batches.find((batch) => batch.attributes['dataloader.name'] === 'organizationsOfUser')!;
      assert.ok(Number(pageBatch.attributes['dataloader.keys']) >= 1);
      const statements = spans.filter((span) => span.parentSpanId === pageBatch.spanId && byId.has(span.spanId));
      assert.ok(
        statements.some((span) =>
          /studies/.test(String(span.attributes['db.statement'] ?? span.attributes['db.query.text'])),
        ),
        `the batch's SQL is its child: ${statements.map((s) => s.name).join()}`,
      );

      // Every log line of the request names the trace.
      const lines = await until('the request’s log lines', () => {
        const found = gateway
          .output()
          .split('\n')
          .filter((line) => line.includes(`"reqId":"${response.headers.get('x-request-id')}"`));
        return found.length >= 2 ? found : undefined;
      });
      for (const line of lines) assert.equal(JSON.parse(line).trace_id, traceId, line);
    });

    it('traces no probe or scrape: /metrics and /readyz stay out', async () => {
      const before = receiver.spans.length;
      await (await fetch(`${gateway.url}/readyz`)).arrayBuffer();
      await (await fetch(`${gateway.url}/metrics?probe=1`)).arrayBuffer();
      // A traced request after them: once its spans are in, theirs would have been too.
      const traced = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      const traceId = traced.headers.get('x-trace-id');
      await traced.arrayBuffer();
      await until('the traced request’s spans', () =>
        receiver.spans.some((span) => span.traceId === traceId) ? true : undefined,
      );
      const paths = receiver.spans
        .slice(before)
        .map((span) => span.attributes['url.path'] ?? span.attributes['http.target'] ?? '')
        .map((path) => (typeof path === 'string' ? path : ''));
      assert.ok(paths.includes('/graphql'));
      assert.deepEqual(
        paths.filter((path) => path.startsWith('/readyz') || path.startsWith('/metrics')),
        [],
      );
    });

    it('subscriptions start no traces of their own: every trace begins at an incoming request', async () => {
      const before = receiver.spans.length;
      const client = await WsClient.connect(gateway.url, token);
      try {
        client.subscribe('1', 'subscription($studyId: ID!) { studyActivity(studyId: $studyId) { node { id type } } }', {
          studyId: ACME_STUDY,
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const write = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            query: 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
            variables: { input: { studyId: ACME_STUDY, body: 'traced write' } },
          }),
        });
        const traceId = write.headers.get('x-trace-id');
        await write.arrayBuffer();
        await client.nexts('1', 1);
        await until('the write’s trace', () =>
          receiver.spans.some((span) => span.traceId === traceId && span.parentSpanId === undefined) ? true : undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
      } finally {
        client.socket.close();
      }
      const roots = receiver.spans.slice(before).filter((span) => span.parentSpanId === undefined);
      assert.ok(roots.length > 0);
      assert.deepEqual(
        roots.filter((span) => span.kind !== 2).map((span) => span.name),
        [],
        'only incoming requests start traces',
      );
    });

    it('a batch of operations is one span, not named after whichever operation ended last', async () => {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify([
          { query: 'query First { viewer { id } }' },
          { query: 'query Second { viewer { name } }' },
        ]),
      });
      const traceId = response.headers.get('x-trace-id');
      await response.arrayBuffer();
      const batch = await until('the batch span', () =>
        receiver.spans.find((span) => span.traceId === traceId && span.name === 'graphql batch'),
      );
      assert.equal(Number(batch.attributes['graphql.batch.size']), 2);
    });
  },
);
