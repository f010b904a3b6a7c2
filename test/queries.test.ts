import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dataOf, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY, GLOBEX, INITECH, UMBRELLA, UMBRELLA_STUDY } from './support/ids';

describe('queries', () => {
  let gateway: TestGateway;
  let analyst: string;
  let outsider: string;

  before(async () => {
    gateway = await startTestGateway();
    analyst = await gateway.tokenFor('analyst@example.com');
    outsider = await gateway.tokenFor('outsider@example.com');
  });
  after(() => gateway?.close());

  it('viewer is the token’s user', async () => {
    const data = dataOf(await gateway.graphql('{ viewer { email name } }', { token: analyst }));
    assert.deepEqual(data.viewer, { email: 'analyst@example.com', name: 'Ada Analyst' });
  });

  it('organizations lists the viewer’s memberships with roles, by name', async () => {
    const data = dataOf(
      await gateway.graphql('{ organizations { totalCount edges { node { id slug plan viewerRole } } } }', {
        token: analyst,
      }),
    );
    assert.equal(data.organizations.totalCount, 3);
    assert.deepEqual(
      data.organizations.edges.map((e: any) => [e.node.slug, e.node.plan, e.node.viewerRole]),
      [
        ['acme-research', 'ENTERPRISE', 'ADMIN'],
        ['globex-labs', 'TEAM', 'ADMIN'],
        ['initech-health', 'TEAM', 'MEMBER'],
      ],
    );
  });

  it('the outsider has no organizations and sees none of their data', async () => {
    const data = dataOf(
      await gateway.graphql('{ organizations { totalCount edges { node { id } } } }', { token: outsider }),
    );
    assert.deepEqual(data.organizations, { totalCount: 0, edges: [] });
    const search = dataOf(
      await gateway.graphql('{ searchStudies(query: "sleep") { totalCount edges { node { id } } } }', {
        token: outsider,
      }),
    );
    assert.deepEqual(search.searchStudies, { totalCount: 0, edges: [] });
  });

  it('organization by id and by slug; exactly one of them', async () => {
    const byId = dataOf(
      await gateway.graphql('query($id: ID) { organization(id: $id) { slug memberCount studyCount } }', {
        token: analyst,
        variables: { id: ACME },
      }),
    );
    assert.equal(byId.organization.slug, 'acme-research');
    assert.equal(byId.organization.studyCount, 50);
    assert.equal(byId.organization.memberCount, 31);
    const bySlug = dataOf(await gateway.graphql('{ organization(slug: "globex-labs") { id } }', { token: analyst }));
    assert.equal(bySlug.organization.id, GLOBEX);
    const both = await gateway.graphql(`{ organization(id: "${ACME}", slug: "acme-research") { id } }`, {
      token: analyst,
    });
    assert.equal(onlyError(both).extensions?.code, 'BAD_USER_INPUT');
  });

  it('another tenant’s organization, studies and study are NOT_FOUND, without data', async () => {
    for (const [query, path] of [
      [`{ organization(id: "${UMBRELLA}") { name } }`, 'organization'],
      [`{ organization(slug: "umbrella-sciences") { name } }`, 'organization'],
      [`{ studies(organizationId: "${UMBRELLA}") { totalCount } }`, 'studies'],
      [`{ study(id: "${UMBRELLA_STUDY}") { title } }`, 'study'],
    ] as const) {
      const response = await gateway.graphql(query, { token: analyst });
      assert.equal(onlyError(response).extensions?.code, 'NOT_FOUND', query);
      assert.equal(response.body.data?.[path] ?? null, null, query);
    }
    const search = dataOf(
      await gateway.graphql(
        `{ searchStudies(query: "study", first: 100) { edges { node { organization { id } } } } }`,
        { token: analyst },
      ),
    );
    const organizations = new Set(search.searchStudies.edges.map((e: any) => e.node.organization.id));
    assert.ok(organizations.size > 0);
    for (const id of organizations) assert.ok([ACME, GLOBEX, INITECH].includes(id as string));
    const scoped = await gateway.graphql(
      `{ searchStudies(query: "study", organizationId: "${UMBRELLA}") { totalCount } }`,
      { token: analyst },
    );
    assert.equal(onlyError(scoped).extensions?.code, 'NOT_FOUND');
  });

  it('unknown and malformed ids', async () => {
    const unknown = await gateway.graphql('{ study(id: "00000000-0000-4000-8000-00000000ffff") { title } }', {
      token: analyst,
    });
    assert.equal(onlyError(unknown).extensions?.code, 'NOT_FOUND');
    const malformed = await gateway.graphql('{ study(id: "not-a-uuid") { title } }', { token: analyst });
    assert.equal(onlyError(malformed).extensions?.code, 'BAD_USER_INPUT');
    const injection = await gateway.graphql(`{ studies(organizationId: "1' OR '1'='1") { totalCount } }`, {
      token: analyst,
    });
    assert.equal(onlyError(injection).extensions?.code, 'BAD_USER_INPUT');
  });

  it('queries without a token are UNAUTHENTICATED', async () => {
    const response = await gateway.graphql('{ viewer { id } }');
    assert.equal(onlyError(response).extensions?.code, 'UNAUTHENTICATED');
  });

  it('study pages walk the whole list without gaps or repeats, in every order', async () => {
    const query = `query($after: String, $order: StudyOrder) {
      studies(organizationId: "${ACME}", first: 7, after: $after, orderBy: $order) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id title createdAt updatedAt } }
      } }`;
    for (const order of [
      undefined,
      { field: 'TITLE', direction: 'ASC' },
      { field: 'UPDATED_AT', direction: 'DESC' },
      { field: 'CREATED_AT', direction: 'ASC' },
    ]) {
      const seen: any[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const data: any = dataOf(await gateway.graphql(query, { token: analyst, variables: { after: cursor, order } }));
        assert.equal(data.studies.totalCount, 50);
        assert.equal(data.studies.pageInfo.hasPreviousPage, cursor !== null);
        seen.push(...data.studies.edges.map((e: any) => e.node));
        cursor = data.studies.pageInfo.hasNextPage ? data.studies.pageInfo.endCursor : null;
        pages += 1;
      } while (cursor);
      assert.equal(pages, 8);
      assert.equal(new Set(seen.map((s) => s.id)).size, 50, JSON.stringify(order));
      const key = order?.field === 'TITLE' ? 'title' : order?.field === 'UPDATED_AT' ? 'updatedAt' : 'createdAt';
      const values = seen.map((s) => s[key]);
      const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (order?.direction === 'ASC') assert.deepEqual(values, sorted);
      else assert.deepEqual(values, sorted.reverse());
    }
  });

  it('filters by status and creation date, with a matching totalCount', async () => {
    const data = dataOf(
      await gateway.graphql(
        `{ studies(organizationId: "${ACME}", first: 100, filter: { statuses: [ACTIVE, IN_REVIEW], createdAfter: "2026-06-01T00:00:00Z" }) {
            totalCount edges { node { status createdAt } } } }`,
        { token: analyst },
      ),
    );
    assert.ok(data.studies.totalCount > 0);
    assert.equal(data.studies.edges.length, data.studies.totalCount);
    for (const { node } of data.studies.edges) {
      assert.ok(['ACTIVE', 'IN_REVIEW'].includes(node.status));
      assert.ok(node.createdAt >= '2026-06-01T00:00:00.000Z');
    }
    const inverted = await gateway.graphql(
      `{ studies(organizationId: "${ACME}", filter: { createdAfter: "2026-06-01T00:00:00Z", createdBefore: "2026-01-01T00:00:00Z" }) { totalCount } }`,
      { token: analyst },
    );
    assert.equal(onlyError(inverted).extensions?.code, 'BAD_USER_INPUT');
  });

  it('first outside 1..100 and malformed or foreign cursors are BAD_USER_INPUT', async () => {
    for (const first of [0, -1, 101, 100000]) {
      const response = await gateway.graphql(`{ studies(organizationId: "${ACME}", first: ${first}) { totalCount } }`, {
        token: analyst,
      });
      assert.equal(onlyError(response).extensions?.code, 'BAD_USER_INPUT', `first: ${first}`);
    }
    const titleCursor = dataOf(
      await gateway.graphql(
        `{ studies(organizationId: "${ACME}", first: 1, orderBy: { field: TITLE, direction: ASC }) { pageInfo { endCursor } } }`,
        {
          token: analyst,
        },
      ),
    ).studies.pageInfo.endCursor;
    const forged = Buffer.from(JSON.stringify([1, 'studies:created_at:desc', 'yesterday', 'x'])).toString('base64url');
    for (const after of ['garbage', '!!!', titleCursor, forged, Buffer.from('[]').toString('base64url')]) {
      const response = await gateway.graphql(
        `query($after: String) { studies(organizationId: "${ACME}", after: $after) { totalCount } }`,
        {
          token: analyst,
          variables: { after },
        },
      );
      assert.equal(onlyError(response).extensions?.code, 'BAD_USER_INPUT', after);
    }
  });

  it('study details: collaborators, comments (filtered), approvals, activity (by type), commentStats', async () => {
    const data = dataOf(
      await gateway.graphql(
        `query($id: ID!) { study(id: $id) {
          id title status organization { id } createdBy { email }
          collaborators { role permissions user { email } addedBy { email } }
          all: comments { totalCount edges { node { resolvedAt } } }
          open: comments(resolved: false) { totalCount edges { node { resolvedAt resolvedBy { id } } } }
          resolved: comments(resolved: true) { totalCount edges { node { resolvedAt resolvedBy { id } } } }
          approvals { status reviewer { id } requestedBy { id } }
          activity(first: 5) { totalCount edges { node { type createdAt actor { id } study { id } details } } }
          statusChanges: activity(types: [STATUS_CHANGED]) { edges { node { type } } }
          commentStats { total resolved averageResolutionHours }
        } }`,
        { token: analyst, variables: { id: ACME_STUDY } },
      ),
    );
    const study = data.study;
    assert.equal(study.organization.id, ACME);
    assert.equal(study.collaborators[0].role, 'OWNER');
    assert.equal(study.collaborators[0].user.email, study.createdBy.email);
    assert.equal(study.all.totalCount, study.open.totalCount + study.resolved.totalCount);
    assert.ok(study.open.edges.every((e: any) => e.node.resolvedAt === null && e.node.resolvedBy === null));
    assert.ok(study.resolved.edges.every((e: any) => e.node.resolvedAt !== null && e.node.resolvedBy !== null));
    assert.deepEqual(study.commentStats.total, study.all.totalCount);
    assert.deepEqual(study.commentStats.resolved, study.resolved.totalCount);
    const times = study.activity.edges.map((e: any) => e.node.createdAt);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.ok(study.activity.edges.every((e: any) => e.node.study.id === ACME_STUDY));
    assert.ok(study.statusChanges.edges.every((e: any) => e.node.type === 'STATUS_CHANGED'));
  });

  it('organization activity: the whole log newest first, by type or by member, with counts; pages; checked ids', async () => {
    const query = `query($id: ID!, $types: [ActivityType!], $actorId: ID, $after: String) { organization(id: $id) {
      activity(first: 10, types: $types, actorId: $actorId, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id type createdAt actor { id } study { organization { id } } } } }
    } }`;
    const all = dataOf(await gateway.graphql(query, { token: analyst, variables: { id: ACME } })).organization.activity;
    const counted = await gateway.db
      .selectFrom('collaboration_activity')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('organization_id', '=', ACME)
      .executeTakeFirstOrThrow();
    assert.equal(all.totalCount, Number(counted.n));
    const times = all.edges.map((e: any) => e.node.createdAt);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.ok(all.edges.every((e: any) => e.node.study === null || e.node.study.organization.id === ACME));

    const next = dataOf(
      await gateway.graphql(query, { token: analyst, variables: { id: ACME, after: all.pageInfo.endCursor } }),
    ).organization.activity;
    assert.ok(next.edges[0].node.createdAt <= times.at(-1));
    assert.equal(
      new Set([...all.edges, ...next.edges].map((e: any) => e.node.id)).size,
      all.edges.length + next.edges.length,
    );

    const actorId = all.edges.find((e: any) => e.node.actor)!.node.actor.id;
    const byMember = dataOf(await gateway.graphql(query, { token: analyst, variables: { id: ACME, actorId } }))
      .organization.activity;
    assert.ok(byMember.totalCount > 0 && byMember.edges.every((e: any) => e.node.actor.id === actorId));
    const type = all.edges[0].node.type;
    const byType = dataOf(await gateway.graphql(query, { token: analyst, variables: { id: ACME, types: [type] } }))
      .organization.activity;
    assert.ok(byType.totalCount > 0 && byType.edges.every((e: any) => e.node.type === type));

    const malformed = await gateway.graphql(query, { token: analyst, variables: { id: ACME, actorId: 'nobody' } });
    assert.equal(onlyError(malformed).extensions?.code, 'BAD_USER_INPUT');
    const foreign = await gateway.graphql(query, { token: outsider, variables: { id: ACME } });
    assert.equal(onlyError(foreign).extensions?.code, 'NOT_FOUND');
  });

  it('search finds by stemmed words and by misspelt titles, best first, within the viewer’s organizations', async () => {
    const stemmed = dataOf(
      await gateway.graphql(
        '{ searchStudies(query: "nurse sleeping", first: 5) { totalCount edges { node { title } } } }',
        { token: analyst },
      ),
    );
    assert.ok(stemmed.searchStudies.totalCount > 0);
    for (const { node } of stemmed.searchStudies.edges) assert.match(node.title, /sleep|nurse/i);
    const fuzzy = dataOf(
      await gateway.graphql('{ searchStudies(query: "microbiom diversty", first: 3) { edges { node { title } } } }', {
        token: analyst,
      }),
    );
    assert.ok(fuzzy.searchStudies.edges.length > 0);
    assert.match(fuzzy.searchStudies.edges[0].node.title, /microbiome diversity/);
    const page1 = dataOf(
      await gateway.graphql(
        '{ searchStudies(query: "study", first: 5) { pageInfo { hasNextPage endCursor } edges { node { id } } } }',
        { token: analyst },
      ),
    );
    const page2 = dataOf(
      await gateway.graphql(
        'query($after: String) { searchStudies(query: "study", first: 5, after: $after) { edges { node { id } } } }',
        {
          token: analyst,
          variables: { after: page1.searchStudies.pageInfo.endCursor },
        },
      ),
    );
    const ids = [...page1.searchStudies.edges, ...page2.searchStudies.edges].map((e: any) => e.node.id);
    assert.equal(new Set(ids).size, 10);
    const blank = await gateway.graphql('{ searchStudies(query: "   ") { totalCount } }', { token: analyst });
    assert.equal(onlyError(blank).extensions?.code, 'BAD_USER_INPUT');
    const long = await gateway.graphql('query($q: String!) { searchStudies(query: $q) { totalCount } }', {
      token: analyst,
      variables: { q: 'x'.repeat(1000) },
    });
    assert.equal(onlyError(long).extensions?.code, 'BAD_USER_INPUT');
  });

  it('members connection with role filter and totals', async () => {
    const data = dataOf(
      await gateway.graphql(
        `{ organization(id: "${ACME}") {
            members(first: 100) { totalCount edges { node { role joinedAt user { email } invitedBy { id } } } }
            owners: members(role: OWNER) { totalCount edges { node { role invitedBy { id } } } }
          } }`,
        { token: analyst },
      ),
    );
    const members = data.organization.members;
    assert.equal(members.totalCount, 31);
    assert.equal(members.edges.length, 31);
    assert.ok(members.edges.some((e: any) => e.node.user.email === 'analyst@example.com' && e.node.role === 'ADMIN'));
    assert.equal(data.organization.owners.totalCount, 1);
    assert.equal(data.organization.owners.edges[0].node.invitedBy, null);
  });
});
