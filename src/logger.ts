import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** JSON logs to stdout; one logger per process, children per component. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'studygraph', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization', 'headers.authorization'],
  });
}
