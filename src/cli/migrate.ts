import { parseArgs } from 'node:util';
import { openDatabase, withMigrationDatabase } from '../db/database';
import { migrateForGateway } from '../db/migrate-for-gateway';
import { migrateDown } from '../db/migrator';
import { runCli } from './run';

// npm run migrate            → apply every pending migration
// npm run migrate -- --down  → revert the latest one
runCli(async (config, logger) => {
  const { values } = parseArgs({ options: { down: { type: 'boolean', default: false } } });
  const database = await openDatabase(config, logger);
  try {
    const lines = await withMigrationDatabase(database, config, logger, (db) =>
      values.down ? migrateDown(db) : migrateForGateway(db, config),
    );
    console.log(lines.length > 0 ? lines.join('\n') : 'Nothing to do: the database is up to date.');
  } finally {
    await database.destroy();
  }
});
