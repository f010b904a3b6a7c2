// A greedy client and a normal one share the gateway: the greedy one must be throttled (429) while the
// normal one keeps its latency.
//   k6 run -e BASE_URL=http://localhost:4000 -e JWT_SECRET=... loadtests/rate-limit.js
import { check, sleep } from 'k6';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import { BASE_URL } from './lib/graphql.js';
import { mintToken, seededUserId } from './lib/tokens.js';

const SECRET = __ENV.JWT_SECRET || 'studygraph-development-secret-do-not-use-in-production';
const GREEDY_USER = Number(__ENV.GREEDY_USER || 40);
const NORMAL_USER = Number(__ENV.NORMAL_USER || 70);
const throttled = new Counter('throttled_responses');

export const options = {
  scenarios: {
    greedy: { executor: 'constant-vus', vus: 20, duration: __ENV.DURATION || '30s', exec: 'greedy', tags: { client: 'greedy' } },
    normal: { executor: 'constant-arrival-rate', rate: 2, timeUnit: '1s', duration: __ENV.DURATION || '30s', preAllocatedVUs: 5, exec: 'normal', tags: { client: 'normal' } },
  },
  thresholds: {
    'http_req_duration{client:normal}': ['p(95)<200'],
    'http_req_failed{client:normal}': ['rate<0.01'],
    'throttled_responses{client:greedy}': ['count>0'],
  },
};

const STUDIES = `query Studies($org: ID!) { studies(organizationId: $org, first: 50) { totalCount edges { node { id title status createdBy { name } } } } }`;

function post(token, query, variables) {
  return http.post(`${BASE_URL}/graphql`, JSON.stringify({ query, variables }), {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    responseCallback: http.expectedStatuses(200, 429),
  });
}

function organizationOf(token) {
  const body = post(token, '{ organizations(first: 1) { edges { node { id } } } }', {}).json();
  return body.data.organizations.edges[0].node.id;
}

export function setup() {
  const greedy = mintToken(seededUserId(GREEDY_USER), SECRET);
  const normal = mintToken(seededUserId(NORMAL_USER), SECRET);
  return { greedy, normal, greedyOrg: organizationOf(greedy), normalOrg: organizationOf(normal) };
}

export function greedy(data) {
  const response = post(data.greedy, STUDIES, { org: data.greedyOrg });
  if (response.status === 429) {
    throttled.add(1);
    check(response, { 'throttled with Retry-After': (r) => Number(r.headers['Retry-After']) >= 1 });
  }
}

export function normal(data) {
  const response = post(data.normal, STUDIES, { org: data.normalOrg });
  check(response, { 'normal client served': (r) => r.status === 200 && !r.json().errors });
  sleep(0.1);
}
