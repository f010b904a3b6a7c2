import { UUID_PATTERN } from '../../schema/input-limits';

/** What a Node id names: a row of a UUID-keyed table, an activity entry, or a member or collaborator (user in a parent). */
export type ParsedNodeId =
  | { kind: 'uuid'; id: string }
  | { kind: 'activity'; id: string }
  | { kind: 'Member'; parentId: string; userId: string }
  | { kind: 'Collaborator'; parentId: string; userId: string }
  | { kind: 'Notification'; id: string };

type Pair = 'Member' | 'Collaborator';

/**
 * A membership (organization, user) or a collaboration (study, user) has no id of its own: its Node id is
 * the pair, opaque (base64url of `Member:<organization>:<user>`), so a client cannot mistake it for a UUID.
 */
export function pairNodeId(kind: Pair, parentId: string, userId: string): string {
  return Buffer.from(`${kind}:${parentId}:${userId}`).toString('base64url');
}

/** A notification's Node id: opaque (base64url of `Notification:<number>`), apart from an activity entry's number. */
export function notificationNodeId(id: string): string {
  return Buffer.from(`Notification:${id}`).toString('base64url');
}

/** Up to 18 digits: every such number fits a bigint, so a lookup never fails on the cast. */
const ACTIVITY_ID = /^[1-9][0-9]{0,17}$/;

/** What an id passed to node(id:) names, or null for one no object can have. */
export function parseNodeId(id: string): ParsedNodeId | null {
  if (UUID_PATTERN.test(id)) return { kind: 'uuid', id: id.toLowerCase() };
  if (ACTIVITY_ID.test(id)) return { kind: 'activity', id };
  if (id.length > 120 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const [kind, parentId, userId, ...rest] = Buffer.from(id, 'base64url').toString('latin1').split(':');
  if (kind === 'Notification')
    return userId === undefined && ACTIVITY_ID.test(parentId ?? '') ? { kind, id: parentId } : null;
  if ((kind !== 'Member' && kind !== 'Collaborator') || rest.length > 0) return null;
  if (!UUID_PATTERN.test(parentId ?? '') || !UUID_PATTERN.test(userId ?? '')) return null;
  return { kind, parentId: parentId.toLowerCase(), userId: userId.toLowerCase() };
}
