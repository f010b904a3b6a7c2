import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/types';
import { DEMO_USERS, SEED_SCALES, type SeedScaleName } from './scales';

/**
 * Deterministic demo data, generated in PostgreSQL with set-based statements: every id, relation and
 * text is a pure function of a row number (md5 ids, multiplicative hashing instead of random()), so
 * the same scale and anchor always give the same data, whatever order the server inserts in.
 * Timestamps count back from `anchor` (default: today 00:00 UTC) so that "the last 30 days" has data,
 * and none lies after it.
 */
export interface SeedOptions {
  scale: SeedScaleName;
  anchor?: Date;
  onProgress?: (message: string) => void;
}

class DatabaseNotEmptyError extends Error {
  constructor() {
    super('The database already has users; pass --reset to replace all data with the seed.');
    this.name = 'DatabaseNotEmptyError';
  }
}

const FIRST_NAMES = [
  'Alex',
  'Sam',
  'Jordan',
  'Taylor',
  'Morgan',
  'Riley',
  'Casey',
  'Jamie',
  'Avery',
  'Quinn',
  'Noor',
  'Kenji',
  'Lena',
  'Mateo',
  'Priya',
  'Tomás',
  'Ines',
  'Wei',
  'Amara',
  'Felix',
];
const LAST_NAMES = [
  'Okafor',
  'Lindqvist',
  'Nakamura',
  'García',
  'Schmidt',
  'Haddad',
  'Kowalski',
  'Moreau',
  'Singh',
  'Rossi',
  'Ivanova',
  'Mensah',
  'Costa',
  'Berg',
  'Novak',
  'Park',
  'Silva',
  'Dubois',
  'Khan',
  'Murphy',
];
const DESIGNS = [
  'Randomized',
  'Longitudinal',
  'Pilot',
  'Cross-sectional',
  'Observational',
  'Double-blind',
  'Mixed-methods',
  'Retrospective',
  'Prospective',
  'Exploratory',
];
const TOPICS = [
  'sleep quality',
  'remote collaboration',
  'vaccine uptake',
  'reading fluency',
  'heart rate variability',
  'urban heat exposure',
  'microbiome diversity',
  'team communication',
  'medication adherence',
  'screen time',
  'air quality',
  'code review latency',
  'soil nitrogen',
  'patient onboarding',
  'grant productivity',
  'citizen science engagement',
];
const POPULATIONS = [
  'older adults',
  'night-shift nurses',
  'graduate students',
  'rural clinics',
  'distributed teams',
  'primary schools',
  'smallholder farms',
  'open-source maintainers',
  'new parents',
  'research labs',
];
/**
 * Real text has a long tail: about one study description in 37 and one comment in 41 carries a protocol
 * appendix of 1–7 KB, so that reading columns nobody selected costs in every benchmark what it costs in
 * production. Filler words match no search a test or the demo makes.
 */
const LONG_TEXT_EVERY = 37;
const LONG_TEXT_FILLER =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ';

const COMMENT_BODIES = [
  'Could we double-check the sample size calculation?',
  'The consent form needs the updated data-retention clause.',
  'Looks good to me; ready for review.',
  'Please add the pre-registration link to the description.',
  'The exclusion criteria in section 2 contradict the protocol.',
  'I reran the pipeline and the numbers match.',
  'Can we move the follow-up survey one week later?',
  'Outcome measures should be defined before unblinding.',
];
const ORGANIZATION_NAMES = [
  'Acme Research',
  'Globex Labs',
  'Initech Health',
  'Umbrella Sciences',
  'Stark Biomedical',
  'Wayne Institute',
];

/** Our own whole numbers, inlined: bound parameters would leave generate_series() and friends untyped. */
function int(value: number): RawBuilder<number> {
  return sql.raw(String(Math.trunc(value)));
}

function textArray(values: readonly string[]): RawBuilder<string[]> {
  return sql<string[]>`${sql.val([...values])}::text[]`;
}

function startOfTodayUtc(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export async function seedDatabase(db: Kysely<Database>, options: SeedOptions): Promise<void> {
  const scale = SEED_SCALES[options.scale];
  const anchor = (options.anchor ?? startOfTodayUtc()).toISOString();
  const progress = options.onProgress ?? (() => undefined);
  const O = scale.organizations;
  const U = scale.users;
  const M = Math.min(scale.membersPerOrganization, U);
  const S = scale.studies;
  const C = scale.collaboratorsPerStudy;
  const stride = Math.max(1, Math.floor(U / O));
  // A study's k-th collaborator is the organization's member number (creator + k * spacing) % M.
  const spacing = Math.max(1, Math.floor(M / C));

  const existing = await db.selectFrom('users').select('id').limit(1).execute();
  if (existing.length > 0) throw new DatabaseNotEmptyError();

  const started = Date.now();
  const step = (message: string) => progress(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
  const t = sql`${anchor}::timestamptz`;
  const memberUser = (org: RawBuilder<unknown>, k: RawBuilder<unknown>) =>
    sql`md5('user:' || ((((${org}) - 1) * ${int(stride)} + (${k})) % ${int(U)} + 1))::uuid`;
  // Independent pseudo-random choices per row: 28 bits of md5, the same on every server and version.
  const hash = (key: RawBuilder<unknown>) => sql<number>`(('x' || substr(md5(${key}), 1, 7))::bit(28)::int)`;
  const studyOrg = sql`(s - 1) % ${int(O)} + 1`;
  const creator = sql`(${hash(sql`'creator:' || s`)} % ${int(M)})`;
  // A recent study starts in the last 45 days, and on a weekday unless its roll says otherwise (a weekly
  // rhythm: one weekend start in ten); the others evenly over the last year.
  const recentStart = sql`${t} - make_interval(mins => ${hash(sql`'created:' || s`)} % (45 * 24 * 60))`;
  const weekendShift = sql`CASE WHEN ${hash(sql`'weekend:' || s`)} % 10 = 0 THEN 0 ELSE greatest(0, extract(isodow FROM ${recentStart})::int - 5) END`;
  const studyCreatedAt = sql`(CASE WHEN ${hash(sql`'recent:' || s`)} % 100 < ${int(scale.recentStudiesPercent)}
    THEN ${recentStart} - make_interval(days => ${weekendShift})
    ELSE ${t} - make_interval(mins => ${hash(sql`'created:' || s`)} % (365 * 24 * 60)) END)`;
  const statusRoll = hash(sql`'status:' || s`);

  await db.transaction().execute(async (trx) => {
    // Bulk statements of the large scale run for minutes; the serving timeout is not meant for them.
    await sql`SET LOCAL statement_timeout = 0`.execute(trx);
    step(`users (${U + 2})`);
    await sql`
      INSERT INTO users (id, email, name, created_at)
      SELECT md5('user:' || u)::uuid, 'user' || u || '@example.com',
             (${textArray(FIRST_NAMES)})[1 + u % ${int(FIRST_NAMES.length)}] || ' ' || (${textArray(LAST_NAMES)})[1 + (u / ${int(FIRST_NAMES.length)}) % ${int(LAST_NAMES.length)}],
             ${t} - make_interval(days => 400 + u % 300)
      FROM generate_series(1, ${int(U)}) AS u`.execute(trx);
    await trx
      .insertInto('users')
      .values(
        Object.values(DEMO_USERS).map((u) => ({
          id: u.id,
          email: u.email,
          name: u.name,
          created_at: new Date(Date.parse(anchor) - 800 * 86_400_000),
        })),
      )
      .execute();

    step(`organizations (${O})`);
    await sql`
      INSERT INTO organizations (id, slug, name, plan, created_at)
      SELECT md5('org:' || o)::uuid,
             CASE WHEN o <= ${int(ORGANIZATION_NAMES.length)} THEN lower(replace((${textArray(ORGANIZATION_NAMES)})[o], ' ', '-')) ELSE 'org-' || o END,
             CASE WHEN o <= ${int(ORGANIZATION_NAMES.length)} THEN (${textArray(ORGANIZATION_NAMES)})[o] ELSE 'Research Group ' || o END,
             CASE WHEN o = 1 OR o % 10 = 0 THEN 'enterprise' WHEN o = 2 OR o % 3 = 0 THEN 'team' ELSE 'free' END,
             ${t} - make_interval(days => 700 - o % 200)
      FROM generate_series(1, ${int(O)}) AS o`.execute(trx);

    step(`memberships (${O * M + 3})`);
    await sql`
      INSERT INTO organization_members (organization_id, user_id, role, joined_at, invited_by)
      SELECT md5('org:' || o)::uuid, ${memberUser(sql`o`, sql`k`)},
             CASE WHEN k = 0 THEN 'owner' WHEN k <= 2 THEN 'admin' WHEN k % 10 = 9 THEN 'viewer' ELSE 'member' END,
             ${t} - make_interval(days => 600 - o % 200) + make_interval(hours => k),
             CASE WHEN k = 0 THEN NULL ELSE ${memberUser(sql`o`, sql`0`)} END
      FROM generate_series(1, ${int(O)}) AS o, generate_series(0, ${int(M - 1)}) AS k`.execute(trx);
    // The analyst administers the first two organizations (one enterprise) and is a member of the third.
    await sql`
      INSERT INTO organization_members (organization_id, user_id, role, joined_at, invited_by)
      SELECT md5('org:' || o)::uuid, ${DEMO_USERS.analyst.id}::uuid, CASE WHEN o <= 2 THEN 'admin' ELSE 'member' END,
             ${t} - make_interval(days => 300), ${memberUser(sql`o`, sql`0`)}
      FROM generate_series(1, least(3, ${int(O)})) AS o`.execute(trx);

    step(`studies (${S})`);
    await sql`
      INSERT INTO studies (id, organization_id, title, description, status, created_by, created_at, updated_at, completed_at)
      SELECT id, org_id, title, description, status, created_by, created_at, least(created_at + make_interval(hours => 1 + s % 500), ${t}),
             CASE WHEN status IN ('completed', 'archived') AND s % 2 = 0 OR status = 'completed' THEN
               -- A study too young to have run its course finished part of the way to today, not at today's first instant.
               CASE WHEN created_at + make_interval(days => 5 + s % 60) < ${t} THEN created_at + make_interval(days => 5 + s % 60)
                    ELSE created_at + (${t} - created_at) * (3 + s % 7) / 10 END END
      FROM (
        SELECT s, md5('study:' || s)::uuid AS id, md5('org:' || ((s - 1) % ${int(O)} + 1))::uuid AS org_id,
               (${textArray(DESIGNS)})[1 + s % ${int(DESIGNS.length)}] || ' study of ' || (${textArray(TOPICS)})[1 + (s / 7) % ${int(TOPICS.length)}] || ' in ' || (${textArray(POPULATIONS)})[1 + (s / 3) % ${int(POPULATIONS.length)}] AS title,
               'We examine ' || (${textArray(TOPICS)})[1 + (s / 7) % ${int(TOPICS.length)}] || ' among ' || (${textArray(POPULATIONS)})[1 + (s / 3) % ${int(POPULATIONS.length)}] || ' over ' || (4 + s % 20) || ' weeks (protocol ' || s || ').'
                 || CASE WHEN s % ${int(LONG_TEXT_EVERY)} = 0 THEN ' ' || repeat(${LONG_TEXT_FILLER}, 20 + s % 40) ELSE '' END AS description,
               CASE WHEN roll < 10 THEN 'draft' WHEN roll < 45 THEN 'active' WHEN roll < 60 THEN 'in_review'
                    WHEN roll < 70 THEN 'approved' WHEN roll < 90 THEN 'completed' ELSE 'archived' END AS status,
               ${memberUser(studyOrg, creator)} AS created_by,
               ${studyCreatedAt} AS created_at
        FROM generate_series(1, ${int(S)}) AS s, LATERAL (SELECT ${statusRoll} % 100 AS roll) r
      ) generated`.execute(trx);

    step(`collaborators (${S * C})`);
    await sql`
      INSERT INTO study_collaborators (study_id, user_id, role, permissions, added_at, added_by)
      SELECT md5('study:' || s)::uuid, ${memberUser(studyOrg, sql`(${creator} + k * ${int(spacing)}) % ${int(M)}`)},
             (ARRAY['owner', 'editor', 'reviewer', 'viewer'])[1 + least(k, 3)],
             CASE WHEN k = 0 THEN ARRAY['data:export', 'study:delete'] WHEN k = 1 THEN ARRAY['data:export'] ELSE ARRAY[]::text[] END,
             least(${studyCreatedAt} + make_interval(hours => k), ${t}),
             CASE WHEN k = 0 THEN NULL ELSE ${memberUser(studyOrg, creator)} END
      FROM generate_series(1, ${int(S)}) AS s, generate_series(0, ${int(C - 1)}) AS k`.execute(trx);
    await sql`
      INSERT INTO study_collaborators (study_id, user_id, role, permissions, added_at, added_by)
      SELECT md5('study:' || s)::uuid, ${DEMO_USERS.analyst.id}::uuid, 'editor', ARRAY['data:export'],
             least(${studyCreatedAt} + make_interval(hours => 1), ${t}), NULL
      FROM generate_series(1, ${int(S)}) AS s
      WHERE (s - 1) % ${int(O)} + 1 <= 2 AND s % 4 = 1
      ON CONFLICT DO NOTHING`.execute(trx);

    step(`comments (${S * scale.commentsPerStudy})`);
    await sql`
      INSERT INTO comments (id, study_id, author_id, body, created_at, resolved_at, resolved_by)
      SELECT md5('comment:' || s || ':' || c)::uuid, md5('study:' || s)::uuid,
             ${memberUser(studyOrg, sql`(${creator} + (c % ${int(C)}) * ${int(spacing)}) % ${int(M)}`)},
             (${textArray(COMMENT_BODIES)})[1 + (s + c) % ${int(COMMENT_BODIES.length)}]
               || CASE WHEN (s * 7 + c) % ${int(LONG_TEXT_EVERY + 4)} = 0 THEN ' ' || repeat(${LONG_TEXT_FILLER}, 10 + (s + c) % 40) ELSE '' END,
             created_at, CASE WHEN (s + c) % 3 = 0 THEN least(created_at + make_interval(hours => 1 + (s * c) % 72), ${t}) END,
             CASE WHEN (s + c) % 3 = 0 THEN ${memberUser(studyOrg, creator)} END
      FROM (
        SELECT s, c, ${studyCreatedAt} + make_interval(hours => 2 + c * ${int(scale.commentGapHours)} + ${hash(sql`'comment:' || s || ':' || c`)} % ${int(scale.commentGapHours)}) AS created_at
        FROM generate_series(1, ${int(S)}) AS s, generate_series(0, ${int(scale.commentsPerStudy - 1)}) AS c
      ) generated
      -- A young study has had fewer comments yet: none is dated after the seed's day (piled at its first instant, they drew a spike at midnight).
      WHERE created_at <= ${t}`.execute(trx);

    step('approvals');
    await sql`
      INSERT INTO approvals (id, study_id, requested_by, reviewer_id, status, requested_at, decided_at)
      SELECT md5('approval:' || s.id)::uuid, s.id, s.created_by, c.user_id,
             CASE WHEN s.status = 'in_review' THEN 'pending' ELSE 'approved' END,
             least(s.created_at + interval '3 days', ${t}),
             CASE WHEN s.status = 'in_review' THEN NULL ELSE least(s.created_at + interval '3 days' + make_interval(hours => 2 + abs(hashtext(s.id::text)) % 96), ${t}) END
      FROM studies s JOIN study_collaborators c ON c.study_id = s.id AND c.role = 'reviewer'
      WHERE s.status IN ('in_review', 'approved', 'completed')`.execute(trx);

    // The activity log is written from the rows above, at their timestamps, as the mutations would have
    // written it: every analytics figure agrees with the activity counts of the same window. In time
    // order, so ids grow with time as they do for live writes.
    step('activity, from the rows it describes');
    await sql`
      INSERT INTO collaboration_activity (organization_id, study_id, user_id, activity_type, details, created_at)
      SELECT organization_id, study_id, user_id, activity_type, details, created_at FROM (
        SELECT s.organization_id, s.id AS study_id, s.created_by AS user_id, 'study_created' AS activity_type,
               jsonb_build_object('title', s.title) AS details, s.created_at, 0 AS step
        FROM studies s
        UNION ALL
        -- Every step of the study's way to its status (draft → active → in review → approved → completed,
        -- or straight from active to archived), spread evenly from its creation to its completion (the
        -- completing step at completed_at, as studiesCompleted counts it), later steps at its last update.
        SELECT s.organization_id, s.id, s.created_by, 'status_changed', jsonb_build_object('from', way.path[i - 1], 'to', way.path[i]),
               CASE WHEN way.done IS NULL THEN s.created_at + (s.updated_at - s.created_at) * (i - 1) / (way.steps - 1)
                    WHEN i <= way.done THEN s.created_at + (s.completed_at - s.created_at) * (i - 1) / (way.done - 1)
                    ELSE greatest(s.updated_at, s.completed_at) END,
               i
        FROM studies s
        CROSS JOIN LATERAL (
          SELECT path, array_length(path, 1) AS steps, array_position(path, 'completed') AS done FROM (
            SELECT CASE s.status
                     WHEN 'active' THEN ARRAY['draft', 'active']
                     WHEN 'in_review' THEN ARRAY['draft', 'active', 'in_review']
                     WHEN 'approved' THEN ARRAY['draft', 'active', 'in_review', 'approved']
                     WHEN 'completed' THEN ARRAY['draft', 'active', 'in_review', 'approved', 'completed']
                     WHEN 'archived' THEN CASE WHEN s.completed_at IS NULL THEN ARRAY['draft', 'active', 'archived']
                                               ELSE ARRAY['draft', 'active', 'in_review', 'approved', 'completed', 'archived'] END
                   END AS path
          ) p
        ) way
        CROSS JOIN LATERAL generate_series(2, way.steps) AS i
        WHERE s.status <> 'draft'
        UNION ALL
        SELECT s.organization_id, s.id, c.added_by, 'collaborator_added', jsonb_build_object('userId', c.user_id, 'role', c.role), c.added_at, 0
        FROM study_collaborators c JOIN studies s ON s.id = c.study_id WHERE c.added_by IS NOT NULL
        UNION ALL
        SELECT s.organization_id, s.id, c.author_id, 'comment_added', jsonb_build_object('commentId', c.id), c.created_at, 0
        FROM comments c JOIN studies s ON s.id = c.study_id
        UNION ALL
        SELECT s.organization_id, s.id, c.resolved_by, 'comment_resolved', jsonb_build_object('commentId', c.id), c.resolved_at, 0
        FROM comments c JOIN studies s ON s.id = c.study_id WHERE c.resolved_at IS NOT NULL
        UNION ALL
        SELECT s.organization_id, s.id, a.requested_by, 'approval_requested', jsonb_build_object('approvalId', a.id, 'reviewerId', a.reviewer_id), a.requested_at, 0
        FROM approvals a JOIN studies s ON s.id = a.study_id
        UNION ALL
        SELECT s.organization_id, s.id, a.reviewer_id, 'approval_decided', jsonb_build_object('approvalId', a.id, 'decision', a.status), a.decided_at, 0
        FROM approvals a JOIN studies s ON s.id = a.study_id WHERE a.decided_at IS NOT NULL
        UNION ALL
        SELECT m.organization_id, NULL, m.invited_by, 'member_added', jsonb_build_object('userId', m.user_id, 'role', m.role), m.joined_at, 0
        FROM organization_members m WHERE m.invited_by IS NOT NULL
      ) derived
      ORDER BY created_at, activity_type, study_id, step, user_id`.execute(trx);
    step('team productivity');
    await sql`REFRESH MATERIALIZED VIEW team_productivity`.execute(trx);
  });
  // Outside the transaction: VACUUM sets the visibility map, so index-only scans skip the heap from the start.
  step('vacuum analyze');
  await sql`VACUUM ANALYZE`.execute(db);
  step('done');
}

/** Empties every table (for `seed --reset`), keeping the schema. */
export async function truncateAll(db: Kysely<Database>): Promise<void> {
  await sql`TRUNCATE collaboration_activity, approvals, comments, study_collaborators, studies, organization_members, organizations, users RESTART IDENTITY CASCADE`.execute(
    db,
  );
}
