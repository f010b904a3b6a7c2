import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context';
import { operationLabeler, type Metrics } from './metrics';
import { currentRequestScope } from './request-scope';

export interface RequestMetricsPluginOptions {
  /** The process's registry of series (see createMetrics). */
  metrics: Metrics;
}

/** Latency by operation and outcome, and SQL statements per request, for every GraphQL request. */
export function requestMetricsPlugin({ metrics }: RequestMetricsPluginOptions): ApolloServerPlugin<GatewayContext> {
  const label = operationLabeler();
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(rc) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const errors = rc.response.body.kind === 'single' ? rc.response.body.singleResult.errors : undefined;
          const outcome = errors?.length ? (rc.response.body.kind === 'single' && rc.response.body.singleResult.data ? 'partial' : 'error') : 'ok';
          metrics.requestDuration.observe({ operation: label(rc.operationName ?? rc.request.operationName), outcome }, seconds);
          const scope = currentRequestScope();
          if (scope) metrics.sqlStatements.observe(scope.sqlStatements);
        },
      };
    },
  };
}
