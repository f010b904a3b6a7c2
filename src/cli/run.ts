import { ConfigError, loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../observability/logger';

/** Runs a CLI command with config and logger; config errors and failures exit non-zero with one clear line. */
export function runCli(command: (config: Config, logger: Logger) => Promise<void>): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(78);
  }
  const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  command(config, logger).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? `error: ${error.message}` : error);
      process.exit(1);
    },
  );
}
