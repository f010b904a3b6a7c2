import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { anyUuid, SHAPE_CACHE_MAX_BYTES, selectByShape, shapeCacheBytes } from '../loaders/sql';
import { createLoaders } from '../loaders';
import { ACME } from './support/ids';
import { startTestGateway, type TestGateway } from './support/gateway';
import { seededId } from './support/ids';

describe('statements compiled once per shape (selectByShape)', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway();
  });
  after(async () => {
    await gateway.close();
  });

  const users = (...numbers: number[]) => numbers.map((n) => seededId('user', n));

  it('builds a shape once; later batches bind their own keys and get their own rows', async () => {
    let builds = 0;
    const build = (keys: readonly string[]) => {
      builds += 1;
      return gateway.db.selectFrom('users').select('id').where('id', '=', anyUuid(keys)).orderBy('id');
    };
    const settings = { batch: true, verifyShapes: false };
    const first = await selectByShape(gateway.db, settings, 'test:users', users(1), build);
    const second = await selectByShape(gateway.db, settings, 'test:users', users(2, 3), build);
    assert.deepEqual(
      first.map((row) => row.id),
      users(1),
    );
    assert.deepEqual(
      second.map((row) => row.id),
      users(2, 3).sort(),
    );
    assert.equal(builds, 1);
  });

  it('shapes kept are bounded in bytes, however many distinct and large ones clients cause', async () => {
    // 200 shapes of ~100 KB of text each (20 MB) against an 8 MB bound; the count bound (2000) alone keeps them all.
    const settings = { batch: true, verifyShapes: false };
    const filler = 'x'.repeat(50_000);
    for (let i = 0; i < 200; i += 1) {
      const rows = await selectByShape(gateway.db, settings, `test:large:${i}`, users(1), (keys) =>
        gateway.db
          .selectFrom('users')
          .select(sql<string>`${sql.lit(`${i}:${filler}`)}`.as('filler'))
          .where('id', '=', anyUuid(keys)),
      );
      assert.equal(rows.length, 1);
    }
    assert.ok(shapeCacheBytes(gateway.db) <= SHAPE_CACHE_MAX_BYTES, `${shapeCacheBytes(gateway.db)} bytes kept`);
    assert.ok(shapeCacheBytes(gateway.db) > SHAPE_CACHE_MAX_BYTES / 2, 'it still keeps what fits');
    // A client's cursors make shapes too (a page per cursor): they stay within the bound as well.
    const loaders = createLoaders(gateway.db, { batch: true });
    for (let i = 0; i < 50; i += 1) {
      const after = {
        orderKey: 'comments:created_at',
        value: new Date(Date.UTC(2020, 0, 1, 0, 0, i)).toISOString(),
        id: seededId('user', i + 1),
      };
      await loaders.commentsPage.load({
        parentId: ACME,
        args: {
          first: 5,
          after,
          backward: false,
          resolved: null,
          plan: { costly: ['body'], columns: null, joins: [{ field: 'author', costly: [], columns: null }] },
        },
      });
    }
    assert.ok(shapeCacheBytes(gateway.db) <= SHAPE_CACHE_MAX_BYTES);
  });

  it('a statement whose keys are not one parameter is built every time (never reused with stale values)', async () => {
    let builds = 0;
    const build = (keys: readonly string[]) => {
      builds += 1;
      return gateway.db
        .selectFrom('users')
        .select('id')
        .where('id', 'in', [...keys]);
    };
    const settings = { batch: true, verifyShapes: false };
    const first = await selectByShape(gateway.db, settings, 'test:in-list', users(1), build);
    const second = await selectByShape(gateway.db, settings, 'test:in-list', users(2), build);
    assert.deepEqual([first[0].id, second[0].id], users(1, 2));
    assert.equal(builds, 2);
  });

  it('outside production a builder that reads something its shape does not name is caught at the next reuse', async () => {
    let limit = 1;
    const build = (keys: readonly string[]) =>
      gateway.db.selectFrom('users').select('id').where('id', '=', anyUuid(keys)).limit(limit);
    const settings = { batch: true, verifyShapes: true };
    await selectByShape(gateway.db, settings, 'test:drift', users(1, 2), build);
    await selectByShape(gateway.db, settings, 'test:drift', users(1, 2), build);
    limit = 2;
    await assert.rejects(
      selectByShape(gateway.db, settings, 'test:drift', users(1, 2), build),
      /statement shape "test:drift" changed/,
    );
  });

  it('the gateway checks its own shapes outside production: pages of different arguments and organizations answer right', async () => {
    assert.notEqual(gateway.config.env, 'production');
    const token = await gateway.tokenFor('analyst@example.com');
    const page = (first: number) =>
      gateway.graphql(
        `{ organizations(first: 3) { edges { node { slug studies(first: ${first}) { edges { node { id collaborators { role } } } } } } } }`,
        {
          token,
        },
      );
    for (const first of [2, 3, 2]) {
      const response = await page(first);
      assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
      for (const edge of response.body.data.organizations.edges) assert.ok(edge.node.studies.edges.length <= first);
    }
  });
});
