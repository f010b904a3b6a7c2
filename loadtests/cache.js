// Response-cache effectiveness on the standard operation mix: hit rate and latency of hits against misses.
//   k6 run -e BASE_URL=http://localhost:4000 -e JWT_SECRET=... -e USERS=100 loadtests/cache.js
// Users are seeded users 1..USERS (tokens minted here); run against the medium or large seed.
import { sleep } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import { graphql } from './lib/graphql.js';
import { mintToken, seededUserId } from './lib/tokens.js';

const USERS = Number(__ENV.USERS || 100);
const SECRET = __ENV.JWT_SECRET || 'studygraph-development-secret-do-not-use-in-production';
const DASHBOARD = open('../schema/operations/dashboard.graphql');
const TRENDS = open('../schema/operations/trends.graphql');
const STUDIES = `query Studies($org: ID!) { studies(organizationId: $org, first: 20) { totalCount edges { node { id title status createdBy { name } } } } }`;
const STUDY = `query Study($id: ID!) { study(id: $id) { title status collaborators { role user { name } } comments(first: 10) { edges { node { body author { name } } } } commentStats { total resolved } } }`;

const cacheHits = new Rate('cache_hits');
const hitDuration = new Trend('duration_cache_hit', true);
const missDuration = new Trend('duration_cache_miss', true);

export const options = {
  scenarios: {
    mix: { executor: 'constant-vus', vus: Number(__ENV.VUS || 50), duration: __ENV.DURATION || '60s' },
  },
  thresholds: {
    checks: ['rate>0.99'],
    http_req_duration: ['p(95)<200'],
    cache_hits: ['rate>=0.8'],
  },
};

export function setup() {
  const users = [];
  for (let n = 1; n <= USERS; n += 1) {
    const token = mintToken(seededUserId(n), SECRET);
    const { body } = graphql('{ organizations(first: 5) { edges { node { id studies(first: 5) { edges { node { id } } } } } } }', {}, token);
    const organizations = (body.data ? body.data.organizations.edges : []).map((e) => ({ id: e.node.id, studies: e.node.studies.edges.map((s) => s.node.id) }));
    if (organizations.length > 0) users.push({ token, organizations });
  }
  return { users };
}

function record(response) {
  const outcome = response.headers['X-Cache'];
  if (outcome === 'hit' || outcome === 'miss') {
    cacheHits.add(outcome === 'hit');
    (outcome === 'hit' ? hitDuration : missDuration).add(response.timings.duration);
  }
}

export default function ({ users }) {
  const user = users[(__VU - 1) % users.length];
  const organization = user.organizations[__ITER % user.organizations.length];
  const roll = Math.random();
  let result;
  if (roll < 0.4) result = graphql(DASHBOARD, { days: 30 }, user.token, { operation: 'Dashboard' });
  else if (roll < 0.7) result = graphql(STUDIES, { org: organization.id }, user.token, { operation: 'Studies' });
  else if (roll < 0.9 && organization.studies.length > 0) {
    result = graphql(STUDY, { id: organization.studies[__ITER % organization.studies.length] }, user.token, { operation: 'Study' });
  } else result = graphql(TRENDS, { organizationId: organization.id, days: 90 }, user.token, { operation: 'Trends' });
  record(result.response);
  sleep(Number(__ENV.THINK_SECONDS || 0.5));
}
