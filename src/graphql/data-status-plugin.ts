import type { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';

/** What Apollo Server 5 offers a single answer as, in its order (chooseContentTypeForSingleResultResponse). */
const APOLLO_OFFERS = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
] as const;

/**
 * Whether the answer goes out as `application/graphql-response+json`: negotiated from Accept as Apollo
 * negotiates it (the same library, the same offers, q-values included), so the rule applied is the one of
 * the media type the client gets.
 */
function answersGraphQLResponseJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const preferred = new Negotiator({ headers: { accept } }).mediaType([...APOLLO_OFFERS]);
  return preferred === APOLLO_OFFERS[1];
}

/**
 * GraphQL request errors: the request was well-formed GraphQL over HTTP, and GraphQL refused its document
 * or its variables (or the cost maximum refused the operation) before execution.
 */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TOO_COSTLY',
]);

/**
 * Status codes as GraphQL over HTTP sets them:
 * - a response whose `data` is not null is 2xx, whatever its errors (an anonymous caller's `UNAUTHENTICATED`
 *   on one field beside another field's data, a rate-limited field): Apollo would take the status an error
 *   carries (401), and a client seeing 4xx throws the data away;
 * - under `application/graphql-response+json`, a response without `data` (a request error) is 4xx: Apollo
 *   answers an unknown persisted-query hash with 200 for clients of `application/json`, which keep it;
 * - under `application/json`, a request error is 200 (the specification's SHOULD: legacy clients read the
 *   errors of a 200, and some treat any 4xx as a transport failure). Refusals that are not GraphQL's keep
 *   theirs: 401, 413, 429 with Retry-After, 503.
 */
export function dataStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const status = response.http.status ?? 200;
          if (data !== null && data !== undefined) {
            if (status >= 300) response.http.status = 200;
            return;
          }
          const modern = answersGraphQLResponseJson(request.http?.headers.get('accept'));
          if (
            !modern &&
            data === undefined &&
            status === 400 &&
            errors?.length &&
            errors.every((error) => REQUEST_ERROR_CODES.has(String(error.extensions?.code)))
          ) {
            response.http.status = 200;
            return;
          }
          if (data === undefined && status < 300 && errors?.length && modern) {
            response.http.status = errors.some((error) => error.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')
              ? 404
              : 400;
          }
        },
      };
    },
  };
}
