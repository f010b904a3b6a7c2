// Smoke: every saved operation a few times for a few seeded users; the CI gate.
//   k6 run -e BASE_URL=http://localhost:4000 loadtests/smoke.js      (or: npm run loadtest -- smoke)
import { discoverUsers, MIX, PASS_BAR, runMixed } from './lib/mix.js';
import { SUMMARY_TREND_STATS, summaryFor } from './lib/summary.js';

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  scenarios: { smoke: { executor: 'per-vu-iterations', vus: 2, iterations: Number(__ENV.ITERATIONS || 5) } },
  thresholds: { ...PASS_BAR, checks: ['rate==1'], graphql_errors: ['rate==0'] },
};

export function setup() {
  return { users: discoverUsers(Number(__ENV.USERS || 20)) };
}

export default function ({ users }) {
  for (const [name] of MIX) runMixed(users, name);
}

export const handleSummary = summaryFor('smoke');
