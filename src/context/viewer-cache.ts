import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { GenerationSnapshot, OrganizationGenerations } from '../cache/generations';
import { loadViewerRecord, type ViewerRecord } from '../db/viewer';
import type { Database } from '../db/types';
import { readsFromReplica } from './request-scope';

export interface ViewerCacheOptions {
  /** Viewers kept in this process. */
  maxEntries?: number;
  /** Longest a record is trusted without reading it again, for changes made outside the API (SQL by hand). */
  ttlMs?: number;
}

interface Entry {
  record: ViewerRecord;
  /** Read from the read replica (DATABASE_READ_URL), which may lag the primary. */
  fromReplica: boolean;
  /** The user's membership generation the record was read under. */
  generation: string;
  /** The record's organizations, sorted: their generations are read with the user's. */
  organizationIds: string[];
}

export interface LoadedViewer {
  record: ViewerRecord;
  /** Read from the read replica: a request that reads the primary does not take its rows as current. */
  fromReplica: boolean;
  /**
   * The generations of the record's organizations, read in the same store round trip as the check of a
   * kept record (the response cache keys with them); absent when the record came from the database.
   */
  generations?: GenerationSnapshot;
}

/**
 * Viewer records (user and memberships) kept in process, so that a request needs no SQL before its first
 * loader. A record is used only while the user's membership generation in the shared store is the one it
 * was read under: a membership change bumps it (see the member mutations), and every process reads the
 * record again on that user's next request. Without the store (outage) nothing is trusted: the record is
 * read from the database, as it is for requests that may write, which are authorised against fresh roles.
 */
export class ViewerCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly generations: OrganizationGenerations,
    options: ViewerCacheOptions = {},
  ) {
    this.entries = new LRUCache({ max: options.maxEntries ?? 10_000, ttl: options.ttlMs ?? 60_000 });
  }

  async load(userId: string, { fresh }: { fresh: boolean }): Promise<LoadedViewer | null> {
    if (fresh) return this.fromDatabase(userId, null);
    const cached = this.entries.get(userId);
    const read = await this.generations.readViewer(userId, cached?.organizationIds ?? []);
    if (read === null) return this.fromDatabase(userId, null);
    if (cached && cached.generation === read.user)
      return { record: cached.record, fromReplica: cached.fromReplica, generations: read.snapshot };
    return this.fromDatabase(userId, read.user);
  }

  /** Reads the record; keeps it when the generation it was read under is known (null: not known). */
  private async fromDatabase(userId: string, generation: string | null): Promise<LoadedViewer | null> {
    const fromReplica = readsFromReplica();
    const record = await loadViewerRecord(this.db, userId);
    if (!record) {
      this.entries.delete(userId);
      return null;
    }
    if (generation !== null) {
      const organizationIds = [...new Set(record.memberships.map((m) => m.organization_id))].sort();
      this.entries.set(userId, { record, fromReplica, generation, organizationIds });
    }
    return { record, fromReplica };
  }
}
