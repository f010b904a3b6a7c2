import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { PrefixingKeyValueCache } from '@apollo/utils.keyvaluecache';
import type { GraphQLSchema } from 'graphql';
import type { OrganizationGenerations } from '../cache/generations';
import { allowListPlugin, loadOperationManifest, registeredOperationNames, type OperationManifest } from '../cache/persisted-queries';
import type { ResilientCache } from '../cache/resilient-cache';
import { stringifyResult } from '../cache/cached-answer';
import { compiledExecutionGateway } from './compiled-execution';
import { createResponseCachePlugins } from '../cache/response-cache';
import type { Config } from '../config';
import type { GatewayContext } from '../context/context';
import { createErrorFormatter } from './error-format';
import { MAX_QUERY_TOKENS, MAX_VALIDATION_ERRORS } from './limits';
import { GATEWAY_VALIDATION_RULES } from './validation-rules';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Admission } from '../rate-limit/admission';
import { costLimitPlugin } from '../rate-limit/plugin';
import { noNulInVariablesPlugin } from './text-input';
import { readYourWritesPlugin } from './read-your-writes-plugin';
import type { RecentWriters } from '../db/recent-writers';
import { requestMetricsPlugin } from '../observability/request-metrics-plugin';
import { dataStatusPlugin } from './data-status-plugin';
import { subscriptionsOverWebSocketOnlyPlugin } from '../realtime/websocket';
import { staticCacheControlPlugin } from '../cache/static-cache-control';

export interface GatewayOptions {
  /** What `/graphql` shows a browser (the HTTP stage's choice: src/http/landing-page.ts). */
  landingPage: ApolloServerPlugin;
  cache: ResilientCache;
  /** The cache store is shared between processes (Redis). */
  cacheShared: boolean;
  generations: OrganizationGenerations;
  metrics: Metrics;
  /** Charges and refusals, shared with the WebSocket transport. */
  admission: Admission;
  /** Present with a read replica (DATABASE_READ_URL). */
  recentWriters?: RecentWriters;
  /** PERSISTED_QUERIES=only: the operations that may run. */
  registeredOperations?: OperationManifest;
}

/** An operation is compiled on its third run: one-off documents (and a client making up new ones) cost no compilation. */
export const COMPILE_AFTER_RUNS = 3;
/** The dashboard is 29 fields; a plan of 500 takes about 2 MB and 25 ms to compile. */
export const MAX_COMPILED_FIELDS = 500;
/** Plans kept per process: some 250 operations of the dashboard's size. */
export const MAX_PLAN_BYTES = 32 * 1024 * 1024;
/** About 100 ms of compiling a second at most (some 60 dashboard-sized operations): a new release's operations compile within seconds. */
const COMPILED_FIELDS_PER_SECOND = 2000;

/** The Apollo server: schema, limits, error masking and the Sandbox landing page. Built once. */
export function createApolloServer(schema: GraphQLSchema, config: Config, logger: Logger, options: GatewayOptions) {
  return new ApolloServer<GatewayContext>({
    // Apollo would stop itself at SIGTERM, failing every request of the drain that follows (main.ts):
    // shutdown is ours, in order (drain, close the HTTP server, then stop Apollo).
    stopOnTerminationSignals: false,
    ...(config.compiledExecution
      ? {
          gateway: compiledExecutionGateway(schema, {
            compileAfterRuns: COMPILE_AFTER_RUNS,
            maxCompiledFields: MAX_COMPILED_FIELDS,
            maxPlanBytes: MAX_PLAN_BYTES,
            compiledFieldsPerSecond: COMPILED_FIELDS_PER_SECOND,
            onCompiled: (result) => options.metrics.compiledOperations.inc({ result }),
          }),
        }
      : { schema }),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.env === 'production',
    // Apollo's own headers, and the one the GraphQL over HTTP spec's CSRF note names.
    csrfPrevention: { requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight', 'graphql-require-preflight'] },
    allowBatchedHttpRequests: config.maxBatchOperations > 0,
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    // The selection limit first: it refuses an oversized document before the other rules pair its fields.
    validationRules: [...GATEWAY_VALIDATION_RULES],
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    formatError: createErrorFormatter(config, logger),
    cache: options.cache,
    persistedQueries:
      config.persistedQueries === 'off' ? false : { cache: new PrefixingKeyValueCache(options.cache, 'apq:'), ttl: config.persistedQueryTtlSeconds },
    stringifyResult,
    // Order matters where Apollo asks plugins in turn: responseForOperation goes plugin by plugin until one
    // answers, so the cost plugin's dry run (rateLimit(dryRun: true) prices and runs nothing else) answers
    // before the response cache could serve a stored answer. Other stages start every plugin's hook in this
    // order and await them together: the static cache policy is set in didResolveOperation, before any
    // responseForOperation or willSendResponse reads it; a refusal thrown by any didResolveOperation (NUL in
    // variables, the allow-list, the cost maximum, the budget) stops the request before execution.
    plugins: [
      options.landingPage,
      // Hints come from the schema once per document (staticCacheControlPlugin), not from a wrapper around every resolver.
      ApolloServerPluginCacheControlDisabled(),
      staticCacheControlPlugin(),
      dataStatusPlugin(),
      requestMetricsPlugin({ metrics: options.metrics, registeredOperationNames: registeredOperationNames(loadOperationManifest()) }),
      noNulInVariablesPlugin(),
      subscriptionsOverWebSocketOnlyPlugin(),
      ...(options.recentWriters ? [readYourWritesPlugin({ recentWriters: options.recentWriters })] : []),
      costLimitPlugin({
        admission: options.admission,
        maxQueryCost: config.maxQueryCost,
        maxPersistedQueryBytes: config.persistedQueryMaxBytes,
        metrics: options.metrics,
      }),
      ...(options.registeredOperations ? [allowListPlugin({ manifest: options.registeredOperations })] : []),
      ...createResponseCachePlugins({
        enabled: config.responseCache,
        cache: options.cache,
        shared: options.cacheShared,
        localMaxBytes: config.responseCacheMaxBytes,
        generations: options.generations,
        metrics: options.metrics,
        rebumpAfterMs: config.databaseReadUrl ? config.readYourWritesSeconds * 1000 : undefined,
      }),
    ],
  });
}
