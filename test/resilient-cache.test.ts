import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { ResilientCache } from '../src/cache/resilient-cache';

function resilient(store: KeyValueCache<string>, errors: string[] = []) {
  return new ResilientCache(store, {
    timeoutMs: 50,
    cooldownMs: 60_000,
    onError: (operation) => errors.push(operation),
    onRecover() {},
  });
}

describe('ResilientCache: a store that fails or stalls is a miss, never an error', () => {
  it('tryGetMany reads several keys at once, undefined where absent', async () => {
    const store = new InMemoryLRUCache<string>();
    await store.set('a', 'A');
    await store.set('c', 'C');
    assert.deepEqual(await resilient(store).tryGetMany(['a', 'b', 'c']), ['A', undefined, 'C']);
  });

  it('a stalled key makes the whole read unavailable after one deadline, and the store is left alone for the cooldown', async () => {
    const store = new InMemoryLRUCache<string>();
    await store.set('a', 'A');
    const stalling: KeyValueCache<string> = {
      get: (key) => (key === 'slow' ? new Promise(() => {}) : store.get(key)),
      set: (key, value, options) => store.set(key, value, options),
      delete: (key) => store.delete(key),
    };
    const errors: string[] = [];
    const cache = resilient(stalling, errors);
    const started = Date.now();
    assert.equal(await cache.tryGetMany(['a', 'slow']), null);
    assert.ok(Date.now() - started < 1_000);
    assert.deepEqual(errors, ['get']);
    assert.equal(cache.healthy, false);
    assert.equal(await cache.tryGetMany(['a']), null, 'cooling down: not asked');
    assert.equal(await cache.trySet('a', 'B'), false);
    assert.deepEqual(errors, ['get'], 'calls during the cooldown are not failures of their own');
  });
});
