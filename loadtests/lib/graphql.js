import http from 'k6/http';
import { check } from 'k6';
import { Counter, Rate } from 'k6/metrics';

export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:4000').replace(/\/$/, '');

/** Share of responses served from the response cache (x-cache: hit), among cacheable ones. */
export const cacheHits = new Rate('cache_hits');
/** Responses refused by the rate limiter (429 RATE_LIMITED). */
export const throttled = new Counter('throttled_responses');
/** Share of responses that were not a 200 without `errors`. */
export const graphqlErrors = new Rate('graphql_errors');

/**
 * POSTs an operation as the bearer of `token`; checks HTTP 200 and a body without `errors`; records
 * cache outcome and throttling. `expect` lists statuses that are not failures (e.g. 429 in rate tests).
 */
export function graphql(query, variables, token, { operation = 'anonymous', expect = [200] } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = http.post(`${BASE_URL}/graphql`, JSON.stringify({ query, variables }), {
    headers,
    tags: { operation },
    responseCallback: http.expectedStatuses(...expect),
  });
  let body;
  try {
    body = response.json();
  } catch (_) {
    body = { errors: [{ message: `response is not JSON (HTTP ${response.status})` }] };
  }
  if (response.status === 429) throttled.add(1, { operation });
  const cache = response.headers['X-Cache'];
  if (cache === 'hit' || cache === 'miss') cacheHits.add(cache === 'hit', { operation });
  const ok = response.status === 200 && !body.errors;
  graphqlErrors.add(!ok, { operation });
  // An expected refusal (a 429 where the script provokes them) is counted above, not failed here.
  if (response.status === 200 || !expect.includes(response.status)) {
    check(
      response,
      {
        'status is 200': (r) => r.status === 200,
        'no errors': () => !body.errors,
      },
      { operation },
    );
  }
  return { response, body };
}
