import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { print } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from '../context';
import type { Metrics } from '../metrics';
import type { GenerationSnapshot, OrganizationGenerations } from './generations';
import type { ResilientCache } from './resilient-cache';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

/** Entries are JSON written by the response cache plugin; anything else under our prefix is a miss. */
class ValidatedEntries implements KeyValueCache<string> {
  constructor(
    private readonly inner: ResilientCache,
    private readonly onCorrupt: () => void,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const value = await this.inner.get(key);
    if (value === undefined) return undefined;
    try {
      const entry = JSON.parse(value) as { data?: unknown; cachePolicy?: { maxAge?: unknown }; cacheTime?: unknown };
      if (entry && typeof entry === 'object' && entry.data && typeof entry.cacheTime === 'number' && typeof entry.cachePolicy?.maxAge === 'number') {
        return value;
      }
    } catch {
      // falls through: not ours
    }
    this.onCorrupt();
    return undefined;
  }

  set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    return this.inner.set(key, value, options);
  }

  delete(key: string): Promise<boolean | void> {
    return this.inner.delete(key);
  }
}

interface RequestCacheState {
  outcome: CacheOutcome;
  generations: GenerationSnapshot | null;
}

/**
 * Apollo's response cache, keyed by: the operation printed from its parsed document (formatting and
 * comments do not matter), its name and variables, the viewer (PRIVATE entries), the viewer's role in
 * and the current generation of each of their organizations, and the global epoch. Everything in the
 * schema is PRIVATE, so a response is only ever served to the user it was computed for.
 */
export function createResponseCachePlugins(options: {
  enabled: boolean;
  cache: ResilientCache;
  generations: OrganizationGenerations;
  metrics: Metrics;
  /** With a read replica: bump again once replication has caught up (READ_YOUR_WRITES_SECONDS). */
  rebumpAfterMs?: number;
}): ApolloServerPlugin<GatewayContext>[] {
  const { cache, generations, metrics } = options;
  const states = new WeakMap<GatewayContext, RequestCacheState>();
  const printed = new LRUCache<string, string>({ max: 1000 });
  const stateOf = (rc: GraphQLRequestContext<GatewayContext>) => {
    let state = states.get(rc.contextValue);
    if (!state) states.set(rc.contextValue, (state = { outcome: 'bypass', generations: null }));
    return state;
  };
  const normalizedSource = (rc: GraphQLRequestContext<Record<string, any>>) => {
    const hash = rc.queryHash ?? '';
    let text = printed.get(hash);
    if (text === undefined) {
      text = rc.document ? print(rc.document) : rc.source ?? '';
      printed.set(hash, text);
    }
    return text;
  };

  const outcomeHeader: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          const outcome: CacheOutcome = rc.metrics.responseCacheHit ? 'hit' : (states.get(rc.contextValue)?.outcome ?? 'bypass');
          rc.response.http.headers.set('x-cache', outcome);
          metrics.cacheRequests.inc({ result: outcome });
        },
      };
    },
  };
  if (!options.enabled) return [outcomeHeader];

  const responseCache = responseCachePlugin<GatewayContext>({
    cache: new ValidatedEntries(cache, () => metrics.cacheErrors.inc({ operation: 'corrupt' })),
    sessionId: async (rc) => rc.contextValue.viewer?.id ?? null,
    extraCacheKeyData: async (rc) => {
      const viewer = rc.contextValue.viewer;
      const organizationIds = viewer ? [...viewer.roles.keys()].sort() : [];
      const snapshot = await generations.read(organizationIds);
      stateOf(rc).generations = snapshot;
      return {
        epoch: snapshot?.epoch ?? null,
        organizations: organizationIds.map((id) => [id, viewer!.roles.get(id), snapshot?.organizations[id] ?? null]),
      };
    },
    shouldReadFromCache: async (rc) => {
      const state = stateOf(rc);
      const usable = state.generations !== null && cache.healthy;
      state.outcome = usable ? 'miss' : 'bypass';
      return usable;
    },
    shouldWriteToCache: async (rc) => stateOf(rc).outcome === 'miss' && cache.healthy,
    generateCacheKey: (rc, keyData) =>
      createHash('sha256')
        .update(JSON.stringify({ ...(keyData as Record<string, unknown>), source: normalizedSource(rc) }))
        .digest('hex'),
  });

  // After a mutation returns, nothing cached before it may be read: bump the generations of every
  // organization the viewer could have written to, before the response leaves.
  const invalidateAfterMutations: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          if (rc.operation?.operation !== 'mutation' || !rc.contextValue.viewer) return;
          const organizationIds = [...rc.contextValue.viewer.roles.keys()];
          await generations.bumpOrganizations(organizationIds);
          // Another member may read the replica's older rows during the lag and cache them under the
          // new generation; a second bump after the window retires those entries.
          if (options.rebumpAfterMs) setTimeout(() => void generations.bumpOrganizations(organizationIds), options.rebumpAfterMs).unref();
        },
      };
    },
  };

  return [invalidateAfterMutations, responseCache, outcomeHeader];
}
