import { parseArgs } from 'node:util';
import { signAccessToken } from '../auth';
import { openDatabase } from '../db/database';
import { runCli } from './run';

// npm run token -- --email analyst@example.com [--ttl 3600]
runCli(async (config, logger) => {
  const { values } = parseArgs({ options: { email: { type: 'string' }, ttl: { type: 'string' } } });
  if (!values.email) throw new Error('--email is required, e.g. npm run token -- --email analyst@example.com');
  const ttl = values.ttl === undefined ? config.jwt.ttlSeconds : Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1) throw new Error(`--ttl must be a positive number of seconds, got "${values.ttl}"`);
  const database = await openDatabase(config, logger);
  try {
    const user = await database.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', values.email.trim().toLowerCase())
      .executeTakeFirst();
    if (!user) throw new Error(`No user with email ${values.email}. Seed the database first (npm run seed).`);
    console.log(await signAccessToken(user, config.jwt, ttl));
  } finally {
    await database.destroy();
  }
});
