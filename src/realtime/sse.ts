import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import {
  createHandler,
  type OperationArgs,
  type Request as SseRequest,
  type Response as SseResponse,
} from 'graphql-sse';
import Negotiator from 'negotiator';
import type { Services } from '../context/context';
import { anonymousPrincipal } from '../rate-limit/principal';
import { ErrorCode } from '../graphql/errors';
import type { Metrics } from '../observability/metrics';
import { LEASE_MS, type ConnectionLease, type ConnectionRegistry } from './connection-registry';
import { subscriberOf, whenTokenExpires, type Subscriber, type SubscriptionSetup } from './subscription-setup';

export interface EventStreamServerOptions {
  schema: GraphQLSchema;
  services: Services;
  metrics: Metrics;
  /** Shared with WebSocket: a user's connections and streams count against one limit. */
  connections: ConnectionRegistry;
  setup: SubscriptionSetup;
}

/** One event stream: its subscriber, its root field once set up, and what it holds until it ends. */
interface Stream {
  subscriber?: Subscriber;
  field?: string;
  lease?: ConnectionLease;
  timers: NodeJS.Timeout[];
  response: ServerResponse;
  counted: boolean;
  /** Set once the client went away or the stream was ended: whatever is still being set up is let go. */
  closed: boolean;
  /** When the token stops being valid: the stream is ended then (no `complete`: the client reconnects). */
  expiresAtMs?: number;
}

/**
 * The events of a subscription, and what ends it (a spent budget, a membership gone, the event store lost) as
 * a last `next` with the error before `complete`: graphql-ws sends such an end as an `error` message, while
 * graphql-sse would only drop the stream, and a client would reconnect without knowing why. Each event is
 * taken from the subscription only once the response can take more (`ready`): graphql-sse queues what it takes
 * without bound, so a client that stops reading would otherwise grow it; held back here, the subscription's
 * own bounded buffer applies (a slow consumer's oldest live events are dropped, as over WebSocket). A plain
 * iterator, not an async generator: a generator's `return()` would wait for the pending event, and a closed
 * stream on a quiet topic would keep its listener until one came.
 */
function endingWithItsError(
  events: AsyncIterable<ExecutionResult>,
  ready: () => Promise<void>,
): AsyncGenerator<ExecutionResult> {
  const source = events[Symbol.asyncIterator]();
  let done = false;
  const finish = (): IteratorReturnResult<undefined> => ({ done: true, value: undefined });
  const iterator: AsyncGenerator<ExecutionResult> = {
    async next() {
      if (done) return finish();
      await ready();
      if (done) return finish();
      try {
        const step = await source.next();
        if (step.done) done = true;
        return step;
      } catch (error) {
        done = true;
        const failure =
          error instanceof GraphQLError
            ? error
            : new GraphQLError('Internal server error.', { originalError: error as Error });
        return { done: false, value: { errors: [failure] } };
      }
    },
    async return() {
      done = true;
      await source.return?.();
      return finish();
    },
    async throw(error: unknown) {
      done = true;
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async [Symbol.asyncDispose]() {
      await iterator.return(undefined);
    },
  };
  return iterator;
}

/** Resolves once a response has room for more (its buffered output drained) or is gone. */
function drained(response: ServerResponse): Promise<void> {
  if (!response.writableNeedDrain || response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

/** What a subscribe answers when its client went away while it was set up: never written. */
const GONE: SseResponse = [null, { status: 499, statusText: 'Client Closed Request' }];

/** The status a refused subscribe is answered with, from its error's code. */
function statusOf(error: GraphQLError): number {
  switch (error.extensions.code) {
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.RATE_LIMITED:
    case 'TOO_MANY_CONNECTIONS':
      return 429;
    case ErrorCode.SERVICE_UNAVAILABLE:
      return 503;
    case ErrorCode.INTERNAL_SERVER_ERROR:
      return 500;
    default:
      // Parse, validation, coercion, cost maximum, an operation that is not a subscription: the request's fault.
      return 400;
  }
}

const STREAM_OR_ANSWER = ['application/graphql-response+json', 'application/json', 'text/event-stream'];

/**
 * Whether a request asks for an event stream (GraphQL over Server-Sent Events, distinct connections mode):
 * its Accept prefers `text/event-stream` to a JSON answer (negotiated, q-values included), and only an Accept
 * that names it is negotiated at all.
 */
export function wantsEventStream(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (typeof accept !== 'string' || !/text\/event-stream/i.test(accept)) return false;
  return new Negotiator({ headers: { accept } }).mediaType(STREAM_OR_ANSWER) === 'text/event-stream';
}

/**
 * Subscriptions over Server-Sent Events (the GraphQL over SSE protocol, graphql-sse's "distinct connections
 * mode": one subscription per request, `Accept: text/event-stream` on /graphql, POST with a JSON body or GET
 * with the parameters in the URL), for networks whose proxies refuse WebSocket upgrades. The token is the
 * request's `Authorization` header; access, tenancy, admission, costs, per-event charges, the per-user
 * connection limit (streams and WebSocket connections together), resume by `after`, metrics and shutdown
 * are those of the WebSocket path (subscription-setup.ts). A stream ends without `complete` when its token
 * expires or the server shuts down, so clients reconnect (with a fresh token, elsewhere).
 */
export function createEventStreamServer(options: EventStreamServerOptions) {
  const { schema, services, metrics, setup } = options;
  const { config } = services;
  const streams = new Set<Stream>();

  /** An error answer (JSON, not a stream) for a refused subscribe. */
  const refusal = (stream: Stream, errors: readonly GraphQLError[]): SseResponse => {
    const [first] = errors;
    const retryAfter = first.extensions.retryAfterSeconds;
    return [
      JSON.stringify({ errors: setup.format(stream.subscriber, errors) }),
      {
        status: statusOf(first),
        statusText: '',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {}),
        },
      },
    ];
  };

  const coded = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

  /** Ends a stream's bookkeeping (once): timers, the gauges, its lease (given back by the promise). */
  const finished = async (stream: Stream): Promise<void> => {
    stream.closed = true;
    if (!streams.delete(stream)) return;
    metrics.eventStreams.dec();
    for (const timer of stream.timers) clearTimeout(timer);
    if (stream.counted) metrics.subscriptionsActive.dec({ field: stream.field ?? 'unknown' });
    await stream.lease?.release();
  };

  const handler = createHandler<FastifyRequest, Stream, Record<PropertyKey, unknown>>({
    schema,
    // Distinct connections mode only: the reservation of the single-connection mode is a process's memory,
    // which a second worker or gateway behind the load balancer would not have.
    authenticate: () => null,
    // setUp validated the document already, with the gateway's rules and error limit.
    validate: () => [],

    async onSubscribe(req: SseRequest<FastifyRequest, Stream>, params) {
      const stream = req.context;
      const request = req.raw;
      const verified = await setup.verify(request.headers.authorization);
      if ('refusal' in verified) {
        // A request whose token is refused is still a request of its address, as over HTTP.
        try {
          await services.admission.admit(anonymousPrincipal(config.rateLimitPointsPerMinute, request.ip), 1, 'sse');
        } catch (refused) {
          if (refused instanceof GraphQLError) return refusal(stream, [refused]);
          throw refused;
        }
        return refusal(stream, [
          verified.refusal === 'unavailable'
            ? coded('The token could not be checked; retry.', ErrorCode.SERVICE_UNAVAILABLE)
            : coded('Authentication required: send `Authorization: Bearer <token>`.', ErrorCode.UNAUTHENTICATED),
        ]);
      }
      const subscriber = subscriberOf(verified.userId, request.headers.authorization as string, request.ip);
      stream.subscriber = subscriber;
      const lease = await options.connections.open(subscriber.userId, subscriber.id);
      if (!lease)
        return refusal(stream, [
          coded(
            `Too many connections: at most ${config.realtime.maxConnectionsPerUser} per user, event streams and WebSockets together.`,
            'TOO_MANY_CONNECTIONS',
          ),
        ]);
      // Gone while the lease was taken: finished() has run, and would not give this lease back.
      if (stream.closed) {
        await lease.release();
        return GONE;
      }
      stream.lease = lease;
      stream.expiresAtMs = verified.expiresAtMs;
      stream.timers.push(setInterval(() => void lease.renew(), LEASE_MS / 3));
      const outcome = await setup.setUp(
        subscriber,
        { query: params.query, operationName: params.operationName, variables: params.variables },
        'sse',
      );
      if (stream.closed) return GONE;
      if ('errors' in outcome) return refusal(stream, outcome.errors);
      stream.field = outcome.field;
      return outcome.args as OperationArgs<Record<PropertyKey, unknown>>;
    },

    onOperation(_ctx, req, _args, result) {
      const stream = req.context;
      if (result === null || typeof result !== 'object' || !(Symbol.asyncIterator in result)) return undefined;
      // Gone meanwhile: handle() ends the subscription as soon as the handler returns it.
      if (stream.closed) return undefined;
      stream.counted = true;
      metrics.subscriptionsActive.inc({ field: stream.field ?? 'unknown' });
      return endingWithItsError(result as AsyncIterable<ExecutionResult>, () => drained(stream.response));
    },

    async onNext(ctx, req, result) {
      const stream = req.context;
      return setup.delivered(stream.subscriber, stream.field ?? 'unknown', ctx, result as ExecutionResult);
    },

    async onComplete(_ctx, req) {
      await finished(req.context);
    },
  });

  /** Ends a stream whose headers went out; one still being set up is closed outright (its client retries). */
  const endStream = (stream: Stream) => {
    if (stream.response.headersSent) stream.response.end();
    else stream.response.destroy();
  };
  let shuttingDown = false;

  return {
    /** Answers a request that asked for an event stream (wantsEventStream): the stream, or a JSON refusal. */
    async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      // Written here, not through Fastify's reply: a stream has no end for Fastify's hooks to wait for.
      reply.hijack();
      const response = reply.raw;
      if (shuttingDown) {
        // Routed before the shutdown began, arrived after the streams were ended: go elsewhere.
        response.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
        response.end(
          JSON.stringify({
            errors: [{ message: 'The gateway is shutting down; retry.', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
          }),
        );
        return;
      }
      const stream: Stream = { timers: [], response, counted: false, closed: false };
      streams.add(stream);
      metrics.eventStreams.inc();
      response.once('close', () => void finished(stream));
      let answer: SseResponse;
      try {
        answer = await handler({
          method: request.method,
          url: request.url,
          headers: {
            // graphql-sse compares Accept exactly: this request prefers a stream (wantsEventStream).
            get: (key) =>
              key === 'accept' ? 'text/event-stream' : ((request.headers[key] as string | undefined) ?? null),
          },
          body: (request.body ?? null) as Record<PropertyKey, unknown> | null,
          raw: request,
          context: stream,
        });
      } catch (error) {
        services.logger.error({ err: error }, 'event stream setup failed');
        if (!response.headersSent && !stream.closed) {
          response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          response.end(
            JSON.stringify({
              errors: [{ message: 'Internal server error.', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }],
            }),
          );
        } else response.destroy();
        await finished(stream);
        return;
      }
      const [body, init] = answer;
      if (stream.closed) {
        // The client went away (or the stream was ended) while it was set up: nothing is written, and a
        // subscription that started meanwhile ends now, not at its next event.
        if (body && typeof body !== 'string') await body.return(undefined);
        return;
      }
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : String(value);
      response.writeHead(init.status, init.statusText || undefined, { ...headers, ...init.headers });
      if (!body || typeof body === 'string') {
        response.end(body ?? undefined);
        return;
      }
      whenTokenExpires(stream.expiresAtMs, stream.timers, () => response.end());
      const stop = () => void body.return(undefined);
      response.once('close', stop);
      try {
        for await (const message of body) {
          if (response.destroyed || response.writableEnded) break;
          if (!response.write(message)) await drained(response);
        }
      } finally {
        response.off('close', stop);
        response.end();
      }
    },

    /** Shutdown: every stream ends (no `complete`: clients reconnect elsewhere) and gives its lease back. */
    async closeAll(): Promise<void> {
      shuttingDown = true;
      const open = [...streams];
      for (const stream of open) endStream(stream);
      await Promise.all(open.map(finished));
    },

    openStreams: () => streams.size,
  };
}

export type EventStreamServer = ReturnType<typeof createEventStreamServer>;
