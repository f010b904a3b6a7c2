import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyRequest } from 'fastify';
import { GraphQLError, type GraphQLSchema, OperationTypeNode } from 'graphql';
import type { Context as WsContext, ServerOptions } from 'graphql-ws';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import type { WebSocket } from 'ws';
import { untracedListeners } from '../observability/tracing';
import type { GatewayContext, Services } from '../context/context';
import type { Metrics } from '../observability/metrics';
import { LEASE_MS, type ConnectionLease, type ConnectionRegistry } from './connection-registry';
import { subscriberOf, whenTokenExpires, type Subscriber, type SubscriptionSetup } from './subscription-setup';

/** Close codes beyond the protocol's own: a bad or missing token, an expired one, too many connections, shutdown. */
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_TOKEN_EXPIRED = 4403;
const CLOSE_TOO_MANY_CONNECTIONS = 4429;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_TRY_AGAIN_LATER = 1013;

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  services: Services;
  metrics: Metrics;
  connections: ConnectionRegistry;
  /** What every subscription transport shares: token, admission, context, the shaping of each event. */
  setup: SubscriptionSetup;
}

interface Extra extends Record<PropertyKey, unknown> {
  socket: WebSocket;
  request: FastifyRequest;
}

/** What one connection holds beyond graphql-ws's own context: its subscriber (a verified token) and its operations. */
interface Connection extends Subscriber {
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

function coded(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/**
 * GraphQL over WebSocket (graphql-transport-ws) beside the HTTP handler on /graphql. Apollo Server does not
 * run subscriptions, so what its plugins guarantee over HTTP is applied here: the token (connection_init
 * payload `{ authorization: "Bearer …" }`; bad or missing closes 4401, expiry closes 4403), the document
 * limits, the cost maximum and the budget charge at subscribe, error masking, metrics. Only subscriptions
 * run here; queries and mutations go over HTTP where the cache and the per-request limits apply.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions) {
  const { schema, services, metrics, setup } = options;
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
  const serverOptions: ServerOptions<Record<string, unknown>, Extra> = {
    schema,
    connectionInitWaitTimeout: 3000,

    async onConnect(ctx) {
      const { socket, request } = ctx.extra;
      const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
      const verified = await setup.verify(authorization);
      if ('refusal' in verified) {
        // The identity provider's key set unreachable is no verdict on the token: try again later (1013).
        if (verified.refusal === 'unavailable')
          socket.close(CLOSE_TRY_AGAIN_LATER, 'Token could not be checked; retry');
        else
          socket.close(
            CLOSE_UNAUTHENTICATED,
            'Unauthorized: send { "authorization": "Bearer <token>" } in connection_init',
          );
        return false;
      }
      const { expiresAtMs } = verified;
      const subscriber = subscriberOf(verified.userId, authorization as string, request.ip);
      if (socket.readyState !== socket.OPEN) return false;
      const lease = await options.connections.open(subscriber.userId, subscriber.id);
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
        ...subscriber,
        lease,
        timers: [],
        fields: new Map(),
        streams: new Map(),
      };
      byContext.set(ctx, connection);
      leases.add(lease);
      whenTokenExpires(expiresAtMs, connection.timers, () =>
        socket.close(CLOSE_TOKEN_EXPIRED, 'Token expired: reconnect with a fresh one'),
      );
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
      let outcome: Awaited<ReturnType<SubscriptionSetup['setUp']>> | undefined;
      try {
        outcome = await setup.setUp(connection, payload, 'websocket');
        if ('errors' in outcome) return outcome.errors;
        connection.fields.set(id, outcome.field);
        return outcome.args;
      } finally {
        if (!outcome || 'errors' in outcome) connection.fields.delete(id);
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
      const field = connection?.fields.get(id) ?? 'unknown';
      return setup.delivered(connection, field, args.contextValue, result);
    },

    onError(ctx, _id, _payload, errors) {
      return setup.format(byContext.get(ctx), errors);
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

/** As a plain HTTP request a subscription would run its field once without an event: it is refused, pointing to WebSocket and SSE. */
export function subscriptionsOverWebSocketOnlyPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (rc.operation?.operation !== OperationTypeNode.SUBSCRIPTION) return;
          throw new GraphQLError(
            'Subscriptions are served on /graphql over WebSocket (graphql-transport-ws) or as an event stream (send `Accept: text/event-stream`), not as a plain HTTP request.',
            {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            },
          );
        },
      };
    },
  };
}
