import { UUID_PATTERN } from '../../schema/input-limits';

/**
 * What a committed write tells subscribers: ids only. Every field a subscriber sees is resolved again with
 * its own rights and loaders, so an event never carries data one tenant could leak to another.
 */
export interface ActivityEvent {
  /** The collaboration_activity row (bigint, as text): the event and its resume cursor. */
  readonly id: string;
  readonly organizationId: string;
  readonly studyId: string | null;
  readonly type: string;
  /** The row's created_at, ISO 8601. */
  readonly createdAt: string;
  /** For approval_requested: the reviewer asked, whose approvalRequests subscription it reaches. */
  readonly reviewerId?: string;
  /** The users the entry notified (notifications rows written with it), whose notifications subscription it reaches. */
  readonly notified?: readonly string[];
  /** When the write's transaction committed and the event left (ms since the epoch): delivery latency starts here. */
  readonly publishedAt: number;
}

/** Most users one entry notifies that its event names (a comment on a study with more collaborators tells the rest by the stored rows only). */
export const MAX_NOTIFIED_PER_EVENT = 100;

/** Channels an event goes out on: its organization's, the reviewer's for an approval request, each notified user's. */
export const organizationChannel = (organizationId: string) => `org:${organizationId}`;
export const userChannel = (userId: string) => `user:${userId}`;

export function channelsOf(event: ActivityEvent): string[] {
  const users = new Set([...(event.reviewerId ? [event.reviewerId] : []), ...(event.notified ?? [])]);
  return [organizationChannel(event.organizationId), ...[...users].map(userChannel)];
}

/** An event as it came over Redis; anything malformed is null (dropped and counted by the caller). */
export function parseActivityEvent(text: string): ActivityEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Record<string, unknown>;
  const ok =
    typeof e.id === 'string' &&
    /^\d{1,19}$/.test(e.id) &&
    typeof e.organizationId === 'string' &&
    UUID_PATTERN.test(e.organizationId) &&
    (e.studyId === null || (typeof e.studyId === 'string' && UUID_PATTERN.test(e.studyId))) &&
    typeof e.type === 'string' &&
    typeof e.createdAt === 'string' &&
    typeof e.publishedAt === 'number' &&
    (e.reviewerId === undefined || (typeof e.reviewerId === 'string' && UUID_PATTERN.test(e.reviewerId))) &&
    (e.notified === undefined ||
      (Array.isArray(e.notified) &&
        e.notified.length <= MAX_NOTIFIED_PER_EVENT &&
        e.notified.every((id) => typeof id === 'string' && UUID_PATTERN.test(id))));
  return ok ? (e as unknown as ActivityEvent) : null;
}
