import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { dataOf, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, UMBRELLA, UMBRELLA_STUDY } from './support/ids';
import { createLoaders } from '../loaders';

/**
 * The level above fetches the level below (loaders/folds.ts): a study's comments, approvals and activity
 * come in the statement of the study (study(id:)) or of the page of studies that reaches them, and answer
 * exactly what their own statements would (checked against a gateway with batching off, which folds
 * nothing), whatever the arguments, aliases, variables and cursors.
 */

const STUDY_PAGE = /* GraphQL */ `
  query StudyPage($id: ID!) {
    study(id: $id) {
      id
      title
      comments(first: 20) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            id
            body
            createdAt
            resolvedAt
            author {
              id
              name
            }
          }
        }
      }
      approvals {
        id
        status
        requestedAt
        decidedAt
        reviewer {
          id
          name
        }
      }
      activity(first: 20) {
        edges {
          cursor
          node {
            id
            type
            createdAt
            details
            actor {
              id
              name
            }
          }
        }
      }
    }
  }
`;

const FOUR_LEVELS = /* GraphQL */ `
  query FourLevels($id: ID!, $studies: Int!, $comments: Int!) {
    organization(id: $id) {
      studies(first: $studies) {
        edges {
          node {
            id
            title
            comments(first: $comments) {
              pageInfo {
                hasNextPage
              }
              edges {
                node {
                  id
                  body
                  author {
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

describe('folds: relations fetched in their parents’ statement', () => {
  let gateway: TestGateway;
  let unbatched: TestGateway;
  let token: string;
  let unbatchedToken: string;
  /** A study of ACME with comments, approvals and activity. */
  let studyId: string;

  const both = async (query: string, variables: Record<string, unknown>) => {
    const folded = await gateway.graphql(query, { token, variables });
    const reference = await unbatched.graphql(query, { token: unbatchedToken, variables });
    assert.deepEqual(folded.body, reference.body);
    return folded;
  };

  before(async () => {
    gateway = await startTestGateway();
    unbatched = await startTestGateway({ config: { dataloaderBatching: false } });
    token = await gateway.tokenFor('analyst@example.com');
    unbatchedToken = await unbatched.tokenFor('analyst@example.com');
    await gateway.graphql('{ viewer { id } }', { token });
    await unbatched.graphql('{ viewer { id } }', { token: unbatchedToken });
    const found = await sql<{ id: string }>`
      SELECT s.id FROM studies s WHERE s.organization_id = ${ACME}::uuid
        AND (SELECT count(*) FROM comments c WHERE c.study_id = s.id) >= 3
        AND EXISTS (SELECT 1 FROM approvals a WHERE a.study_id = s.id)
        AND EXISTS (SELECT 1 FROM collaboration_activity a WHERE a.study_id = s.id)
      ORDER BY s.id LIMIT 1`.execute(gateway.db);
    studyId = found.rows[0].id;
  });
  after(async () => {
    await gateway?.close();
    await unbatched?.close();
  });

  it('a study page (comments and their total, approvals, activity with their users) is one statement, the same answer as unbatched', async () => {
    const folded = await both(STUDY_PAGE, { id: studyId });
    assert.equal(folded.sqlStatements, 1);
    const study = dataOf(folded).study;
    assert.ok(study.comments.edges.length >= 3);
    const counted = await sql<{
      count: string;
    }>`SELECT count(*) FROM comments WHERE study_id = ${studyId}::uuid`.execute(gateway.db);
    assert.equal(study.comments.totalCount, Number(counted.rows[0].count));
    assert.ok(study.approvals.length >= 1);
    assert.ok(study.activity.edges.length >= 1 && typeof study.activity.edges[0].node.id === 'string');
    const withoutTotal = await gateway.graphql(STUDY_PAGE.replace('totalCount', ''), {
      token,
      variables: { id: studyId },
    });
    assert.equal(withoutTotal.sqlStatements, 1);
  });

  it('counts come in their parents’ statement where they are selected: totals under filters, aliases and counts of their own', async () => {
    const organizations = /* GraphQL */ `
      query Counts($role: OrganizationRole) {
        organizations(first: 20) {
          edges {
            node {
              id
              memberCount
              studyCount
              admins: members(first: 1, role: $role) {
                totalCount
              }
              members(first: 2) {
                totalCount
                edges {
                  node {
                    id
                    role
                    joinedAt
                    user {
                      name
                    }
                  }
                }
              }
              active: studies(first: 1, filter: { statuses: [ACTIVE] }) {
                totalCount
              }
            }
          }
        }
      }
    `;
    for (const role of ['ADMIN', 'MEMBER', null]) {
      const folded = await both(organizations, { role });
      // The page of organizations with every count and the members' page: one statement.
      assert.equal(folded.sqlStatements, 1, `role ${role}`);
      const acme = dataOf(folded).organizations.edges.find(({ node }: any) => node.id === ACME).node;
      const counts = await sql<{ members: string; admins: string; studies: string; active: string }>`
        SELECT (SELECT count(*) FROM organization_members WHERE organization_id = ${ACME}::uuid) AS members,
               (SELECT count(*) FROM organization_members WHERE organization_id = ${ACME}::uuid
                  AND (${role}::text IS NULL OR role = lower(${role}::text))) AS admins,
               (SELECT count(*) FROM studies WHERE organization_id = ${ACME}::uuid) AS studies,
               (SELECT count(*) FROM studies WHERE organization_id = ${ACME}::uuid AND status = 'active') AS active`.execute(
        gateway.db,
      );
      const expected = counts.rows[0];
      assert.equal(acme.memberCount, Number(expected.members));
      assert.equal(acme.members.totalCount, Number(expected.members));
      assert.equal(acme.admins.totalCount, Number(expected.admins), `role ${role}`);
      assert.equal(acme.studyCount, Number(expected.studies));
      assert.equal(acme.active.totalCount, Number(expected.active));
    }
    // An organization at hand (the viewer's own) reads two or more relations below it in one statement of it.
    const organization = /* GraphQL */ `
      query Organization($id: ID!, $first: Int!) {
        organization(id: $id) {
          name
          studyCount
          members(first: $first) {
            totalCount
            edges {
              node {
                role
                user {
                  name
                }
                invitedBy {
                  name
                }
              }
            }
          }
          studies(first: $first) {
            edges {
              node {
                title
                createdBy {
                  name
                }
              }
            }
          }
        }
      }
    `;
    for (const first of [1, 5, 20]) {
      const folded = await both(organization, { id: ACME, first });
      assert.equal(folded.sqlStatements, 1, `first ${first}`);
      assert.ok(dataOf(folded).organization.members.edges.length >= 1);
    }
    // A relation under @include or @skip is never folded: a fold does its work before the resolvers, whether or
    // not the variables then include it, and the cost model prices it by the variables. It is read by its own
    // loader when included.
    const conditional = organization
      .replace(
        'query Organization($id: ID!, $first: Int!)',
        'query Organization($id: ID!, $first: Int!, $with: Boolean!)',
      )
      .replace('studies(first: $first) {', 'studies(first: $first) @include(if: $with) {');
    const included = await both(conditional, { id: ACME, first: 5, with: true });
    assert.equal(included.sqlStatements, 2, 'the members (with their count) in one, the included studies in their own');
    assert.equal(dataOf(included).organization.studies.edges.length, 5);
    const left = await both(conditional, { id: ACME, first: 5, with: false });
    assert.equal(left.sqlStatements, 1);
    assert.equal(dataOf(left).organization.studies, undefined);
    // Logs and their totals, under types and an actor: the page and the total are two folds of one statement.
    const logs = /* GraphQL */ `
      query Logs($id: ID!, $study: ID!, $types: [ActivityType!], $actorId: ID) {
        organization(id: $id) {
          activity(first: 3, types: $types, actorId: $actorId) {
            totalCount
            edges {
              node {
                id
                type
                actor {
                  id
                }
              }
            }
          }
        }
        study(id: $study) {
          activity(first: 2, types: $types) {
            totalCount
            edges {
              node {
                type
              }
            }
          }
        }
      }
    `;
    const actor = await sql<{ user_id: string }>`
      SELECT user_id FROM collaboration_activity WHERE organization_id = ${ACME}::uuid AND user_id IS NOT NULL
      GROUP BY user_id ORDER BY count(*) DESC LIMIT 1`.execute(gateway.db);
    for (const [types, actorId] of [
      [null, null],
      [['COMMENT_ADDED', 'STUDY_CREATED'], null],
      [null, actor.rows[0].user_id],
    ]) {
      const folded = await both(logs, { id: ACME, study: studyId, types, actorId });
      assert.equal(folded.sqlStatements, 2, JSON.stringify({ types, actorId }));
      const total = await sql<{ count: string }>`
        SELECT count(*) FROM collaboration_activity WHERE organization_id = ${ACME}::uuid
          AND (${actorId}::uuid IS NULL OR user_id = ${actorId}::uuid)
          AND (${types === null}::boolean OR activity_type IN ('comment_added', 'study_created'))`.execute(gateway.db);
      assert.equal(dataOf(folded).organization.activity.totalCount, Number(total.rows[0].count));
    }
    const resolvedOnly = /* GraphQL */ `
      query Resolved($id: ID!, $resolved: Boolean) {
        study(id: $id) {
          comments(first: 2, resolved: $resolved) {
            totalCount
            edges {
              node {
                id
                resolvedAt
              }
            }
          }
        }
      }
    `;
    for (const resolved of [true, false, null]) {
      const folded = await both(resolvedOnly, { id: studyId, resolved });
      assert.equal(folded.sqlStatements, 1, `resolved ${resolved}`);
    }
  });

  it('a study by node(id:) or nodes(ids:) comes with what its selection reads below it: which table, then one statement', async () => {
    const byNode = /* GraphQL */ `
      query ByNode($id: ID!) {
        node(id: $id) {
          id
          ... on Study {
            title
            comments(first: 3) {
              totalCount
              edges {
                node {
                  body
                  author {
                    name
                  }
                }
              }
            }
            approvals {
              status
            }
          }
        }
      }
    `;
    const byNodes = /* GraphQL */ `
      query ByNodes($ids: [ID!]!) {
        nodes(ids: $ids) {
          ... on Study {
            id
            comments(first: 3) {
              edges {
                node {
                  id
                }
              }
            }
          }
        }
      }
    `;
    const others = await sql<{ id: string }>`
      SELECT id FROM studies WHERE organization_id = ${ACME}::uuid AND id <> ${studyId}::uuid ORDER BY id LIMIT 2`.execute(
      gateway.db,
    );
    // The table of the id (one statement), then the study with its comments, approvals and total (one).
    const one = await both(byNode, { id: studyId });
    assert.equal(one.sqlStatements, 2);
    assert.ok(dataOf(one).node.comments.edges.length >= 3);
    const ids = [studyId, ...others.rows.map((row) => row.id)];
    const many = await both(byNodes, { ids });
    assert.equal(many.sqlStatements, 2);
    assert.deepEqual(
      dataOf(many).nodes.map((node: { id: string }) => node.id),
      ids,
    );
    // Another organization's study is not found, its relations never answered.
    const refused = await both(byNodes, { ids: [studyId, UMBRELLA_STUDY] });
    assert.equal(refused.body.data.nodes[1], null);
    assert.deepEqual(
      refused.body.errors?.map((error) => error.extensions?.code),
      ['NOT_FOUND'],
    );
  });

  it('organization → studies → comments → author is one statement, the same answer as unbatched, as the pages grow', async () => {
    // From its third run an operation runs compiled (graphql-jit), its field nodes the same from run to run:
    // what is kept per position must still follow each request's variables.
    for (const [studies, comments] of [
      [5, 2],
      [10, 3],
      [5, 2],
      [10, 3],
      [3, 1],
    ]) {
      const folded = await both(FOUR_LEVELS, { id: ACME, studies, comments });
      assert.equal(folded.sqlStatements, 1, `${studies} studies with ${comments} comments each`);
      const pages = dataOf(folded).organization.studies.edges;
      assert.equal(pages.length, studies);
      assert.ok(
        pages.some(({ node }: any) => node.comments.edges.length === comments && node.comments.pageInfo.hasNextPage),
      );
    }
  });

  it('the viewer’s organizations with their newest studies and creators is one statement, and so is a level more below the studies', async () => {
    const home = /* GraphQL */ `
      query Home($studies: Int!, $after: String) {
        organizations(first: 20) {
          edges {
            node {
              id
              name
              studies(first: $studies, after: $after) {
                pageInfo {
                  hasNextPage
                }
                edges {
                  cursor
                  node {
                    id
                    title
                    createdAt
                    createdBy {
                      id
                      name
                    }
                  }
                }
              }
            }
          }
        }
      }
    `;
    const folded = await both(home, { studies: 5 });
    assert.equal(folded.sqlStatements, 1);
    const organizations = dataOf(folded).organizations.edges;
    assert.ok(organizations.length >= 3 && organizations.every(({ node }: any) => node.studies.edges.length === 5));
    // The next page of each, by cursor, through the same fold.
    const cursor = organizations[0].node.studies.edges[4].cursor as string;
    assert.equal((await both(home, { studies: 5, after: cursor })).sqlStatements, 1);
    const deeper = await both(
      `{ organizations(first: 20) { edges { node { studies(first: 3) { edges { node { id comments(first: 2) { totalCount edges { node { id author { name } } } } collaborators { role user { name } } } } } } } } }`,
      {},
    );
    assert.equal(
      deeper.sqlStatements,
      1,
      'the organizations, their studies, and the studies’ comments and collaborators',
    );
    const studies = dataOf(deeper).organizations.edges.flatMap(({ node }: any) => node.studies.edges);
    assert.ok(studies.some(({ node }: any) => node.comments.edges.length === 2 && node.collaborators.length > 0));
    // An organization at hand with its members and its studies' comments: one statement of the organization.
    const overview = await both(
      `query Overview($id: ID!) { organization(id: $id) { members(first: 3) { edges { node { role } } }
        studies(first: 4) { edges { node { title comments(first: 2) { edges { node { body } } } } } } } }`,
      { id: ACME },
    );
    assert.equal(overview.sqlStatements, 1);
  });

  it('aliases with different arguments are folded each on their own; a second page by cursor is right', async () => {
    const first = dataOf(await gateway.graphql(STUDY_PAGE, { token, variables: { id: studyId } })).study.comments;
    const cursor = first.edges[0].cursor as string;
    await sql`UPDATE comments SET resolved_at = created_at + interval '1 hour', resolved_by = author_id
      WHERE id = ${first.edges[1].node.id}::uuid`.execute(gateway.db);
    await sql`UPDATE comments SET resolved_at = created_at + interval '1 hour', resolved_by = author_id
      WHERE id = ${first.edges[1].node.id}::uuid`.execute(unbatched.db);
    const query = /* GraphQL */ `
      query Aliases($id: ID!, $after: String, $resolved: Boolean) {
        study(id: $id) {
          two: comments(first: 2) {
            edges {
              node {
                id
              }
            }
          }
          next: comments(first: 2, after: $after) {
            pageInfo {
              hasNextPage
            }
            edges {
              node {
                id
                resolvedBy {
                  id
                }
              }
            }
          }
          resolved: comments(first: 5, resolved: $resolved) {
            edges {
              node {
                id
                resolvedAt
              }
            }
          }
          ...More
        }
      }
      fragment More on Study {
        two: comments(first: 2) {
          edges {
            node {
              body
            }
          }
        }
      }
    `;
    const folded = await both(query, { id: studyId, after: cursor, resolved: true });
    assert.equal(folded.sqlStatements, 1);
    const data = dataOf(folded).study;
    assert.deepEqual(
      data.next.edges.map(({ node }: any) => node.id),
      first.edges.slice(1, 3).map(({ node }: any) => node.id),
    );
    assert.ok(data.two.edges.every(({ node }: any) => typeof node.body === 'string' && node.id));
    assert.ok(
      data.resolved.edges.length >= 1 && data.resolved.edges.every(({ node }: any) => node.resolvedAt !== null),
    );
  });

  it('arguments the field refuses are not folded: the field reports them, as without folds', async () => {
    const tooMany = await both(
      'query($id: ID!) { study(id: $id) { title comments(first: 1000) { edges { node { id } } } } }',
      { id: studyId },
    );
    assert.ok(tooMany.body.errors?.length, 'first over its maximum is an error');
    const badCursor = await both(
      'query($id: ID!) { study(id: $id) { title comments(first: 2, after: "nonsense") { edges { node { id } } } } }',
      {
        id: studyId,
      },
    );
    assert.equal(badCursor.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  it('a study of another organization is NOT_FOUND, its folded relations never answered', async () => {
    const response = await gateway.graphql(STUDY_PAGE, { token, variables: { id: UMBRELLA_STUDY } });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal(response.body.data?.study ?? null, null);
    assert.doesNotMatch(JSON.stringify(response.body), /comments|approvals|body/);
    // The folded statement reads only studies of the viewer's organizations: another's is not even read.
    const loaders = createLoaders(gateway.db, { batch: true });
    const folds = [{ field: 'approvals', args: { plan: { costly: [], columns: null, joins: [] } } }];
    assert.equal(
      await loaders.studyWithFolds.load({ parentId: studyId, args: { folds, organizationIds: [UMBRELLA] } }),
      null,
    );
    assert.equal(
      (await loaders.studyWithFolds.load({ parentId: studyId, args: { folds, organizationIds: [ACME] } }))?.id,
      studyId,
    );
  });
});
