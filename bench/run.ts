import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createGateway } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { benchAnalytics } from './analytics';

// npm run bench -- [--section analytics] [--organizations 50] [--rounds 3]
// Runs against the database of DATABASE_URL (seed it first: npm run seed -- --scale large).
async function main() {
  const { values } = parseArgs({
    options: {
      section: { type: 'string', default: 'analytics' },
      organizations: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const base = loadConfig();
  if (!base.databaseUrl) throw new Error('npm run bench needs DATABASE_URL (a seeded PostgreSQL); the embedded database is not what we measure.');
  const config = Object.freeze({ ...base, logLevel: 'warn' as const, autoMigrate: false, autoSeed: false, sandbox: false, teamProductivityRefreshMinutes: 0 });
  const gateway = await createGateway(config, createLogger(config));
  await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const address = gateway.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  try {
    const sections: string[] = [`# studygraph bench — ${new Date().toISOString()}`, `${os.cpus().length} cores, Node ${process.version}, database ${new URL(config.databaseUrl!).pathname.slice(1)}`];
    if (values.section === 'analytics') {
      const table = await benchAnalytics(gateway, baseUrl, config, { organizations: Number(values.organizations), rounds: Number(values.rounds) });
      sections.push('## Analytics (cold: no response cache in the path; client in the same process)', table);
    } else {
      throw new Error(`unknown --section ${values.section}`);
    }
    const report = sections.join('\n\n') + '\n';
    console.log(report);
    const dir = path.resolve(__dirname, '../../bench/results');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${values.section}.md`), report);
  } finally {
    await gateway.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
