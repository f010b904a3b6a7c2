import { parseArgs } from 'node:util';
import { openDatabase, withMigrationDatabase } from '../db/database';
import { migrateForGateway } from '../db/migrate-for-gateway';
import { isSeedScaleName, SEED_SCALES } from '../seed/scales';
import { seedDatabase, truncateAll } from '../seed/seed';
import { runCli } from './run';

// npm run seed -- --scale small|medium|large [--reset] [--anchor 2026-11-01]
runCli(async (config, logger) => {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'small' },
      reset: { type: 'boolean', default: false },
      anchor: { type: 'string' },
    },
  });
  if (!isSeedScaleName(values.scale)) {
    throw new Error(`--scale must be one of ${Object.keys(SEED_SCALES).join(', ')}, got "${values.scale}"`);
  }
  const scale = values.scale;
  const anchor = values.anchor ? new Date(values.anchor) : undefined;
  if (anchor && Number.isNaN(anchor.getTime())) throw new Error(`--anchor must be a date, got "${values.anchor}"`);
  const database = await openDatabase(config, logger);
  try {
    await withMigrationDatabase(database, config, logger, async (db) => {
      await migrateForGateway(db, config);
      if (values.reset) await truncateAll(db);
      await seedDatabase(db, { scale, anchor, onProgress: (message) => console.log(message) });
    });
    console.log(`Seeded scale ${values.scale}: ${JSON.stringify(SEED_SCALES[values.scale])}`);
  } finally {
    await database.destroy();
  }
});
