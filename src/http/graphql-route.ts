import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createContext, type ContextSources, type GatewayContext, type Services } from '../context/context';
import { runInRequestScope, untilStatementsSettled, type RequestScope } from '../context/request-scope';
import { unauthenticated } from '../graphql/errors';
import { MAX_VARIABLE_DEPTH, nestingDepthExceeds } from '../graphql/limits';
import { mayWrite } from '../graphql/read-your-writes-plugin';
import { inOperationSpan } from '../observability/tracing';
import { anonymousPrincipal, principalOf } from '../rate-limit/principal';
import { wantsEventStream, type EventStreamServer } from '../realtime/sse';
import type { SubscriptionServer } from '../realtime/websocket';
import { noteAnswerForEtag } from './etag';
import { graphqlError } from './replies';

export interface GraphqlRouteOptions {
  apollo: ApolloServer<GatewayContext>;
  services: Services;
  /** What each request's context is assembled from besides the services. */
  contextSources: ContextSources;
  /** GET /graphql upgrades to WebSocket here (subscriptions). */
  subscriptions: SubscriptionServer;
  /** A request that accepts `text/event-stream` is a subscription over Server-Sent Events. */
  eventStreams: EventStreamServer;
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
  if (request.method === 'GET')
    return request.url.includes('?')
      ? new URLSearchParams(request.url.slice(request.url.indexOf('?'))).getAll('query')
      : [];
  const operations: unknown[] = Array.isArray(request.body) ? request.body : [request.body];
  return operations.flatMap((operation) => {
    const text =
      operation !== null && typeof operation === 'object' ? (operation as Record<string, unknown>).query : undefined;
    return typeof text === 'string' ? [text] : [];
  });
}

/**
 * The request's context, once the request is admitted (Admission.admit: the burst, one request per operation
 * of a batch, and a budget not spent), before anything is parsed. A request whose token is refused is still
 * a request of its address. Then what can be refused from the text alone is, and in production without
 * introspection an anonymous caller is refused before validation could tell it which names the schema has.
 */
async function admittedContext(
  services: Services,
  sources: ContextSources,
  request: FastifyRequest,
): Promise<GatewayContext> {
  const { admission, config } = services;
  const operations = Array.isArray(request.body) ? request.body.length : 1;
  let context: GatewayContext;
  try {
    context = await createContext(services, sources, {
      authorization: request.headers.authorization,
      requestId: request.id,
      clientIp: request.ip,
    });
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
    throw unauthenticated(
      'Authentication required: send `Authorization: Bearer <token>`. This gateway answers signed-in callers only.',
    );
  }
  return context;
}

/**
 * /graphql: GET and POST over HTTP through Apollo, each request in a scope that counts its SQL statements
 * and admitted before its document is parsed; GET upgrades to WebSocket for subscriptions, and a request that
 * accepts `text/event-stream` (GET or POST) is a subscription over Server-Sent Events.
 */
export async function graphqlRoute(app: FastifyInstance, options: GraphqlRouteOptions): Promise<void> {
  const { services, contextSources } = options;
  const { config } = services;
  const graphqlHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (wantsEventStream(request)) return options.eventStreams.handle(request, reply);
    if (Array.isArray(request.body)) {
      if (config.maxBatchOperations === 0)
        return graphqlError(
          reply,
          400,
          'BAD_REQUEST',
          'Batched requests (a JSON array of operations) are not accepted here; send one operation per request.',
        );
      if (request.body.length === 0 || request.body.length > config.maxBatchOperations) {
        return graphqlError(
          reply,
          400,
          'BAD_REQUEST',
          `A batch holds 1 to ${config.maxBatchOperations} operations; this one has ${request.body.length}.`,
        );
      }
    }
    if (nestingDepthExceeds(sentVariables(request), MAX_VARIABLE_DEPTH + 2)) {
      return graphqlError(
        reply,
        400,
        'BAD_USER_INPUT',
        `Variables are nested more than ${MAX_VARIABLE_DEPTH} levels deep.`,
      );
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
        const response = await options.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: {
            method: request.method.toUpperCase(),
            headers,
            search: request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '',
            body: request.body,
          },
          context: () => admittedContext(services, contextSources, request),
        });
        for (const [key, value] of response.headers) void reply.header(key, value);
        // An error that nulled an answer may have left sibling resolvers running: their statements belong to this request.
        if (scope.sqlInFlight > 0 || (response.body.kind === 'complete' && response.body.string.includes('"errors"'))) {
          await untilStatementsSettled(scope, config.dbStatementTimeoutMs + 1000);
        }
        if (config.sqlCountHeader) void reply.header('x-sql-statements', String(scope.sqlStatements));
        // A request that failed before execution because the database is unreachable (the viewer lookup)
        // is a 503 a client or load balancer may retry, not a 500.
        const unavailable =
          response.status === 500 &&
          response.body.kind === 'complete' &&
          response.body.string.includes('"SERVICE_UNAVAILABLE"');
        void reply.code(unavailable ? 503 : (response.status ?? 200));
        if (response.body.kind === 'complete') {
          noteAnswerForEtag(
            request,
            response.status ?? 200,
            response.headers.get('cache-control'),
            response.body.string,
          );
          return reply.send(response.body.string);
        }
        let text = '';
        for await (const chunk of response.body.asyncIterator) text += chunk;
        return reply.send(text);
      }),
    );
  };

  // GET serves queries over HTTP and, as an upgrade, subscriptions over WebSocket; both serve event streams.
  // Fastify calls wsHandler with the instance as `this`, which is what graphql-ws's handler is declared for.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  app.route({ method: 'GET', url: '/graphql', handler: graphqlHandler, wsHandler: options.subscriptions.handler });
  app.route({ method: 'POST', url: '/graphql', handler: graphqlHandler });
}
