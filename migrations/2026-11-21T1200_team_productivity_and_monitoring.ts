import { Kysely, sql } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // Analytics reads an organization's comments and approvals by time. Through studies that is one index
  // probe per study (500 per organization on the large seed, ~50 ms); with the organization on the row it
  // is one index range. Studies never change organization, so a trigger fills the column on insert.
  await sql`
    CREATE FUNCTION set_organization_from_study() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      SELECT organization_id INTO NEW.organization_id FROM studies WHERE id = NEW.study_id;
      RETURN NEW;
    END
    $$`.execute(db);
  for (const table of ['comments', 'approvals']) {
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE`.execute(
      db,
    );
    await sql`UPDATE ${sql.table(table)} t SET organization_id = s.organization_id FROM studies s WHERE s.id = t.study_id`.execute(
      db,
    );
    await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN organization_id SET NOT NULL`.execute(db);
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_set_organization`)} BEFORE INSERT ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION set_organization_from_study()`.execute(db);
  }
  await sql`CREATE INDEX comments_org_created_idx ON comments (organization_id, created_at) INCLUDE (resolved_at)`.execute(
    db,
  );
  await sql`CREATE INDEX comments_org_resolved_idx ON comments (organization_id, resolved_at) INCLUDE (created_at) WHERE resolved_at IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX approvals_org_decided_idx ON approvals (organization_id, decided_at) INCLUDE (requested_at) WHERE decided_at IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX collaboration_activity_org_created_user_idx ON collaboration_activity (organization_id, created_at) INCLUDE (user_id, activity_type)`.execute(
    db,
  );
  await sql`DROP INDEX collaboration_activity_org_created_idx`.execute(db);

  // Team figures over the last 90 days, as of `refreshed_at`. The unique index allows REFRESH ... CONCURRENTLY,
  // so readers are never blocked by a refresh.
  await sql`
    CREATE MATERIALIZED VIEW team_productivity AS
    SELECT o.id AS organization_id,
           coalesce(m.member_count, 0) AS member_count,
           coalesce(s.studies_created, 0) AS studies_created,
           coalesce(c.comments, 0) AS comments,
           coalesce(a.approvals_decided, 0) AS approvals_decided,
           CASE WHEN m.member_count > 0 THEN coalesce(s.studies_created, 0)::float8 / m.member_count END AS studies_per_member,
           CASE WHEN m.member_count > 0 THEN coalesce(c.comments, 0)::float8 / m.member_count END AS comments_per_member,
           90 AS period_days,
           now() AS refreshed_at
    FROM organizations o
    LEFT JOIN (SELECT organization_id, count(*)::int AS member_count FROM organization_members GROUP BY organization_id) m
      ON m.organization_id = o.id
    LEFT JOIN (SELECT organization_id, count(*)::int AS studies_created FROM studies
               WHERE created_at >= now() - interval '90 days' GROUP BY organization_id) s
      ON s.organization_id = o.id
    LEFT JOIN (SELECT organization_id, count(*)::int AS comments FROM comments
               WHERE created_at >= now() - interval '90 days' GROUP BY organization_id) c
      ON c.organization_id = o.id
    LEFT JOIN (SELECT organization_id, count(*)::int AS approvals_decided FROM approvals
               WHERE decided_at >= now() - interval '90 days' GROUP BY organization_id) a
      ON a.organization_id = o.id
    WITH DATA`.execute(db);
  await sql`CREATE UNIQUE INDEX team_productivity_organization_idx ON team_productivity (organization_id)`.execute(db);

  // Monitoring views an operator reads (README: "Reading the database's health").
  await sql`
    CREATE VIEW monitoring_index_usage AS
    SELECT relname AS table_name, indexrelname AS index_name, idx_scan AS scans, idx_tup_read AS tuples_read,
           idx_tup_fetch AS tuples_fetched, pg_relation_size(indexrelid) AS size_bytes
    FROM pg_stat_user_indexes
    ORDER BY idx_scan, pg_relation_size(indexrelid) DESC`.execute(db);
  await sql`
    CREATE VIEW monitoring_table_scans AS
    SELECT relname AS table_name, seq_scan AS sequential_scans, seq_tup_read AS rows_read_sequentially,
           coalesce(idx_scan, 0) AS index_scans, n_live_tup AS live_rows,
           CASE WHEN seq_scan + coalesce(idx_scan, 0) > 0
                THEN round(100.0 * seq_scan / (seq_scan + coalesce(idx_scan, 0)), 1) END AS sequential_scan_percent
    FROM pg_stat_user_tables
    ORDER BY seq_tup_read DESC`.execute(db);
  // Slow statements need pg_stat_statements: created where the server offers it and we may install it,
  // skipped (with a notice) elsewhere, e.g. on the embedded database or for a non-superuser.
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') THEN
        CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
        CREATE VIEW monitoring_slow_queries AS
        SELECT queryid, calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 2) AS mean_ms,
               round(max_exec_time::numeric, 2) AS max_ms, rows, left(query, 500) AS query
        FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY mean_exec_time DESC
        LIMIT 50;
      ELSE
        RAISE NOTICE 'pg_stat_statements is not available: monitoring_slow_queries not created';
      END IF;
    EXCEPTION WHEN insufficient_privilege OR feature_not_supported OR undefined_file THEN
      RAISE NOTICE 'pg_stat_statements could not be installed (%): monitoring_slow_queries not created', SQLERRM;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP VIEW IF EXISTS monitoring_slow_queries`.execute(db);
  await sql`DROP VIEW IF EXISTS monitoring_table_scans`.execute(db);
  await sql`DROP VIEW IF EXISTS monitoring_index_usage`.execute(db);
  await sql`DROP MATERIALIZED VIEW IF EXISTS team_productivity`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS collaboration_activity_org_created_idx ON collaboration_activity (organization_id, created_at DESC)`.execute(
    db,
  );
  await sql`DROP INDEX IF EXISTS collaboration_activity_org_created_user_idx`.execute(db);
  for (const table of ['comments', 'approvals']) {
    await sql`DROP TRIGGER IF EXISTS ${sql.raw(`${table}_set_organization`)} ON ${sql.table(table)}`.execute(db);
    await sql`ALTER TABLE ${sql.table(table)} DROP COLUMN IF EXISTS organization_id`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS set_organization_from_study()`.execute(db);
}
