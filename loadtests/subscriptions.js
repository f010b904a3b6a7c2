// Subscriptions: CONNECTIONS WebSocket clients (graphql-transport-ws), seeded users spread over ORGANIZATIONS
// organizations, each subscribed to its own organization's activity, while a writer adds comments at
// WRITES_PER_SECOND round-robin over those organizations. Checks every event belongs to the subscriber's
// organization; reports delivery latency (from the event's publish time, extensions.publishedAt), the
// connections held and the events lost (expected = writes × subscribers of the written organization).
//   npm run loadtest -- subscriptions --local --env CONNECTIONS=1000 --env WRITES_PER_SECOND=10
import http from 'k6/http';
import { check, fail } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import { WebSocket } from 'k6/websockets';
import { BASE_URL } from './lib/graphql.js';
import { askSeededUsers } from './lib/mix.js';
import { markdownReport, SUMMARY_TREND_STATS } from './lib/summary.js';

const CONNECTIONS = Number(__ENV.CONNECTIONS || 1000);
const ORGANIZATIONS = Number(__ENV.ORGANIZATIONS || 10);
const WRITES_PER_SECOND = Number(__ENV.WRITES_PER_SECOND || 10);
const WRITE_SECONDS = Number(__ENV.WRITE_SECONDS || 60);
/** Time the subscribers get to connect before the first write, and to receive the last one after. */
const RAMP_SECONDS = Number(__ENV.RAMP_SECONDS || Math.max(10, Math.ceil(CONNECTIONS / 50)));
const GRACE_SECONDS = 5;
/** A user holds at most this many connections (the gateway's WS_MAX_CONNECTIONS_PER_USER default is 10). */
const CONNECTIONS_PER_USER = Number(__ENV.CONNECTIONS_PER_USER || 5);
/**
 * Writers per organization, taking turns: each stays well under the per-user limit on collaboration
 * writes (50 a minute), so a write is never refused for it.
 */
const WRITERS_PER_ORGANIZATION = Math.max(1, Math.ceil((WRITES_PER_SECOND * 60) / ORGANIZATIONS / 30));
const WS_URL = `${BASE_URL.replace(/^http/, 'ws')}/graphql`;
/** Users of the seed (SEED), searched for organizations with enough members. */
const SEEDED_USERS = { small: 150, medium: 4000, large: 20000 }[__ENV.SEED] || 20000;

const deliveryLatency = new Trend('delivery_latency', true);
const delivered = new Counter('events_delivered');
const published = new Counter('events_published');
const crossTenant = new Counter('cross_tenant_events');
const duplicates = new Counter('duplicate_events');
const connected = new Counter('connections_acknowledged');
const refused = new Counter('connections_refused');
const subscriptionErrors = new Counter('subscription_errors');
const writeErrors = new Rate('write_errors');

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '5m',
  scenarios: {
    subscribers: {
      executor: 'per-vu-iterations',
      exec: 'subscriber',
      vus: CONNECTIONS,
      iterations: 1,
      maxDuration: `${RAMP_SECONDS + WRITE_SECONDS + GRACE_SECONDS + 60}s`,
    },
    writer: {
      executor: 'constant-arrival-rate',
      exec: 'writer',
      rate: WRITES_PER_SECOND,
      timeUnit: '1s',
      duration: `${WRITE_SECONDS}s`,
      startTime: `${RAMP_SECONDS}s`,
      preAllocatedVUs: Math.max(5, WRITES_PER_SECOND),
      maxVUs: Math.max(20, WRITES_PER_SECOND * 4),
    },
  },
  thresholds: {
    cross_tenant_events: ['count==0'],
    duplicate_events: ['count==0'],
    connections_refused: ['count==0'],
    subscription_errors: ['count==0'],
    write_errors: ['rate==0'],
    dropped_iterations: ['count==0'],
  },
};

const DISCOVERY =
  '{ organizations(first: 20) { edges { node { id viewerRole studies(first: 5) { edges { node { id } } } } } } }';

function discover(numbers) {
  return askSeededUsers(numbers, DISCOVERY).map(({ token, data }) => ({
    token,
    organizations: data.organizations.edges.map((e) => e.node),
  }));
}

/**
 * ORGANIZATIONS organizations, each with CONNECTIONS / ORGANIZATIONS subscriber slots filled by its members
 * (CONNECTIONS_PER_USER each at most) and WRITERS_PER_ORGANIZATION members who may comment on one of its studies.
 */
export function setup() {
  if (CONNECTIONS % ORGANIZATIONS !== 0)
    fail('CONNECTIONS must be a multiple of ORGANIZATIONS (every organization gets as many subscribers)');
  const perOrganization = CONNECTIONS / ORGANIZATIONS;
  const membersNeeded = Math.ceil(perOrganization / CONNECTIONS_PER_USER);
  const organizations = new Map();
  const assigned = new Set();
  const writing = new Set();
  for (let first = 1; first <= SEEDED_USERS; first += 500) {
    for (const user of discover(Array.from({ length: Math.min(500, SEEDED_USERS - first + 1) }, (_, i) => first + i))) {
      for (const organization of user.organizations) {
        let entry = organizations.get(organization.id);
        if (!entry) organizations.set(organization.id, (entry = { id: organization.id, members: [], writers: [] }));
        // A user subscribes for one organization only: its connections stay within its limit.
        if (entry.members.length < membersNeeded && !assigned.has(user.token)) {
          entry.members.push(user.token);
          assigned.add(user.token);
        }
        // A writer writes for one organization only: its turns stay within the per-user write limit.
        if (
          entry.writers.length < WRITERS_PER_ORGANIZATION &&
          !writing.has(user.token) &&
          organization.viewerRole !== 'VIEWER' &&
          organization.studies.edges.length > 0
        ) {
          entry.writers.push({ token: user.token, studyId: organization.studies.edges[0].node.id });
          writing.add(user.token);
        }
      }
    }
    const ready = [...organizations.values()].filter(
      (o) => o.writers.length === WRITERS_PER_ORGANIZATION && o.members.length >= membersNeeded,
    );
    if (ready.length >= ORGANIZATIONS) return { organizations: ready.slice(0, ORGANIZATIONS), perOrganization };
  }
  fail(
    `the seed has fewer than ${ORGANIZATIONS} organizations with ${membersNeeded} members and ${WRITERS_PER_ORGANIZATION} writers: lower CONNECTIONS or ORGANIZATIONS`,
  );
}

const SUBSCRIPTION =
  'subscription($organizationId: ID!) { organizationActivity(organizationId: $organizationId, types: [COMMENT_ADDED]) { cursor node { id type study { id organization { id } } } } }';

export function subscriber({ organizations }) {
  const slot = __VU - 1;
  const organization = organizations[slot % organizations.length];
  const member = organization.members[Math.floor(slot / organizations.length) % organization.members.length];
  const seen = new Set();
  const ws = new WebSocket(WS_URL, 'graphql-transport-ws');
  ws.onopen = () =>
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${member}` } }));
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'connection_ack') {
      connected.add(1);
      ws.send(
        JSON.stringify({
          id: '1',
          type: 'subscribe',
          payload: { query: SUBSCRIPTION, variables: { organizationId: organization.id } },
        }),
      );
    } else if (message.type === 'next') {
      const received = Date.now();
      const payload = message.payload;
      if (payload.errors) {
        subscriptionErrors.add(1);
        return;
      }
      delivered.add(1);
      const entryId = payload.data.organizationActivity.node.id;
      if (seen.has(entryId)) duplicates.add(1);
      seen.add(entryId);
      const belongs = payload.data.organizationActivity.node.study.organization.id === organization.id;
      if (!check(belongs, { 'event is of the subscriber’s organization': (b) => b })) crossTenant.add(1);
      if (payload.extensions && typeof payload.extensions.publishedAt === 'number')
        deliveryLatency.add(received - payload.extensions.publishedAt);
    } else if (message.type === 'error') {
      subscriptionErrors.add(1);
    } else if (message.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong' }));
    }
  };
  ws.onclose = (event) => {
    if (event.code >= 4000) {
      refused.add(1);
      console.warn(`connection of VU ${__VU} closed by the gateway: ${event.code} ${event.reason || ''}`);
    }
  };
  // Every subscriber starts with the test: it holds its connection past the writer's last write.
  setTimeout(() => ws.close(), (RAMP_SECONDS + WRITE_SECONDS + GRACE_SECONDS) * 1000);
}

const ADD_COMMENT = 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }';

export function writer({ organizations }) {
  // Round-robin over the organizations, across all the writer's VUs, and over each organization's writers.
  const turn = exec.scenario.iterationInTest;
  const organization = organizations[turn % organizations.length];
  const writer = organization.writers[Math.floor(turn / organizations.length) % organization.writers.length];
  const response = http.post(
    `${BASE_URL}/graphql`,
    JSON.stringify({ query: ADD_COMMENT, variables: { input: { studyId: writer.studyId, body: `k6 ${Date.now()}` } } }),
    {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer.token}` },
      tags: { operation: 'AddComment' },
    },
  );
  const ok = response.status === 200 && !response.json().errors;
  writeErrors.add(!ok);
  if (!ok) console.warn(`write refused: ${response.status} ${response.body.slice(0, 200)}`);
  if (ok) published.add(1);
}

const TARGETS = [
  ['p95 < 100 ms', 'p(95)', (v) => v < 100],
  ['p99 < 250 ms', 'p(99)', (v) => v < 250],
];

export function handleSummary(data) {
  const metrics = data.metrics;
  const count = (name) => (metrics[name] ? metrics[name].values.count : 0);
  const perOrganization = CONNECTIONS / ORGANIZATIONS;
  const expected = count('events_published') * perOrganization;
  const lost = Math.max(0, expected - count('events_delivered'));
  const deliveriesPerSecond = count('events_delivered') / WRITE_SECONDS;
  const judged = CONNECTIONS >= 1000 && deliveriesPerSecond >= 1000;
  const latency = metrics.delivery_latency ? metrics.delivery_latency.values : {};
  const lines = [
    markdownReport({ script: 'subscriptions', seed: __ENV.SEED || 'unknown' }, data).trimEnd(),
    '',
    '## Delivery',
    '',
    `This run: ${CONNECTIONS} connections over ${ORGANIZATIONS} organizations (${perOrganization} each), ${WRITES_PER_SECOND} writes/s for ${WRITE_SECONDS} s.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| connections acknowledged | ${count('connections_acknowledged')} of ${CONNECTIONS} |`,
    `| events published | ${count('events_published')} |`,
    `| deliveries expected / made | ${expected} / ${count('events_delivered')} (${deliveriesPerSecond.toFixed(0)}/s) |`,
    `| events lost | ${lost} |`,
    `| cross-tenant events | ${count('cross_tenant_events')} |`,
    `| events delivered twice to one subscriber | ${count('duplicate_events')} |`,
    '',
    '| target | conditions | measured | met |',
    '| --- | --- | --- | --- |',
    ...TARGETS.map(([label, stat, met]) => {
      const value = latency[stat];
      const verdict = !judged
        ? 'not measured by this run'
        : value === undefined
          ? 'no data'
          : met(value)
            ? 'yes'
            : 'no';
      return `| delivery ${label} | ≥ 1,000 connections at ≥ 1,000 deliveries/s | ${value === undefined ? '—' : `${value.toFixed(1)} ms`} | ${verdict} |`;
    }),
    `| 0 events lost | any run | ${lost} | ${lost === 0 ? 'yes' : 'no'} |`,
    '',
  ];
  const report = lines.join('\n');
  const dir = (__ENV.RESULTS_DIR || 'loadtests/results').replace(/\/$/, '');
  return {
    stdout: `\n${report}`,
    [`${dir}/subscriptions.md`]: report,
    [`${dir}/subscriptions.json`]: JSON.stringify(data, null, 2),
  };
}
