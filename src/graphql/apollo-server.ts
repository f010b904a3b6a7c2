import { ApolloServer } from '@apollo/server';
import { PrefixingKeyValueCache } from '@apollo/utils.keyvaluecache';
import type { GraphQLSchema } from 'graphql';
import { stringifyResult } from '../cache/cached-answer';
import { compiledExecutionGateway } from './compiled-execution';
import type { Config } from '../config';
import { gatewayPlugins, type GatewayPluginOptions } from './plugins';
import type { GatewayContext } from '../context/context';
import { createErrorFormatter } from './error-format';
import { MAX_QUERY_TOKENS, MAX_VALIDATION_ERRORS } from './limits';
import { GATEWAY_VALIDATION_RULES } from './validation-rules';
import type { Logger } from '../observability/logger';

export type GatewayOptions = GatewayPluginOptions;

/** An operation is compiled on its third run: one-off documents (and a client making up new ones) cost no compilation. */
export const COMPILE_AFTER_RUNS = 3;
/** The dashboard is 29 fields; a plan of 500 takes about 2 MB and 25 ms to compile. */
const MAX_COMPILED_FIELDS = 500;
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
    csrfPrevention: {
      requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight', 'graphql-require-preflight'],
    },
    allowBatchedHttpRequests: config.maxBatchOperations > 0,
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    // The selection limit first: it refuses an oversized document before the other rules pair its fields.
    validationRules: [...GATEWAY_VALIDATION_RULES],
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    formatError: createErrorFormatter(config, logger),
    cache: options.cache,
    persistedQueries:
      config.persistedQueries === 'off'
        ? false
        : { cache: new PrefixingKeyValueCache(options.cache, 'apq:'), ttl: config.persistedQueryTtlSeconds },
    stringifyResult,
    plugins: gatewayPlugins(config, options),
  });
}
