// Response-cache effectiveness on the standard mix: hit rate and the latency of hits against misses.
// A warm-up scenario fills the cache first; the hit-rate bar applies to the measured scenario after it.
//   k6 run -e BASE_URL=http://localhost:4000 loadtests/cache.js      (or: npm run loadtest -- cache)
// USERS (default 100), VUS (50), WARMUP (30s), DURATION (60s), THINK_SECONDS (0.5).
import { sleep } from 'k6';
import { Trend } from 'k6/metrics';
import { discoverUsers, PASS_BAR, runMixed } from './lib/mix.js';
import { SUMMARY_TREND_STATS, summaryFor } from './lib/summary.js';

const WARMUP = __ENV.WARMUP || '30s';
const hitDuration = new Trend('duration_cache_hit', true);
const missDuration = new Trend('duration_cache_miss', true);

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  scenarios: {
    warmup: { executor: 'constant-vus', vus: Number(__ENV.VUS || 50), duration: WARMUP },
    measure: {
      executor: 'constant-vus',
      vus: Number(__ENV.VUS || 50),
      duration: __ENV.DURATION || '60s',
      startTime: WARMUP,
    },
  },
  thresholds: { ...PASS_BAR, 'cache_hits{scenario:measure}': ['rate>=0.8'] },
};

export function setup() {
  return { users: discoverUsers(Number(__ENV.USERS || 100)) };
}

export default function ({ users }) {
  const { response } = runMixed(users);
  const outcome = response.headers['X-Cache'];
  if (outcome === 'hit') hitDuration.add(response.timings.duration);
  else if (outcome === 'miss') missDuration.add(response.timings.duration);
  sleep(Number(__ENV.THINK_SECONDS || 0.5));
}

export const handleSummary = summaryFor('cache');
