import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createGateway } from '../src/app';
import { loadConfig, type Config } from '../src/config';
import { openDatabase } from '../src/db/database';
import { createLogger } from '../src/observability/logger';
import { benchAnalytics } from './analytics';
import { toPng } from './chart';
import { benchOperations } from './operations';
import { benchPeer } from './peer';

const RESULTS = path.resolve(__dirname, '../../bench/results');
const USAGE = `usage: npm run bench -- [--section operations|peer|analytics] [options]
  operations (default): every saved operation, batched vs unbatched vs warm cache
    --users 200 --connections 16 --seconds 5 --rounds 3 --warmup 2
  peer: studygraph (cold and warm) vs PostGraphile v5 (bench/peer) on the same data needs
    --users 200 --connections 32 --seconds 5 --rounds 3 --warmup 2 --workers <cores>
  analytics: analytics(days: 30|365) per organization
    --organizations 50 --rounds 3`;

// Runs against the database of DATABASE_URL (seed it first: npm run seed -- --scale medium|large).
async function main() {
  const { values } = parseArgs({
    options: {
      section: { type: 'string', default: 'operations' },
      users: { type: 'string', default: '200' },
      connections: { type: 'string' },
      workers: { type: 'string', default: String(os.availableParallelism()) },
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2' },
      organizations: { type: 'string', default: '50' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const numbers = Object.fromEntries(
    (['users', 'connections', 'seconds', 'warmup', 'organizations', 'rounds', 'workers'] as const).map((name) => {
      const value = Number(
        values[name] ?? (name === 'connections' ? (values.section === 'peer' ? 32 : 16) : Number.NaN),
      );
      if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1\n${USAGE}`);
      return [name, value];
    }),
  ) as Record<'users' | 'connections' | 'seconds' | 'warmup' | 'organizations' | 'rounds' | 'workers', number>;
  const base = loadConfig();
  if (!base.databaseUrl)
    throw new Error(
      'npm run bench needs DATABASE_URL (a seeded PostgreSQL); the embedded database is not what we measure.',
    );
  const config: Config = Object.freeze({
    ...base,
    logLevel: 'warn' as const,
    autoMigrate: false,
    autoSeed: false,
    sandbox: false,
    teamProductivityRefreshMinutes: 0,
  });
  const logger = createLogger(config);

  const database = await openDatabase(config, logger);
  const sections: string[] = [];
  try {
    const size = await sql<{ users: string; studies: string; comments: string }>`
      SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM studies) AS studies, (SELECT count(*) FROM comments) AS comments`.execute(
      database.db,
    );
    const { users, studies, comments } = size.rows[0];
    sections.push(
      `# studygraph bench: ${values.section} — ${new Date().toISOString()}`,
      `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}; ` +
        `database ${new URL(config.databaseUrl!).pathname.slice(1)} with ${users} users, ${studies} studies, ${comments} comments; cache store ${config.redisUrl ? 'Redis' : 'in-process LRU'}.`,
    );
    await mkdir(RESULTS, { recursive: true });
    if (values.section === 'operations') {
      const { report, svg } = await benchOperations(
        database.db,
        config,
        { ...numbers, warmupSeconds: numbers.warmup },
        (line) => console.error(line),
      );
      sections.push('## Standard operations', report, '![latency per operation](operations.png)');
      await writeFile(path.join(RESULTS, 'operations.svg'), svg);
      await writeFile(path.join(RESULTS, 'operations.png'), toPng(svg));
    } else if (values.section === 'peer') {
      const { report, svg } = await benchPeer(
        database.db,
        config,
        { ...numbers, warmupSeconds: numbers.warmup },
        (line) => console.error(line),
      );
      sections.push(
        '## studygraph and PostGraphile v5 on the same data needs',
        report,
        '![latency per data need](peer.png)',
      );
      await writeFile(path.join(RESULTS, 'peer.svg'), svg);
      await writeFile(path.join(RESULTS, 'peer.png'), toPng(svg));
    } else if (values.section === 'analytics') {
      const gateway = await createGateway(config, logger);
      try {
        await gateway.app.listen({ host: '127.0.0.1', port: 0 });
        const address = gateway.app.server.address();
        if (!address || typeof address === 'string') throw new Error('no port');
        const table = await benchAnalytics(gateway, `http://127.0.0.1:${address.port}`, config, numbers);
        sections.push('## Analytics (cold: no response cache in the path; client in the same process)', table);
      } finally {
        await gateway.close();
      }
    } else {
      throw new Error(`unknown --section ${values.section}\n${USAGE}`);
    }
  } finally {
    await database.destroy();
  }
  const report = `${sections.join('\n\n')}\n`;
  console.log(report);
  await writeFile(path.join(RESULTS, `${values.section}.md`), report);
  console.log(
    `wrote bench/results/${values.section}.md${values.section === 'operations' || values.section === 'peer' ? ` and ${values.section}.png` : ''}`,
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
