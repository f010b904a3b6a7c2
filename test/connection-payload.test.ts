import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keysetOrder } from '../loaders/keyset-order';
import { LazyTotalConnection, toConnection } from '../resolvers/connection';

interface Row {
  id: string;
  title: string;
}

const ORDER = keysetOrder<Row>('title', {
  value: 's.title',
  id: 's.id',
  direction: 'asc',
  valueType: 'text',
  idType: 'uuid',
});
const ROWS: Row[] = [
  { id: '00000000-0000-4000-8000-000000000001', title: 'a' },
  { id: '00000000-0000-4000-8000-000000000002', title: 'b' },
];

/** Own properties defined by a getter or setter: what an object literal with `get x() {}` has. */
function ownAccessors(value: object): string[] {
  return Object.entries(Object.getOwnPropertyDescriptors(value))
    .filter(([, descriptor]) => descriptor.get !== undefined || descriptor.set !== undefined)
    .map(([name]) => name);
}

/*
 * Connections are built for every page of every request. An object literal with getters gives V8 new
 * accessor closures that it keeps in the old generation, so each request's rows and answer were promoted
 * instead of dying young (see resolvers/connection.ts): the lazy fields must stay getters of a class.
 */
describe('connection payloads', () => {
  it('have their lazy fields on the prototype, not as accessors of their own', () => {
    const connection = toConnection(
      { rows: ROWS, hasNextPage: true, hasPreviousPage: false },
      ORDER,
      (row) => ({ id: row.id }),
      () => Promise.resolve(2),
    );
    assert.deepEqual(ownAccessors(connection), []);
    assert.deepEqual(ownAccessors(connection.pageInfo), []);
    for (const edge of connection.edges) assert.deepEqual(ownAccessors(edge), []);
    const search = new LazyTotalConnection(
      [],
      { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      () => Promise.resolve(0),
    );
    assert.deepEqual(ownAccessors(search), []);
  });

  it('compute cursors and the total only when read, from the page they were built from', async () => {
    let counted = 0;
    const connection = toConnection(
      { rows: ROWS, hasNextPage: true, hasPreviousPage: true },
      ORDER,
      (row) => ({ id: row.id }),
      () => {
        counted += 1;
        return Promise.resolve(7);
      },
    );
    assert.equal(counted, 0, 'no count before totalCount is read');
    assert.equal(await connection.totalCount, 7);
    assert.equal(counted, 1);
    assert.deepEqual(
      connection.edges.map((edge) => edge.node),
      ROWS.map((row) => ({ id: row.id })),
    );
    assert.equal(connection.pageInfo.hasNextPage, true);
    assert.equal(connection.pageInfo.hasPreviousPage, true);
    assert.equal(connection.pageInfo.startCursor, connection.edges[0].cursor);
    assert.equal(connection.pageInfo.endCursor, connection.edges[1].cursor);
    assert.notEqual(connection.pageInfo.startCursor, connection.pageInfo.endCursor);
    const empty = toConnection(
      { rows: [], hasNextPage: false, hasPreviousPage: false },
      ORDER,
      (row: Row) => row,
      () => Promise.resolve(0),
    );
    assert.equal(empty.pageInfo.startCursor, null);
    assert.equal(empty.pageInfo.endCursor, null);
  });
});
