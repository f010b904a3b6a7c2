import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anyUuid, selectByShape } from '../loaders/sql';
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
    const build = (keys: readonly string[]) => gateway.db.selectFrom('users').select('id').where('id', '=', anyUuid(keys)).limit(limit);
    const settings = { batch: true, verifyShapes: true };
    await selectByShape(gateway.db, settings, 'test:drift', users(1, 2), build);
    await selectByShape(gateway.db, settings, 'test:drift', users(1, 2), build);
    limit = 2;
    await assert.rejects(selectByShape(gateway.db, settings, 'test:drift', users(1, 2), build), /statement shape "test:drift" changed/);
  });

  it('the gateway checks its own shapes outside production: pages of different arguments and organizations answer right', async () => {
    assert.notEqual(gateway.config.env, 'production');
    const token = await gateway.tokenFor('analyst@example.com');
    const page = (first: number) =>
      gateway.graphql(`{ organizations(first: 3) { edges { node { slug studies(first: ${first}) { edges { node { id collaborators { role } } } } } } } }`, {
        token,
      });
    for (const first of [2, 3, 2]) {
      const response = await page(first);
      assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
      for (const edge of response.body.data.organizations.edges) assert.ok(edge.node.studies.edges.length <= first);
    }
  });
});
