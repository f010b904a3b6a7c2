import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../src/config';
import { openDatabase, type DatabaseHandle } from '../src/db/database';
import { migrateDown, migrateToLatest } from '../src/db/migrator';
import { createLogger } from '../src/observability/logger';
import { seedDatabase } from '../src/seed/seed';
import { DEMO_USERS } from '../src/seed/scales';
import { createTestDatabase, type TestDatabase } from './support/database';
import { SEED_ANCHOR } from './support/gateway';

async function tables(database: DatabaseHandle): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(
    database.db,
  );
  return result.rows.map((r) => r.table_name);
}

async function fingerprint(database: DatabaseHandle): Promise<string> {
  const result = await sql<{ digest: string }>`
    SELECT md5(
      (SELECT string_agg(id::text || email || name || created_at, ',' ORDER BY id) FROM users) ||
      (SELECT string_agg(organization_id::text || ':' || user_id || role, ',' ORDER BY organization_id, user_id) FROM organization_members) ||
      (SELECT string_agg(id::text || title || status || created_by || created_at, ',' ORDER BY id) FROM studies) ||
      (SELECT string_agg(id::text || author_id || body || coalesce(resolved_at::text, '-'), ',' ORDER BY id) FROM comments) ||
      (SELECT string_agg(study_id::text || ':' || user_id || role, ',' ORDER BY study_id, user_id) FROM study_collaborators) ||
      (SELECT count(*) || ':' || md5(string_agg(id::text || activity_type || coalesce(study_id::text, '') || created_at, ',' ORDER BY id)) FROM collaboration_activity)
    ) AS digest`.execute(database.db);
  return result.rows[0].digest;
}

describe('migrations and seed', () => {
  let testDatabase: TestDatabase;
  let database: DatabaseHandle;

  before(async () => {
    testDatabase = await createTestDatabase({ ...loadConfig(), logLevel: 'silent' });
    database = await openDatabase(testDatabase.config, createLogger({ logLevel: 'silent' }));
  });
  after(async () => {
    await database?.destroy();
    await testDatabase?.drop();
  });

  it('migrate up creates every table of the contract, down removes them, up again works', async () => {
    const migrations = [
      '2026-11-21T0900_initial_schema',
      '2026-11-21T1200_team_productivity_and_monitoring',
      '2026-11-22T1000_fuzzy_word_matching',
      '2026-11-22T1400_activity_resume_indexes',
      '2026-11-22T2000_analytics_tables_vacuum_sooner',
      '2026-11-23T0900_organization_invitations',
      '2026-12-07T1200_approval_policies',
      '2026-12-07T1300_notifications',
      '2026-12-07T1400_webhooks',
      '2026-12-07T1500_automation_rules',
      '2026-12-07T1600_retention_indexes',
    ];
    assert.deepEqual(
      await migrateToLatest(database.db),
      migrations.map((name) => `applied ${name}`),
    );
    const expected = [
      'approval_policies',
      'approvals',
      'automation_rule_runs',
      'automation_rules',
      'collaboration_activity',
      'comments',
      'notifications',
      'organization_invitations',
      'organization_members',
      'organizations',
      'studies',
      'study_collaborators',
      'users',
      'webhook_deliveries',
      'webhooks',
    ];
    assert.deepEqual(await tables(database), expected);
    assert.deepEqual(await migrateToLatest(database.db), [], 'nothing left to apply');
    for (const name of [...migrations].reverse())
      assert.deepEqual(await migrateDown(database.db), [`reverted ${name}`]);
    assert.deepEqual(await tables(database), []);
    await migrateToLatest(database.db);
    assert.deepEqual(await tables(database), expected);
  });

  it('the tables analytics windows read are vacuumed after 1% of their size is inserted (index-only scans of the newest rows)', async () => {
    const { rows } = await sql<{ relname: string; reloptions: string[] | null }>`
      SELECT relname, reloptions FROM pg_class WHERE relname IN ('collaboration_activity', 'comments') ORDER BY relname`.execute(
      database.db,
    );
    assert.deepEqual(
      rows.map((row) => [row.relname, [...(row.reloptions ?? [])].sort()]),
      ['collaboration_activity', 'comments'].map((table) => [
        table,
        ['autovacuum_analyze_scale_factor=0.02', 'autovacuum_vacuum_insert_scale_factor=0.01'],
      ]),
    );
  });

  it('the monitoring views answer (slow queries only where pg_stat_statements is available)', async () => {
    const indexUsage = await sql<{ index_name: string }>`SELECT index_name FROM monitoring_index_usage`.execute(
      database.db,
    );
    assert.ok(indexUsage.rows.some((row) => row.index_name === 'studies_org_created_idx'));
    const scans = await sql<{ table_name: string }>`SELECT table_name FROM monitoring_table_scans`.execute(database.db);
    assert.ok(scans.rows.some((row) => row.table_name === 'collaboration_activity'));
    const { rows } = await sql<{ present: boolean; loaded: boolean }>`
      SELECT to_regclass('monitoring_slow_queries') IS NOT NULL AS present,
             EXISTS (SELECT 1 FROM pg_settings WHERE name = 'shared_preload_libraries' AND setting LIKE '%pg_stat_statements%') AS loaded`.execute(
      database.db,
    );
    if (rows[0].present && rows[0].loaded) {
      const slow = await sql<{ calls: string }>`SELECT calls FROM monitoring_slow_queries`.execute(database.db);
      assert.ok(slow.rows.length > 0);
    }
  });

  it('the schema enforces the enumerations, text limits and updated_at', async () => {
    await assert.rejects(
      sql`INSERT INTO organizations (slug, name, plan) VALUES ('x', 'X', 'platinum')`.execute(database.db),
      /check constraint/,
    );
    await assert.rejects(
      sql`INSERT INTO organizations (slug, name) VALUES ('Not A Slug', 'X')`.execute(database.db),
      /check constraint/,
    );
    await sql`INSERT INTO users (id, email, name) VALUES ('00000000-0000-4000-8000-0000000000a1', 'a@example.com', 'A')`.execute(
      database.db,
    );
    await sql`INSERT INTO organizations (id, slug, name) VALUES ('00000000-0000-4000-8000-0000000000b1', 'b', 'B')`.execute(
      database.db,
    );
    await assert.rejects(
      sql`INSERT INTO studies (organization_id, title, created_by, status) VALUES ('00000000-0000-4000-8000-0000000000b1', 'T', '00000000-0000-4000-8000-0000000000a1', 'done')`.execute(
        database.db,
      ),
      /check constraint/,
    );
    const inserted = await sql<{ id: string; updated_at: Date }>`
      INSERT INTO studies (organization_id, title, created_by, created_at, updated_at) VALUES ('00000000-0000-4000-8000-0000000000b1', 'T', '00000000-0000-4000-8000-0000000000a1', now() - interval '1 day', now() - interval '1 day')
      RETURNING id, updated_at`.execute(database.db);
    const updated = await sql<{
      updated_at: Date;
    }>`UPDATE studies SET title = 'U' WHERE id = ${inserted.rows[0].id} RETURNING updated_at`.execute(database.db);
    assert.ok(updated.rows[0].updated_at.getTime() > inserted.rows[0].updated_at.getTime());
    // One open invitation per address and organization; a closed one says when it was answered.
    const invite = (email: string, status = 'pending', respondedAt: string | null = null) =>
      sql`INSERT INTO organization_invitations (organization_id, email, role, status, expires_at, responded_at)
          VALUES ('00000000-0000-4000-8000-0000000000b1', ${email}, 'member', ${status}, now() + interval '7 days', ${respondedAt}::timestamptz)`.execute(
        database.db,
      );
    await invite('c@example.com');
    await assert.rejects(invite('c@example.com'), /organization_invitations_pending_idx/);
    await invite('c@example.com', 'declined', new Date().toISOString());
    await assert.rejects(invite('C@example.com'), /check constraint/);
    await assert.rejects(invite('d@example.com', 'accepted'), /check constraint/);
    await sql`TRUNCATE users, organizations CASCADE`.execute(database.db);
  });

  it('the seed is deterministic and contains the demo users', async () => {
    await seedDatabase(database.db, { scale: 'small', anchor: SEED_ANCHOR });
    const first = await fingerprint(database);
    await sql`TRUNCATE collaboration_activity, approvals, comments, study_collaborators, studies, organization_members, organizations, users RESTART IDENTITY CASCADE`.execute(
      database.db,
    );
    await seedDatabase(database.db, { scale: 'small', anchor: SEED_ANCHOR });
    assert.equal(await fingerprint(database), first);

    const analystOrgs = await database.db
      .selectFrom('organization_members as m')
      .innerJoin('organizations as o', 'o.id', 'm.organization_id')
      .select(['m.role', 'o.plan'])
      .where('m.user_id', '=', DEMO_USERS.analyst.id)
      .execute();
    const adminOf = analystOrgs.filter((o) => o.role === 'admin' || o.role === 'owner');
    assert.ok(adminOf.length >= 2);
    assert.ok(adminOf.some((o) => o.plan === 'enterprise'));
    const outsider = await database.db
      .selectFrom('organization_members')
      .select('user_id')
      .where('user_id', '=', DEMO_USERS.outsider.id)
      .execute();
    assert.deepEqual(outsider, []);
  });
});
