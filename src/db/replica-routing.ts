import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type TransactionSettings,
} from 'kysely';
import type { Logger } from '../observability/logger';

/**
 * A dialect over two PostgreSQL dialects: statements go to the read replica when `readsFromReplica()`
 * says so at the moment a connection is taken, and to the primary otherwise. The decision is per
 * connection, so a transaction stays on the server it began on. A replica that cannot give a connection
 * sends the read to the primary instead (logged), so losing the replica costs capacity, not answers.
 */
export class ReplicaRoutingDialect implements Dialect {
  constructor(
    private readonly primary: Dialect,
    private readonly replica: Dialect,
    private readonly readsFromReplica: () => boolean,
    private readonly logger: Logger,
  ) {}

  createDriver(): Driver {
    return new ReplicaRoutingDriver(
      this.primary.createDriver(),
      this.replica.createDriver(),
      this.readsFromReplica,
      this.logger,
    );
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter() {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}

/** After the replica fails to give a connection, reads skip it this long (then one read tries again). */
const REPLICA_RETRY_AFTER_MS = 5000;

class ReplicaRoutingDriver implements Driver {
  private readonly owners = new WeakMap<DatabaseConnection, Driver>();
  private replicaDownUntil = 0;

  constructor(
    private readonly primary: Driver,
    private readonly replica: Driver,
    private readonly readsFromReplica: () => boolean,
    private readonly logger: Logger,
  ) {}

  async init(): Promise<void> {
    await Promise.all([this.primary.init(), this.replica.init()]);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.readsFromReplica() && Date.now() >= this.replicaDownUntil) {
      try {
        return this.own(await this.replica.acquireConnection(), this.replica);
      } catch (error) {
        this.replicaDownUntil = Date.now() + REPLICA_RETRY_AFTER_MS;
        this.logger.warn(
          { err: error },
          `read replica unavailable: reading from the primary for the next ${REPLICA_RETRY_AFTER_MS / 1000} s`,
        );
      }
    }
    return this.own(await this.primary.acquireConnection(), this.primary);
  }

  private own(connection: DatabaseConnection, driver: Driver): DatabaseConnection {
    this.owners.set(connection, driver);
    return connection;
  }

  private ownerOf(connection: DatabaseConnection): Driver {
    const owner = this.owners.get(connection);
    if (!owner) throw new Error('connection not acquired through the replica router');
    return owner;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.ownerOf(connection).beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.ownerOf(connection).commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.ownerOf(connection).rollbackTransaction(connection);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.ownerOf(connection).releaseConnection(connection);
    this.owners.delete(connection);
  }

  async destroy(): Promise<void> {
    await Promise.all([this.primary.destroy(), this.replica.destroy()]);
  }
}
