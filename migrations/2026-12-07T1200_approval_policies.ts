import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // An organization's rule for when a study in review is approved. No row: the default (one approval, from
  // any member who may review). Viewers never review, so they cannot be named.
  await sql`
    CREATE TABLE approval_policies (
      organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
      required_approvals integer NOT NULL DEFAULT 1 CHECK (required_approvals BETWEEN 1 AND 10),
      reviewer_roles text[] NOT NULL DEFAULT '{owner,admin,member}'
        CHECK (cardinality(reviewer_roles) BETWEEN 1 AND 3 AND reviewer_roles <@ ARRAY['owner', 'admin', 'member']::text[]),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid REFERENCES users (id) ON DELETE SET NULL
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS approval_policies`.execute(db);
}
