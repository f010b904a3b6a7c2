// Stress: the standard mix at rising arrival rates (×0.5 … ×2 of the load test's rate) to find where
// latency or errors break the pass bar; stops early once more than 10% of requests fail.
//   k6 run -e BASE_URL=http://localhost:4000 loadtests/stress.js     (or: npm run loadtest -- stress)
// RATE (the load test's rate), STEP (length of each step), VUS (the most k6 may use).
import { discoverUsers, PASS_BAR, runMixed, USERS } from './lib/mix.js';
import { SUMMARY_TREND_STATS, summaryFor } from './lib/summary.js';

const RATE = Number(__ENV.RATE || 190);
const STEP = __ENV.STEP || '1m';

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  scenarios: {
    stress: {
      executor: 'ramping-arrival-rate',
      startRate: Math.round(RATE / 4),
      timeUnit: '1s',
      preAllocatedVUs: 100,
      maxVUs: Number(__ENV.VUS || 600),
      stages: [0.5, 1, 1.5, 2]
        .flatMap((factor) => [
          { target: Math.round(RATE * factor), duration: '15s' },
          { target: Math.round(RATE * factor), duration: STEP },
        ])
        .concat([{ target: 0, duration: '15s' }]),
    },
  },
  thresholds: {
    ...PASS_BAR,
    http_req_failed: [{ threshold: 'rate<0.01' }, { threshold: 'rate<0.10', abortOnFail: true, delayAbortEval: '30s' }],
  },
};

export function setup() {
  return { users: discoverUsers(USERS) };
}

export default function ({ users }) {
  runMixed(users);
}

export const handleSummary = summaryFor('stress');
