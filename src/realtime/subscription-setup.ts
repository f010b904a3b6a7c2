import { randomUUID } from 'node:crypto';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { decodeJwt } from 'jose';
import { bearerToken } from '../auth/tokens';
import { createContext, type ContextSources, type GatewayContext, type Services } from '../context/context';
import { runInRequestScope, type RequestScope } from '../context/request-scope';
import { ErrorCode } from '../graphql/errors';
import { MAX_QUERY_TOKENS, MAX_VALIDATION_ERRORS, MAX_VARIABLE_DEPTH, nestingDepthExceeds } from '../graphql/limits';
import { GATEWAY_VALIDATION_RULES } from '../graphql/validation-rules';
import type { Metrics } from '../observability/metrics';
import { failedDocumentCost, type Transport } from '../rate-limit/admission';
import { subscribeWeight, type OperationCost } from '../rate-limit/cost';
import { priceOperation } from '../rate-limit/pricing';
import { principalOf, userPrincipalKey, type Principal } from '../rate-limit/principal';
import type { LiveContext } from './live-context';

/** The transports subscriptions run over (queries and mutations go over HTTP through Apollo). */
export type SubscriptionTransport = Extract<Transport, 'websocket' | 'sse'>;

/** Who subscribes, over one WebSocket connection or one SSE stream: a verified token and its request scope. */
export interface Subscriber {
  id: string;
  userId: string;
  authorization: string;
  clientIp: string;
  /** Error formatting and statement counting run in it. */
  scope: RequestScope;
}

/** What a subscribe message or request carries. */
export interface SubscribePayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export interface SubscriptionSetupOptions {
  schema: GraphQLSchema;
  services: Services;
  sources: ContextSources;
  metrics: Metrics;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

const VALIDATION_RULES = [...specifiedRules, ...GATEWAY_VALIDATION_RULES];
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The subscriber of a verified token, with a request scope of its own (statements counted, errors formatted in it). */
export function subscriberOf(userId: string, authorization: string, clientIp: string): Subscriber {
  const id = randomUUID();
  return {
    id,
    userId,
    authorization,
    clientIp,
    scope: {
      requestId: id,
      sqlStatements: 0,
      sqlInFlight: 0,
      authenticated: true,
      mayWrite: false,
      readsFromReplica: false,
    },
  };
}

/**
 * Calls `expired` once the token's time is up (nothing without an expiry); the timers go to `timers`, for
 * the connection or stream to clear when it ends. setTimeout holds at most ~24.8 days: a longer-lived token
 * is looked at again then.
 */
export function whenTokenExpires(expiresAtMs: number | undefined, timers: NodeJS.Timeout[], expired: () => void): void {
  if (expiresAtMs === undefined) return;
  const check = () => {
    const left = expiresAtMs - Date.now();
    timers.push(left > MAX_TIMER_MS ? setTimeout(check, MAX_TIMER_MS) : setTimeout(expired, Math.max(0, left)));
  };
  check();
}

function coded(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** A subscriber's token checked: the user, and when the token stops being valid (ms since the epoch). */
export type VerifiedToken = { userId: string; expiresAtMs?: number } | { refusal: 'unauthenticated' | 'unavailable' };

/**
 * What every subscription transport does the same way: the token, the context of each subscription, the
 * admission of a subscribe (burst, text limits, budget, parse, validation, cost maximum, charge), and the
 * shaping and metering of each event delivered. WebSocket (websocket.ts) and SSE (sse.ts) only carry it.
 */
export function createSubscriptionSetup(options: SubscriptionSetupOptions) {
  const { schema, services, sources, metrics } = options;
  const { admission, config } = services;

  async function verify(authorization: unknown): Promise<VerifiedToken> {
    try {
      const token = typeof authorization === 'string' ? bearerToken(authorization) : null;
      if (token === null) return { refusal: 'unauthenticated' };
      const userId = await services.verifyToken(token);
      const exp = decodeJwt(token).exp;
      return typeof exp === 'number'
        ? { userId, expiresAtMs: (exp + config.jwt.clockToleranceSeconds) * 1000 }
        : { userId };
    } catch (error) {
      // The identity provider's key set unreachable is no verdict on the token.
      if (error instanceof GraphQLError && error.extensions.code === ErrorCode.SERVICE_UNAVAILABLE)
        return { refusal: 'unavailable' };
      return { refusal: 'unauthenticated' };
    }
  }

  /** A request context for one subscription (and, renewed, for each of its events). */
  const contextFor = (subscriber: Subscriber): Promise<GatewayContext> =>
    runInRequestScope(
      // Subscriptions read the primary: a replica may not yet hold the entry an event announces.
      { ...subscriber.scope, sqlStatements: 0, sqlInFlight: 0, mayWrite: false, readsFromReplica: false },
      () =>
        createContext(services, sources, {
          authorization: subscriber.authorization,
          requestId: subscriber.id,
          clientIp: subscriber.clientIp,
        }),
    );

  // A stream's errors come wrapped in a GraphQLError without a path, which the formatter would not unwrap:
  // the original (a database outage, say) is what decides the code.
  const format = (subscriber: Subscriber | undefined, errors: readonly GraphQLError[]): GraphQLFormattedError[] => {
    const formatAll = () =>
      errors.map((error) =>
        options.formatError(error.toJSON(), !error.path && error.originalError ? error.originalError : error),
      );
    return subscriber ? runInRequestScope(subscriber.scope, formatAll) : formatAll();
  };

  /**
   * Parses, validates, prices and charges a subscription; its execution arguments and root field, or why not.
   * Every subscribe takes one request of the user's burst bucket before anything else is done, refused or
   * not, as every HTTP request does (see Admission).
   */
  async function setUp(
    subscriber: Subscriber,
    payload: SubscribePayload,
    transport: SubscriptionTransport,
  ): Promise<{ errors: readonly GraphQLError[] } | { args: ExecutionArgs; field: string }> {
    const refused = (error: unknown) => {
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    };
    try {
      await admission.admitBurst(userPrincipalKey(subscriber.userId), transport);
    } catch (refusal) {
      return refused(refusal);
    }
    const refusedText = admission.documentRefusal(payload.query, transport);
    if (refusedText) return { errors: [refusedText] };

    let contextValue: GatewayContext;
    try {
      contextValue = await contextFor(subscriber);
    } catch (error) {
      return {
        errors: [
          error instanceof GraphQLError
            ? error
            : new GraphQLError('Internal server error.', { originalError: error as Error }),
        ],
      };
    }
    const principal = admission.enforced ? principalOf(contextValue) : null;
    try {
      await admission.admitBudget(principal, transport);
    } catch (refusal) {
      return refused(refusal);
    }
    /** Parsing and validating a document that then fails is paid for by its size, as over HTTP. */
    const failed = async (errors: GraphQLError[]) => {
      if (principal) await admission.chargeDone(principal, failedDocumentCost(payload.query));
      return { errors };
    };

    let document;
    try {
      document = parse(payload.query, { maxTokens: MAX_QUERY_TOKENS });
    } catch (error) {
      return failed([coded(error instanceof Error ? error.message : String(error), 'GRAPHQL_PARSE_FAILED')]);
    }
    const invalid = validate(schema, document, VALIDATION_RULES, { maxErrors: MAX_VALIDATION_ERRORS });
    if (invalid.length > 0) return failed(invalid.map((error) => coded(error.message, 'GRAPHQL_VALIDATION_FAILED')));
    const operation = getOperationAST(document, payload.operationName);
    if (!operation)
      return failed([coded('No operation to run: name one with operationName.', 'OPERATION_RESOLUTION_FAILURE')]);
    if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
      return failed([
        coded(
          `Only subscriptions run over ${transport === 'sse' ? 'an event stream' : 'WebSocket'}; send queries and mutations as plain HTTP requests (POST /graphql).`,
          'BAD_REQUEST',
        ),
      ]);
    }
    if (nestingDepthExceeds(payload.variables, MAX_VARIABLE_DEPTH + 1)) {
      return failed([
        coded(`Variables are nested more than ${MAX_VARIABLE_DEPTH} levels deep.`, ErrorCode.BAD_USER_INPUT),
      ]);
    }
    // Priced and held to the maximum as over HTTP: variables coerced as execution will coerce them, then the cost walk.
    let pricing: OperationCost;
    let cost: number;
    try {
      pricing = priceOperation(schema, document, operation, payload.variables, transport);
      cost = admission.estimateWithinMaximum(pricing, transport, 'subscription');
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return failed([error]);
    }
    if (principal) {
      try {
        await admission.chargeEstimate(principal, cost, transport, 'subscription');
      } catch (refusal) {
        return refused(refusal);
      }
    }
    const rootField = operation.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD);
    const field = rootField?.kind === Kind.FIELD ? rootField.name.value : 'unknown';
    const live = contextValue as LiveContext;
    // Subscribing paid the whole estimate once; each event then pays what its answer selects (not the subscription
    // field's own weight, which prices the subscribing), at least a point.
    const perEvent = (total: number) => Math.max(1, total - subscribeWeight(schema, field));
    /** Points taken for the event being resolved, settled to its actual cost once its answer is built. */
    let deliveryCharge: { principal: Principal; points: number } | undefined;
    const args: ExecutionArgs = {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: Object.assign(live, {
        async renew() {
          const next = await contextFor(subscriber);
          Object.assign(live, { viewer: next.viewer, loaders: next.loaders, generations: next.generations });
        },
        // Each event's answer is charged like a request's: its estimate before it is resolved, settled after.
        async admitDelivery() {
          if (!admission.enforced) return;
          const payer = principalOf(live);
          const points = perEvent(cost);
          await admission.chargeEstimate(payer, points, transport, 'subscription’s next event');
          deliveryCharge = { principal: payer, points };
        },
        async settleDelivery(answer: ExecutionResult) {
          const charge = deliveryCharge;
          deliveryCharge = undefined;
          if (!charge) return;
          const actual = perEvent(pricing.actual(answer));
          if (actual !== charge.points) await admission.chargeDone(charge.principal, actual - charge.points);
        },
      } satisfies Pick<LiveContext, 'renew' | 'admitDelivery' | 'settleDelivery'>),
    };
    return { args, field };
  }

  /**
   * An event's answer as it goes out: charged to its actual cost, errors formatted, metered, and stamped with
   * when the event left after its commit (clients and the k6 script measure delivery from it).
   */
  async function delivered(
    subscriber: Subscriber | undefined,
    field: string,
    contextValue: unknown,
    result: ExecutionResult,
  ): Promise<ExecutionResult & { errors?: readonly GraphQLFormattedError[] }> {
    const live = contextValue as LiveContext | undefined;
    await live?.settleDelivery?.(result);
    const publishedAt = live?.publishedAt;
    const { errors, ...rest } = result;
    if (!errors) {
      metrics.eventsDelivered.inc({ field });
      if (publishedAt !== undefined) metrics.deliveryLatency.observe(Math.max(0, Date.now() - publishedAt) / 1000);
    }
    return {
      ...rest,
      ...(errors ? { errors: format(subscriber, errors) } : {}),
      ...(publishedAt !== undefined ? { extensions: { ...rest.extensions, publishedAt } } : {}),
    } as ExecutionResult;
  }

  return { verify, setUp, format, delivered };
}

export type SubscriptionSetup = ReturnType<typeof createSubscriptionSetup>;
