import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // An organization's rules: a trigger (an activity type, a status reached, or a study inactive for some
  // days), optional conditions, and actions, run in the transaction of the write that triggers them.
  await sql`
    CREATE TABLE automation_rules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      trigger_kind text NOT NULL CHECK (trigger_kind IN ('activity', 'status_reached', 'inactive')),
      trigger_activity_type text,
      trigger_status text,
      inactive_days integer,
      condition_statuses text[],
      actions jsonb NOT NULL,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // The activity insert finds the enabled rules of its organization in its own statement.
  await sql`CREATE INDEX automation_rules_organization_idx ON automation_rules (organization_id, created_at, id) WHERE enabled`.execute(
    db,
  );
  // When an inactivity rule last fired for a study, and the study's last entry (not a rule's) then: it fires
  // again only after an entry with a larger id (the log's order; timestamps are transaction starts).
  await sql`
    CREATE TABLE automation_rule_runs (
      rule_id uuid NOT NULL REFERENCES automation_rules (id) ON DELETE CASCADE,
      study_id uuid NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
      last_activity_id bigint,
      fired_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (rule_id, study_id)
    )`.execute(db);
  await sql`CREATE INDEX automation_rule_runs_study_idx ON automation_rule_runs (study_id)`.execute(db);
  // What a rule tells people of is a notification of its own kind.
  await sql`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`.execute(db);
  await sql`ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('approval_requested', 'approval_decided', 'comment_added', 'rule_notified'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM notifications WHERE kind = 'rule_notified'`.execute(db);
  await sql`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`.execute(db);
  await sql`ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('approval_requested', 'approval_decided', 'comment_added'))`.execute(
    db,
  );
  await sql`DROP TABLE IF EXISTS automation_rule_runs`.execute(db);
  await sql`DROP TABLE IF EXISTS automation_rules`.execute(db);
}
