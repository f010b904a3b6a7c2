import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context/context';
import { operationLabeler, type Metrics } from './metrics';
import { currentRequestScope } from '../context/request-scope';
import { describeOperationSpan } from './tracing';

export interface RequestMetricsPluginOptions {
  /** The process's registry of series (see createMetrics). */
  metrics: Metrics;
  /** Names of the registered operations (schema/operations): always labels of their own. */
  registeredOperationNames?: Iterable<string>;
}

/**
 * Latency by operation and outcome, SQL statements per request, and requests by client (the
 * `apollographql-client-name`/`-version` headers Apollo clients send), for every GraphQL request. Client
 * labels get a counter of their own: crossed with operations and latency buckets they would multiply the
 * series.
 */
export function requestMetricsPlugin({
  metrics,
  registeredOperationNames,
}: RequestMetricsPluginOptions): ApolloServerPlugin<GatewayContext> {
  const label = operationLabeler(registeredOperationNames);
  const clientName = clientLabeler(MAX_CLIENT_NAMES);
  const clientVersion = clientLabeler(MAX_CLIENT_VERSIONS);
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(rc) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const errors = rc.response.body.kind === 'single' ? rc.response.body.singleResult.errors : undefined;
          const outcome = errors?.length
            ? rc.response.body.kind === 'single' && rc.response.body.singleResult.data
              ? 'partial'
              : 'error'
            : 'ok';
          metrics.requestDuration.observe(
            {
              operation: label(rc.operationName, rc.operation !== undefined, rc.contextValue.viewer !== null),
              outcome,
            },
            seconds,
          );
          describeOperationSpan(
            rc.operation?.operation,
            rc.operation?.name?.value,
            outcome,
            (errors ?? []).map((error) =>
              typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR',
            ),
          );
          // Only signed-in callers name their client: anyone else could use up the bounded label set.
          const headers = rc.contextValue.viewer ? rc.request.http?.headers : undefined;
          const anonymous = !rc.contextValue.viewer;
          metrics.requestsByClient.inc({
            client_name: anonymous ? 'anonymous' : clientName(headers?.get('apollographql-client-name')),
            client_version: anonymous ? 'anonymous' : clientVersion(headers?.get('apollographql-client-version')),
            outcome,
          });
          const scope = currentRequestScope();
          if (scope) metrics.sqlStatements.observe(scope.sqlStatements);
        },
      };
    },
  };
}

/** Distinct client names and versions kept as labels; later ones are counted as `other`. */
const MAX_CLIENT_NAMES = 50;
const MAX_CLIENT_VERSIONS = 200;
const CLIENT_LABEL = /^[A-Za-z0-9 ._@/+-]{1,64}$/;

/** Client-chosen header values as labels: absent ones are `unknown`, odd ones `invalid`, and the set stays bounded. */
function clientLabeler(max: number): (value: string | undefined) => string {
  const seen = new Set<string>();
  return (value) => {
    if (!value) return 'unknown';
    if (!CLIENT_LABEL.test(value)) return 'invalid';
    if (seen.has(value)) return value;
    if (seen.size >= max) return 'other';
    seen.add(value);
    return value;
  };
}
