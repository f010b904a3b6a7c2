import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { withDeadline } from '../deadline';

export interface ResilientCacheOptions {
  /**
   * Longest a cache call may take before it counts as failed; absent for a store in this process, which
   * answers or throws at once (a timer per call would only cost every request).
   */
  timeoutMs?: number;
  /** After a failure, calls skip the store for this long (then one call probes it again). */
  cooldownMs: number;
  onError(operation: 'get' | 'set' | 'delete', error: unknown): void;
  /** Called once when the store answers again after failures. */
  onRecover(): void;
  /**
   * Whether the store's connection is up; a store known to be down is not asked (its client might try
   * to connect on the call). A call then fails at once, like any other failure.
   */
  connected?: () => boolean;
}

class StoreNotConnectedError extends Error {
  constructor() {
    super('the cache store is not connected');
    this.name = 'StoreNotConnectedError';
  }
}

/**
 * A cache that never fails a request: every call to a remote store has a deadline, errors and timeouts are misses, and
 * after a failure the store is left alone for a cooldown instead of being hammered. `healthy` tells
 * callers (x-cache: bypass) whether the store is in use right now.
 */
export class ResilientCache implements KeyValueCache<string> {
  private unavailableUntil = 0;
  private failing = false;

  constructor(
    private readonly store: KeyValueCache<string>,
    private readonly options: ResilientCacheOptions,
  ) {}

  get healthy(): boolean {
    return Date.now() >= this.unavailableUntil;
  }

  /** The value, undefined when absent, or null when the store could not be asked. */
  tryGet(key: string): Promise<string | undefined | null> {
    return this.attempt('get', () => this.store.get(key), null);
  }

  /** As tryGet for several keys under one deadline: null unless the store answered for all of them. */
  tryGetMany(keys: readonly string[]): Promise<(string | undefined)[] | null> {
    return this.attempt('get', () => Promise.all(keys.map((key) => this.store.get(key))), null);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.tryGet(key)) ?? undefined;
  }

  /** false when the value could not be written. */
  trySet(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<boolean> {
    return this.attempt('set', async () => (await this.store.set(key, value, options), true), false);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    await this.trySet(key, value, options);
  }

  delete(key: string): Promise<boolean | void> {
    return this.attempt('delete', async () => this.store.delete(key), false);
  }

  /** `call` under the deadline; `unavailable` when the store is cooling down, fails or is too slow. */
  private async attempt<T, U>(
    operation: 'get' | 'set' | 'delete',
    call: () => Promise<T>,
    unavailable: U,
  ): Promise<T | U> {
    if (!this.healthy) return unavailable;
    try {
      const result = await this.withDeadline(this.ask(call));
      this.succeeded();
      return result;
    } catch (error) {
      this.failed(operation, error);
      return unavailable;
    }
  }

  private ask<T>(call: () => Promise<T>): Promise<T> {
    return this.options.connected?.() === false ? Promise.reject(new StoreNotConnectedError()) : call();
  }

  private withDeadline<T>(promise: Promise<T>): Promise<T> {
    const { timeoutMs } = this.options;
    return timeoutMs === undefined ? promise : withDeadline(promise, timeoutMs, 'cache store');
  }

  private failed(operation: 'get' | 'set' | 'delete', error: unknown): void {
    this.failing = true;
    this.unavailableUntil = Date.now() + this.options.cooldownMs;
    this.options.onError(operation, error);
  }

  private succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.options.onRecover();
  }
}
