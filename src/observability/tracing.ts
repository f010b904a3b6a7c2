import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { EventEmitter } from 'node:events';
import type { Config } from '../config';

/** The tracer of the gateway's own spans (operation, DataLoader batch, rate-limit decision). */
const tracer = trace.getTracer('studygraph');

export interface Tracing {
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry's Node SDK when an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; every other `OTEL_*` variable is the SDK's to read). It must run
 * before the instrumented modules (http, fastify, graphql, pg, redis) are loaded: main.ts loads the
 * gateway only after it. Without an endpoint nothing is loaded and every span helper below is a no-op.
 */
export function startTracing(config: Config): Tracing | undefined {
  if (!config.tracing.enabled) return undefined;
  // Required here, not imported at the top: without an endpoint the SDK is never loaded.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { GraphQLInstrumentation } =
    require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { RedisInstrumentation } =
    require('@opentelemetry/instrumentation-redis') as typeof import('@opentelemetry/instrumentation-redis');
  const untracedPaths = new Set(['/metrics', '/healthz', '/readyz']);
  const sdk = new NodeSDK({
    ...(config.tracing.serviceName ? { serviceName: config.tracing.serviceName } : {}),
    // Traces only: the endpoint is not asked to take OTLP metrics or logs (/metrics and stdout have them).
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => untracedPaths.has((request.url ?? '').split('?')[0]),
      }),
      // Parse, validate and execute spans; one span per resolver would be noise (and compiled operations have none).
      new GraphQLInstrumentation({ ignoreResolveSpans: true, mergeItems: true }),
      // Statements and commands only inside a request's trace: not the pool's and caches' background work.
      new PgInstrumentation({ requireParentSpan: true }),
      new RedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/**
 * Runs every listener of `emitter` untraced: a WebSocket's messages (subscribe, and the events the
 * subscription then sends) would otherwise each start a trace of their own, as graphql's instrumentation
 * starts one without a parent.
 */
export function untracedListeners<T extends EventEmitter>(emitter: T): T {
  return context.bind(suppressTracing(ROOT_CONTEXT), emitter);
}

/** The trace the current request belongs to, for `x-trace-id` and log lines; undefined without tracing. */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** Spans of HTTP requests that carry several operations (a JSON array): each is an event, not the name. */
const batchSpans = new WeakSet<Span>();

/** The span of one HTTP request's GraphQL work: one operation, or a batch of `batchSize`. */
export function inOperationSpan<T>(batchSize: number | undefined, work: () => Promise<T>): Promise<T> {
  return inSpan(
    batchSize === undefined ? 'graphql' : 'graphql batch',
    batchSize === undefined ? {} : { 'graphql.batch.size': batchSize },
    (span) => {
      if (span && batchSize !== undefined) batchSpans.add(span);
      return work();
    },
  );
}

/** The gateway's own faults: only these mark the operation's span ERROR (a client's bad request or 429 does not). */
const SERVER_FAULTS = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

/**
 * Describes the operation's span as the semantic conventions do: named `query Dashboard` (`query` when
 * anonymous), with its type, name and outcome; status ERROR only for the gateway's own faults.
 */
export function describeOperationSpan(
  type: string | undefined,
  name: string | undefined,
  outcome: string,
  errorCodes: readonly string[],
): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  const attributes: Attributes = { 'graphql.operation.type': type ?? 'unknown', 'studygraph.outcome': outcome };
  if (name) attributes['graphql.operation.name'] = name;
  if (errorCodes.length > 0) attributes['studygraph.error.codes'] = [...new Set(errorCodes)];
  if (batchSpans.has(span)) {
    span.addEvent('graphql.operation', attributes);
  } else {
    span.updateName(type ? `${type}${name ? ` ${name}` : ''}` : 'graphql');
    span.setAttributes(attributes);
  }
  if (errorCodes.some((code) => SERVER_FAULTS.has(code))) span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Sets attributes on the current span (the operation's, inside a request), when there is one. */
export function annotateSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/**
 * Runs `work` inside a child span of the current one. Outside a traced request (or with tracing off) it
 * just runs `work`: no span is made, so the helpers cost nothing when tracing is off.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!trace.getActiveSpan()?.isRecording()) return work(undefined);
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
