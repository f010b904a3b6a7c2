import { GraphQLError } from 'graphql';

/** The error codes of the API (docs/api-rules.md), in `extensions.code`. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
} as const;

export function unauthenticated(
  message = 'Authentication required: send `Authorization: Bearer <token>`.',
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
  });
}

/** Something the gateway depends on (the identity provider's keys) did not answer: retry later. */
export function serviceUnavailable(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503 } },
  });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

/** Also what a caller gets for things that exist but are not theirs to see: existence is not revealed. */
export function notFound(kind: string, id: string, hint?: string): GraphQLError {
  return new GraphQLError(`${kind} ${JSON.stringify(id)} not found.${hint ? ` ${hint}` : ''}`, {
    extensions: { code: ErrorCode.NOT_FOUND },
  });
}

export function badUserInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...(argument ? { argument } : {}) },
  });
}

/** A feature this deployment cannot offer (webhooks on the embedded database). */
export function notSupported(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NOT_SUPPORTED } });
}

/** A write lost a race with another request (the row changed between our check and our update). */
export function concurrentChange(what: string): GraphQLError {
  return badUserInput(`${what} was changed by another request meanwhile; read it again and retry.`);
}
