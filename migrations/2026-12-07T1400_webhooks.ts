import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // An organization's webhooks: which activity types are POSTed where, signed with the secret (HMAC-SHA256;
  // the secret must be kept to sign, and is shown to the admin who creates the webhook only then).
  await sql`
    CREATE TABLE webhooks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      url text NOT NULL,
      events text[] NOT NULL,
      secret text NOT NULL,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // The activity insert finds the webhooks an entry goes to (organization, type) in its own statement.
  await sql`CREATE INDEX webhooks_organization_idx ON webhooks (organization_id, created_at, id)`.execute(db);
  // The delivery log: one row per attempt, written when the attempt has an outcome.
  await sql`
    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
      event_id text NOT NULL,
      event_type text NOT NULL,
      body text NOT NULL,
      attempt integer NOT NULL,
      redelivery boolean NOT NULL DEFAULT false,
      succeeded boolean NOT NULL,
      response_code integer,
      duration_ms integer NOT NULL,
      error text,
      next_retry_at timestamptz,
      attempted_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_page_idx ON webhook_deliveries (webhook_id, attempted_at DESC, id DESC)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS webhook_deliveries`.execute(db);
  await sql`DROP TABLE IF EXISTS webhooks`.execute(db);
}
