import type { ApolloServerPlugin } from '@apollo/server';

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/**
 * Whether the answer goes out as `application/graphql-response+json`: the client lists it, ahead of (or
 * without) `application/json`, as Apollo chooses.
 */
function answersGraphQLResponseJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0].trim().toLowerCase());
  const modern = types.indexOf(GRAPHQL_RESPONSE_JSON);
  const legacy = types.indexOf('application/json');
  return modern !== -1 && (legacy === -1 || modern < legacy);
}

/**
 * Status codes as GraphQL over HTTP sets them:
 * - a response whose `data` is not null is 2xx, whatever its errors (an anonymous caller's `UNAUTHENTICATED`
 *   on one field beside another field's data, a rate-limited field): Apollo would take the status an error
 *   carries (401), and a client seeing 4xx throws the data away;
 * - under `application/graphql-response+json`, a response without `data` (a request error) is 4xx: Apollo
 *   answers an unknown persisted-query hash with 200 for clients of `application/json`, which keep it.
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
          if (
            data === undefined &&
            status < 300 &&
            errors?.length &&
            answersGraphQLResponseJson(request.http?.headers.get('accept'))
          ) {
            response.http.status = errors.some((error) => error.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')
              ? 404
              : 400;
          }
        },
      };
    },
  };
}
