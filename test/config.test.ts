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

  it('reads a Redis Cluster and a migration server', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b:7001 ',
      DATABASE_URL: 'postgres://gw@pooler:6432/app',
      DB_SESSION_SETTINGS: 'role',
    });
    assert.deepEqual(config.redisClusterNodes, ['10.0.0.1:7000', 'redis-b:7001']);
    assert.equal(config.redisUrl, undefined);
    assert.equal(
      config.databaseMigrationUrl,
      'postgres://gw@pooler:6432/app',
      'migrations go to DATABASE_URL unless told otherwise',
    );
    assert.equal(config.dbSessionSettings, 'role');
    assert.equal(
      loadConfig({ DATABASE_URL: 'postgres://a/x', DATABASE_MIGRATION_URL: 'postgres://b/x' }).databaseMigrationUrl,
      'postgres://b/x',
    );
    assert.equal(loadConfig({}).dbSessionSettings, 'startup');
  });

  it('reads TRUST_PROXY as off, a hop count or a list of proxy addresses and ranges', () => {
    for (const off of [undefined, '', 'off', 'false', 'no', '0'])
      assert.equal(loadConfig({ TRUST_PROXY: off }).trustProxy, false, String(off));
    for (const one of ['on', 'true', 'yes', '1', 'ON'])
      assert.equal(loadConfig({ TRUST_PROXY: one }).trustProxy, 1, one);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 192.0.2.10 ,2001:db8::/32,loopback' }).trustProxy, [
      '10.0.0.0/8',
      '192.0.2.10',
      '2001:db8::/32',
      'loopback',
    ]);
    assert.ok(Object.isFrozen(loadConfig({ TRUST_PROXY: '10.0.0.1' }).trustProxy));
  });

  it('reads the HTTP deadlines and the connection cap', () => {
    const defaults = loadConfig({});
    assert.deepEqual(
      [defaults.httpRequestTimeoutMs, defaults.httpHeadersTimeoutMs, defaults.maxConnectionsPerAddress],
      [30_000, 10_000, 128],
    );
    const set = loadConfig({
      HTTP_REQUEST_TIMEOUT_MS: '5000',
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      MAX_CONNECTIONS_PER_ADDRESS: '0',
    });
    assert.deepEqual(
      [set.httpRequestTimeoutMs, set.httpHeadersTimeoutMs, set.maxConnectionsPerAddress],
      [5000, 2000, 0],
    );
    assert.equal(
      loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '4000' }).httpHeadersTimeoutMs,
      4000,
      'the headers default never exceeds the request deadline',
    );
  });

  it('names the variable that is wrong', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'eighty' }, /PORT/],
      [{ PORT: '70000' }, /PORT/],
      [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
      [{ DATABASE_URL: 'not a url' }, /DATABASE_URL/],
      [{ REDIS_URL: 'http://x' }, /REDIS_URL/],
      [{ REDIS_CLUSTER_NODES: 'redis://a:7000' }, /REDIS_CLUSTER_NODES must list host:port items/],
      [{ REDIS_CLUSTER_NODES: 'a:7000,b' }, /REDIS_CLUSTER_NODES must list host:port items, got "b"/],
      [{ REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://b' }, /REDIS_CLUSTER_NODES and REDIS_URL are exclusive/],
      [{ DATABASE_MIGRATION_URL: 'postgres://server/x' }, /DATABASE_MIGRATION_URL needs DATABASE_URL/],
      [{ DB_SESSION_SETTINGS: 'session' }, /DB_SESSION_SETTINGS/],
      [
        { DB_SESSION_SETTINGS: 'role', DATABASE_URL: 'postgres://pooler/app' },
        /DB_SESSION_SETTINGS is role, which needs DATABASE_URL with a user/,
      ],
      [{ NODE_ENV: 'staging' }, /NODE_ENV/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
      [{ JWT_SECRET: 'short' }, /JWT_SECRET/],
      [{ DATALOADER_BATCHING: 'maybe' }, /DATALOADER_BATCHING/],
      [{ WORKERS: '0' }, /WORKERS/],
      [{ WORKERS: '2' }, /WORKERS above 1 needs DATABASE_URL/],
      [{ DATABASE_READ_URL: 'postgres://replica/x' }, /DATABASE_READ_URL needs DATABASE_URL/],
      [
        { DATABASE_URL: 'postgres://p/x', DATABASE_READ_URL: 'postgres://r/x', WORKERS: '2' },
        /DATABASE_READ_URL with WORKERS above 1 needs REDIS_URL/,
      ],
      [
        { TRUST_PROXY: 'proxy.internal' },
        /TRUST_PROXY must be off, on, a hop count or a comma-separated list of proxy addresses/,
      ],
      [{ TRUST_PROXY: '10.0.0.1,' }, /TRUST_PROXY must be off, on/],
      [{ TRUST_PROXY: '10.0.0.0/33' }, /TRUST_PROXY must be off, on/],
      [{ TRUST_PROXY: '99' }, /TRUST_PROXY as a hop count must be between 0 and 32/],
      [{ HTTP_REQUEST_TIMEOUT_MS: '0' }, /HTTP_REQUEST_TIMEOUT_MS must be between 1000 and 600000/],
      [
        { HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' },
        /HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/,
      ],
      [{ MAX_CONNECTIONS_PER_ADDRESS: '-1' }, /MAX_CONNECTIONS_PER_ADDRESS must be a whole number/],
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
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 's'.repeat(40),
      DATABASE_URL: 'postgres://localhost/x',
    });
    assert.equal(config.autoMigrate, false);
    assert.equal(config.autoSeed, false);
    assert.equal(config.sandbox, false);
    assert.equal(config.introspection, false);
    assert.equal(config.sqlCountHeader, false);
    assert.equal(config.workers, os.availableParallelism(), 'one worker per core in production');
    assert.equal(
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40) }).workers,
      1,
      'the embedded database has one process',
    );
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://localhost/x' }).workers, 1, 'one process in development');
  });
});
