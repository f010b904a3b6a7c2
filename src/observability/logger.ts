import pino, { type Logger } from 'pino';
import type { Config } from '../config';
import { currentTraceId } from './tracing';

export type { Logger };

/** JSON logs to stdout; one logger per process, children per component. */
export function createLogger(config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'tracing'>>): Logger {
  return pino({
    level: config.logLevel,
    // Every line written inside a traced request names its trace, so logs and traces join.
    ...(config.tracing?.enabled
      ? {
          mixin: () => {
            const traceId = currentTraceId();
            return traceId ? { trace_id: traceId } : {};
          },
        }
      : {}),
    base: { service: 'studygraph', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization', 'headers.authorization'],
  });
}
