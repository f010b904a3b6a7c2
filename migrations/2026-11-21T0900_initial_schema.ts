import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);

  await sql`
    CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.updated_at := now();
      RETURN NEW;
    END
    $$`.execute(db);

  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE organizations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 64),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'team', 'enterprise')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE organization_members (
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
      joined_at timestamptz NOT NULL DEFAULT now(),
      invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
      PRIMARY KEY (organization_id, user_id)
    )`.execute(db);

  await sql`
    CREATE TABLE studies (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      description text CHECK (length(description) <= 10000),
      status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'active', 'in_review', 'approved', 'completed', 'archived')),
      created_by uuid NOT NULL REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', coalesce(description, '')), 'B')
      ) STORED,
      CHECK ((status = 'completed') <= (completed_at IS NOT NULL))
    )`.execute(db);
  await sql`
    CREATE TRIGGER studies_set_updated_at BEFORE UPDATE ON studies
    FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(db);

  await sql`
    CREATE TABLE study_collaborators (
      study_id uuid NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('owner', 'editor', 'reviewer', 'viewer')),
      permissions text[] NOT NULL DEFAULT '{}',
      added_at timestamptz NOT NULL DEFAULT now(),
      added_by uuid REFERENCES users (id) ON DELETE SET NULL,
      PRIMARY KEY (study_id, user_id)
    )`.execute(db);

  await sql`
    CREATE TABLE comments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      study_id uuid NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
      author_id uuid NOT NULL REFERENCES users (id),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      created_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      resolved_by uuid REFERENCES users (id),
      CHECK ((resolved_at IS NULL) = (resolved_by IS NULL))
    )`.execute(db);

  await sql`
    CREATE TABLE approvals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      study_id uuid NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
      requested_by uuid NOT NULL REFERENCES users (id),
      reviewer_id uuid NOT NULL REFERENCES users (id),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
      requested_at timestamptz NOT NULL DEFAULT now(),
      decided_at timestamptz,
      CHECK ((status = 'pending') = (decided_at IS NULL))
    )`.execute(db);

  await sql`
    CREATE TABLE collaboration_activity (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      study_id uuid REFERENCES studies (id) ON DELETE CASCADE,
      user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      activity_type text NOT NULL CHECK (activity_type ~ '^[a-z]+(_[a-z]+)*$'),
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // Covering indexes for the API's list and lookup shapes.
  await sql`CREATE INDEX organization_members_user_idx ON organization_members (user_id, organization_id, role) INCLUDE (joined_at, invited_by)`.execute(
    db,
  );
  await sql`CREATE INDEX organization_members_org_role_idx ON organization_members (organization_id, role) INCLUDE (user_id, joined_at)`.execute(
    db,
  );
  await sql`CREATE INDEX study_collaborators_study_idx ON study_collaborators (study_id, user_id, role) INCLUDE (permissions, added_at, added_by)`.execute(
    db,
  );
  await sql`CREATE INDEX study_collaborators_user_idx ON study_collaborators (user_id, role) INCLUDE (study_id, permissions, added_at)`.execute(
    db,
  );
  await sql`CREATE INDEX collaboration_activity_study_idx ON collaboration_activity (study_id, created_at DESC, activity_type) INCLUDE (user_id, details)`.execute(
    db,
  );
  await sql`CREATE INDEX studies_org_status_idx ON studies (organization_id, status, created_at DESC) INCLUDE (title, created_by)`.execute(
    db,
  );

  // Indexes for the pages the gateway serves (keyset order = index order).
  await sql`CREATE INDEX organization_members_org_joined_idx ON organization_members (organization_id, joined_at, user_id)`.execute(
    db,
  );
  await sql`CREATE INDEX studies_org_created_idx ON studies (organization_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX studies_org_updated_idx ON studies (organization_id, updated_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX studies_search_idx ON studies USING gin (search_vector)`.execute(db);
  await sql`CREATE INDEX studies_title_trgm_idx ON studies USING gin (title gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX comments_study_created_idx ON comments (study_id, created_at, id)`.execute(db);
  await sql`CREATE INDEX approvals_study_requested_idx ON approvals (study_id, requested_at, id)`.execute(db);
  await sql`CREATE INDEX collaboration_activity_org_created_idx ON collaboration_activity (organization_id, created_at DESC)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'collaboration_activity',
    'approvals',
    'comments',
    'study_collaborators',
    'studies',
    'organization_members',
    'organizations',
    'users',
  ]) {
    await db.schema.dropTable(table).ifExists().cascade().execute();
  }
  await sql`DROP FUNCTION IF EXISTS set_updated_at()`.execute(db);
}
