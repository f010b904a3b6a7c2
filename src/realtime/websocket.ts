import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyRequest } from 'fastify';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  OperationTypeNode,
} from 'graphql';
import { CloseCode, type Context as WsContext, type ServerOptions } from 'graphql-ws';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import { decodeJwt } from 'jose';
import type { WebSocket } from 'ws';
import { bearerToken } from '../auth/tokens';
import { untracedListeners } from '../observability/tracing';
import { createContext, type ContextSources, type GatewayContext, type Services } from '../context/context';
import { ErrorCode } from '../graphql/errors';
import { MAX_QUERY_TOKENS, MAX_VALIDATION_ERRORS, MAX_VARIABLE_DEPTH, nestingDepthExceeds } from '../graphql/limits';
import { subscribeWeight, type OperationCost } from '../rate-limit/cost';
import type { Principal } from '../rate-limit/principal';
import type { Metrics } from '../observability/metrics';
import { runInRequestScope, type RequestScope } from '../context/request-scope';
import { failedDocumentCost } from '../rate-limit/admission';
import { priceOperation } from '../rate-limit/pricing';
import { principalOf, userPrincipalKey } from '../rate-limit/principal';
import { GATEWAY_VALIDATION_RULES } from '../graphql/validation-rules';
import { LEASE_MS, type ConnectionLease, type ConnectionRegistry } from './connection-registry';
import type { LiveContext } from './live-context';

/** Close codes beyond the protocol's own: a bad or missing token, an expired one, too many connections, shutdown. */
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_TOKEN_EXPIRED = 4403;
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_TRY_AGAIN_LATER = 1013;

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  services: Services;
  sources: ContextSources;
  metrics: Metrics;
  connections: ConnectionRegistry;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

interface Extra extends Record<PropertyKey, unknown> {
  socket: WebSocket;
  request: FastifyRequest;
}

/** What one connection holds beyond graphql-ws's own context. */
interface Connection {
  id: string;
  userId: string;
  authorization: string;
  clientIp: string;
  /** Error formatting and statement counting run in it; every connection has a verified token. */
  scope: RequestScope;
  lease?: ConnectionLease;
  timers: NodeJS.Timeout[];
  /**
   * Root field of each of this connection's operations, by id, from its subscribe message until it ends:
   * what the per-connection limit counts, and why an id cannot be reused while its setup runs.
   */
  fields: Map<string, string>;
  /** Streams running (counted in the active-subscriptions gauge), ended with the connection at the latest. */
  streams: Map<string, AsyncIterator<unknown>>;
}

const VALIDATION_RULES = [...specifiedRules, ...GATEWAY_VALIDATION_RULES];
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function coded(message: string, code: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/**
 * GraphQL over WebSocket (graphql-transport-ws) beside the HTTP handler on /graphql. Apollo Server does not
 * run subscriptions, so what its plugins guarantee over HTTP is applied here: the token (connection_init
 * payload `{ authorization: "Bearer …" }`; bad or missing closes 4401, expiry closes 4403), the document
 * limits, the cost maximum and the budget charge at subscribe, error masking, metrics. Only subscriptions
 * run here; queries and mutations go over HTTP where the cache and the per-request limits apply.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions) {
  const { schema, services, sources, metrics } = options;
  const { admission } = services;
  const { config, logger } = services;
  const sockets = new Set<WebSocket>();
  /** Leases of open connections: released at shutdown before the store goes away, not left to lapse. */
  const leases = new Set<ConnectionLease>();
  const byContext = new WeakMap<WsContext, Connection>();

  const connectionOf = (ctx: WsContext): Connection => {
    const connection = byContext.get(ctx);
    if (!connection) throw new Error('subscribe before connection_init was handled');
    return connection;
  };
  const inScope = <T>(connection: Connection | undefined, fn: () => T): T =>
    connection ? runInRequestScope(connection.scope, fn) : fn();
  // graphql-ws wraps what a stream throws in a GraphQLError without a path, which the formatter would not
  // unwrap: the original (a database outage, say) is what decides the code.
  const format = (connection: Connection | undefined, errors: readonly GraphQLError[]) =>
    inScope(connection, () =>
      errors.map((error) =>
        options.formatError(error.toJSON(), !error.path && error.originalError ? error.originalError : error),
      ),
    );

  /** A request context for one subscription (and, renewed, for each of its events). */
  const contextFor = (connection: Connection): Promise<GatewayContext> =>
    runInRequestScope(
      // Subscriptions read the primary: a replica may not yet hold the entry an event announces.
      { ...connection.scope, sqlStatements: 0, sqlInFlight: 0, mayWrite: false, readsFromReplica: false },
      () =>
        createContext(services, sources, {
          authorization: connection.authorization,
          requestId: connection.id,
          clientIp: connection.clientIp,
        }),
    );

  const serverOptions: ServerOptions<Record<string, unknown>, Extra> = {
    schema,
    connectionInitWaitTimeout: 3000,

    async onConnect(ctx) {
      const { socket, request } = ctx.extra;
      const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
      const id = randomUUID();
      let userId: string;
      let expiresAtMs: number | undefined;
      try {
        const token = typeof authorization === 'string' ? bearerToken(authorization) : null;
        if (token === null) throw new Error('missing token');
        userId = await services.verifyToken(token);
        const exp = decodeJwt(token).exp;
        if (typeof exp === 'number') expiresAtMs = (exp + config.jwt.clockToleranceSeconds) * 1000;
      } catch (error) {
        // The identity provider's key set unreachable is no verdict on the token: try again later (1013).
        if (error instanceof GraphQLError && error.extensions.code === ErrorCode.SERVICE_UNAVAILABLE)
          socket.close(CLOSE_TRY_AGAIN_LATER, 'Token could not be checked; retry');
        else
          socket.close(
            CLOSE_UNAUTHENTICATED,
            'Unauthorized: send { "authorization": "Bearer <token>" } in connection_init',
          );
        return false;
      }
      if (socket.readyState !== socket.OPEN) return false;
      const lease = await options.connections.open(userId, id);
      if (!lease) {
        socket.close(
          CLOSE_TOO_MANY_CONNECTIONS,
          `Too many connections: at most ${config.realtime.maxConnectionsPerUser} per user`,
        );
        return false;
      }
      // Closed while the lease was taken (by the client, or by a shutdown): onClose has run already.
      if (socket.readyState !== socket.OPEN) {
        await lease.release();
        return false;
      }
      const connection: Connection = {
        id,
        userId,
        authorization: authorization as string,
        clientIp: request.ip,
        scope: {
          requestId: id,
          sqlStatements: 0,
          sqlInFlight: 0,
          authenticated: true,
          mayWrite: false,
          readsFromReplica: false,
        },
        lease,
        timers: [],
        fields: new Map(),
        streams: new Map(),
      };
      byContext.set(ctx, connection);
      leases.add(lease);
      if (expiresAtMs !== undefined) {
        const expire = () => {
          const left = expiresAtMs - Date.now();
          // setTimeout holds at most ~24.8 days: a longer-lived token is looked at again then.
          if (left > MAX_TIMER_MS) connection.timers.push(setTimeout(expire, MAX_TIMER_MS));
          else
            connection.timers.push(
              setTimeout(
                () => socket.close(CLOSE_TOKEN_EXPIRED, 'Token expired: reconnect with a fresh one'),
                Math.max(0, left),
              ),
            );
        };
        expire();
      }
      connection.timers.push(setInterval(() => void lease.renew(), LEASE_MS / 3));
      return true;
    },

    async onSubscribe(ctx, id, payload) {
      const connection = connectionOf(ctx);
      // graphql-ws forgets an id the client completes while its setup runs; a new subscribe with that id
      // would then start a second stream beside the first, which nothing could stop.
      if (connection.fields.has(id))
        return [
          coded(`Operation id ${JSON.stringify(id.slice(0, 64))} is still in use on this connection.`, 'BAD_REQUEST'),
        ];
      if (connection.fields.size >= config.realtime.maxSubscriptionsPerConnection) {
        return [
          coded(
            `At most ${config.realtime.maxSubscriptionsPerConnection} subscriptions may run on one connection.`,
            'TOO_MANY_SUBSCRIPTIONS',
          ),
        ];
      }
      connection.fields.set(id, 'unknown');
      let outcome: readonly GraphQLError[] | ExecutionArgs | undefined;
      try {
        outcome = await setUp(connection, id, payload);
        return outcome;
      } finally {
        if (!outcome || Array.isArray(outcome)) connection.fields.delete(id);
      }
    },

    onOperation(ctx, id, _payload, _args, result) {
      const connection = connectionOf(ctx);
      const field = connection.fields.get(id);
      if (field !== undefined && Symbol.asyncIterator in (result as object)) {
        connection.streams.set(id, result as AsyncIterator<unknown>);
        metrics.subscriptionsActive.inc({ field });
      }
      return undefined;
    },

    async onNext(ctx, id, _payload, args, result) {
      const connection = byContext.get(ctx);
      await (args.contextValue as LiveContext | undefined)?.settleDelivery?.(result);
      const field = connection?.fields.get(id) ?? 'unknown';
      const publishedAt = (args.contextValue as LiveContext | undefined)?.publishedAt;
      const { errors, ...rest } = result as ExecutionResult;
      if (!errors) {
        metrics.eventsDelivered.inc({ field });
        if (publishedAt !== undefined) metrics.deliveryLatency.observe(Math.max(0, Date.now() - publishedAt) / 1000);
      }
      return {
        ...rest,
        ...(errors ? { errors: format(connection, errors) } : {}),
        // Where the event left after its commit: clients (and the k6 script) measure delivery from it.
        ...(publishedAt !== undefined ? { extensions: { ...rest.extensions, publishedAt } } : {}),
      };
    },

    onError(ctx, _id, _payload, errors) {
      return format(byContext.get(ctx), errors);
    },

    onComplete(ctx, id) {
      stopped(byContext.get(ctx), id);
    },

    onClose(ctx, code) {
      metrics.wsClosed.inc({ code: String(code ?? 0) });
      const connection = byContext.get(ctx);
      if (!connection) return;
      for (const id of [...connection.fields.keys()]) stopped(connection, id);
      for (const timer of connection.timers) clearTimeout(timer);
      if (connection.lease && leases.delete(connection.lease)) void connection.lease.release();
    },
  };

  /** Ends an operation's bookkeeping and, if it is still running, its stream. */
  function stopped(connection: Connection | undefined, id: string): void {
    const field = connection?.fields.get(id);
    if (!connection || field === undefined) return;
    connection.fields.delete(id);
    const stream = connection.streams.get(id);
    if (!stream) return;
    connection.streams.delete(id);
    metrics.subscriptionsActive.dec({ field });
    void stream.return?.();
  }

  /** Parses, validates, prices and charges a subscribe message; its execution arguments, or why not. */
  async function setUp(
    connection: Connection,
    id: string,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  ): Promise<readonly GraphQLError[] | ExecutionArgs> {
    // Every subscribe message takes one request of the user's burst bucket before anything else is done,
    // refused or not, as every HTTP request does (see Admission).
    try {
      await admission.admitBurst(userPrincipalKey(connection.userId), 'websocket');
    } catch (refusal) {
      if (refusal instanceof GraphQLError) return [refusal];
      throw refusal;
    }
    const refusedText = admission.documentRefusal(payload.query, 'websocket');
    if (refusedText) return [refusedText];

    let contextValue: GatewayContext;
    try {
      contextValue = await contextFor(connection);
    } catch (error) {
      return [
        error instanceof GraphQLError
          ? error
          : new GraphQLError('Internal server error.', { originalError: error as Error }),
      ];
    }
    const principal = admission.enforced ? principalOf(contextValue) : null;
    try {
      await admission.admitBudget(principal, 'websocket');
    } catch (refusal) {
      if (refusal instanceof GraphQLError) return [refusal];
      throw refusal;
    }
    /** Parsing and validating a document that then fails is paid for by its size, as over HTTP. */
    const failed = async (errors: GraphQLError[]): Promise<GraphQLError[]> => {
      if (principal) await admission.chargeDone(principal, failedDocumentCost(payload.query));
      return errors;
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
          'Only subscriptions run over WebSocket; send queries and mutations over HTTP (POST /graphql).',
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
      pricing = priceOperation(schema, document, operation, payload.variables, 'websocket');
      cost = admission.estimateWithinMaximum(pricing, 'websocket', 'subscription');
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return failed([error]);
    }
    if (principal) {
      try {
        await admission.chargeEstimate(principal, cost, 'websocket', 'subscription');
      } catch (refusal) {
        if (refusal instanceof GraphQLError) return [refusal];
        throw refusal;
      }
    }
    const field = operation.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD);
    const fieldName = field?.kind === Kind.FIELD ? field.name.value : 'unknown';
    connection.fields.set(id, fieldName);
    const live = contextValue as LiveContext;
    // Subscribing paid the whole estimate once; each event then pays what its answer selects (not the subscription
    // field's own weight, which prices the subscribing), at least a point.
    const perEvent = (total: number) => Math.max(1, total - subscribeWeight(schema, fieldName));
    /** Points taken for the event being resolved, settled to its actual cost once its answer is built. */
    let deliveryCharge: { principal: Principal; points: number } | undefined;
    return {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: Object.assign(live, {
        async renew() {
          const next = await contextFor(connection);
          Object.assign(live, { viewer: next.viewer, loaders: next.loaders, generations: next.generations });
        },
        // Each event's answer is charged like a request's: its estimate before it is resolved, settled after.
        async admitDelivery() {
          if (!admission.enforced) return;
          const subscriber = principalOf(live);
          const points = perEvent(cost);
          await admission.chargeEstimate(subscriber, points, 'websocket', 'subscription’s next event');
          deliveryCharge = { principal: subscriber, points };
        },
        async settleDelivery(answer: ExecutionResult) {
          const charge = deliveryCharge;
          deliveryCharge = undefined;
          if (!charge) return;
          const actual = perEvent(pricing.actual(answer));
          if (actual !== charge.points) await admission.chargeDone(charge.principal, actual - charge.points);
        },
      } satisfies Pick<LiveContext, 'renew' | 'admitDelivery' | 'settleDelivery'>),
    } satisfies ExecutionArgs;
  }

  const handle = makeHandler<Record<string, unknown>, Extra>(
    { ...serverOptions, isProd: config.env === 'production' },
    config.realtime.keepAliveMs,
  );

  return {
    /** @fastify/websocket's wsHandler for GET /graphql. */
    handler(this: ThisParameterType<typeof handle>, socket: WebSocket, request: FastifyRequest) {
      sockets.add(socket);
      metrics.wsConnections.inc();
      socket.once('close', () => {
        sockets.delete(socket);
        metrics.wsConnections.dec();
      });
      void handle.call(this, untracedListeners(socket), request);
      // ws closes a socket itself on a protocol error (an oversized message: 1009) and then emits it;
      // graphql-ws would print each to stderr, which any client could flood: it is a debug line here.
      socket.removeAllListeners('error');
      socket.on('error', (error) => logger.debug({ err: error }, 'websocket protocol error'));
    },
    /**
     * Shutdown: every socket is closed with 1001 once what was queued for it is sent, so clients reconnect
     * elsewhere, and the connections' leases are given back while the store is still there.
     */
    async closeAll(): Promise<void> {
      for (const socket of sockets) socket.close(CLOSE_GOING_AWAY, 'Server shutting down');
      const held = [...leases];
      leases.clear();
      await Promise.all(held.map((lease) => lease.release()));
    },
    openSockets: () => sockets.size,
  };
}

export type SubscriptionServer = ReturnType<typeof createSubscriptionServer>;

/** Over HTTP a subscription would run its field once without an event: it is refused, pointing to WebSocket. */
export function subscriptionsOverWebSocketOnlyPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (rc.operation?.operation !== OperationTypeNode.SUBSCRIPTION) return;
          throw new GraphQLError(
            'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql, not over HTTP.',
            {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            },
          );
        },
      };
    },
  };
}
export { CloseCode };
