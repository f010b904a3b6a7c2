import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { decodeKeysetCursor, decodeOffsetCursor, encodeCursor, encodeOffsetCursor } from '../src/domain/pagination';

const badInput = (error: unknown) => error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT';

describe('cursors', () => {
  const id = '0b4c1a57-3f1e-4a8e-9c59-54a5e8d2d3a1';

  it('round-trip keyset values', () => {
    const date = new Date('2026-01-02T03:04:05.678Z');
    const cursor = encodeCursor('studies:created_at:desc', date, id);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeKeysetCursor(cursor, 'studies:created_at:desc', 'timestamp', 'uuid'), {
      orderKey: 'studies:created_at:desc',
      value: date.toISOString(),
      id,
    });
    assert.equal(decodeOffsetCursor(encodeOffsetCursor('search', 41), 'search'), 41);
  });

  it('refuse cursors of another order, forged values and garbage as BAD_USER_INPUT', () => {
    const other = encodeCursor('studies:title:asc', 'A title', id);
    assert.throws(() => decodeKeysetCursor(other, 'studies:created_at:desc', 'timestamp', 'uuid'), badInput);
    const wrongValue = encodeCursor('studies:created_at:desc', 'not a date', id);
    assert.throws(() => decodeKeysetCursor(wrongValue, 'studies:created_at:desc', 'timestamp', 'uuid'), badInput);
    const wrongId = encodeCursor('activity:created_at:desc', '2026-01-01T00:00:00Z', '12; DROP TABLE users');
    assert.throws(() => decodeKeysetCursor(wrongId, 'activity:created_at:desc', 'timestamp', 'bigint'), badInput);
    for (const garbage of [
      '',
      '%%%',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[2,"x",1,"y"]').toString('base64url'),
    ]) {
      assert.throws(
        () => decodeKeysetCursor(garbage, 'studies:created_at:desc', 'timestamp', 'uuid'),
        badInput,
        garbage,
      );
    }
    assert.throws(() => decodeOffsetCursor(encodeOffsetCursor('search', 10 ** 9), 'search'), badInput);
  });
});
