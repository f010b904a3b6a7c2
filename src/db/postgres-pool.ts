import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';

/**
 * Names for prepared statements, by SQL text: the loaders' statements have a fixed text per shape (ids
 * travel as one array parameter), so each connection parses and plans a shape once and then only binds.
 */
const statementNames = new LRUCache<string, string>({
  max: 5000,
  // Folded statements run to several KB of text each: the texts kept are bounded in bytes too.
  maxSize: 8 * 1024 * 1024,
  sizeCalculation: (name, text) => 2 * (text.length + name.length) + 64,
});
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined)
    statementNames.set(text, (name = `sg_${createHash('sha1').update(text).digest('base64url')}`));
  return name;
}

/**
 * A pg pool client as Kysely uses it (Kysely's own `PostgresPoolClient` seam): every statement is answered
 * through pg's callback into a promise of ours, and, with `prepared`, every parameterised one is sent as a
 * named (prepared) statement. pg's own promise for a callback-less query kept each result's rows alive
 * through the young-generation collections that followed: in a micro-benchmark (32 queries in flight on ten
 * clients), 3.4% of all allocations were promoted that way against 0.3% through a callback (see
 * docs/architecture.md, objects dying young). pg itself, and every other user of the pool, is untouched.
 */
class CallbackAnsweredClient implements PostgresPoolClient {
  constructor(
    private readonly client: PoolClient,
    private readonly prepared: boolean,
  ) {}

  /** Kysely reads the backend's process id from pg's client to cancel a statement. */
  get processID(): number | undefined {
    return (this.client as PoolClient & { processID?: number }).processID;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    statement: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // A cursor (Kysely's streaming) submits itself: pg answers it as before.
    if (typeof statement !== 'string') return this.client.query(statement as never);
    const values = parameters ? [...parameters] : [];
    const config: QueryConfig =
      this.prepared && values.length > 0
        ? { text: statement, values, name: statementName(statement) }
        : { text: statement, values };
    return new Promise((resolve, reject) =>
      this.client.query(config, (error: Error | undefined, result: QueryResult) =>
        error ? reject(error) : resolve(result as unknown as PostgresQueryResult<R>),
      ),
    );
  }

  release(destroy?: boolean): void {
    this.client.release(destroy);
  }
}

/**
 * Kysely's `PostgresPool` over a pg pool, handing out CallbackAnsweredClient. One wrapper per pg client for
 * its whole life: Kysely keeps its connection objects by client, and a new wrapper per checkout would
 * grow that map with every statement.
 */
export class CallbackAnsweredPool implements PostgresPool {
  private readonly wrappers = new WeakMap<PoolClient, CallbackAnsweredClient>();

  constructor(
    readonly pool: Pool,
    private readonly prepared: boolean,
  ) {}

  /** pg-pool's client class: Kysely opens a control connection of it to cancel a statement. */
  get Client(): PostgresPool['Client'] {
    return (this.pool as Pool & { Client?: PostgresPool['Client'] }).Client;
  }

  get options(): object {
    return this.pool.options;
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    let wrapper = this.wrappers.get(client);
    if (!wrapper) this.wrappers.set(client, (wrapper = new CallbackAnsweredClient(client, this.prepared)));
    return wrapper;
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
