import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Config } from '../../src/config';

/**
 * A fresh database for one test file: with DATABASE_URL, a new database on that server (dropped at the
 * end); without, the embedded PGlite in memory. Either way the real Migrator creates the schema.
 */
export interface TestDatabase {
  config: Config;
  drop: () => Promise<void>;
}

export async function createTestDatabase(base: Config): Promise<TestDatabase> {
  if (!base.databaseUrl) {
    return { config: Object.freeze({ ...base, dataDir: 'memory' }), drop: async () => undefined };
  }
  const name = `studygraph_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  // Created and dropped on the server itself (DATABASE_MIGRATION_URL), not through a pooler in front.
  const server = base.databaseMigrationUrl ?? base.databaseUrl;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const on = (base: string) => {
    const url = new URL(base);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    config: Object.freeze({ ...base, databaseUrl: on(base.databaseUrl), databaseMigrationUrl: on(server) }),
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
