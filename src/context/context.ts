import type { Kysely } from 'kysely';
import { createLoaders, type Loaders } from '../../loaders';
import type { LoaderSettings } from '../../loaders/loader-toolkit';
import { bearerToken, type TokenVerifier } from '../auth/tokens';
import type { Viewer } from '../auth/viewer';
import type { GenerationSnapshot, OrganizationGenerations } from '../cache/generations';
import type { Config } from '../config';
import type { RecentWriters } from '../db/recent-writers';
import type { Repositories } from '../db/repositories';
import type { Database, OrganizationPlan, OrganizationRole } from '../db/types';
import { unauthenticated } from '../graphql/errors';
import type { Logger } from '../observability/logger';
import { currentRequestScope } from './request-scope';
import type { ViewerCache } from './viewer-cache';
import type { Realtime } from '../realtime/realtime';
import type { Admission, RequestCost } from '../rate-limit/admission';
import type { WebhookQueue } from '../webhooks/webhook-queue';

/**
 * Singletons the resolvers need beside the loaders and repositories; built once at start-up. No database:
 * reads go through loaders, writes through repositories.
 */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  /** Cache invalidation for writes whose reach is wider than the viewer's organizations. */
  readonly generations: OrganizationGenerations;
  /** Token verification (HS256 secret and/or an identity provider's key set), built once. */
  readonly verifyToken: TokenVerifier;
  /** With a read replica: viewers who wrote recently, whose reads go to the primary. */
  readonly recentWriters?: RecentWriters;
  /** Viewer records kept in process, checked against the user's membership generation. */
  readonly viewers: ViewerCache;
  /** Batching on or off, and the metric each batch's size goes to. */
  readonly loaderSettings: LoaderSettings;
  /** Subscriptions' live side: the event bus and coalesced signals. */
  readonly realtime: Realtime;
  /** The one admission path of every transport: burst, points budget, charges and refusals. */
  readonly admission: Admission;
  /** Webhook events' queue (redelivery); absent on the embedded database, which has none. */
  readonly webhooks?: WebhookQueue;
}

export type { Viewer };

export interface GatewayContext {
  readonly viewer: Viewer | null;
  /** The caller's address: anonymous callers are rate-limited by it. */
  readonly clientIp: string;
  readonly loaders: Loaders;
  /** The writes (see createRepositories), bound to the database at start-up. */
  readonly repositories: Repositories;
  readonly services: Services;
  readonly requestId: string;
  /** The generations of the viewer's organizations when they were read with the kept viewer record (see ViewerCache). */
  readonly generations?: GenerationSnapshot;
  /** Set by admission once the operation is priced (src/rate-limit/plugin.ts); absent before, and for a failed document. */
  cost?: RequestCost;
}

export interface ContextRequest {
  authorization: string | string[] | undefined;
  requestId: string;
  clientIp: string;
}

/** What the contexts are assembled from, besides the services: the database the loaders read, the repositories. */
export interface ContextSources {
  readonly db: Kysely<Database>;
  readonly repositories: Repositories;
}

/**
 * Builds the per-request context: the viewer (from a verified bearer token), fresh loaders and the
 * repositories. A missing token gives an anonymous viewer; a bad one, or one whose user is gone, is
 * UNAUTHENTICATED.
 */
export async function createContext(
  services: Services,
  sources: ContextSources,
  request: ContextRequest,
): Promise<GatewayContext> {
  const { repositories } = sources;
  const token = bearerToken(request.authorization);
  if (token === null)
    return {
      viewer: null,
      clientIp: request.clientIp,
      loaders: createLoaders(sources.db, services.loaderSettings),
      repositories,
      services,
      requestId: request.requestId,
    };

  const userId = await services.verifyToken(token);
  const scope = currentRequestScope();
  if (scope) scope.authenticated = true;
  if (scope?.readsFromReplica && services.recentWriters && (await services.recentWriters.wroteRecently(userId)))
    scope.readsFromReplica = false;
  const loaded = await services.viewers.load(userId, { fresh: scope?.mayWrite ?? true });
  if (!loaded) throw unauthenticated('The user of this token no longer exists.');

  const { record } = loaded;
  const roles = new Map<string, OrganizationRole>();
  const plans = new Set<OrganizationPlan>();
  for (const membership of record.memberships) roles.set(membership.organization_id, membership.role);
  for (const organization of record.organizations) plans.add(organization.plan);
  // The viewer's rows answer their loaders without a statement (user, memberships, organization(id:/slug:)),
  // unless the record came from the lagging replica and this request reads the primary (a recent writer:
  // read-your-writes), which then reads the organizations afresh.
  const primeOrganizations = !loaded.fromReplica || scope?.readsFromReplica === true;
  const loaders = createLoaders(sources.db, services.loaderSettings, {
    users: [record.user],
    memberships: record.memberships,
    organizations: primeOrganizations ? record.organizations : [],
  });
  return {
    viewer: { id: record.user.id, email: record.user.email, roles, plans },
    clientIp: request.clientIp,
    loaders,
    repositories,
    services,
    requestId: request.requestId,
    generations: loaded.generations,
  };
}
