// Failover: steady traffic through a load balancer while the gateways behind it are stopped and restarted
// one at a time; no request may fail. Driven by test/load-balancer.test.ts (HAProxy, two gateways), or:
//   k6 run -e BASE_URL=http://balancer:8080 -e JWT_SECRET=... loadtests/failover.js   (then restart hosts by hand)
import { discoverUsers, runMixed } from './lib/mix.js';

export const options = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 30),
      timeUnit: '1s',
      duration: __ENV.DURATION || '30s',
      preAllocatedVUs: 20,
      maxVUs: 100,
    },
  },
  thresholds: {
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
    graphql_errors: ['rate==0'],
    dropped_iterations: ['count==0'],
  },
};

export function setup() {
  return { users: discoverUsers(Number(__ENV.USERS || 20)) };
}

export default function ({ users }) {
  runMixed(users);
}

export function handleSummary(data) {
  return __ENV.SUMMARY_JSON ? { [__ENV.SUMMARY_JSON]: JSON.stringify(data) } : {};
}
