import { randomUUID } from 'node:crypto';
import type { ResilientCache } from './resilient-cache';

/** Keeps the store tidy; correctness does not depend on it (a generation gone from the store is replaced, see readKeys). */
const GENERATION_TTL_SECONDS = 7 * 86400;
const EPOCH_KEY = 'gen:epoch';
const TEAM_PRODUCTIVITY_KEY = 'gen:team-productivity';
export const organizationGenerationKey = (organizationId: string) => `gen:org:${organizationId}`;
export const userGenerationKey = (userId: string) => `gen:user:${userId}`;

export interface GenerationSnapshot {
  epoch: string;
  /** Of the team_productivity figures: only answers that read them are keyed with it. */
  teamProductivity: string;
  organizations: Record<string, string>;
}

/**
 * Invalidation without scanning keys: every cached response is keyed with the current generation of each
 * organization the viewer belongs to (and a global epoch). A write replaces its organization's generation
 * with a fresh value, one SET, and every response keyed with the old one is never read again (it expires
 * by its TTL). If a bump cannot be written (store down), the epoch is replaced as soon as the store
 * answers again, so nothing cached before the outage is served after it.
 *
 * A generation missing from the store (never written, evicted, expired) is never read as a default value:
 * the reader writes a fresh one first and keys with it, so an answer stored before the key went missing
 * cannot be matched again (see readKeys for why no order of a reader and a writer breaks this).
 */
export class OrganizationGenerations {
  private epochBumpOwed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Fresh generations being written, so that concurrent readers of this process key with the same one. */
  private readonly pendingFills = new Map<string, Promise<string | null>>();

  constructor(
    private readonly store: ResilientCache,
    private readonly retryMs = 1000,
  ) {}

  /** The generations to key a response with; null when the store cannot be asked (then: bypass). */
  async read(organizationIds: readonly string[]): Promise<GenerationSnapshot | null> {
    const values = await this.readKeys([
      EPOCH_KEY,
      TEAM_PRODUCTIVITY_KEY,
      ...organizationIds.map(organizationGenerationKey),
    ]);
    if (!values) return null;
    const [epoch, teamProductivity] = values;
    return {
      epoch,
      teamProductivity,
      organizations: Object.fromEntries(organizationIds.map((id, i) => [id, values[i + 2]])),
    };
  }

  /**
   * In one store round trip: the generation of a user's memberships with the global epoch (what a kept
   * viewer record was read under) and the snapshot of the given organizations (the response cache's key).
   * Null when the store cannot be asked.
   */
  async readViewer(
    userId: string,
    organizationIds: readonly string[],
  ): Promise<{ user: string; snapshot: GenerationSnapshot } | null> {
    // With the epoch: a bump lost in an outage is made good by the epoch bump owed for it.
    const values = await this.readKeys([
      EPOCH_KEY,
      TEAM_PRODUCTIVITY_KEY,
      userGenerationKey(userId),
      ...organizationIds.map(organizationGenerationKey),
    ]);
    if (!values) return null;
    const [epoch, teamProductivity, user] = values;
    return {
      user: `${epoch}|${user}`,
      snapshot: {
        epoch,
        teamProductivity,
        organizations: Object.fromEntries(organizationIds.map((id, i) => [id, values[i + 3]])),
      },
    };
  }

  /**
   * Generation keys, after any epoch bump still owed; a missing one is filled with a fresh value, written
   * before this returns. Null when the store cannot be asked for (or given) all of them.
   *
   * Why a reader (generations → database → store the answer) never keys stale rows with a current
   * generation, whatever a writer (commit → bump) does meanwhile: a reader keys with a value that was in the
   * store before its database read began (it read it there, or wrote it there and awaited the write). For
   * its answer to be stale, a commit must fall after that database read began, and so after the value was
   * written; the commit's bump then replaces the value, and a later reader sees the bump's value or a newer
   * one — or none, if evicted, and then a fresh one. The old value can only come back if someone writes it
   * again, and every value is a random UUID written once, by the reader or writer that drew it. A fill may
   * land after (and overwrite) a bump; the filler reads the database after its fill landed, after the
   * commit, so what it stores under its value is current, and answers keyed with the bump's value are
   * merely never read.
   */
  private async readKeys(keys: string[]): Promise<string[] | null> {
    if (this.epochBumpOwed && !(await this.bumpEpoch())) return null;
    const values = await this.store.tryGetMany(keys);
    if (!values) return null;
    // Almost always all present: no promise is made then.
    if (values.every((value): value is string => value !== undefined)) return values;
    const filled = await Promise.all(
      values.map((value, i) => (value === undefined ? this.fill(keys[i]) : Promise.resolve(value))),
    );
    return filled.every((value): value is string => value !== null) ? filled : null;
  }

  /** A fresh generation for a key found missing; null if it could not be written (then nothing is keyed with it). */
  private fill(key: string): Promise<string | null> {
    let pending = this.pendingFills.get(key);
    if (!pending) {
      const value = randomUUID();
      pending = this.store
        .trySet(key, value, { ttl: GENERATION_TTL_SECONDS })
        .then((written) => (written ? value : null))
        .finally(() => this.pendingFills.delete(key));
      this.pendingFills.set(key, pending);
    }
    return pending;
  }

  /** A user's memberships changed: every process reads their viewer record again. */
  async bumpUser(userId: string): Promise<void> {
    await this.bump([userGenerationKey(userId)]);
  }

  async bumpOrganizations(organizationIds: Iterable<string>): Promise<void> {
    await this.bump([...new Set(organizationIds)].map(organizationGenerationKey));
  }

  /** The team_productivity view was refreshed: answers that read it (and only those) are retired. */
  async bumpTeamProductivity(): Promise<void> {
    await this.bump([TEAM_PRODUCTIVITY_KEY]);
  }

  private async bump(keys: string[]): Promise<void> {
    const results = await Promise.all(
      keys.map((key) => this.store.trySet(key, randomUUID(), { ttl: GENERATION_TTL_SECONDS })),
    );
    if (results.includes(false)) this.oweEpochBump();
  }

  /** Invalidates every cached response: what a bump lost in an outage is made good with. */
  private async bumpEpoch(): Promise<boolean> {
    const written = await this.store.trySet(EPOCH_KEY, randomUUID(), { ttl: GENERATION_TTL_SECONDS });
    if (written) this.epochBumpOwed = false;
    else this.oweEpochBump();
    return written;
  }

  /** Keeps trying in the background, so other processes stop serving pre-outage entries within ~retryMs. */
  private oweEpochBump(): void {
    this.epochBumpOwed = true;
    if (this.retryTimer) return;
    this.retryTimer = setInterval(() => {
      void this.bumpEpoch().then((written) => {
        if (written && this.retryTimer) {
          clearInterval(this.retryTimer);
          this.retryTimer = undefined;
        }
      });
    }, this.retryMs);
    this.retryTimer.unref();
  }

  stop(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = undefined;
  }
}
