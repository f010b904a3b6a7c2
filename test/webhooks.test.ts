import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signAccessToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { guardedLookup, isForbiddenAddress } from '../src/webhooks/address-guard';
import { sendWebhook } from '../src/webhooks/send';
import { startGatewayProcess, type GatewayProcess } from '../tools/gateway-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { dataOf, memberWithRole, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, INITECH, UMBRELLA } from './support/ids';
import { until } from './support/wait';

const config = loadConfig();
const ANALYST = 'analyst@example.com';
/** Fast retries and polling for the tests; the shapes are the production ones. */
const FAST = { retryBaseMs: 1000, pollMs: 500, timeoutMs: 2000, maxAttempts: 5 };

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that answers each request with the next of `codes` (200 once they run out; 'hang' never answers). */
async function startReceiver(codes: (number | 'hang')[] = []) {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      const code = codes.shift() ?? 200;
      if (code === 'hang') hanging.push(response);
      else response.writeHead(code).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events } } }`;
const CREATE_STUDY = 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }';
const LOG = `query($slug: String!) { organization(slug: $slug) { webhooks { id deliveries(first: 20) { totalCount edges { node {
  id eventId event attempt redelivery succeeded responseCode durationMs error nextRetryAt attemptedAt } } } } } }`;

describe(
  'webhooks',
  { skip: config.databaseUrl ? false : 'needs DATABASE_URL (the job queue needs a PostgreSQL server)' },
  () => {
    let gateway: TestGateway;
    let analyst: string;
    let acmeSlug: string;

    before(async () => {
      gateway = await startTestGateway({
        config: { webhooks: { ...config.webhooks, ...FAST, deliver: true, allowPrivateAddresses: true } },
      });
      analyst = await gateway.tokenFor(ANALYST);
      acmeSlug = (
        await gateway.db.selectFrom('organizations').select('slug').where('id', '=', ACME).executeTakeFirstOrThrow()
      ).slug;
    });
    after(async () => {
      await gateway.close();
    });

    const createWebhook = async (url: string, events: string[], token = analyst, organizationId = ACME) =>
      gateway.graphql(CREATE, { token, variables: { input: { organizationId, url, events } } });
    const deliveryLog = async (webhookId: string) => {
      const { organization } = dataOf(await gateway.graphql(LOG, { token: analyst, variables: { slug: acmeSlug } }));
      return organization.webhooks.find((w: { id: string }) => w.id === webhookId).deliveries;
    };

    it('retries a failing receiver with backoff: three attempts of one event, each signed, all three in the log', async () => {
      const receiver = await startReceiver([500, 503, 200]);
      try {
        const { createWebhook: created } = dataOf(await createWebhook(receiver.url, ['STUDY_CREATED']));
        assert.match(created.secret, /^whsec_/);
        const studyId = dataOf(
          await gateway.graphql(CREATE_STUDY, {
            token: analyst,
            variables: { input: { organizationId: ACME, title: 'Hooked' } },
          }),
        ).createStudy.id;
        await until('3 requests at the receiver', () => receiver.received.length >= 3 || undefined, 30_000);
        const [first] = receiver.received;
        const event = JSON.parse(first.body);
        assert.equal(event.type, 'STUDY_CREATED');
        assert.equal(event.studyId, studyId);
        for (const { headers, body } of receiver.received) {
          assert.equal(body, first.body, 'every attempt sends the same bytes');
          assert.equal(headers['x-studygraph-event-id'], event.id);
          assert.equal(headers['x-studygraph-event'], 'STUDY_CREATED');
          const expected = `sha256=${createHmac('sha256', created.secret).update(body).digest('hex')}`;
          assert.equal(headers['x-studygraph-signature'], expected);
        }
        const log = await until(
          'the delivery log',
          async () => {
            const deliveries = await deliveryLog(created.webhook.id);
            return deliveries.totalCount >= 3 ? deliveries : undefined;
          },
          20_000,
        );
        const attempts = log.edges.map(({ node }: any) => node);
        assert.deepEqual(
          attempts.map((a: any) => [a.attempt, a.succeeded, a.responseCode, a.eventId, a.event]),
          [
            [3, true, 200, event.id, 'STUDY_CREATED'],
            [2, false, 503, event.id, 'STUDY_CREATED'],
            [1, false, 500, event.id, 'STUDY_CREATED'],
          ],
        );
        assert.equal(attempts[0].nextRetryAt, null);
        for (const failed of attempts.slice(1)) {
          assert.ok(failed.nextRetryAt, 'a failed attempt says when the next is due');
          assert.ok(Date.parse(failed.nextRetryAt) >= Date.parse(failed.attemptedAt) + FAST.retryBaseMs - 50);
        }
        // The second retry waited longer than the first (exponential backoff, base 1 s: 1–2 s, then 2–4 s).
        const gap = (a: any, b: any) => Date.parse(a.attemptedAt) - Date.parse(b.attemptedAt);
        assert.ok(gap(attempts[1], attempts[2]) >= 900, `first retry after ${gap(attempts[1], attempts[2])} ms`);
        assert.ok(gap(attempts[0], attempts[1]) >= 1900, `second retry after ${gap(attempts[0], attempts[1])} ms`);
      } finally {
        await receiver.close();
      }
    });

    it('sends the chosen types only, in the order of the writes, and a redelivery sends the same event again', async () => {
      const receiver = await startReceiver();
      try {
        const { createWebhook: created } = dataOf(await createWebhook(receiver.url, ['STUDY_CREATED']));
        const titles = ['First', 'Second', 'Third'];
        for (const title of titles) {
          const studyId = dataOf(
            await gateway.graphql(CREATE_STUDY, {
              token: analyst,
              variables: { input: { organizationId: ACME, title } },
            }),
          ).createStudy.id;
          // A comment is not a type this webhook takes.
          dataOf(
            await gateway.graphql('mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
              token: analyst,
              variables: { input: { studyId, body: 'not sent' } },
            }),
          );
        }
        await until('3 requests at the receiver', () => receiver.received.length >= 3 || undefined, 20_000);
        const events = receiver.received.map(({ body }) => JSON.parse(body));
        assert.deepEqual(
          events.map((e) => [e.type, e.details.title]),
          titles.map((title) => ['STUDY_CREATED', title]),
        );
        const log = await until(
          'the delivery log',
          async () => {
            const deliveries = await deliveryLog(created.webhook.id);
            return deliveries.totalCount >= 3 ? deliveries : undefined;
          },
          20_000,
        );
        const firstAttempt = log.edges.at(-1).node;
        const redelivered = await gateway.graphql(
          'mutation($input: RedeliverWebhookDeliveryInput!) { redeliverWebhookDelivery(input: $input) { id } }',
          { token: analyst, variables: { input: { deliveryId: firstAttempt.id } } },
        );
        assert.equal(dataOf(redelivered).redeliverWebhookDelivery.id, created.webhook.id);
        await until('4 requests at the receiver', () => receiver.received.length >= 4 || undefined, 20_000);
        assert.equal(receiver.received[3].headers['x-studygraph-event-id'], firstAttempt.eventId);
        assert.equal(receiver.received[3].body, receiver.received[0].body);
        const again = await until(
          'the redelivery in the log',
          async () => {
            const deliveries = await deliveryLog(created.webhook.id);
            return deliveries.totalCount >= 4 ? deliveries : undefined;
          },
          20_000,
        );
        assert.deepEqual(
          [again.edges[0].node.redelivery, again.edges[0].node.eventId, again.edges[0].node.attempt],
          [true, firstAttempt.eventId, 1],
        );
      } finally {
        await receiver.close();
      }
    });

    it('keeps a write’s events in their order and holds later events behind a retry', async () => {
      // The first event fails once: every later one must wait for its retry.
      const receiver = await startReceiver([500]);
      try {
        const reviewer = await memberWithRole(gateway, ACME, 'member');
        dataOf(await createWebhook(receiver.url, ['STATUS_CHANGED', 'APPROVAL_DECIDED']));
        const send = async (token: string, mutation: string, input: Record<string, unknown>) =>
          dataOf(await gateway.graphql(mutation, { token, variables: { input } }));
        const expected: string[] = [];
        for (const title of ['Ordered one', 'Ordered two']) {
          const { id } = (await send(analyst, CREATE_STUDY, { organizationId: ACME, title })).createStudy;
          for (const status of ['ACTIVE', 'IN_REVIEW'])
            await send(
              analyst,
              'mutation($input: ChangeStudyStatusInput!) { changeStudyStatus(input: $input) { id } }',
              {
                id,
                status,
              },
            );
          const approval = await send(
            analyst,
            'mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id } }',
            { studyId: id, reviewerId: reviewer.id },
          );
          // One write, two entries: the decision, then the policy's move to APPROVED.
          await send(
            reviewer.token,
            'mutation($input: DecideApprovalInput!) { decideApproval(input: $input) { id } }',
            {
              approvalId: approval.requestApproval.id,
              decision: 'APPROVED',
            },
          );
          expected.push(
            `${id} STATUS_CHANGED active`,
            `${id} STATUS_CHANGED in_review`,
            `${id} APPROVAL_DECIDED`,
            `${id} STATUS_CHANGED approved`,
          );
        }
        await until(
          'every event at the receiver',
          () => receiver.received.length >= expected.length + 1 || undefined,
          30_000,
        );
        const events = receiver.received.map(({ body }) => JSON.parse(body));
        const described = events.map(
          (e) => `${e.studyId} ${e.type}${e.type === 'STATUS_CHANGED' ? ` ${e.details.to}` : ''}`,
        );
        assert.equal(described[0], described[1], 'the failed first event was retried before anything else');
        assert.deepEqual(described.slice(1), expected);
        const ids = events.slice(1).map((e) => BigInt(e.id));
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
          'in the order of the log',
        );
      } finally {
        await receiver.close();
      }
    });

    it('is for admins: members are refused, outsiders find nothing, the list is null for members', async () => {
      const member = await memberWithRole(gateway, ACME, 'member');
      assert.equal(
        onlyError(await createWebhook('http://127.0.0.1:1/x', ['STUDY_CREATED'], member.token)).extensions?.code,
        'FORBIDDEN',
      );
      assert.equal(
        onlyError(await createWebhook('http://127.0.0.1:1/x', ['STUDY_CREATED'], analyst, UMBRELLA)).extensions?.code,
        'NOT_FOUND',
      );
      assert.equal(
        onlyError(await createWebhook('http://127.0.0.1:1/x', ['STUDY_CREATED'], analyst, INITECH)).extensions?.code,
        'FORBIDDEN',
      );
      const listed = await gateway.graphql(LOG, { token: member.token, variables: { slug: acmeSlug } });
      assert.equal(listed.body.data?.organization.webhooks, null);
      assert.equal(onlyError(listed).extensions?.code, 'FORBIDDEN');
      for (const url of ['ftp://example.com/x', 'not a url', 'http://user:secret@example.com/x'])
        assert.equal(onlyError(await createWebhook(url, ['STUDY_CREATED'])).extensions?.code, 'BAD_USER_INPUT', url);
    });
  },
);

describe(
  'webhook addresses',
  { skip: config.databaseUrl ? false : 'needs DATABASE_URL (the job queue needs a PostgreSQL server)' },
  () => {
    let gateway: TestGateway;
    let analyst: string;

    before(async () => {
      // Production's rule: no loopback, private or link-local targets.
      gateway = await startTestGateway({
        config: { webhooks: { ...config.webhooks, ...FAST, deliver: true, allowPrivateAddresses: false } },
      });
      analyst = await gateway.tokenFor(ANALYST);
    });
    after(async () => {
      await gateway.close();
    });

    it('refuses URLs that are or resolve to loopback, private or link-local addresses', async () => {
      for (const url of [
        'http://127.0.0.1:8080/hook',
        'http://localhost/hook',
        'http://10.1.2.3/hook',
        'http://192.168.0.10/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]/hook',
        'http://[fd00::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://0.0.0.0/hook',
      ]) {
        const error = onlyError(
          await gateway.graphql(CREATE, {
            token: analyst,
            variables: { input: { organizationId: ACME, url, events: ['STUDY_CREATED'] } },
          }),
        );
        assert.equal(error.extensions?.code, 'BAD_USER_INPUT', url);
        assert.match(error.message, /refused/, url);
      }
      assert.equal(isForbiddenAddress('93.184.215.14'), false);
      assert.equal(isForbiddenAddress('2606:2800:21f:cb07:6820:80da:af6b:8b2c'), false);
    });

    it('checks the address again when it delivers (a name that now resolves to loopback is not reached)', async () => {
      const receiver = await startReceiver();
      try {
        // As if the name had resolved to a public address when the webhook was created (DNS rebinding).
        const rebound = receiver.url.replace('127.0.0.1', 'localhost');
        const webhook = await gateway.db
          .insertInto('webhooks')
          .values({ organization_id: ACME, url: rebound, events: ['study_created'], secret: 'whsec_test' })
          .returning('id')
          .executeTakeFirstOrThrow();
        dataOf(
          await gateway.graphql(CREATE_STUDY, {
            token: analyst,
            variables: { input: { organizationId: ACME, title: 'Rebound' } },
          }),
        );
        const attempt = await until(
          'the refused attempt',
          async () =>
            (await gateway.db
              .selectFrom('webhook_deliveries')
              .selectAll()
              .where('webhook_id', '=', webhook.id)
              .executeTakeFirst()) ?? undefined,
          20_000,
        );
        assert.equal(attempt.succeeded, false);
        assert.equal(attempt.response_code, null);
        assert.match(attempt.error ?? '', /loopback, private or link-local/);
        assert.equal(receiver.received.length, 0, 'no request reached the receiver');
      } finally {
        await receiver.close();
      }
      const refused = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
        guardedLookup('localhost', { all: true }, (error) => resolve(error)),
      );
      assert.equal(refused?.code, 'EFORBIDDENADDRESS');
    });
  },
);

describe('sending one webhook request', () => {
  const request = { secret: 'whsec_test', eventId: '1', eventType: 'STUDY_CREATED', body: '{}' };

  it('ends an attempt whose receiver answers with an upgrade, and one that never answers, by the timeout at most', async () => {
    const upgrading = net.createServer((socket) => {
      socket.once('data', () =>
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n'),
      );
    });
    const silent = net.createServer(() => undefined);
    for (const server of [upgrading, silent]) server.listen(0, '127.0.0.1');
    await Promise.all([once(upgrading, 'listening'), once(silent, 'listening')]);
    try {
      const port = (server: net.Server) => (server.address() as AddressInfo).port;
      const upgraded = await sendWebhook(
        { ...request, url: `http://127.0.0.1:${port(upgrading)}/` },
        { timeoutMs: 5000, allowPrivateAddresses: true },
      );
      assert.equal(upgraded.succeeded, false);
      assert.equal(upgraded.responseCode, 101);
      const started = Date.now();
      const unanswered = await sendWebhook(
        { ...request, url: `http://127.0.0.1:${port(silent)}/` },
        { timeoutMs: 300, allowPrivateAddresses: true },
      );
      assert.equal(unanswered.succeeded, false);
      assert.match(unanswered.error ?? '', /no answer within 300 ms/);
      assert.ok(Date.now() - started < 3000);
    } finally {
      for (const server of [upgrading, silent]) server.close();
    }
  });

  it('refuses an address literal that is loopback or private without connecting', async () => {
    const receiver = await startReceiver();
    try {
      const outcome = await sendWebhook(
        { ...request, url: receiver.url },
        { timeoutMs: 2000, allowPrivateAddresses: false },
      );
      assert.equal(outcome.succeeded, false);
      assert.match(outcome.error ?? '', /loopback, private or link-local/);
      assert.equal(receiver.received.length, 0);
    } finally {
      await receiver.close();
    }
  });
});

describe(
  'webhook delivery across processes',
  {
    skip: config.databaseUrl ? false : 'needs DATABASE_URL (gateway processes on one PostgreSQL)',
  },
  () => {
    const JWT_SECRET = 'webhook-test-secret-0123456789abcdef0123';
    let database: TestDatabase;
    const processes: GatewayProcess[] = [];
    const environment = (deliver: boolean) => ({
      NODE_ENV: 'production',
      JWT_SECRET,
      DATABASE_URL: database.config.databaseUrl!,
      DATABASE_MIGRATION_URL: database.config.databaseMigrationUrl!,
      WORKERS: '1',
      LOG_LEVEL: 'warn',
      AUTO_MIGRATE: 'on',
      AUTO_SEED: 'on',
      TEAM_PRODUCTIVITY_REFRESH_MINUTES: '0',
      RATE_LIMITS: 'off',
      WEBHOOK_DELIVERY: deliver ? 'on' : 'off',
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'on',
      WEBHOOK_TIMEOUT_MS: String(FAST.timeoutMs),
      WEBHOOK_RETRY_BASE_MS: String(FAST.retryBaseMs),
      WEBHOOK_POLL_MS: String(FAST.pollMs),
    });

    before(async () => {
      database = await createTestDatabase(config);
    });
    after(async () => {
      for (const process of processes) await process.stop(2000).catch(() => undefined);
      await database.drop();
    });

    it('completes in another process a delivery whose process was killed during it', async () => {
      const receiver = await startReceiver(['hang']);
      try {
        const first = await startGatewayProcess(environment(true), { output: 'capture' });
        processes.push(first);
        const post = async (url: string, query: string, variables: Record<string, unknown>, token: string) => {
          const response = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query, variables }),
          });
          return (await response.json()) as { data?: any; errors?: unknown[] };
        };
        const jwt = { ...config.jwt, secret: new TextEncoder().encode(JWT_SECRET), secretIsDevelopmentDefault: false };
        const pg = await import('pg');
        const client = new pg.default.Client({ connectionString: database.config.databaseUrl });
        await client.connect();
        try {
          const { rows } = await client.query<{ id: string; email: string }>(
            `SELECT id, email FROM users WHERE email = $1`,
            [ANALYST],
          );
          const token = await signAccessToken(rows[0], jwt);
          const created = await post(
            first.url,
            CREATE,
            { input: { organizationId: ACME, url: receiver.url, events: ['STUDY_CREATED'] } },
            token,
          );
          assert.equal(created.errors, undefined, JSON.stringify(created.errors));
          const study = await post(
            first.url,
            CREATE_STUDY,
            { input: { organizationId: ACME, title: 'Survives' } },
            token,
          );
          assert.equal(study.errors, undefined, JSON.stringify(study.errors));
          await until('1 requests at the receiver', () => receiver.received.length >= 1 || undefined, 20_000);
          // Killed while the receiver holds the request: no outcome is ever recorded by this process.
          process.kill(first.pid, 'SIGKILL');
          const second = await startGatewayProcess(environment(true), { output: 'capture' });
          processes.push(second);
          await until('2 requests at the receiver', () => receiver.received.length >= 2 || undefined, 30_000);
          assert.equal(
            receiver.received[1].headers['x-studygraph-event-id'],
            receiver.received[0].headers['x-studygraph-event-id'],
          );
          const { rows: log } = await until(
            'the delivery by the second process',
            async () => {
              const result = await client.query<{ succeeded: boolean; attempt: number }>(
                `SELECT succeeded, attempt FROM webhook_deliveries ORDER BY attempted_at`,
              );
              return result.rows.length > 0 ? result : undefined;
            },
            20_000,
          );
          assert.deepEqual(
            log.map((row) => row.succeeded),
            [true],
            'the killed attempt left no outcome; the other process delivered it',
          );
        } finally {
          await client.end();
        }
      } finally {
        await receiver.close();
      }
    });
  },
);
