import { hash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import { Kind, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Mutations that write only what no cached answer holds (a user's own notifications, never cached). */
const UNCACHED_WRITES: ReadonlySet<string> = new Set(['markNotificationsRead']);
import type { GatewayContext, Viewer } from '../context/context';
import type { Metrics } from '../observability/metrics';
import { resultCostOf } from '../rate-limit/plugin';
import { CachedData, decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer';
import type { GenerationSnapshot, OrganizationGenerations } from './generations';
import { PrintedDocuments } from './printed-documents';
import { readsTeamProductivity } from './team-productivity-reads';
import type { ResilientCache } from './resilient-cache';
import { annotateSpan } from '../observability/tracing';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

interface RequestCacheState {
  outcome: CacheOutcome;
  /** The entry's key, once the request has looked it up (a miss is stored under it). */
  key: string | null;
  /** Seconds since a hit was computed (the Age header). */
  age: number | null;
}

export interface ResponseCachePluginOptions {
  enabled: boolean;
  /** The shared store (Redis or the process's LRU); unhealthy means bypass. */
  cache: ResilientCache;
  /** The store is Redis: answers are written there for the other processes, besides being kept here. */
  shared: boolean;
  /** Bytes of answers kept in this process. */
  localMaxBytes: number;
  generations: OrganizationGenerations;
  metrics: Metrics;
  /** With a read replica: bump again once replication has caught up (READ_YOUR_WRITES_SECONDS). */
  rebumpAfterMs?: number;
}

const ENTRY_PREFIX = 'fqc:';

/**
 * The response cache. An answer is keyed by: the operation printed from its parsed document (formatting
 * and comments do not matter), its name and variables, the viewer (everything in the schema is PRIVATE,
 * so an answer is only ever served to the user it was computed for), the viewer's role in and the current
 * generation of each of their organizations, the global epoch, and, for an operation that reads team
 * productivity (decided once per document), the generation a refresh bumps. A write bumps generations, so no key
 * computed after it matches an entry from before it: answers kept in this process are exactly as current
 * as those in Redis, and a hit needs one store round trip (the generations, read with the kept viewer)
 * and no statement; the answer is written out from its stored JSON text without being executed, parsed
 * or serialised again. Uncacheable documents (by their static policy) skip the store altogether.
 */
export function createResponseCachePlugins(options: ResponseCachePluginOptions): ApolloServerPlugin<GatewayContext>[] {
  const { cache, generations, metrics } = options;
  const states = new WeakMap<GatewayContext, RequestCacheState>();
  const printed = new PrintedDocuments();
  const teamProductivityReaders = new WeakMap<OperationDefinitionNode, boolean>();
  const local = new LRUCache<string, CachedAnswer>({
    maxSize: options.localMaxBytes,
    sizeCalculation: (answer, key) => answer.data.json.length + key.length + 200,
  });
  const stateOf = (rc: GraphQLRequestContext<GatewayContext>) => {
    let state = states.get(rc.contextValue);
    if (!state) states.set(rc.contextValue, (state = { outcome: 'bypass', key: null, age: null }));
    return state;
  };
  const readsTeamProductivityOf = (rc: GraphQLRequestContext<GatewayContext>) => {
    // No operation or document to tell from: assume it does (a needless miss is the safe mistake).
    if (!rc.operation || !rc.document) return true;
    let reads = teamProductivityReaders.get(rc.operation);
    if (reads === undefined)
      teamProductivityReaders.set(rc.operation, (reads = readsTeamProductivity(rc.schema, rc.document, rc.operation)));
    return reads;
  };
  const keyOf = (
    rc: GraphQLRequestContext<GatewayContext>,
    viewer: Viewer,
    organizationIds: string[],
    snapshot: GenerationSnapshot,
  ) =>
    ENTRY_PREFIX +
    // One-shot hashing: a Hash object per request cost a few per cent of a cache hit's CPU.
    hash(
      'sha256',
      JSON.stringify([
        printed.textOf(rc.queryHash, rc.document, rc.source),
        rc.operationName ?? null,
        rc.request.variables ?? {},
        viewer.id,
        snapshot.epoch,
        readsTeamProductivityOf(rc) ? snapshot.teamProductivity : null,
        organizationIds.map((id) => [id, viewer.roles.get(id), snapshot.organizations[id]]),
      ]),
      'hex',
    );
  const lookUp = async (key: string): Promise<CachedAnswer | undefined> => {
    const kept = local.get(key);
    if (kept || !options.shared) return kept;
    const text = await cache.get(key);
    if (text === undefined) return undefined;
    const answer = decodeAnswer(text);
    if (!answer) metrics.cacheErrors.inc({ operation: 'corrupt' });
    else local.set(key, answer, { ttl: Math.max(1, answer.cacheTime + answer.maxAge * 1000 - Date.now()) });
    return answer;
  };

  const outcomeHeader: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          const state = states.get(rc.contextValue);
          const outcome: CacheOutcome = state?.outcome ?? 'bypass';
          rc.response.http.headers.set('x-cache', outcome);
          annotateSpan({ 'studygraph.cache': outcome });
          if (outcome === 'hit' && state?.age !== null && state?.age !== undefined)
            rc.response.http.headers.set('age', String(state.age));
          metrics.cacheRequests.inc({ result: outcome });
        },
      };
    },
  };
  if (!options.enabled) return [outcomeHeader];

  const responseCache: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async responseForOperation(rc) {
          const viewer = rc.contextValue.viewer;
          // Anonymous answers are not kept (PRIVATE, no session); the static policy says what can be.
          if (
            rc.operation?.operation !== OperationTypeNode.QUERY ||
            !viewer ||
            !rc.overallCachePolicy.policyIfCacheable()
          )
            return null;
          const organizationIds = [...viewer.roles.keys()].sort();
          const kept = rc.contextValue.generations;
          // Read with the kept viewer record, whose organizations these are; should one lack a generation, an
          // answer keyed without it could be an old one: read them all instead.
          const snapshot =
            kept && organizationIds.every((id) => Object.hasOwn(kept.organizations, id))
              ? kept
              : await generations.read(organizationIds);
          if (snapshot === null || !cache.healthy) return null;
          const state = stateOf(rc);
          state.outcome = 'miss';
          state.key = keyOf(rc, viewer, organizationIds, snapshot);
          const answer = await lookUp(state.key);
          if (!answer) return null;
          const ageMs = Date.now() - answer.cacheTime;
          if (ageMs >= answer.maxAge * 1000) return null;
          state.outcome = 'hit';
          state.age = Math.round(ageMs / 1000);
          rc.metrics.responseCacheHit = true;
          return {
            body: { kind: 'single', singleResult: { data: answer.data as unknown as Record<string, unknown> } },
            http: { status: undefined, headers: new HeaderMap() },
          };
        },
        async willSendResponse(rc) {
          const state = states.get(rc.contextValue);
          if (state?.outcome !== 'miss' || !state.key || rc.response.body.kind !== 'single') return;
          const { data, errors } = rc.response.body.singleResult;
          const policy = rc.overallCachePolicy.policyIfCacheable();
          const cost = resultCostOf(rc);
          if (errors || !data || !policy || cost === undefined || !cache.healthy) return;
          const answer: CachedAnswer = {
            data: new CachedData(JSON.stringify(data), cost),
            cacheTime: Date.now(),
            maxAge: policy.maxAge,
            scope: policy.scope,
          };
          local.set(state.key, answer, { ttl: policy.maxAge * 1000 });
          if (options.shared) void cache.set(state.key, encodeAnswer(answer), { ttl: policy.maxAge });
        },
      };
    },
  };

  // After a mutation returns, nothing cached before it may be read: bump the generations of every
  // organization the viewer could have written to, before the response leaves. A document of mutations that
  // write only what no answer is cached with (a user's notifications, maxAge 0) bumps nothing: marking read
  // would otherwise empty the cache of every member of the viewer's organizations.
  const invalidateAfterMutations: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          if (rc.operation?.operation !== OperationTypeNode.MUTATION || !rc.contextValue.viewer) return;
          if (
            rc.operation.selectionSet.selections.every(
              (selection) => selection.kind === Kind.FIELD && UNCACHED_WRITES.has(selection.name.value),
            )
          )
            return;
          const organizationIds = [...rc.contextValue.viewer.roles.keys()];
          await generations.bumpOrganizations(organizationIds);
          // Another member may read the replica's older rows during the lag and cache them under the
          // new generation; a second bump after the window retires those entries.
          if (options.rebumpAfterMs)
            setTimeout(() => void generations.bumpOrganizations(organizationIds), options.rebumpAfterMs).unref();
        },
      };
    },
  };

  return [invalidateAfterMutations, responseCache, outcomeHeader];
}
