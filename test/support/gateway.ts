import type { Kysely } from 'kysely';
import { createGateway, type Gateway } from '../../src/app';
import { signAccessToken } from '../../src/auth/tokens';
import { loadConfig, type Config } from '../../src/config';
import type { Database } from '../../src/db/types';
import { createLogger } from '../../src/observability/logger';
import { seedDatabase } from '../../src/seed/seed';
import type { SeedScaleName } from '../../src/seed/scales';
import { createTestDatabase, type TestDatabase } from './database';

/** Fixed, so that seeded timestamps (and so every expectation) are the same on every run. */
/** What the test clients accept: the answer's media type of GraphQL over HTTP. */
export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json, application/json;q=0.9';

export const SEED_ANCHOR = new Date('2026-11-01T00:00:00Z');

export interface GraphQLResponse<TData = any> {
  status: number;
  headers: Headers;
  body: {
    data?: TData | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
    [key: string]: unknown;
  };
  sqlStatements: number;
}

export interface TestGateway {
  readonly url: string;
  readonly gateway: Gateway;
  readonly db: Kysely<Database>;
  readonly config: Config;
  graphql<TData = any>(
    query: string,
    options?: { variables?: Record<string, unknown>; token?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<TData>>;
  post(body: string, headers?: Record<string, string>): Promise<Response>;
  tokenFor(email: string): Promise<string>;
  userId(email: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  seed?: SeedScaleName | 'none';
  config?: Partial<Config>;
  /** A second process on the same database (needs DATABASE_URL): no seed, and the database stays. */
  shareDatabaseWith?: TestGateway;
}

/** A real gateway on a fresh database, listening on a free loopback port. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const base = loadConfig();
  let testDatabase: TestDatabase | undefined;
  try {
    const settings = Object.freeze({
      ...base,
      env: 'test',
      logLevel: 'silent',
      autoMigrate: true,
      autoSeed: false,
      sandbox: false,
      teamProductivityRefreshMinutes: 0,
      // Most suites change rows behind the API's back (SQL fixtures) and send requests faster than any
      // budget allows; the cache and rate-limit suites turn these on.
      responseCache: false,
      rateLimits: false,
      // Every test connects from 127.0.0.1, some with hundreds of requests at once (a connection each):
      // the per-address connection cap is for the suite that tests it.
      maxConnectionsPerAddress: 0,
      ...options.config,
      // A test that names its own server migrates there too, unless it names a migration server as well.
      ...(options.config?.databaseUrl && !options.config.databaseMigrationUrl
        ? { databaseMigrationUrl: options.config.databaseUrl }
        : {}),
    }) as Config;
    const shared = options.shareDatabaseWith;
    if (shared && !shared.config.databaseUrl) throw new Error('sharing a database needs DATABASE_URL');
    testDatabase = shared
      ? {
          config: Object.freeze({
            ...settings,
            databaseUrl: shared.config.databaseUrl,
            databaseMigrationUrl: shared.config.databaseMigrationUrl,
          }),
          drop: async () => undefined,
        }
      : await createTestDatabase(settings);
    const config = testDatabase.config;
    const logger = createLogger(config);
    const gateway = await createGateway(config, logger);
    if (!shared && (options.seed ?? 'small') !== 'none') {
      await seedDatabase(gateway.database.db, {
        scale: (options.seed ?? 'small') as SeedScaleName,
        anchor: SEED_ANCHOR,
      });
    }
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    const address = gateway.app.server.address();
    if (!address || typeof address === 'string') throw new Error('gateway did not bind a TCP port');
    const url = `http://127.0.0.1:${address.port}`;
    const db = gateway.database.db;
    const dropDatabase = testDatabase.drop;

    const userId = async (email: string) =>
      (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

    return {
      url,
      gateway,
      db,
      config,
      async graphql(query, { variables, token, headers } = {}) {
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            // The media type GraphQL over HTTP defines (request errors are 4xx under it); under plain
            // application/json they are 200 (see test/graphql-over-http.test.ts).
            accept: GRAPHQL_RESPONSE_JSON,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...headers,
          },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await response.json()) as GraphQLResponse['body'];
        return {
          status: response.status,
          headers: response.headers,
          body,
          sqlStatements: Number(response.headers.get('x-sql-statements')),
        };
      },
      post(body, headers = {}) {
        return fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE_JSON, ...headers },
          body,
        });
      },
      async tokenFor(email) {
        const user = await db
          .selectFrom('users')
          .select(['id', 'email'])
          .where('email', '=', email)
          .executeTakeFirstOrThrow();
        return signAccessToken(user, config.jwt);
      },
      userId,
      async close() {
        await gateway.close();
        await dropDatabase();
      },
    };
  } catch (error) {
    await testDatabase?.drop().catch(() => undefined);
    throw error;
  }
}

/** A member of an organization with the given role, from the seed, other than the analyst (and `except`), with a token. */
export async function memberWithRole(
  gateway: TestGateway,
  organizationId: string,
  role: string,
  except: string[] = [],
): Promise<{ id: string; email: string; token: string }> {
  const row = await gateway.db
    .selectFrom('organization_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email'])
    .where('m.organization_id', '=', organizationId)
    .where('m.role', '=', role as any)
    .where('u.email', 'not in', ['analyst@example.com', ...except])
    .orderBy('u.email')
    .executeTakeFirstOrThrow();
  return { ...row, token: await gateway.tokenFor(row.email) };
}

/** The single error of a response, failing loudly when there is none or several. */
export function onlyError(response: GraphQLResponse): { message: string; extensions?: Record<string, any> } {
  const errors = response.body.errors ?? [];
  if (errors.length !== 1) throw new Error(`expected exactly one error, got ${JSON.stringify(response.body)}`);
  return errors[0];
}

/** Fails with the whole body when the response has errors. */
export function dataOf<TData = any>(response: GraphQLResponse<TData>): TData {
  if (response.body.errors?.length || !response.body.data)
    throw new Error(`unexpected errors: ${JSON.stringify(response.body)}`);
  return response.body.data;
}
