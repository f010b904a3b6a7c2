import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Config } from '../config';
import { isDatabaseUnavailable } from '../db/unavailable';
import { ErrorCode } from './errors';
import type { Logger } from '../observability/logger';
import { currentRequestScope } from '../context/request-scope';

/** Codes whose messages were written for clients; anything else is an unexpected failure. */
const CLIENT_CODES = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.RATE_LIMITED,
  ErrorCode.QUERY_TOO_COSTLY,
  ErrorCode.SERVICE_UNAVAILABLE,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_ALLOWED',
  'PERSISTED_QUERY_TOO_LARGE',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'INTROSPECTION_DISABLED',
  'MAX_RECURSIVE_SELECTIONS_EXCEEDED',
  'TOO_MANY_SUBSCRIPTIONS',
  'TOO_MANY_CONNECTIONS',
]);

/**
 * Validation and input-coercion messages name types, fields and inputs ("Field "organization" of type
 * "Organization" must have a selection"): enough to rebuild a schema whose introspection is off.
 */
const SCHEMA_REVEALING_CODES = new Set<string>(['GRAPHQL_VALIDATION_FAILED', ErrorCode.BAD_USER_INPUT]);
const SCHEMA_DETAILS_HIDDEN = 'This operation is not valid against the schema. Authenticated callers see why.';

/**
 * Client errors pass through (in production, anonymous callers get validation errors without the schema
 * details they carry; the location stays); an unreachable database is SERVICE_UNAVAILABLE (retry later); every other
 * error is logged with its stack and answered as INTERNAL_SERVER_ERROR, its message masked outside development.
 */
export function createErrorFormatter(config: Pick<Config, 'env'>, logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      if (
        config.env === 'production' &&
        SCHEMA_REVEALING_CODES.has(code) &&
        !extensions.limit &&
        !currentRequestScope()?.authenticated
      ) {
        return { message: SCHEMA_DETAILS_HIDDEN, locations: formatted.locations, extensions: { code } };
      }
      return { ...formatted, extensions };
    }
    const original = unwrapResolverError(error);
    // Apollo's own request errors (e.g. a persisted-query hash that does not match) carry a 4xx status but no code.
    const status =
      original instanceof GraphQLError
        ? (original.extensions?.http as { status?: number } | undefined)?.status
        : undefined;
    if (
      (code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR) &&
      status !== undefined &&
      status >= 400 &&
      status < 500
    ) {
      return { ...formatted, extensions: { code: 'BAD_REQUEST' } };
    }
    const requestId = currentRequestScope()?.requestId;
    if (isDatabaseUnavailable(original)) {
      logger.warn({ err: original, path: formatted.path, requestId }, 'database unavailable while serving a request');
      return {
        message: 'The database is unavailable right now; retry shortly.',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, ...(requestId ? { requestId } : {}) },
      };
    }
    logger.error({ err: original, path: formatted.path, requestId }, 'unexpected error while serving a request');
    return {
      message: config.env === 'development' ? formatted.message : 'Internal server error.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
    };
  };
}
