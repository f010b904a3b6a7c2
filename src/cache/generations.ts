import { randomUUID } from 'node:crypto';
import type { ResilientCache } from './resilient-cache';

/** Longer than any response's maxAge, so an entry never outlives the generation it was keyed with. */
const GENERATION_TTL_SECONDS = 7 * 86400;
const EPOCH_KEY = 'gen:epoch';
const organizationKey = (organizationId: string) => `gen:org:${organizationId}`;
const userKey = (userId: string) => `gen:user:${userId}`;

export interface GenerationSnapshot {
  epoch: string | null;
  organizations: Record<string, string | null>;
}

/**
 * Invalidation without scanning keys: every cached response is keyed with the current generation of each
 * organization the viewer belongs to (and a global epoch). A write replaces its organization's generation
 * with a fresh value, one SET, and every response keyed with the old one is never read again (it expires
 * by its TTL). If a bump cannot be written (store down), the epoch is replaced as soon as the store
 * answers again, so nothing cached before the outage is served after it.
 */
export class OrganizationGenerations {
  private epochBumpOwed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cache: ResilientCache,
    private readonly retryMs = 1000,
  ) {}

  /** The generations to key a response with; null when the store cannot be asked (then: bypass). */
  async read(organizationIds: readonly string[]): Promise<GenerationSnapshot | null> {
    const values = await this.readKeys([EPOCH_KEY, ...organizationIds.map(organizationKey)]);
    if (!values) return null;
    return {
      epoch: values[0] ?? null,
      organizations: Object.fromEntries(organizationIds.map((id, i) => [id, values[i + 1] ?? null])),
    };
  }

  /**
   * In one store round trip: the generation of a user's memberships with the global epoch (what a kept
   * viewer record was read under; undefined when neither was ever written) and the snapshot of the given
   * organizations (the response cache's key). Null when the store cannot be asked.
   */
  async readViewer(userId: string, organizationIds: readonly string[]): Promise<{ user: string | undefined; snapshot: GenerationSnapshot } | null> {
    // With the epoch: a bump lost in an outage is made good by the epoch bump owed for it.
    const values = await this.readKeys([EPOCH_KEY, userKey(userId), ...organizationIds.map(organizationKey)]);
    if (!values) return null;
    const [epoch, user] = values;
    return {
      user: epoch === undefined && user === undefined ? undefined : `${epoch ?? ''}|${user ?? ''}`,
      snapshot: { epoch: epoch ?? null, organizations: Object.fromEntries(organizationIds.map((id, i) => [id, values[i + 2] ?? null])) },
    };
  }

  /** Generation keys, after any epoch bump still owed; null when the store cannot be asked for all of them. */
  private async readKeys(keys: string[]): Promise<(string | undefined)[] | null> {
    if (this.epochBumpOwed && !(await this.bumpEpoch())) return null;
    return this.cache.tryGetMany(keys);
  }

  /** A user's memberships changed: every process reads their viewer record again. */
  async bumpUser(userId: string): Promise<void> {
    if (!(await this.cache.trySet(userKey(userId), randomUUID(), { ttl: GENERATION_TTL_SECONDS }))) this.oweEpochBump();
  }

  async bumpOrganizations(organizationIds: Iterable<string>): Promise<void> {
    const results = await Promise.all(
      [...new Set(organizationIds)].map((id) => this.cache.trySet(organizationKey(id), randomUUID(), { ttl: GENERATION_TTL_SECONDS })),
    );
    if (results.includes(false)) this.oweEpochBump();
  }

  /** Invalidates every cached response (for changes that touch all organizations). */
  async bumpEpoch(): Promise<boolean> {
    const written = await this.cache.trySet(EPOCH_KEY, randomUUID(), { ttl: GENERATION_TTL_SECONDS });
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
