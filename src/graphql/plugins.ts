import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { OrganizationGenerations } from '../cache/generations';
import {
  allowListPlugin,
  loadOperationManifest,
  registeredOperationNames,
  type OperationManifest,
} from '../cache/persisted-queries';
import type { ResilientCache } from '../cache/resilient-cache';
import { createResponseCachePlugins } from '../cache/response-cache';
import { staticCacheControlPlugin } from '../cache/static-cache-control';
import type { Config } from '../config';
import type { GatewayContext } from '../context/context';
import type { RecentWriters } from '../db/recent-writers';
import type { Metrics } from '../observability/metrics';
import { requestMetricsPlugin } from '../observability/request-metrics-plugin';
import type { Admission } from '../rate-limit/admission';
import { costLimitPlugin } from '../rate-limit/plugin';
import { subscriptionsOverWebSocketOnlyPlugin } from '../realtime/websocket';
import { dataStatusPlugin } from './data-status-plugin';
import { readYourWritesPlugin } from './read-your-writes-plugin';
import { noNulInVariablesPlugin } from './text-input';

export interface GatewayPluginOptions {
  /** What `/graphql` shows a browser (the HTTP stage's choice: src/http/landing-page.ts). */
  landingPage: ApolloServerPlugin;
  cache: ResilientCache;
  /** The cache store is shared between processes (Redis). */
  cacheShared: boolean;
  generations: OrganizationGenerations;
  metrics: Metrics;
  /** Charges and refusals, shared with the WebSocket transport. */
  admission: Admission;
  /** Present with a read replica (DATABASE_READ_URL). */
  recentWriters?: RecentWriters;
  /** PERSISTED_QUERIES=only: the operations that may run. */
  registeredOperations?: OperationManifest;
}

/**
 * The gateway's Apollo plugins, in the order they run. Order matters where Apollo asks plugins in turn:
 * responseForOperation goes plugin by plugin until one answers, so `cost` (whose dry run, rateLimit(dryRun:
 * true), prices and runs nothing else) must come before `responseCache`, which could serve a stored answer.
 * Other stages start every plugin's hook in this order and await them together: the static cache policy is
 * set in didResolveOperation, before any responseForOperation or willSendResponse reads it; a refusal thrown
 * by any didResolveOperation (NUL in variables, the allow-list, the cost maximum, the budget) stops the
 * request before execution. Plugins share no state but the request's context (its `cost`).
 */
export const PLUGIN_ORDER = [
  'landingPage',
  'cacheControlDisabled',
  'staticCacheControl',
  'dataStatus',
  'requestMetrics',
  'noNulInVariables',
  'subscriptionsOverWebSocketOnly',
  'readYourWrites',
  'cost',
  'allowList',
  'responseCache',
] as const;

export type PluginName = (typeof PLUGIN_ORDER)[number];

/** Each plugin by name; absent where the configuration turns it off. */
function pluginsByName(
  config: Config,
  options: GatewayPluginOptions,
): Record<PluginName, ApolloServerPlugin<GatewayContext>[]> {
  return {
    landingPage: [options.landingPage],
    // Hints come from the schema once per document (staticCacheControlPlugin), not from a wrapper around every resolver.
    cacheControlDisabled: [ApolloServerPluginCacheControlDisabled()],
    staticCacheControl: [staticCacheControlPlugin()],
    dataStatus: [dataStatusPlugin()],
    requestMetrics: [
      requestMetricsPlugin({
        metrics: options.metrics,
        registeredOperationNames: registeredOperationNames(loadOperationManifest()),
      }),
    ],
    noNulInVariables: [noNulInVariablesPlugin()],
    subscriptionsOverWebSocketOnly: [subscriptionsOverWebSocketOnlyPlugin()],
    readYourWrites: options.recentWriters ? [readYourWritesPlugin({ recentWriters: options.recentWriters })] : [],
    cost: [
      costLimitPlugin({
        admission: options.admission,
        maxPersistedQueryBytes: config.persistedQueryMaxBytes,
        metrics: options.metrics,
      }),
    ],
    allowList: options.registeredOperations ? [allowListPlugin({ manifest: options.registeredOperations })] : [],
    responseCache: createResponseCachePlugins({
      enabled: config.responseCache,
      cache: options.cache,
      shared: options.cacheShared,
      localMaxBytes: config.responseCacheMaxBytes,
      generations: options.generations,
      metrics: options.metrics,
      rebumpAfterMs: config.databaseReadUrl ? config.readYourWritesSeconds * 1000 : undefined,
    }),
  };
}

/** The plugins in PLUGIN_ORDER. */
export function gatewayPlugins(config: Config, options: GatewayPluginOptions): ApolloServerPlugin<GatewayContext>[] {
  const byName = pluginsByName(config, options);
  return PLUGIN_ORDER.flatMap((name) => byName[name]);
}
