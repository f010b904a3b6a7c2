import { parseArgs } from 'node:util';
import { signAccessToken } from '../auth/tokens';
import { openDatabase } from '../db/database';
import { EmbeddedDatabaseBusyError } from '../db/embedded-lock';
import { DEMO_USERS } from '../seed/scales';
import { runCli } from './run';

// npm run token -- --email analyst@example.com [--ttl 3600]
runCli(async (config, logger) => {
  const { values } = parseArgs({ options: { email: { type: 'string' }, ttl: { type: 'string' } } });
  if (!values.email) throw new Error('--email is required, e.g. npm run token -- --email analyst@example.com');
  if (config.jwt.jwksUrl && config.jwt.secretIsDevelopmentDefault) {
    throw new Error(
      'JWT_JWKS_URL is set: tokens come from that identity provider. Set JWT_SECRET as well to mint HS256 tokens here.',
    );
  }
  const email = values.email.trim().toLowerCase();
  const ttl = values.ttl === undefined ? config.jwt.ttlSeconds : Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1)
    throw new Error(`--ttl must be a positive number of seconds, got "${values.ttl}"`);
  if (ttl > config.jwt.maxTtlSeconds)
    throw new Error(
      `--ttl may be at most JWT_MAX_TTL_SECONDS (${config.jwt.maxTtlSeconds}); the gateway refuses longer-lived tokens`,
    );

  let database;
  try {
    database = await openDatabase(config, logger);
  } catch (error) {
    // While `npm start` holds the embedded database, the demo users (fixed ids) can still get tokens.
    const demo = Object.values(DEMO_USERS).find((user) => user.email === email);
    if (error instanceof EmbeddedDatabaseBusyError && demo) {
      console.log(await signAccessToken(demo, config.jwt, ttl));
      return;
    }
    throw error;
  }
  try {
    const user = await database.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', email)
      .executeTakeFirst();
    if (!user) throw new Error(`No user with email ${values.email}. Seed the database first (npm run seed).`);
    console.log(await signAccessToken(user, config.jwt, ttl));
  } finally {
    await database.destroy();
  }
});
