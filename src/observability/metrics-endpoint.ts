import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { metricsText } from './cluster-metrics';

export interface MetricsAccess {
  /** Callers must send `Authorization: Bearer <token>`; without one, only loopback callers that no proxy forwarded are answered. */
  token: string | undefined;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ errors: [{ message, extensions: { code } }] });
}

/**
 * Whether a scrape may read the metrics. The peer is the socket's (a proxy's X-Forwarded-For is the
 * client's word), so behind a load balancer only the token opens them.
 */
function refusal(
  request: FastifyRequest,
  access: MetricsAccess,
): [status: number, code: string, message: string] | undefined {
  if (access.token !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    return match && sameSecret(match[1], access.token)
      ? undefined
      : [401, 'UNAUTHENTICATED', 'Metrics need `Authorization: Bearer <METRICS_TOKEN>`.'];
  }
  // A proxy on the same host (nginx, a sidecar) makes every outside request a loopback one; it says so in its headers.
  const forwarded = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return LOOPBACK.test(request.socket.remoteAddress ?? '') && !forwarded
    ? undefined
    : [
        403,
        'FORBIDDEN',
        'Metrics are served to loopback callers only here: set METRICS_TOKEN, or METRICS_PORT for a port of their own.',
      ];
}

/** GET /metrics (Prometheus text), behind `access`; with WORKERS=N, the whole cluster's (see cluster-metrics). */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry, access: MetricsAccess | 'open'): void {
  app.get('/metrics', async (request, reply) => {
    const refused = access === 'open' ? undefined : refusal(request, access);
    if (refused) {
      if (refused[0] === 401) void reply.header('www-authenticate', 'Bearer realm="metrics"');
      return refuse(reply, ...refused);
    }
    return reply.header('content-type', registry.contentType).send(await metricsText(registry));
  });
}

/** METRICS_PORT: /metrics alone on a port of its own, for networks where only Prometheus reaches it. */
export function createMetricsServer(registry: Registry): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  registerMetricsRoute(app, registry, 'open');
  app.setNotFoundHandler((_request, reply) => refuse(reply, 404, 'NOT_FOUND', 'Only /metrics is served on this port.'));
  return app;
}
