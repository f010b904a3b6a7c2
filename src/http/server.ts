import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Config } from '../config';
import type { Metrics } from '../observability/metrics';
import { registerMetricsRoute } from '../observability/metrics-endpoint';
import { currentTraceId } from '../observability/tracing';
import { capConnectionsPerAddress } from './connection-cap';
import { registerDashboardRoutes, type DashboardFiles } from './dashboard';
import { etagOnSend } from './etag';
import { graphqlRoute, type GraphqlRouteOptions } from './graphql-route';
import { healthRoutes, schemaRoute, type HealthRoutesOptions } from './health-routes';
import { SCHEMA_PATH } from './landing-page';
import { graphqlError } from './replies';

/** Largest accepted request body; a GraphQL document with variables fits easily. */
export const BODY_LIMIT_BYTES = 256 * 1024;

function requestIdOf(request: { headers: Record<string, unknown> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
}

const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request header fields are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request took too long to arrive.'],
};

/** True once a response to the socket's current request began: a second status line would corrupt it. */
function responseStarted(socket: Socket): boolean {
  // Node's own clientError default makes the same check on the same field (lib/_http_server.js).
  const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return current?.headersSent === true;
}

/**
 * Errors Node's HTTP parser meets before any route (oversized headers, garbage) and requests too slow to
 * arrive: still in GraphQL's shape where a response is possible. The connection is closed either way,
 * its read side too, so that a client still trickling bytes cannot keep it open.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || responseStarted(socket)) {
    socket.destroy();
    return;
  }
  const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Malformed HTTP request.'];
  const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  const reason =
    status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/**
 * TRUST_PROXY as Fastify takes it. Fastify 5.12 ignores a bare hop count (it cannot tell a proxy from a
 * client that reached the gateway directly), which would silently put every anonymous caller behind a
 * balancer into the balancer's budget: a hop count is the operator's statement that only proxies reach
 * this port, so it is handed over as the equivalent function. A list of proxies is checked per peer.
 */
function fastifyTrustProxy(
  trustProxy: Config['trustProxy'],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy;
  return trustProxy === false ? false : [...trustProxy];
}

/**
 * How often Node looks for requests over their deadline: Node's default of 30 s would let a request live
 * up to 30 s past it; a tenth of the shorter deadline keeps the overshoot small at the cost of a walk over
 * the connections still receiving a request.
 */
function deadlineCheckIntervalMs(config: Config): number {
  return Math.max(
    50,
    Math.min(1000, Math.floor(Math.min(config.httpHeadersTimeoutMs, config.httpRequestTimeoutMs) / 10)),
  );
}

/** Everything the HTTP stage serves, built once at start-up by the composition root (src/app.ts). */
export interface HttpServerOptions extends GraphqlRouteOptions {
  metrics: Metrics;
  /** Readiness: the database /readyz pings. */
  database: HealthRoutesOptions['database'];
  /** True once shutdown began: /readyz answers 503 so that load balancers stop sending requests here. */
  draining?: () => boolean;
  /** The SDL, served at SCHEMA_PATH while introspection is on. */
  schemaSdl?: string;
  /** The built analytics dashboard; absent when it was not built. */
  dashboard?: DashboardFiles;
}

/**
 * Fastify in front of Apollo: request ids, body and time limits, the connection cap, compression, CORS,
 * GraphQL-shaped errors for malformed HTTP; then each route a plugin (GraphQL with its WebSocket upgrade,
 * health, metrics, schema, dashboard).
 */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { services, metrics } = options;
  const { config, logger } = services;
  const app = Fastify({
    // pino's Logger is wider than Fastify's: without the assertion the instance's logger type spreads to every route.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Per-request access logs only at debug level: at gateway rates they would dominate the log volume.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // A request (headers and body) must arrive within its deadlines, or a client trickling bytes holds a
    // connection forever. They end once the request has arrived: a slow answer, and a WebSocket once
    // upgraded (Node hands its socket over), are not cut.
    requestTimeout: config.httpRequestTimeoutMs,
    http: {
      headersTimeout: config.httpHeadersTimeoutMs,
      requestTimeout: config.httpRequestTimeoutMs,
      connectionsCheckingInterval: deadlineCheckIntervalMs(config),
    },
    genReqId: requestIdOf,
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    clientErrorHandler: answerClientError,
  });
  capConnectionsPerAddress(app.server, config.maxConnectionsPerAddress, config.trustProxy, (client) => {
    metrics.connectionsRefused.inc();
    app.log.debug({ client }, 'connection refused: too many open connections from this client');
  });

  // Answers over 1 KB go out compressed (br or gzip, as the client accepts); a 365-day analytics answer
  // shrinks by an order of magnitude.
  if (config.compression) await app.register(fastifyCompress, { threshold: 1024, encodings: ['br', 'gzip'] });
  // Cross-origin browser clients from the allow-list only (none by default); preflights are cached for 10 minutes.
  if (config.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
      methods: ['GET', 'POST'],
      allowedHeaders: [
        'content-type',
        'authorization',
        'apollo-require-preflight',
        'graphql-require-preflight',
        'x-apollo-operation-name',
        'apollographql-client-name',
        'apollographql-client-version',
        'x-request-id',
      ],
      exposedHeaders: ['x-request-id', 'x-trace-id', 'retry-after', 'ratelimit', 'ratelimit-policy', 'x-cache'],
      maxAge: 600,
    });
  }

  // WebSocket upgrades of /graphql (subscriptions); a client's message is bounded, not ws's 100 MB default.
  await app.register(fastifyWebsocket, {
    options: { maxPayload: config.realtime.maxMessageBytes },
    // Shutdown: subscribers are told to go elsewhere (1001) once what was queued for them is sent.
    preClose(done) {
      this.websocketServer.close();
      options.subscriptions.closeAll().then(() => done(), done);
    },
  });

  // Connections idle at close are closed by Fastify; one busy at close would stay open as keep-alive
  // after its last response and hold the shutdown until its timeout, so those answers end it.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    // Event streams never end by themselves: ended here (clients reconnect elsewhere), their leases given back.
    await options.eventStreams.closeAll();
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    const traceId = currentTraceId();
    if (traceId) void reply.header('x-trace-id', traceId);
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
  // After compression's own onSend, which @fastify/compress appends to each route as it is declared: this
  // onRoute hook runs after compression's, so the ETag, appended behind it, names the bytes actually sent.
  app.addHook('onRoute', (route) => {
    if (route.url !== '/graphql' || route.method !== 'GET') return;
    const hooks = route.onSend === undefined ? [] : Array.isArray(route.onSend) ? route.onSend : [route.onSend];
    route.onSend = [...hooks, etagOnSend];
  });

  // Fastify's own errors (unparseable JSON, body too large, unsupported media type) in GraphQL's shape.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return graphqlError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
    }
    const message =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? 'Request body is not valid JSON.'
        : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `Request body is larger than ${BODY_LIMIT_BYTES} bytes.`
          : error.message;
    return graphqlError(reply, status, 'BAD_REQUEST', message);
  });

  app.setNotFoundHandler((request, reply) =>
    graphqlError(
      reply,
      404,
      'NOT_FOUND',
      `No route ${request.method} ${request.url.split('?')[0]}; GraphQL is served at /graphql.`,
    ),
  );

  await app.register(graphqlRoute, {
    apollo: options.apollo,
    services,
    contextSources: options.contextSources,
    subscriptions: options.subscriptions,
    eventStreams: options.eventStreams,
  });
  app.get('/', async (_request, reply) => reply.redirect('/graphql'));
  await app.register(healthRoutes, { database: options.database, draining: options.draining });
  await app.register(async (instance) =>
    registerMetricsRoute(instance, metrics.registry, { token: config.metrics.token }),
  );
  if (options.schemaSdl !== undefined) await app.register(schemaRoute, { sdl: options.schemaSdl, path: SCHEMA_PATH });
  await app.register(async (instance) => registerDashboardRoutes(instance, options.dashboard));
  return app;
}
