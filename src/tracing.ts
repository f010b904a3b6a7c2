import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { Config } from './config';

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
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof import('@fastify/otel');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { RedisInstrumentation } = require('@opentelemetry/instrumentation-redis') as typeof import('@opentelemetry/instrumentation-redis');
  const sdk = new NodeSDK({
    serviceName: config.tracing.serviceName,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => request.url === '/metrics' || request.url === '/healthz' || request.url === '/readyz' }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
      // Parse and validate spans; one span per resolver would be noise (and compiled operations have none).
      new GraphQLInstrumentation({ ignoreResolveSpans: true, mergeItems: true }),
      // Statements and commands only inside a request's trace: not the pool's and caches' background work.
      new PgInstrumentation({ requireParentSpan: true }),
      new RedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/** The trace the current request belongs to, for `x-trace-id` and log lines; undefined without tracing. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** Names the operation's span as the semantic conventions do (`query Dashboard`) and records its outcome. */
export function describeOperationSpan(type: string | undefined, name: string | null | undefined, outcome: string): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.updateName(`${type ?? 'graphql'} ${name ?? 'anonymous'}`);
  span.setAttributes({ 'graphql.operation.type': type ?? 'unknown', 'graphql.operation.name': name ?? '', 'studygraph.outcome': outcome });
  if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Sets attributes on the current span (the operation's, inside a request), when there is one. */
export function annotateSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/**
 * Runs `work` inside a child span of the current one. Outside a traced request (or with tracing off) it
 * just runs `work`: no span is made, so the helpers cost nothing when tracing is off.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span | undefined) => Promise<T>): Promise<T> {
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
