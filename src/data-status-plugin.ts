import type { ApolloServerPlugin } from '@apollo/server';

/**
 * GraphQL over HTTP: a response whose `data` is not null is 2xx, whatever its errors (an anonymous caller's
 * `UNAUTHENTICATED` on one field beside another field's data, a rate-limited field): Apollo would take the
 * status an error carries (401), and a client seeing 4xx throws the data away. Refusals before execution
 * have no data and keep their status (400, 401, 429).
 */
export function dataStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const status = response.http.status;
          if (status === undefined || status < 300 || response.body.kind !== 'single') return;
          const { data } = response.body.singleResult;
          if (data !== null && data !== undefined) response.http.status = 200;
        },
      };
    },
  };
}
