import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { OrganizationGenerations } from './cache/generations';
import { loadViewerRecord, type ViewerRecord } from './db/viewer';
import type { Database } from './db/types';

export interface ViewerCacheOptions {
  /** Viewers kept in this process. */
  maxEntries?: number;
  /** Longest a record is trusted without reading it again, for changes made outside the API (SQL by hand). */
  ttlMs?: number;
}

interface Entry {
  record: ViewerRecord;
  /** The user's membership generation the record was read under. */
  generation: string | undefined;
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

  async load(userId: string, { fresh }: { fresh: boolean }): Promise<ViewerRecord | null> {
    if (fresh) return loadViewerRecord(this.db, userId);
    const generation = await this.generations.readUser(userId);
    if (generation === null) return loadViewerRecord(this.db, userId);
    const cached = this.entries.get(userId);
    if (cached && cached.generation === generation) return cached.record;
    const record = await loadViewerRecord(this.db, userId);
    if (record) this.entries.set(userId, { record, generation });
    else this.entries.delete(userId);
    return record;
  }
}
