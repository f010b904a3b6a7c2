import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createClient, type ExecutionResult } from 'graphql-sse';
import { signAccessToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { memberWithRole, startTestGateway, type TestGateway } from './support/gateway';
import { seriesValue } from './support/metrics';
import { ACME_STUDY, INITECH, UMBRELLA_STUDY } from './support/ids';
import { appendBacklog } from './support/activity';
import { until } from './support/wait';
import { WsClient } from './support/ws-client';

const ANALYST = 'analyst@example.com';
const ADD_COMMENT = 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }';
const STUDY_ACTIVITY =
  'subscription($studyId: ID!, $after: String) { studyActivity(studyId: $studyId, after: $after) { cursor node { id type details actor { email } } } }';

interface SseEvent {
  event: string;
  data: any;
}

/**
 * One subscription over SSE read as raw events (what a browser's fetch reader sees): its status, headers,
 * the events so far, and whether the stream has ended.
 */
class RawStream {
  readonly events: SseEvent[] = [];
  ended = false;
  private constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly json: any,
    private readonly controller: AbortController,
  ) {}

  static async open(
    url: string,
    token: string | null,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<RawStream> {
    const controller = new AbortController();
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (!response.headers.get('content-type')?.startsWith('text/event-stream'))
      return new RawStream(response.status, response.headers, await response.json(), controller);
    const stream = new RawStream(response.status, response.headers, null, controller);
    void stream.read(response.body!);
    return stream;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (event) this.events.push({ event, data: data ? JSON.parse(data) : null });
        }
      }
    } catch {
      // aborted by the test
    } finally {
      this.ended = true;
    }
  }

  nexts(): any[] {
    return this.events.filter((e) => e.event === 'next').map((e) => e.data);
  }

  close(): void {
    this.controller.abort();
  }
}

async function comment(gateway: TestGateway, token: string, body: string): Promise<string> {
  const response = await gateway.graphql(ADD_COMMENT, { token, variables: { input: { studyId: ACME_STUDY, body } } });
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  return response.body.data.addComment.id;
}

describe('subscriptions over Server-Sent Events', () => {
  let gateway: TestGateway;
  let token: string;
  const streams: RawStream[] = [];
  const open = async (body: Record<string, unknown>, as: string | null = token) => {
    const stream = await RawStream.open(gateway.url, as, body);
    streams.push(stream);
    return stream;
  };
  // A closed stream gives its slot of the user's connection limit back once the gateway sees it go.
  const closeAll = async () => {
    for (const stream of streams.splice(0)) stream.close();
    await until('no stream open', async () =>
      (await seriesValue(gateway.url, 'studygraph_sse_streams')) === 0 ? true : undefined,
    );
  };

  before(async () => {
    gateway = await startTestGateway({
      config: {
        jwt: { ...loadConfig().jwt, clockToleranceSeconds: 0 },
        realtime: { ...loadConfig().realtime, maxConnectionsPerUser: 2 },
      },
    });
    token = await gateway.tokenFor(ANALYST);
  });
  after(async () => {
    await closeAll();
    await gateway.close();
  });

  it('delivers to a graphql-sse client, as over WebSocket: an edge resolved for the subscriber, with publishedAt', async () => {
    const client = createClient({
      url: `${gateway.url}/graphql`,
      headers: () => ({ authorization: `Bearer ${token}` }),
      retryAttempts: 0,
    });
    const events = client.iterate<any>({ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY } });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const commentId = await comment(gateway, token, 'over an event stream');
      const { value, done } = (await events.next()) as IteratorResult<ExecutionResult<any, any>>;
      assert.equal(done, false);
      assert.equal(value.errors, undefined, JSON.stringify(value.errors));
      const edge = value.data.studyActivity;
      assert.equal(edge.node.type, 'COMMENT_ADDED');
      assert.equal(edge.node.details.commentId, commentId);
      assert.equal(edge.node.actor.email, ANALYST);
      assert.equal(typeof edge.cursor, 'string');
      assert.equal(typeof value.extensions?.publishedAt, 'number');
    } finally {
      await events.return?.(undefined);
      client.dispose();
    }
  });

  it('refuses a request without a token, or with a forged one, with 401 UNAUTHENTICATED before any stream', async () => {
    for (const as of [null, `${token.slice(0, -4)}AAAA`, 'not-a-jwt']) {
      const stream = await open({ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY } }, as);
      assert.equal(stream.status, 401, String(as));
      assert.equal(stream.json.errors[0].extensions.code, 'UNAUTHENTICATED');
    }
  });

  it('answers another tenant’s study NOT_FOUND, like a query, and completes', async () => {
    const stream = await open({ query: STUDY_ACTIVITY, variables: { studyId: UMBRELLA_STUDY } });
    assert.equal(stream.status, 200);
    await until('the answer', () => stream.ended || undefined);
    const [answer] = stream.nexts();
    assert.equal(answer.errors[0].extensions.code, 'NOT_FOUND', JSON.stringify(answer));
    assert.ok(answer.data === null || answer.data === undefined);
    assert.ok(stream.events.some((e) => e.event === 'complete'));
  });

  it('refuses queries, bad documents and bad variables with coded 400s, as over WebSocket', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ query: '{ viewer { id } }' }, 'BAD_REQUEST'],
      [{ query: 'subscription {' }, 'GRAPHQL_PARSE_FAILED'],
      [{ query: 'subscription { nope }' }, 'GRAPHQL_VALIDATION_FAILED'],
      [{ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY, after: 42 } }, 'BAD_USER_INPUT'],
    ];
    for (const [body, code] of cases) {
      const stream = await open(body);
      assert.equal(stream.status, 400, JSON.stringify(body));
      assert.equal(stream.json.errors[0].extensions.code, code, JSON.stringify(stream.json));
    }
  });

  it('resumes from a cursor: the missed entries in order, then live', async () => {
    const seen = await comment(gateway, token, 'before the blip');
    const page = await gateway.graphql(
      'query($id: ID!) { study(id: $id) { activity(first: 1) { edges { cursor node { details } } } } }',
      { token, variables: { id: ACME_STUDY } },
    );
    const [edge] = page.body.data.study.activity.edges;
    assert.equal(edge.node.details.commentId, seen);
    const missed = [await comment(gateway, token, 'missed 1'), await comment(gateway, token, 'missed 2')];
    const stream = await open({ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY, after: edge.cursor } });
    await until('the replay', () => stream.nexts().length >= 2 || undefined);
    const live = await comment(gateway, token, 'live');
    await until('the live entry', () => stream.nexts().length >= 3 || undefined);
    assert.deepEqual(
      stream.nexts().map((e) => e.data.studyActivity.node.details.commentId),
      [...missed, live],
    );
    await closeAll();
  });

  it('counts streams with WebSocket connections against the per-user limit (429 beyond) and frees a slot on close', async () => {
    const socket = await WsClient.connect(gateway.url, token);
    const held = await open({ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY } });
    assert.equal(held.status, 200);
    const refused = await open({ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY } });
    assert.equal(refused.status, 429);
    assert.equal(refused.json.errors[0].extensions.code, 'TOO_MANY_CONNECTIONS');
    assert.equal(await seriesValue(gateway.url, 'studygraph_sse_streams'), 1, 'the open stream is counted');
    socket.close();
    await socket.closeCode();
    await until('a slot is free', async () => {
      const again = await RawStream.open(gateway.url, token, {
        query: STUDY_ACTIVITY,
        variables: { studyId: ACME_STUDY },
      });
      streams.push(again);
      return again.status === 200 || undefined;
    });
    await closeAll();
  });

  it('gives the slot back when a client goes away while its stream is being set up, at any moment', async () => {
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const controller = new AbortController();
      const request = fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY } }),
        signal: controller.signal,
      }).catch(() => undefined);
      setTimeout(() => controller.abort(), attempt * 2);
      await request;
    }
    await until('no stream open', async () =>
      (await seriesValue(gateway.url, 'studygraph_sse_streams')) === 0 ? true : undefined,
    );
    // The limit is 2: a lease kept by any of the eight would refuse one of these.
    const again = [
      await open({ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY } }),
      await open({ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY } }),
    ];
    assert.deepEqual(
      again.map((stream) => stream.status),
      [200, 200],
    );
    await closeAll();
  });

  it('ends the stream, without complete, when the token expires, so the client reconnects with a fresh one', async () => {
    const user = await gateway.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', ANALYST)
      .executeTakeFirstOrThrow();
    const shortLived = await signAccessToken(user, gateway.config.jwt, 2);
    const stream = await open({ query: STUDY_ACTIVITY, variables: { studyId: ACME_STUDY } }, shortLived);
    assert.equal(stream.status, 200);
    await until('the stream ends', () => stream.ended || undefined, 6000);
    assert.ok(!stream.events.some((e) => e.event === 'complete'), 'no complete: a client retries');
    await closeAll();
  });
});

describe('what an event stream’s deliveries cost', () => {
  it('charges each event to the subscriber’s budget; a spent budget ends the stream with RATE_LIMITED, then complete', async () => {
    const gateway = await startTestGateway({ config: { rateLimits: true, rateLimitPointsPerMinute: 60 } });
    try {
      // Budgets live in Redis when it is there, across gateways: the WebSocket suite's budget test spends the
      // first member's, so this one spends another's.
      const first = await memberWithRole(gateway, INITECH, 'member');
      const member = await memberWithRole(gateway, INITECH, 'member', [first.email]);
      const after = await appendBacklog(gateway.db, { organizationId: INITECH, userId: member.id, count: 150 });
      const stream = await RawStream.open(gateway.url, member.token, {
        query:
          'subscription($id: ID!, $after: String) { organizationActivity(organizationId: $id, after: $after) { cursor node { type } } }',
        variables: { id: INITECH, after },
      });
      assert.equal(stream.status, 200);
      await until('the stream to end', () => stream.ended || undefined, 20_000);
      const nexts = stream.nexts();
      const last = nexts.at(-1);
      assert.equal(last.errors?.[0]?.extensions?.code, 'RATE_LIMITED', JSON.stringify(last));
      assert.ok(last.errors[0].extensions.retryAfterSeconds >= 1);
      assert.ok(nexts.length >= 20 && nexts.length < 150, `${nexts.length - 1} events before the budget ran out`);
      assert.equal(stream.events.at(-1)?.event, 'complete', 'told why, then completed: no blind reconnect');
    } finally {
      await gateway.close();
    }
  });
});

describe('a client that stops reading its event stream', () => {
  it('is sent no more than its connection holds: events wait in the subscription, then all arrive in order', async () => {
    const ENTRIES = 2000;
    const gateway = await startTestGateway({
      config: { realtime: { ...loadConfig().realtime, maxReplayEntries: ENTRIES } },
    });
    try {
      const member = await memberWithRole(gateway, INITECH, 'member');
      // 16 KB an event, 32 MB in all: far more than a loopback connection's buffers hold.
      const after = await appendBacklog(gateway.db, {
        organizationId: INITECH,
        userId: member.id,
        count: ENTRIES,
        details: JSON.stringify({ note: 'x'.repeat(16 * 1024) }),
      });
      const body = JSON.stringify({
        query:
          'subscription($id: ID!, $after: String) { organizationActivity(organizationId: $id, after: $after) { node { id details } } }',
        variables: { id: INITECH, after },
      });
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const url = new URL(`${gateway.url}/graphql`);
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'text/event-stream',
              authorization: `Bearer ${member.token}`,
            },
          },
          resolve,
        );
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(response.statusCode, 200);
      response.pause();
      const delivered = () =>
        seriesValue(gateway.url, 'studygraph_subscription_events_delivered_total{field="organizationActivity"}');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const whilePaused = await delivered();
      assert.ok(whilePaused < ENTRIES / 2, `${whilePaused} of ${ENTRIES} events taken while the client read nothing`);

      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.resume();
      const count = () => text.split('event: next').length - 1;
      await until('every event', () => (count() >= ENTRIES ? true : undefined), 60_000);
      const ids = [...text.matchAll(/"id":"(\d+)"/g)].map((match) => Number(match[1]));
      assert.equal(ids.length, ENTRIES);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        'in order, none lost',
      );
      response.destroy();
    } finally {
      await gateway.close();
    }
  });
});

describe('event streams at shutdown', () => {
  it('end when the gateway stops, without complete, so clients reconnect elsewhere', async () => {
    const gateway = await startTestGateway();
    const stream = await RawStream.open(gateway.url, await gateway.tokenFor(ANALYST), {
      query: STUDY_ACTIVITY,
      variables: { studyId: ACME_STUDY },
    });
    assert.equal(stream.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await gateway.close();
    await until('the stream ends', () => stream.ended || undefined, 5000);
    assert.ok(!stream.events.some((e) => e.event === 'complete'));
  });
});
