import http from 'k6/http';
import { check } from 'k6';

export const BASE_URL = __ENV.BASE_URL || 'http://localhost:4000';

/** POSTs an operation; checks HTTP 200 and no errors; returns the response and its parsed body. */
export function graphql(query, variables, token, tags = {}) {
  const response = http.post(`${BASE_URL}/graphql`, JSON.stringify({ query, variables }), {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    tags,
  });
  let body = {};
  try {
    body = response.json();
  } catch (_) {
    body = { errors: [{ message: 'response is not JSON' }] };
  }
  check(response, {
    'status is 200': (r) => r.status === 200,
    'no errors': () => !body.errors,
  });
  return { response, body };
}
