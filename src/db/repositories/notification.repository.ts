import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NotificationKind } from '../types';

/** What of an activity entry decides its notifications (an ActivityEntry; no import: the log imports this module). */
interface NotifiedEntry {
  organizationId: string;
  studyId: string | null;
  userId: string | null;
  type: string;
  details?: Record<string, unknown>;
}

/**
 * The notifications an activity entry makes, written in its transaction (so a user is told of a change only
 * if it was made): an approval requested tells its reviewer, a decision tells the requester, a comment tells
 * the study's collaborators; never the one who did it. One statement for the entry, none for other kinds.
 * Returns the users told (their notifications subscriptions hear of it once the write has committed).
 */
export async function notifyOf(
  trx: Transaction<Database>,
  entry: NotifiedEntry,
  activityId: string,
): Promise<string[]> {
  const kind: NotificationKind =
    entry.type === 'automation_notified' ? 'rule_notified' : (entry.type as NotificationKind);
  const recipients = recipientsOf(entry);
  if (!recipients) return [];
  const { rows } = await sql<{ user_id: string }>`
    INSERT INTO notifications (user_id, organization_id, activity_id, kind)
    SELECT DISTINCT recipient, ${entry.organizationId}::uuid, ${activityId}::bigint, ${kind}
    FROM (${recipients}) AS r (recipient)
    WHERE recipient IS NOT NULL AND recipient IS DISTINCT FROM ${entry.userId}::uuid
    RETURNING user_id`.execute(trx);
  return rows.map((row) => row.user_id);
}

/** Members of the named roles, and collaborators, one rule's NOTIFY action tells at most (each). */
const RULE_RECIPIENTS = 200;

function recipientsOf(entry: NotifiedEntry) {
  const details = entry.details ?? {};
  switch (entry.type) {
    case 'approval_requested':
      return typeof details.reviewerId === 'string' ? sql`SELECT ${details.reviewerId}::uuid` : null;
    case 'approval_decided':
      return typeof details.approvalId === 'string'
        ? sql`SELECT requested_by FROM approvals WHERE id = ${details.approvalId}::uuid`
        : null;
    case 'comment_added':
      return entry.studyId
        ? sql`SELECT user_id FROM study_collaborators WHERE study_id = ${entry.studyId}::uuid`
        : null;
    case 'automation_notified': {
      // A rule's NOTIFY action: members of the roles it names (the longest-standing first), and the study's
      // collaborators if it says so; at most RULE_RECIPIENTS of each, so a write's rules stay bounded work.
      const roles = Array.isArray(details.roles) ? details.roles.map(String) : [];
      const members = sql`(SELECT user_id FROM organization_members WHERE organization_id = ${entry.organizationId}::uuid AND role = ANY (${sql.val(roles)}::text[]) ORDER BY joined_at, user_id LIMIT ${RULE_RECIPIENTS})`;
      return details.collaborators === true && entry.studyId
        ? sql`${members} UNION (SELECT user_id FROM study_collaborators WHERE study_id = ${entry.studyId}::uuid ORDER BY added_at, user_id LIMIT ${RULE_RECIPIENTS})`
        : members;
    }
    default:
      return null;
  }
}

/** Marks some of a user's notifications read; returns how many changed (others' ids and read ones change nothing). */
export async function markNotificationsRead(
  db: Kysely<Database>,
  input: { userId: string; ids: readonly string[] },
): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: new Date() })
    .where('user_id', '=', input.userId)
    .where('id', '=', sql<string>`any(${sql.val([...input.ids])}::bigint[])`)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
