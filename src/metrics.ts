import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
