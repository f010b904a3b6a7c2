import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // Adding someone by email invites the address: the person joins when they accept, signed in as a user
  // with that email. The admin's answer is the same whether or not the address has an account.
  await sql`
    CREATE TABLE organization_invitations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
      invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      responded_at timestamptz,
      CHECK ((status = 'pending') = (responded_at IS NULL))
    )`.execute(db);
  // One open invitation per address and organization (inviting again renews it); the invitee's list is read by address.
  await sql`CREATE UNIQUE INDEX organization_invitations_pending_idx ON organization_invitations (organization_id, email) WHERE status = 'pending'`.execute(
    db,
  );
  await sql`CREATE INDEX organization_invitations_email_idx ON organization_invitations (email, created_at) WHERE status = 'pending'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS organization_invitations`.execute(db);
}
