// Load: the standard mix as an open model at the arrival rate of 200 VUs with 1 s of think
// time (≈ 190 iterations/s), spread over USERS seeded users. Run it on the large seed with the cache cold
// (a fresh Redis or RESPONSE_CACHE=off) for the p95 target, then again for the warm hit rate.
//   k6 run -e BASE_URL=http://localhost:4000 loadtests/load.js       (or: npm run loadtest -- load)
// RATE (iterations/s), VUS (the most k6 may use), RAMP, DURATION.
import { discoverUsers, PASS_BAR, runMixed, USERS } from './lib/mix.js';
import { SUMMARY_TREND_STATS, summaryFor } from './lib/summary.js';

const VUS = Number(__ENV.VUS || 200);
const THINK_SECONDS = 1;
const RATE = Number(__ENV.RATE || Math.round(VUS / (THINK_SECONDS + 0.05)));

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  scenarios: {
    load: {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: Math.min(VUS, 50),
      maxVUs: VUS,
      stages: [
        { target: RATE, duration: __ENV.RAMP || '30s' },
        { target: RATE, duration: __ENV.DURATION || '2m' },
        { target: 0, duration: '10s' },
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

export const handleSummary = summaryFor('load', { rate: RATE });
