// Soak: the standard mix at a steady rate for a bounded time (DURATION, default 10m, at most 2h), and the
// gateway's resident memory (/metrics) before and after: a leak shows as growth.
//   k6 run -e BASE_URL=http://localhost:4000 loadtests/soak.js       (or: npm run loadtest -- soak)
import http from 'k6/http';
import { fail } from 'k6';
import { Gauge } from 'k6/metrics';
import { BASE_URL } from './lib/graphql.js';
import { discoverUsers, PASS_BAR, runMixed, USERS } from './lib/mix.js';
import { SUMMARY_TREND_STATS, summaryFor } from './lib/summary.js';

const DURATION = __ENV.DURATION || '10m';
const MAX_MINUTES = 120;
const rssBefore = new Gauge('gateway_rss_mb_before');
const rssAfter = new Gauge('gateway_rss_mb_after');

function minutes(duration) {
  const match = /^(\d+)(s|m|h)$/.exec(duration);
  if (!match) fail(`DURATION must look like 90s, 10m or 1h, got ${duration}`);
  return Number(match[1]) * { s: 1 / 60, m: 1, h: 60 }[match[2]];
}
if (minutes(DURATION) > MAX_MINUTES) fail(`a soak here is bounded: DURATION at most ${MAX_MINUTES}m`);

export const options = {
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: '180s',
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 100),
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: 50,
      maxVUs: Number(__ENV.VUS || 200),
    },
  },
  thresholds: { ...PASS_BAR, gateway_rss_mb_after: ['value<512'] },
};

/** Resident memory of the process that answered, in MB (NaN when /metrics is not reachable). */
function gatewayRssMb() {
  const response = http.get(`${BASE_URL}/metrics`, { tags: { operation: 'metrics' } });
  const match = /^studygraph_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(response.body || '');
  return match ? Number(match[1]) / 1024 / 1024 : Number.NaN;
}

export function setup() {
  rssBefore.add(gatewayRssMb());
  return { users: discoverUsers(USERS) };
}

export default function ({ users }) {
  runMixed(users);
}

export function teardown() {
  rssAfter.add(gatewayRssMb());
}

export const handleSummary = summaryFor('soak');
