// The standard operation mix over many seeded users, shared by the load-shaped scripts.
import http from 'k6/http';
import { fail } from 'k6';
import { Trend } from 'k6/metrics';
import { BASE_URL, graphql } from './graphql.js';
import { operations } from './operations.js';
import { mintToken, seededUserId } from './tokens.js';

export const JWT_SECRET = __ENV.JWT_SECRET || 'studygraph-development-secret-do-not-use-in-production';

/** Share of iterations per operation: an analyst's landing page most, a study's page and lists next. */
export const MIX = [
  ['Dashboard', 0.3],
  ['Studies', 0.3],
  ['Study', 0.25],
  ['Trends', 0.1],
  ['Contributors', 0.05],
];

const durations = Object.fromEntries(MIX.map(([name]) => [name, new Trend(`duration_${name}`, true)]));
/** Latency of the mix's requests only: setup()'s discovery burst is not what the pass bar is about. */
const operationDuration = new Trend('operation_duration', true);

const DISCOVERY = '{ organizations(first: 5) { edges { node { id studies(first: 10) { edges { node { id } } } } } } }';

/**
 * Mints tokens for the seeded users numbered `numbers` and asks each `query`; returns the users whose answer
 * has data, with their token. Requests go 50 at a time.
 */
export function askSeededUsers(numbers, query) {
  const answers = [];
  for (let first = 0; first < numbers.length; first += 50) {
    const tokens = numbers.slice(first, first + 50).map((n) => mintToken(seededUserId(n), JWT_SECRET));
    const responses = http.batch(
      tokens.map((token) => ({
        method: 'POST',
        url: `${BASE_URL}/graphql`,
        body: JSON.stringify({ query }),
        params: {
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          tags: { operation: 'setup' },
        },
      })),
    );
    responses.forEach((response, index) => {
      const body = response.status === 200 ? response.json() : {};
      if (body.data) answers.push({ token: tokens[index], data: body.data });
    });
  }
  return answers;
}

/** The seeded users numbered `numbers` with their organizations and some of their studies; users without an organization are left out. */
function discover(numbers) {
  return askSeededUsers(numbers, DISCOVERY)
    .map(({ token, data }) => ({
      token,
      organizations: data.organizations.edges.map((edge) => ({
        id: edge.node.id,
        studies: edge.node.studies.edges.map((study) => study.node.id),
      })),
    }))
    .filter((user) => user.organizations.length > 0);
}

/** Seeded users 1..count that belong to an organization (run in `setup()`). */
export function discoverUsers(count) {
  const users = discover(Array.from({ length: count }, (_, i) => i + 1));
  if (users.length === 0)
    fail(
      `no seeded user of 1..${count} answered with an organization at ${BASE_URL} (is the database seeded, is JWT_SECRET the gateway's?)`,
    );
  return users;
}

/** Seeded user `n` with its organizations (run in `setup()`). */
export function discoverUser(n) {
  const [user] = discover([n]);
  if (!user) fail(`seeded user ${n} has no organization at ${BASE_URL}`);
  return user;
}

function pick(list, random) {
  return list[Math.floor(random * list.length) % list.length];
}

function variablesFor(name, organization) {
  switch (name) {
    case 'Dashboard':
      return { days: 30 };
    case 'Studies':
      return { organizationId: organization.id, first: 20 };
    case 'Study':
      return { id: pick(organization.studies, Math.random()) };
    case 'Trends':
      return { organizationId: organization.id, days: 90 };
    default:
      return { organizationId: organization.id, days: 30 };
  }
}

/** Chooses an operation by the mix's weights (or `name`), for a random user, and runs it. */
export function runMixed(users, name) {
  const user = pick(users, Math.random());
  const organization = pick(user.organizations, Math.random());
  let chosen = name;
  if (!chosen) {
    let roll = Math.random();
    chosen = MIX[MIX.length - 1][0];
    for (const [candidate, share] of MIX) {
      if (roll < share) {
        chosen = candidate;
        break;
      }
      roll -= share;
    }
  }
  // An organization without studies (tiny seeds) gets its study list instead.
  if (chosen === 'Study' && organization.studies.length === 0) chosen = 'Studies';
  const result = graphql(operations[chosen], variablesFor(chosen, organization), user.token, { operation: chosen });
  durations[chosen].add(result.response.timings.duration);
  operationDuration.add(result.response.timings.duration);
  return result;
}

/** The pass bar of the load-shaped scripts (the seeds' limits); the README's tighter performance targets are reported beside it. */
export const PASS_BAR = {
  operation_duration: ['p(95)<200'],
  http_req_failed: ['rate<0.01'],
  graphql_errors: ['rate<0.01'],
  checks: ['rate>0.99'],
};

/** Seeded users the scripts spread the load over (each has its own rate budget and cache entries). */
export const USERS = Number(__ENV.USERS || 500);
