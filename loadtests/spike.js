// Spike: a quiet baseline, a sudden jump to SPIKE iterations/s for 30 s, and back; the gateway must
// serve through it and return to baseline latency after.
//   k6 run -e BASE_URL=http://localhost:4000 loadtests/spike.js      (or: npm run loadtest -- spike)
import { discoverUsers, PASS_BAR, runMixed, USERS } from './lib/mix.js';
import { SUMMARY_TREND_STATS, summaryFor } from './lib/summary.js';

const BASELINE = Number(__ENV.BASELINE || 20);
const SPIKE = Number(__ENV.SPIKE || 300);

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: BASELINE,
      timeUnit: '1s',
      preAllocatedVUs: 100,
      maxVUs: Number(__ENV.VUS || 600),
      stages: [
        { target: BASELINE, duration: '30s' },
        { target: SPIKE, duration: '5s' },
        { target: SPIKE, duration: '30s' },
        { target: BASELINE, duration: '5s' },
        { target: BASELINE, duration: '30s' },
      ],
    },
  },
  thresholds: PASS_BAR,
};

export function setup() {
  return { users: discoverUsers(USERS) };
}

export default function ({ users }) {
  runMixed(users);
}

export const handleSummary = summaryFor('spike');
