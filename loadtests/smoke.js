// k6 smoke test: a handful of iterations of the operations an analyst runs first.
//   k6 run -e BASE_URL=http://localhost:4000 -e TOKEN=$(npm run --silent token -- --email analyst@example.com) loadtests/smoke.js
import http from 'k6/http';
import { check, fail } from 'k6';

export const options = {
  vus: 1,
  iterations: 5,
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<200'],
  },
};

const BASE_URL = __ENV.BASE_URL || 'http://localhost:4000';
const TOKEN = __ENV.TOKEN;

const DASHBOARD = `query Dashboard {
  viewer { name }
  organizations(first: 10) { edges { node { id name plan viewerRole memberCount studyCount } } }
}`;

const STUDIES = `query Studies($org: ID!) {
  studies(organizationId: $org, first: 20) {
    totalCount
    edges { node { id title status createdBy { name } collaborators { role user { name } } } }
  }
}`;

function graphql(query, variables) {
  const response = http.post(`${BASE_URL}/graphql`, JSON.stringify({ query, variables }), {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
  });
  const body = response.json();
  check(response, {
    'status is 200': (r) => r.status === 200,
    'no errors': () => !body.errors,
  });
  return body.data;
}

export function setup() {
  if (!TOKEN) fail('set TOKEN (npm run --silent token -- --email analyst@example.com)');
}

export default function () {
  const dashboard = graphql(DASHBOARD);
  const organizations = dashboard ? dashboard.organizations.edges : [];
  check(organizations, { 'viewer has organizations': (o) => o.length > 0 });
  for (const { node } of organizations) graphql(STUDIES, { org: node.id });
}
