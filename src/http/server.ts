import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createContext, type ContextSources, type GatewayContext, type Services } from '../context/context';
import type { Config } from '../config';
import { capConnectionsPerAddress } from './connection-cap';
import { unauthenticated } from '../graphql/errors';
import { anonymousPrincipal, principalOf } from '../rate-limit/principal';
import type { DatabaseHandle } from '../db/database';
import type { Repositories } from '../db/repositories';
import { withDeadline } from '../deadline';
import { etagOnSend, noteAnswerForEtag } from './etag';
import { registerMetricsRoute } from '../observability/metrics-endpoint';
import type { Metrics } from '../observability/metrics';
import { mayWrite } from '../graphql/read-your-writes-plugin';
import { runInRequestScope, untilStatementsSettled, type RequestScope } from '../context/request-scope';
import { MAX_VARIABLE_DEPTH, nestingDepthExceeds } from '../graphql/limits';
import type { SubscriptionServer } from '../realtime/websocket';
import { SCHEMA_PATH } from './landing-page';
import { currentTraceId, inOperationSpan } from '../observability/tracing';
import { registerDashboardRoutes, type DashboardFiles } from './dashboard';

/** Largest accepted request body; a GraphQL document with variables fits easily. */
export const BODY_LIMIT_BYTES = 256 * 1024;
const READY_TIMEOUT_MS = 2000;

function requestIdOf(request: { headers: Record<string, unknown> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
}

function graphqlError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ errors: [{ message, extensions: { code } }] });
}

/** Variables as sent: the body's, or a GET request's `variables` parameter (JSON text). */
function sentVariables(request: FastifyRequest): unknown {
  if (request.method !== 'GET') return request.body;
  const text = (request.query as Record<string, unknown> | undefined)?.variables;
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The document texts a request carries, one per operation of a batch (a persisted query's hash alone carries none). */
function sentDocuments(request: FastifyRequest): string[] {
  // Read as Apollo reads it (URLSearchParams over the raw query string): Fastify's parser decodes some
  // malformed escapes differently, and the check must see the very text that will be parsed.
  if (request.method === 'GET') return request.url.includes('?') ? new URLSearchParams(request.url.slice(request.url.indexOf('?'))).getAll('query') : [];
  const operations: unknown[] = Array.isArray(request.body) ? request.body : [request.body];
  return operations.flatMap((operation) => {
    const text = operation !== null && typeof operation === 'object' ? (operation as Record<string, unknown>).query : undefined;
    return typeof text === 'string' ? [text] : [];
  });
}

/**
 * The request's context, once the request is admitted (Admission.admit: the burst, one request per operation
 * of a batch, and a budget not spent), before anything is parsed. A request whose token is refused is still
 * a request of its address. Then what can be refused from the text alone is, and in production without
 * introspection an anonymous caller is refused before validation could tell it which names the schema has.
 */
async function admittedContext(services: Services, sources: ContextSources, request: FastifyRequest): Promise<GatewayContext> {
  const { admission, config } = services;
  const operations = Array.isArray(request.body) ? request.body.length : 1;
  let context: GatewayContext;
  try {
    context = await createContext(services, sources, { authorization: request.headers.authorization, requestId: request.id, clientIp: request.ip });
  } catch (error) {
    await admission.admit(anonymousPrincipal(config.rateLimitPointsPerMinute, request.ip), operations, 'http');
    throw error;
  }
  await admission.admit(admission.enforced ? principalOf(context) : null, operations, 'http');
  for (const text of sentDocuments(request)) {
    const refusal = admission.documentRefusal(text, 'http');
    if (refusal) throw refusal;
  }
  if (config.env === 'production' && !config.introspection && !context.viewer) {
    throw unauthenticated('Authentication required: send `Authorization: Bearer <token>`. This gateway answers signed-in callers only.');
  }
  return context;
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
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
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
function fastifyTrustProxy(trustProxy: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy;
  return trustProxy === false ? false : [...trustProxy];
}

/**
 * How often Node looks for requests over their deadline: Node's default of 30 s would let a request live
 * up to 30 s past it; a tenth of the shorter deadline keeps the overshoot small at the cost of a walk over
 * the connections still receiving a request.
 */
function deadlineCheckIntervalMs(config: Config): number {
  return Math.max(50, Math.min(1000, Math.floor(Math.min(config.httpHeadersTimeoutMs, config.httpRequestTimeoutMs) / 10)));
}

/**
 * Fastify in front of Apollo: request ids, body limits, GraphQL-shaped errors for malformed HTTP,
 * health endpoints, and a request scope that counts the SQL statements each request sends. WebSocket
 * upgrades of /graphql go to the subscription server.
 */
/** What the gateway serves beside /graphql, read once at start-up. */
export interface HttpPages {
  /** The SDL, served at SCHEMA_PATH while introspection is on. */
  schemaSdl?: string;
  /** The built analytics dashboard; absent when it was not built. */
  dashboard?: DashboardFiles;
  /** True once shutdown began: /readyz answers 503 so that load balancers stop sending requests here. */
  draining?: () => boolean;
}

export async function createHttpServer(
  apollo: ApolloServer<GatewayContext>,
  services: Services,
  database: DatabaseHandle,
  repositories: Repositories,
  metrics: Metrics,
  subscriptions: SubscriptionServer,
  pages: HttpPages,
): Promise<FastifyInstance> {
  const { config, logger } = services;
  const app = Fastify({
    // pino's Logger is wider than Fastify's: without the assertion the instance's logger type spreads to every route.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Per-request access logs only at debug level: at gateway rates they would dominate the log volume.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
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
      subscriptions.closeAll().then(() => done(), done);
    },
  });

  // Connections idle at close are closed by Fastify; one busy at close would stay open as keep-alive
  // after its last response and hold the shutdown until its timeout, so those answers end it.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
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
    graphqlError(reply, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}; GraphQL is served at /graphql.`),
  );

  const graphqlHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (Array.isArray(request.body)) {
      if (config.maxBatchOperations === 0)
        return graphqlError(reply, 400, 'BAD_REQUEST', 'Batched requests (a JSON array of operations) are not accepted here; send one operation per request.');
      if (request.body.length === 0 || request.body.length > config.maxBatchOperations) {
        return graphqlError(reply, 400, 'BAD_REQUEST', `A batch holds 1 to ${config.maxBatchOperations} operations; this one has ${request.body.length}.`);
      }
    }
    if (nestingDepthExceeds(sentVariables(request), MAX_VARIABLE_DEPTH + 2)) {
      return graphqlError(reply, 400, 'BAD_USER_INPUT', `Variables are nested more than ${MAX_VARIABLE_DEPTH} levels deep.`);
    }
    // GET cannot carry a mutation (Apollo refuses them there).
    const writes = request.method !== 'GET' && mayWrite(request.body);
    const scope: RequestScope = {
      requestId: request.id,
      sqlStatements: 0,
      sqlInFlight: 0,
      authenticated: false,
      mayWrite: writes,
      readsFromReplica: config.databaseReadUrl !== undefined && !writes,
    };
    return runInRequestScope(scope, () =>
      inOperationSpan(Array.isArray(request.body) ? request.body.length : undefined, async () => {
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(request.headers)) {
          if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: {
            method: request.method.toUpperCase(),
            headers,
            search: request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '',
            body: request.body,
          },
          context: () => admittedContext(services, { db: database.db, repositories }, request),
        });
        for (const [key, value] of response.headers) void reply.header(key, value);
        // An error that nulled an answer may have left sibling resolvers running: their statements belong to this request.
        if (scope.sqlInFlight > 0 || (response.body.kind === 'complete' && response.body.string.includes('"errors"'))) {
          await untilStatementsSettled(scope, config.dbStatementTimeoutMs + 1000);
        }
        if (config.sqlCountHeader) void reply.header('x-sql-statements', String(scope.sqlStatements));
        // A request that failed before execution because the database is unreachable (the viewer lookup)
        // is a 503 a client or load balancer may retry, not a 500.
        const unavailable = response.status === 500 && response.body.kind === 'complete' && response.body.string.includes('"SERVICE_UNAVAILABLE"');
        void reply.code(unavailable ? 503 : (response.status ?? 200));
        if (response.body.kind === 'complete') {
          noteAnswerForEtag(request, response.status ?? 200, response.headers.get('cache-control'), response.body.string);
          return reply.send(response.body.string);
        }
        let text = '';
        for await (const chunk of response.body.asyncIterator) text += chunk;
        return reply.send(text);
      }),
    );
  };

  // GET serves queries over HTTP and, as an upgrade, subscriptions over WebSocket; POST only HTTP.
  // Fastify calls wsHandler with the instance as `this`, which is what graphql-ws's handler is declared for.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  app.route({ method: 'GET', url: '/graphql', handler: graphqlHandler, wsHandler: subscriptions.handler });
  app.route({ method: 'POST', url: '/graphql', handler: graphqlHandler });
  app.get('/', async (_request, reply) => reply.redirect('/graphql'));

  registerMetricsRoute(app, metrics.registry, { token: config.metrics.token });
  const { schemaSdl } = pages;
  if (schemaSdl !== undefined) app.get(SCHEMA_PATH, async (_request, reply) => reply.header('content-type', 'text/plain; charset=utf-8').send(schemaSdl));
  registerDashboardRoutes(app, pages.dashboard);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    if (pages.draining?.()) return reply.code(503).send({ status: 'draining', database: database.kind });
    try {
      await withDeadline(database.ping(), READY_TIMEOUT_MS, 'database');
      return { status: 'ready', database: database.kind };
    } catch (error) {
      // Why goes to the log: the reason names the database's address, which is nobody else's business.
      request.log.warn({ err: error }, 'not ready: the database did not answer');
      return reply.code(503).send({ status: 'unavailable', database: database.kind });
    }
  });

  return app;
}
