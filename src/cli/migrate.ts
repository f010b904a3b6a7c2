import { parseArgs } from 'node:util';
import { openDatabase } from '../db/database';
import { migrateDown, migrateToLatest } from '../db/migrator';
import { runCli } from './run';

// npm run migrate            → apply every pending migration
// npm run migrate -- --down  → revert the latest one
runCli(async (config, logger) => {
  const { values } = parseArgs({ options: { down: { type: 'boolean', default: false } } });
  const database = await openDatabase(config, logger);
  try {
    const lines = values.down ? await migrateDown(database.db) : await migrateToLatest(database.db);
    console.log(lines.length > 0 ? lines.join('\n') : 'Nothing to do: the database is up to date.');
  } finally {
    await database.destroy();
  }
});
