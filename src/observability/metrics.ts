import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

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
    requestDuration: new Histogram({
      name: 'studygraph_request_duration_seconds',
      help: 'GraphQL request latency by operation name (named operations; others grouped) and outcome.',
      labelNames: ['operation', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    workerProcesses: new Gauge({
      name: 'studygraph_worker_processes',
      help: 'Gateway processes whose series this scrape sums (1 per worker): divide summed process series by it for a per-process figure.',
      registers: [registry],
    }),
    requestsByClient: new Counter({
      name: 'studygraph_requests_by_client_total',
      help: 'GraphQL requests by the apollographql-client-name/-version headers (at most 50 names and 200 versions; then "other") and outcome.',
      labelNames: ['client_name', 'client_version', 'outcome'] as const,
      registers: [registry],
    }),
    sqlStatements: new Histogram({
      name: 'studygraph_sql_statements_per_request',
      help: 'SQL statements one GraphQL request sent (authentication included).',
      buckets: [0, 1, 2, 3, 5, 8, 13, 21, 50, 100],
      registers: [registry],
    }),
    sqlDuration: new Histogram({
      name: 'studygraph_sql_duration_seconds',
      help: 'Time of each SQL statement, from sending it to its last row.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    loaderBatchSize: new Histogram({
      name: 'studygraph_dataloader_batch_size',
      help: 'Keys per DataLoader batch, by loader (the unbatched mode observes 1 per key).',
      labelNames: ['loader'] as const,
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    compiledOperations: new Counter({
      name: 'studygraph_compiled_operations_total',
      help: 'Operations that ran often enough to be compiled, by result: compiled; interpreted (too large, or the compiler cannot take them); deferred (the compilation budget was spent).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'studygraph_throttled_requests_total',
      help: 'Requests refused by cost limits, by reason (too_costly, budget, burst, field).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    connectionsRefused: new Counter({
      name: 'studygraph_connections_refused_total',
      help: 'TCP connections refused as they opened: their client address already held MAX_CONNECTIONS_PER_ADDRESS (a proxy missing from TRUST_PROXY shows here).',
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'studygraph_ws_connections',
      help: 'Open WebSocket connections (graphql-transport-ws), acknowledged or not.',
      registers: [registry],
    }),
    eventStreams: new Gauge({
      name: 'studygraph_sse_streams',
      help: 'Open event streams (subscriptions over Server-Sent Events), refused or answered alike until they close.',
      registers: [registry],
    }),
    wsClosed: new Counter({
      name: 'studygraph_ws_connections_closed_total',
      help: 'WebSocket connections closed, by close code (4401 bad token, 4403 token expired, 4429 too many connections, 1001 shutdown).',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    subscriptionsActive: new Gauge({
      name: 'studygraph_subscriptions_active',
      help: 'Subscriptions running, by root field.',
      labelNames: ['field'] as const,
      registers: [registry],
    }),
    eventsDelivered: new Counter({
      name: 'studygraph_subscription_events_delivered_total',
      help: 'Subscription events sent to clients, by root field.',
      labelNames: ['field'] as const,
      registers: [registry],
    }),
    eventsDropped: new Counter({
      name: 'studygraph_subscription_events_dropped_total',
      help: 'Subscription events dropped because a client read slower than they came (its buffer was full), by root field.',
      labelNames: ['field'] as const,
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'studygraph_subscription_delivery_seconds',
      help: 'From an event leaving the writing process (after commit) to its message being sent to a subscriber.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    realtimeFaults: new Counter({
      name: 'studygraph_realtime_faults_total',
      help: 'Events that could not be published (store down) or arrived malformed, by kind.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Pool figures, read when Prometheus scrapes. */
export function registerPoolGauge(
  metrics: Metrics,
  poolStats: () => { total: number; idle: number; waiting: number },
): void {
  new Gauge({
    name: 'studygraph_db_pool_connections',
    help: 'Database pool connections by state (waiting: requests queued for a connection).',
    labelNames: ['state'] as const,
    registers: [metrics.registry],
    collect() {
      const stats = poolStats();
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
}

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_LABELS = 200;

/**
 * Operation names are client-chosen: a label is only ever a name the gateway validated (the operation the
 * document ran; one that failed before is `unresolved`). The registered operations (schema/operations) are
 * labels from the start; other names become labels, up to MAX_OPERATION_LABELS, only for signed-in
 * callers, so nobody anonymous can push real operations out into `other`.
 */
export function operationLabeler(
  registered: Iterable<string> = [],
): (name: string | null | undefined, resolved: boolean, signedIn: boolean) => string {
  const known = new Set([...registered].filter((name) => OPERATION_NAME.test(name)));
  const seen = new Set<string>();
  return (name, resolved, signedIn) => {
    if (!resolved) return 'unresolved';
    if (!name || !OPERATION_NAME.test(name)) return 'anonymous';
    if (known.has(name) || seen.has(name)) return name;
    if (!signedIn || seen.size >= MAX_OPERATION_LABELS) return 'other';
    seen.add(name);
    return name;
  };
}
