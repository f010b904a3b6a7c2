import { parseArgs } from 'node:util';
import { openMigrationDatabase } from '../db/database';
import { migrateForGateway } from '../db/migrate-for-gateway';
import { migrateDown } from '../db/migrator';
import { runCli } from './run';

// npm run migrate            → apply every pending migration
// npm run migrate -- --down  → revert the latest one
runCli(async (config, logger) => {
  const { values } = parseArgs({ options: { down: { type: 'boolean', default: false } } });
  const database = await openMigrationDatabase(config, logger);
  try {
    const lines = values.down ? await migrateDown(database.db) : await migrateForGateway(database.db, config);
    console.log(lines.length > 0 ? lines.join('\n') : 'Nothing to do: the database is up to date.');
  } finally {
    await database.destroy();
  }
});
