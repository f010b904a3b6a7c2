import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process, scraped at /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'studygraph_' });
  return {
    registry,
    cacheRequests: new Counter({
      name: 'studygraph_response_cache_requests_total',
      help: 'GraphQL responses by response-cache outcome (hit, miss, bypass).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    cacheErrors: new Counter({
      name: 'studygraph_cache_store_errors_total',
      help: 'Cache store calls that failed or timed out (each one served as a miss).',
      labelNames: ['operation'] as const,
      registers: [registry],
    }),
    estimatedCost: new Histogram({
      name: 'studygraph_operation_cost_estimated',
      help: 'Estimated cost (points) of operations, before execution.',
      buckets: [1, 5, 10, 30, 100, 300, 1000, 3000, 10000],
      registers: [registry],
    }),
    actualCost: new Histogram({
      name: 'studygraph_operation_cost_actual',
      help: 'Actual cost (points) of operations, from the lists that came back.',
      buckets: [1, 5, 10, 30, 100, 300, 1000, 3000, 10000],
      registers: [registry],
    }),
    costDifference: new Histogram({
      name: 'studygraph_operation_cost_refunded',
      help: 'Estimated minus actual cost (points refunded after execution).',
      buckets: [0, 1, 5, 10, 30, 100, 300, 1000, 3000, 10000],
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'studygraph_throttled_requests_total',
      help: 'Requests refused by cost limits, by reason (too_costly, budget, burst, field).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
