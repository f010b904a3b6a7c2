import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // What a user is told of, written with the activity entry that tells it: an approval asked of them, a
  // decision on their request, a comment on a study they collaborate on. Private to the user.
  await sql`
    CREATE TABLE notifications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      activity_id bigint NOT NULL REFERENCES collaboration_activity (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('approval_requested', 'approval_decided', 'comment_added')),
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz
    )`.execute(db);
  // A user's page, newest first, and their unread count.
  await sql`CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC) INCLUDE (read_at)`.execute(
    db,
  );
  await sql`CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC, id DESC) WHERE read_at IS NULL`.execute(
    db,
  );
  // An organization's deletion cascades here.
  await sql`CREATE INDEX notifications_organization_idx ON notifications (organization_id)`.execute(db);
  await sql`CREATE INDEX notifications_activity_idx ON notifications (activity_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS notifications`.execute(db);
}
