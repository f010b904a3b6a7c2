import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config';

describe('config', () => {
  it('has working defaults for a fresh machine', () => {
    const config = loadConfig({});
    assert.equal(config.port, 4000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.autoMigrate, true);
    assert.equal(config.autoSeed, true);
    assert.equal(config.jwt.secretIsDevelopmentDefault, true);
    assert.ok(Object.isFrozen(config));
  });

  it('names the variable that is wrong', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'eighty' }, /PORT/],
      [{ PORT: '70000' }, /PORT/],
      [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
      [{ DATABASE_URL: 'not a url' }, /DATABASE_URL/],
      [{ REDIS_URL: 'http://x' }, /REDIS_URL/],
      [{ NODE_ENV: 'staging' }, /NODE_ENV/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
      [{ JWT_SECRET: 'short' }, /JWT_SECRET/],
      [{ DATALOADER_BATCHING: 'maybe' }, /DATALOADER_BATCHING/],
      [{ WORKERS: '0' }, /WORKERS/],
      [{ WORKERS: '2' }, /WORKERS above 1 needs DATABASE_URL/],
      [{ DATABASE_READ_URL: 'postgres://replica/x' }, /DATABASE_READ_URL needs DATABASE_URL/],
      [{ DATABASE_URL: 'postgres://p/x', DATABASE_READ_URL: 'postgres://r/x', WORKERS: '2' }, /DATABASE_READ_URL with WORKERS above 1 needs REDIS_URL/],
    ];
    for (const [env, pattern] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
        JSON.stringify(env),
      );
    }
  });

  it('requires JWT_SECRET in production and turns development conveniences off there', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /JWT_SECRET is required/);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40), DATABASE_URL: 'postgres://localhost/x' });
    assert.equal(config.autoMigrate, false);
    assert.equal(config.autoSeed, false);
    assert.equal(config.sandbox, false);
    assert.equal(config.introspection, false);
    assert.equal(config.sqlCountHeader, false);
    assert.equal(config.workers, os.availableParallelism(), 'one worker per core in production');
    assert.equal(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40) }).workers, 1, 'the embedded database has one process');
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://localhost/x' }).workers, 1, 'one process in development');
  });
});
