import type { FastifyInstance } from 'fastify';
import type { DatabaseHandle } from '../db/database';
import { withDeadline } from '../deadline';

const READY_TIMEOUT_MS = 2000;

export interface HealthRoutesOptions {
  database: Pick<DatabaseHandle, 'kind' | 'ping'>;
  /** True once shutdown began: /readyz answers 503 so that load balancers stop sending requests here. */
  draining?: () => boolean;
}

/** /healthz (the process answers) and /readyz (it can serve: not draining, and the database answers within 2 s). */
export async function healthRoutes(app: FastifyInstance, { database, draining }: HealthRoutesOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    if (draining?.()) return reply.code(503).send({ status: 'draining', database: database.kind });
    try {
      await withDeadline(database.ping(), READY_TIMEOUT_MS, 'database');
      return { status: 'ready', database: database.kind };
    } catch (error) {
      // Why goes to the log: the reason names the database's address, which is nobody else's business.
      request.log.warn({ err: error }, 'not ready: the database did not answer');
      return reply.code(503).send({ status: 'unavailable', database: database.kind });
    }
  });
}

/** The SDL at SCHEMA_PATH (registered only while introspection is on). */
export async function schemaRoute(app: FastifyInstance, { sdl, path }: { sdl: string; path: string }): Promise<void> {
  app.get(path, async (_request, reply) => reply.header('content-type', 'text/plain; charset=utf-8').send(sdl));
}
