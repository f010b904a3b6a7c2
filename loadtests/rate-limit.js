// A greedy client and a normal one share the gateway: the greedy one must be throttled (429 with
// Retry-After) while the normal one keeps its latency and is never refused.
//   k6 run -e BASE_URL=http://localhost:4000 loadtests/rate-limit.js (or: npm run loadtest -- rate-limit)
// GREEDY_USER and NORMAL_USER are seeded user numbers; DURATION (30s).
import { check, sleep } from 'k6';
import { graphql } from './lib/graphql.js';
import { discoverUser } from './lib/mix.js';
import { operations } from './lib/operations.js';
import { SUMMARY_TREND_STATS, summaryFor } from './lib/summary.js';

const DURATION = __ENV.DURATION || '30s';

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: {
    greedy: { executor: 'constant-vus', vus: 20, duration: DURATION, exec: 'greedy', tags: { client: 'greedy' } },
    normal: {
      executor: 'constant-arrival-rate',
      rate: 2,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: 5,
      exec: 'normal',
      tags: { client: 'normal' },
    },
  },
  thresholds: {
    'http_req_duration{client:normal}': ['p(95)<200'],
    'http_req_failed{client:normal}': ['rate<0.01'],
    'graphql_errors{client:normal}': ['rate<0.01'],
    'throttled_responses{client:greedy}': ['count>0'],
    'throttled_responses{client:normal}': ['count==0'],
  },
};

function clientOf(userNumber) {
  const user = discoverUser(userNumber);
  return { token: user.token, organizationId: user.organizations[0].id };
}

export function setup() {
  return { greedy: clientOf(Number(__ENV.GREEDY_USER || 40)), normal: clientOf(Number(__ENV.NORMAL_USER || 70)) };
}

export function greedy({ greedy: client }) {
  const { response } = graphql(operations.Studies, { organizationId: client.organizationId, first: 50 }, client.token, {
    operation: 'Studies',
    expect: [200, 429],
  });
  if (response.status === 429)
    check(response, { 'throttled with Retry-After': (r) => Number(r.headers['Retry-After']) >= 1 });
}

export function normal({ normal: client }) {
  graphql(operations.Studies, { organizationId: client.organizationId, first: 50 }, client.token, {
    operation: 'Studies',
  });
  sleep(0.1);
}

export const handleSummary = summaryFor('rate-limit');
