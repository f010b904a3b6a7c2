import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config';
import { dataOf, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { seedDatabase } from '../src/seed/seed';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DAYS = 7;

/** 00:00 UTC today: every fixture time is an offset from it, so the window edges are exact. */
const T0 = (() => {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
})();
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const WINDOW_START = T0 - (DAYS - 1) * DAY;

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ORG_A = id(100);
const ORG_B = id(200);
const ORG_EMPTY = id(300);
const USERS = { alice: id(1), bob: id(2), carol: id(3), dave: id(4), erin: id(5) } as const;

type Study = { id: string; org: string; status: string; created: number; completed: number | null };
const STUDIES: Study[] = [
  { id: id(1001), org: ORG_A, status: 'completed', created: -2 * DAY + 10 * HOUR, completed: -1 * DAY + 5 * HOUR },
  { id: id(1002), org: ORG_A, status: 'completed', created: -10 * DAY, completed: -3 * DAY },
  { id: id(1003), org: ORG_A, status: 'active', created: -1 * DAY, completed: null },
  { id: id(1004), org: ORG_A, status: 'draft', created: -30 * DAY, completed: null },
  { id: id(1005), org: ORG_A, status: 'in_review', created: 0, completed: null }, // exactly 00:00 today
  { id: id(1006), org: ORG_A, status: 'archived', created: -(DAYS - 1) * DAY - 1000, completed: null }, // 1 s before the window
  { id: id(2001), org: ORG_B, status: 'active', created: -1 * HOUR, completed: null },
];
type Comment = { study: string; created: number; resolved: number | null };
const COMMENTS: Comment[] = [
  { study: id(1001), created: -2 * DAY + 12 * HOUR, resolved: -2 * DAY + 18 * HOUR },
  { study: id(1001), created: -9 * DAY, resolved: -1 * DAY },
  { study: id(1003), created: -1 * DAY + 3 * HOUR, resolved: null },
  { study: id(1004), created: -20 * DAY, resolved: -19 * DAY },
  { study: id(2001), created: -1 * HOUR, resolved: -30 * 60_000 },
];
type Approval = { study: string; requested: number; decided: number | null };
const APPROVALS: Approval[] = [
  { study: id(1001), requested: -2 * DAY, decided: -2 * DAY + 4 * HOUR },
  { study: id(1005), requested: -1 * DAY, decided: null },
  { study: id(1002), requested: -12 * DAY, decided: -5 * DAY },
  { study: id(1004), requested: -30 * DAY, decided: -29 * DAY },
];
type Activity = { org: string; user: string | null; type: string; at: number };
const ACTIVITY: Activity[] = [
  { org: ORG_A, user: USERS.alice, type: 'comment_added', at: -(DAYS - 1) * DAY }, // exactly the window start
  { org: ORG_A, user: USERS.alice, type: 'status_changed', at: -1000 }, // 23:59:59 yesterday
  { org: ORG_A, user: USERS.alice, type: 'comment_added', at: 0 }, // 00:00:00 today
  { org: ORG_A, user: USERS.alice, type: 'study_updated', at: -3 * DAY + 14 * HOUR },
  { org: ORG_A, user: USERS.bob, type: 'comment_added', at: -3 * DAY + 14.5 * HOUR },
  { org: ORG_A, user: USERS.bob, type: 'comment_resolved', at: -3 * DAY + 15 * HOUR },
  { org: ORG_A, user: USERS.carol, type: 'comment_added', at: -(DAYS - 1) * DAY - 1000 }, // 1 s before the window
  { org: ORG_A, user: USERS.carol, type: 'comment_added', at: -40 * DAY },
  { org: ORG_A, user: null, type: 'study_created', at: -2 * DAY + 9 * HOUR }, // a deleted user's entry
  { org: ORG_B, user: USERS.dave, type: 'comment_added', at: -1 * HOUR },
];

/** The expected analytics, computed in plain TypeScript from the fixture (independently of the SQL). */
function expected(org: string) {
  const inWindow = (t: number | null) => t !== null && T0 + t >= WINDOW_START;
  const studies = STUDIES.filter((s) => s.org === org);
  const studyIds = new Set(studies.map((s) => s.id));
  const created = studies.filter((s) => inWindow(s.created));
  const comments = COMMENTS.filter((c) => studyIds.has(c.study));
  const resolved = comments.filter((c) => inWindow(c.resolved));
  const decided = APPROVALS.filter((a) => studyIds.has(a.study) && inWindow(a.decided));
  const activity = ACTIVITY.filter((a) => a.org === org && inWindow(a.at));
  const mean = (values: number[]) => (values.length ? values.reduce((x, y) => x + y, 0) / values.length : null);
  const countBy = <T>(items: T[], key: (item: T) => string) =>
    items.reduce((m, i) => m.set(key(i), (m.get(key(i)) ?? 0) + 1), new Map<string, number>());
  const types = countBy(activity, (a) => a.type);
  const contributors = countBy(
    activity.filter((a) => a.user),
    (a) => a.user!,
  );
  return {
    days: DAYS,
    totalStudies: studies.length,
    activeStudies: studies.filter((s) => s.status === 'active').length,
    studiesByStatus: ['draft', 'active', 'in_review', 'approved', 'completed', 'archived'].map((status) => ({
      status: status.toUpperCase(),
      count: studies.filter((s) => s.status === status).length,
    })),
    studiesCreated: created.length,
    studiesCompleted: studies.filter((s) => inWindow(s.completed)).length,
    studyCompletionRate: created.length ? created.filter((s) => s.completed !== null).length / created.length : null,
    totalComments: comments.filter((c) => inWindow(c.created)).length,
    resolvedComments: resolved.length,
    averageCommentResolutionHours: mean(resolved.map((c) => (c.resolved! - c.created) / HOUR)),
    averageApprovalHours: mean(decided.map((a) => (a.decided! - a.requested) / HOUR)),
    activeMembers: new Set(activity.filter((a) => a.user).map((a) => a.user)).size,
    dailyActiveUsers: Array.from({ length: DAYS }, (_, i) => {
      const dayStart = WINDOW_START + i * DAY;
      const users = new Set(
        activity.filter((a) => a.user && T0 + a.at >= dayStart && T0 + a.at < dayStart + DAY).map((a) => a.user),
      );
      return { date: new Date(dayStart).toISOString().slice(0, 10), count: users.size };
    }),
    peakHours: Array.from({ length: 24 }, (_, hour) => ({
      hour,
      count: activity.filter((a) => new Date(T0 + a.at).getUTCHours() === hour).length,
    })),
    activityByType: [...types]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([type, count]) => ({ type: type.toUpperCase(), count })),
    topContributors: [...contributors]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([user, count]) => ({ user: { id: user }, count })),
  };
}

const ANALYTICS_FIELDS = `
  days totalStudies activeStudies studiesByStatus { status count } studiesCreated studiesCompleted studyCompletionRate
  totalComments resolvedComments averageCommentResolutionHours averageApprovalHours activeMembers
  dailyActiveUsers { date count } peakHours { hour count } activityByType { type count }
  topContributors(limit: 10) { user { id } count }`;

async function loadFixture(gateway: TestGateway): Promise<void> {
  const db = gateway.db;
  await db
    .insertInto('users')
    .values(Object.entries(USERS).map(([name, userId]) => ({ id: userId, email: `${name}@example.com`, name })))
    .execute();
  await db
    .insertInto('organizations')
    .values([
      { id: ORG_A, slug: 'org-a', name: 'Org A', plan: 'team' },
      { id: ORG_B, slug: 'org-b', name: 'Org B' },
      { id: ORG_EMPTY, slug: 'org-empty', name: 'Empty' },
    ])
    .execute();
  await db
    .insertInto('organization_members')
    .values([
      { organization_id: ORG_A, user_id: USERS.alice, role: 'owner', invited_by: null },
      { organization_id: ORG_A, user_id: USERS.bob, role: 'member', invited_by: USERS.alice },
      { organization_id: ORG_A, user_id: USERS.carol, role: 'viewer', invited_by: USERS.alice },
      { organization_id: ORG_B, user_id: USERS.dave, role: 'owner', invited_by: null },
      { organization_id: ORG_B, user_id: USERS.alice, role: 'admin', invited_by: USERS.dave },
      { organization_id: ORG_EMPTY, user_id: USERS.erin, role: 'owner', invited_by: null },
      { organization_id: ORG_EMPTY, user_id: USERS.alice, role: 'member', invited_by: USERS.erin },
    ])
    .execute();
  await db
    .insertInto('studies')
    .values(
      STUDIES.map((s) => ({
        id: s.id,
        organization_id: s.org,
        title: `Study ${s.id.slice(-4)}`,
        status: s.status as any,
        created_by: s.org === ORG_A ? USERS.alice : USERS.dave,
        created_at: at(s.created),
        updated_at: at(s.created),
        completed_at: s.completed === null ? null : at(s.completed),
      })),
    )
    .execute();
  await db
    .insertInto('comments')
    .values(
      COMMENTS.map((c) => ({
        study_id: c.study,
        author_id: USERS.bob,
        body: 'fixture',
        created_at: at(c.created),
        resolved_at: c.resolved === null ? null : at(c.resolved),
        resolved_by: c.resolved === null ? null : USERS.alice,
      })),
    )
    .execute();
  await db
    .insertInto('approvals')
    .values(
      APPROVALS.map((a) => ({
        study_id: a.study,
        requested_by: USERS.alice,
        reviewer_id: USERS.bob,
        status: a.decided === null ? 'pending' : 'approved',
        requested_at: at(a.requested),
        decided_at: a.decided === null ? null : at(a.decided),
      })),
    )
    .execute();
  await db
    .insertInto('collaboration_activity')
    .values(
      ACTIVITY.map((a) => ({
        organization_id: a.org,
        study_id: null,
        user_id: a.user,
        activity_type: a.type,
        created_at: at(a.at),
      })),
    )
    .execute();
  await sql`REFRESH MATERIALIZED VIEW team_productivity`.execute(db);
}

describe('organization analytics and team productivity', () => {
  let gateway: TestGateway;
  let alice: string;

  before(async () => {
    gateway = await startTestGateway({ seed: 'none' });
    await loadFixture(gateway);
    alice = await gateway.tokenFor('alice@example.com');
  });
  after(() => gateway?.close());

  const analyticsOf = async (org: string, token = alice, days = DAYS) =>
    gateway.graphql(
      `query($id: ID, $days: Int!) { organization(id: $id) { analytics(days: $days) { ${ANALYTICS_FIELDS} } } }`,
      {
        token,
        variables: { id: org, days },
      },
    );

  it('every field matches an independent computation, window edges and UTC day buckets included', async () => {
    const actual = dataOf(await analyticsOf(ORG_A)).organization.analytics;
    assert.deepEqual(actual, expected(ORG_A));
    // The same facts stated by hand, so that a shared mistake in `expected` cannot hide.
    assert.equal(
      actual.studiesCreated,
      3,
      'the study created 1 s before the window is not counted; the one at 00:00 today is',
    );
    assert.equal(actual.studyCompletionRate, 1 / 3);
    assert.equal(actual.averageCommentResolutionHours, (6 + 192) / 2);
    assert.equal(actual.averageApprovalHours, (4 + 168) / 2, 'the pending approval does not count');
    assert.equal(actual.activeMembers, 2, 'a deleted user’s activity is not a member');
    assert.deepEqual(
      actual.dailyActiveUsers.map((d: any) => d.count),
      [1, 0, 0, 2, 0, 1, 1],
    );
    assert.equal(actual.dailyActiveUsers.at(-1)!.date, new Date(T0).toISOString().slice(0, 10));
    assert.equal(actual.peakHours.find((h: any) => h.hour === 0)!.count, 2);
    assert.equal(actual.peakHours.find((h: any) => h.hour === 23)!.count, 1);
  });

  it('an empty organization has zeros, nulls for undefined rates, and every day and hour listed', async () => {
    const actual = dataOf(await analyticsOf(ORG_EMPTY)).organization.analytics;
    assert.deepEqual(actual, expected(ORG_EMPTY));
    assert.equal(actual.studyCompletionRate, null);
    assert.equal(actual.averageApprovalHours, null);
    assert.equal(actual.dailyActiveUsers.length, DAYS);
    assert.equal(actual.peakHours.length, 24);
  });

  it('several organizations in one query are batched: the statement count does not grow with them', async () => {
    const query = `query { organizations { edges { node { id analytics(days: ${DAYS}) { ${ANALYTICS_FIELDS} } } } } }`;
    const response = await gateway.graphql(query, { token: alice });
    const nodes = dataOf(response).organizations.edges.map((e: any) => e.node);
    assert.equal(nodes.length, 3);
    for (const node of nodes) assert.deepEqual(node.analytics, expected(node.id));
    const single = await analyticsOf(ORG_A);
    // organization(id) of the viewer's takes no statement (its row comes with the viewer); organizations one for the page.
    assert.equal(response.sqlStatements, single.sqlStatements + 1);
  });

  it('days is bounded to 1..365 and topContributors(limit) to 1..50', async () => {
    for (const days of [0, -1, 366])
      assert.equal(onlyError(await analyticsOf(ORG_A, alice, days)).extensions?.code, 'BAD_USER_INPUT', `days ${days}`);
    const year = dataOf(await analyticsOf(ORG_A, alice, 365)).organization.analytics;
    assert.equal(year.dailyActiveUsers.length, 365);
    const tooMany = await gateway.graphql(
      `{ organization(id: "${ORG_A}") { analytics { topContributors(limit: 51) { count } } } }`,
      { token: alice },
    );
    assert.equal(onlyError(tooMany).extensions?.code, 'BAD_USER_INPUT');
    const top = dataOf(
      await gateway.graphql(
        `{ organization(id: "${ORG_A}") { analytics(days: 7) { topContributors(limit: 1) { user { email } count } } } }`,
        { token: alice },
      ),
    );
    assert.deepEqual(top.organization.analytics.topContributors, [{ user: { email: 'alice@example.com' }, count: 4 }]);
  });

  it("a member of one organization cannot read another's analytics or team productivity", async () => {
    const bob = await gateway.tokenFor('bob@example.com');
    for (const field of ['analytics { totalStudies }', 'teamProductivity { memberCount }']) {
      const response = await gateway.graphql(`{ organization(id: "${ORG_B}") { ${field} } }`, { token: bob });
      assert.equal(onlyError(response).extensions?.code, 'NOT_FOUND');
      assert.equal(response.body.data?.organization ?? null, null);
    }
    const outsider = await gateway.graphql(`{ organization(id: "${ORG_A}") { analytics { totalStudies } } }`, {
      token: await gateway.tokenFor('erin@example.com'),
    });
    assert.equal(onlyError(outsider).extensions?.code, 'NOT_FOUND');
  });

  it('team productivity comes from the view; admins refresh it on demand, others may not', async () => {
    const read = async () =>
      dataOf(
        await gateway.graphql(
          `{ organization(id: "${ORG_A}") { teamProductivity { memberCount studiesCreated studiesPerMember commentsPerMember approvalsDecided periodDays refreshedAt } } }`,
          { token: alice },
        ),
      ).organization.teamProductivity;
    const before = await read();
    assert.deepEqual(
      { ...before, refreshedAt: undefined },
      {
        memberCount: 3,
        studiesCreated: 6,
        studiesPerMember: 6 / 3,
        commentsPerMember: 4 / 3,
        approvalsDecided: 3,
        periodDays: 90,
        refreshedAt: undefined,
      },
    );
    await gateway.db
      .insertInto('studies')
      .values({ organization_id: ORG_A, title: 'New since the refresh', created_by: USERS.alice })
      .execute();
    assert.equal((await read()).studiesCreated, 6, 'the view does not change until refreshed');

    const bob = await gateway.tokenFor('bob@example.com');
    const refresh = (token: string) =>
      gateway.graphql(
        'mutation($input: RefreshTeamProductivityInput!) { refreshTeamProductivity(input: $input) { studiesCreated refreshedAt } }',
        {
          token,
          variables: { input: { organizationId: ORG_A } },
        },
      );
    assert.equal(onlyError(await refresh(bob)).extensions?.code, 'FORBIDDEN');
    const refreshed = dataOf(await refresh(alice)).refreshTeamProductivity;
    assert.equal(refreshed.studiesCreated, 7);
    assert.ok(refreshed.refreshedAt > before.refreshedAt);
  });
});

describe(
  'team productivity refresh lock',
  { skip: loadConfig().databaseUrl ? false : 'needs DATABASE_URL: the embedded database has one connection' },
  () => {
    let gateway: TestGateway;
    before(async () => {
      gateway = await startTestGateway({ seed: 'none' });
      await loadFixture(gateway);
    });
    after(() => gateway?.close());

    it('a refresh asked while another holds the lock waits for it instead of running twice', async () => {
      const alice = await gateway.tokenFor('alice@example.com');
      const refreshedAt = async () =>
        (
          await gateway.db
            .selectFrom('team_productivity')
            .select('refreshed_at')
            .where('organization_id', '=', ORG_A)
            .executeTakeFirstOrThrow()
        ).refreshed_at;
      const before = await refreshedAt();
      const holder = new pg.Client({ connectionString: gateway.config.databaseUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query("SELECT pg_advisory_xact_lock(hashtext('studygraph:team_productivity:refresh'))");
        let settled = false;
        const pending = gateway
          .graphql(
            'mutation($input: RefreshTeamProductivityInput!) { refreshTeamProductivity(input: $input) { refreshedAt } }',
            {
              token: alice,
              variables: { input: { organizationId: ORG_A } },
            },
          )
          .finally(() => {
            settled = true;
          });
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(settled, false, 'the second refresh waits for the first');
        await holder.query('COMMIT');
        const response = await pending;
        assert.equal(
          new Date(dataOf(response).refreshTeamProductivity.refreshedAt).getTime(),
          before.getTime(),
          'it did not refresh again',
        );
      } finally {
        await holder.end();
      }
      assert.equal((await refreshedAt()).getTime(), before.getTime());
    });
  },
);

describe('the demo seed adds up', () => {
  let gateway: TestGateway;
  // The seed as `npm start` writes it: ending today, so the windows below hold its latest weeks.
  before(async () => {
    gateway = await startTestGateway({ seed: 'none' });
    await seedDatabase(gateway.db, { scale: 'small' });
  });
  after(() => gateway?.close());

  it('every analytics figure agrees with the activity entries of the same window', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const ACME = (
      await gateway.db
        .selectFrom('organizations')
        .select('id')
        .where('slug', '=', 'acme-research')
        .executeTakeFirstOrThrow()
    ).id;
    for (const days of [7, 30, 365]) {
      const response = await gateway.graphql(
        'query($id: ID, $days: Int!) { organization(id: $id) { analytics(days: $days) { studiesCreated resolvedComments averageApprovalHours averageCommentResolutionHours activityByType { type count } } } }',
        { token, variables: { id: ACME, days } },
      );
      const analytics = dataOf(response).organization.analytics;
      const count = (type: string) =>
        analytics.activityByType.find((entry: { type: string }) => entry.type === type)?.count ?? 0;
      assert.equal(analytics.studiesCreated, count('STUDY_CREATED'), `${days} days: studies created`);
      assert.equal(analytics.resolvedComments, count('COMMENT_RESOLVED'), `${days} days: comments resolved`);
      assert.equal(
        analytics.averageApprovalHours === null,
        count('APPROVAL_DECIDED') === 0,
        `${days} days: approvals decided`,
      );
      assert.equal(
        analytics.averageCommentResolutionHours === null,
        count('COMMENT_RESOLVED') === 0,
        `${days} days: comment resolution`,
      );
      if (days === 30)
        assert.ok(count('COMMENT_ADDED') > 0 && analytics.studiesCreated > 0, 'the last 30 days are alive');
    }
    const entries = await gateway.db
      .selectFrom('collaboration_activity')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('created_at', '>', new Date())
      .executeTakeFirstOrThrow();
    assert.equal(Number(entries.n), 0, 'nothing dated in the future');
  });

  it('a window that ends days ago (endingDaysAgo) holds what the longer window adds to the shorter', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const figures = 'studiesCreated studiesCompleted totalComments resolvedComments activityByType { type count }';
    const data = dataOf(
      await gateway.graphql(
        `{ organization(slug: "acme-research") {
            recent: analytics(days: 7) { ${figures} }
            both: analytics(days: 14) { ${figures} }
            before: analytics(days: 7, endingDaysAgo: 7) { ${figures} endingDaysAgo dailyActiveUsers { date } }
          } }`,
        { token },
      ),
    ).organization;
    for (const figure of ['studiesCreated', 'studiesCompleted', 'totalComments', 'resolvedComments'])
      assert.equal(data.before[figure], data.both[figure] - data.recent[figure], figure);
    const entries = (window: { activityByType: { count: number }[] }) =>
      window.activityByType.reduce((sum, entry) => sum + entry.count, 0);
    assert.equal(entries(data.before), entries(data.both) - entries(data.recent), 'activity entries');
    assert.ok(entries(data.before) > 0, 'the window before holds activity');
    const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
    assert.deepEqual(
      data.before.dailyActiveUsers.map((entry: { date: string }) => entry.date),
      [13, 12, 11, 10, 9, 8, 7].map(day),
    );
    assert.equal(data.before.endingDaysAgo, 7);
  });

  it('the demo organization’s last 30 days look like a living organization', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const response = await gateway.graphql(
      `{ organization(slug: "acme-research") { analytics(days: 30) { studiesCreated studiesCompleted resolvedComments
          averageApprovalHours dailyActiveUsers { date count } } } }`,
      { token },
    );
    const analytics = dataOf(response).organization.analytics;
    const lively = analytics.dailyActiveUsers.filter((day: { count: number }) => day.count >= 3).length;
    assert.ok(lively >= 20, `${lively} of 30 days with at least three active members`);
    assert.ok(analytics.studiesCreated >= 5, `${analytics.studiesCreated} studies created`);
    assert.ok(analytics.studiesCompleted >= 1, `${analytics.studiesCompleted} studies completed`);
    assert.ok(analytics.resolvedComments >= 3, `${analytics.resolvedComments} comments resolved`);
    assert.notEqual(analytics.averageApprovalHours, null, 'approvals decided');
  });

  it('each study’s status changes walk its way from draft to its status, in time order, completing at completed_at', async () => {
    const studies = await gateway.db.selectFrom('studies').select(['id', 'status', 'completed_at']).execute();
    const changes = await gateway.db
      .selectFrom('collaboration_activity')
      .select(['study_id', 'details', 'created_at', 'id'])
      .where('activity_type', '=', 'status_changed')
      .orderBy('id')
      .execute();
    const byStudy = new Map<string, typeof changes>();
    for (const change of changes) byStudy.set(change.study_id!, [...(byStudy.get(change.study_id!) ?? []), change]);
    const completed = studies.filter((study) => study.status === 'completed');
    assert.ok(completed.length > 0, 'the seed has completed studies');
    for (const study of studies) {
      const steps = byStudy.get(study.id) ?? [];
      if (study.status === 'draft') {
        assert.equal(steps.length, 0);
        continue;
      }
      const path = steps.map((step) => step.details as { from: string; to: string });
      assert.equal(path[0].from, 'draft', study.id);
      assert.equal(path.at(-1)!.to, study.status, study.id);
      for (let i = 1; i < path.length; i += 1)
        assert.equal(path[i].from, path[i - 1].to, `${study.id}: one way, no jumps`);
      const times = steps.map((step) => step.created_at.getTime());
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        `${study.id}: in time order`,
      );
      if (study.completed_at)
        assert.equal(
          steps.find((step) => (step.details as { to: string }).to === 'completed')?.created_at.getTime(),
          study.completed_at.getTime(),
          study.id,
        );
    }
  });
});
