import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../src/config';
import { openDatabase } from '../src/db/database';
import type { Logger } from '../src/observability/logger';
import { SEED_SCALES, type SeedScaleName } from '../src/seed/scales';
import { startGatewayProcess, type GatewayProcess } from './gateway-process';
import { findK6 } from './k6';
import { runCli } from '../src/cli/run';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPTS = ['smoke', 'load', 'stress', 'spike', 'soak', 'cache', 'rate-limit', 'subscriptions'];
const USAGE = `usage: npm run loadtest -- NAME [--local] [--url URL] [--env KEY=VALUE ...]
  NAME     one of ${SCRIPTS.join(', ')} (loadtests/NAME.js)
  --local  start the gateway here (on DATABASE_URL / REDIS_URL of this environment), wait for /readyz, stop it after
  --url    the gateway to test otherwise (default http://localhost:4000)
  --env    passed to k6 as -e KEY=VALUE (e.g. --env DURATION=30s --env USERS=200); SEED=small|medium|large names
           the seed the reports judge targets by (with --local it is read from the database unless given)`;

/**
 * Which seed the gateway will serve, by its users (the reports judge a target only on the seed it names).
 * An empty or unmigrated database gets the small seed when the gateway starts.
 */
async function seedOf(config: Config, logger: Logger): Promise<SeedScaleName> {
  const database = await openDatabase(config, logger);
  try {
    const row = await database.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('users'))
      .executeTakeFirst();
    const users = Number(row?.users ?? 0);
    return users >= SEED_SCALES.large.users ? 'large' : users >= SEED_SCALES.medium.users ? 'medium' : 'small';
  } catch {
    return 'small';
  } finally {
    await database.destroy();
  }
}

runCli(async (config, logger) => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      local: { type: 'boolean', default: false },
      url: { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
    },
  });
  const [name] = positionals;
  if (!name || positionals.length > 1 || !SCRIPTS.includes(name))
    throw new Error(`${name ? `unknown load test "${name}"\n` : ''}${USAGE}`);
  if (values.local && values.url) throw new Error('--local starts its own gateway; leave out --url');
  for (const pair of values.env)
    if (!/^[A-Z_][A-Z0-9_]*=/.test(pair)) throw new Error(`--env wants KEY=VALUE, got "${pair}"`);
  const k6 = findK6();

  let gateway: GatewayProcess | undefined;
  const seedGiven = values.env.some((pair) => pair.startsWith('SEED='));
  if (values.local) {
    if (!seedGiven) values.env.push(`SEED=${await seedOf(config, logger)}`);
    if (!config.databaseUrl)
      console.warn(
        'DATABASE_URL is not set: the gateway runs on the embedded database; its figures say nothing about PostgreSQL.',
      );
    // A database without users gets the small demo seed; a seeded one is left as it is. Every virtual user
    // connects from this machine's one address, so the per-address connection cap is off.
    gateway = await startGatewayProcess({
      AUTO_MIGRATE: 'on',
      AUTO_SEED: 'on',
      LOG_LEVEL: 'warn',
      TEAM_PRODUCTIVITY_REFRESH_MINUTES: '0',
      MAX_CONNECTIONS_PER_ADDRESS: '0',
    });
    console.log(`gateway started at ${gateway.url} (pid ${gateway.pid})`);
  }
  const baseUrl = gateway?.url ?? values.url ?? 'http://localhost:4000';
  // k6 sees our environment (JWT_SECRET included, to mint the seeded users' tokens) as __ENV.
  const args = [
    'run',
    '-e',
    `BASE_URL=${baseUrl}`,
    ...values.env.flatMap((pair) => ['-e', pair]),
    path.join('loadtests', `${name}.js`),
  ];
  let code: number | null;
  try {
    const run = spawn(k6, args, { cwd: ROOT, stdio: 'inherit' });
    [code] = (await once(run, 'exit')) as [number | null];
  } finally {
    const stopped = await gateway?.stop();
    if (gateway && stopped !== 0) console.warn(`the gateway exited with code ${stopped} when stopped`);
  }
  if (existsSync(path.join(ROOT, 'loadtests', 'results', `${name}.md`)))
    console.log(`report: loadtests/results/${name}.md and .json`);
  if (code !== 0) throw new Error(`k6 ${name} failed (exit code ${code}): see the thresholds above`);
});
