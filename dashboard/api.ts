import manifest from '../schema/operations/manifest.json';

/** The saved operations (schema/operations) this page runs, by operation name → file. */
const FILES = {
  Dashboard: 'dashboard.graphql',
  Trends: 'trends.graphql',
  Contributors: 'contributors.graphql',
  StudiesByStatus: 'studies-by-status.graphql',
  OrganizationActivity: 'organization-activity.graphql',
  RefreshTeamProductivity: 'refresh-team-productivity.graphql',
  AnalyticsChanged: 'analytics-changed.graphql',
  PeriodComparison: 'period-comparison.graphql',
  Team: 'team.graphql',
  Workflow: 'workflow.graphql',
  WorkflowWebhooks: 'workflow-webhooks.graphql',
  RedeliverWebhookDelivery: 'redeliver-webhook-delivery.graphql',
  MarkNotificationsRead: 'mark-notifications-read.graphql',
  NotificationsChanged: 'notifications-changed.graphql',
} as const;

/** Writes: sent as POST (GET carries queries only). */
const WRITES: ReadonlySet<OperationName> = new Set([
  'RefreshTeamProductivity',
  'RedeliverWebhookDelivery',
  'MarkNotificationsRead',
]);

export type OperationName = keyof typeof FILES;

export interface SavedOperation {
  hash: string;
  query: string;
}

export function savedOperation(name: OperationName): SavedOperation {
  const entry = Object.entries(manifest.operations).find(([, operation]) => operation.file === FILES[name]);
  if (!entry) throw new Error(`${FILES[name]} is not in schema/operations/manifest.json`);
  return { hash: entry[0], query: entry[1].query };
}

/** Why an operation gave no data, in the terms the page shows. */
export type ProblemKind = 'signed-out' | 'forbidden' | 'rate-limited' | 'unavailable' | 'failed';

export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
}

function problemOf(status: number, headers: Headers, body: GraphQLBody<unknown> | undefined): ApiProblem {
  const error = body?.errors?.[0];
  const code = error?.extensions?.code;
  const message = error?.message ?? `The gateway answered ${status}.`;
  if (status === 401 || code === 'UNAUTHENTICATED') return new ApiProblem('signed-out', message);
  if (code === 'FORBIDDEN' || status === 403) return new ApiProblem('forbidden', message);
  if (status === 429 || code === 'RATE_LIMITED') {
    const retryAfter = Number(headers.get('retry-after') ?? error?.extensions?.retryAfterSeconds ?? 60);
    return new ApiProblem('rate-limited', message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 60);
  }
  if (status === 503 || code === 'SERVICE_UNAVAILABLE') return new ApiProblem('unavailable', message);
  return new ApiProblem('failed', message);
}

async function send(
  token: string,
  name: OperationName,
  variables: Record<string, unknown>,
  operation: SavedOperation,
  withText: boolean,
): Promise<Response> {
  const extensions = { persistedQuery: { version: 1, sha256Hash: operation.hash } };
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' };
  // Queries by hash go as GET, revalidated every time (`no-cache`): an answer the browser kept costs a
  // 304 when still current (the gateway's ETags), and a signal's refetch never gets a stale copy.
  if (!withText && !WRITES.has(name)) {
    const params = new URLSearchParams({
      operationName: name,
      variables: JSON.stringify(variables),
      extensions: JSON.stringify(extensions),
    });
    return fetch(`/graphql?${params}`, { headers, cache: 'no-cache' });
  }
  const body = { operationName: name, variables, extensions, ...(withText ? { query: operation.query } : {}) };
  return fetch('/graphql', {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function bodyOf<T>(response: Response): Promise<GraphQLBody<T> | undefined> {
  try {
    return (await response.json()) as GraphQLBody<T>;
  } catch {
    return undefined;
  }
}

/**
 * Runs a saved operation by its hash (so it works under PERSISTED_QUERIES=only). A gateway that has not
 * seen the hash yet (automatic persisted queries) is sent the text once, as Apollo's clients do.
 */
export async function runOperation<T>(
  token: string,
  name: OperationName,
  variables: Record<string, unknown>,
): Promise<T> {
  const operation = savedOperation(name);
  let response: Response;
  let body: GraphQLBody<T> | undefined;
  try {
    response = await send(token, name, variables, operation, false);
    body = await bodyOf<T>(response);
    if (body?.errors?.some((error) => error.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) {
      response = await send(token, name, variables, operation, true);
      body = await bodyOf<T>(response);
    }
  } catch {
    throw new ApiProblem('unavailable', 'The gateway cannot be reached.');
  }
  if (!response.ok || !body?.data || body.errors?.length) throw problemOf(response.status, response.headers, body);
  return body.data;
}
