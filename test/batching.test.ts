import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { dataOf, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, UMBRELLA } from './support/ids';

/**
 * The viewer and all their memberships are read in one statement on their first request, then kept in
 * process (checked against their membership generation): the suite warms the viewer first.
 */
const AUTH_STATEMENTS = 0;

const ORGANIZATIONS_STUDIES_COLLABORATORS = /* GraphQL */ `
  query Nested($studies: Int!) {
    organizations(first: 10) {
      # depth 1
      edges {
        node {
          studies(first: $studies) {
            # depth 2
            edges {
              node {
                collaborators {
                  # depth 3
                  role
                  user {
                    name
                  } # depth 4
                }
              }
            }
          }
        }
      }
    }
  }
`;

const STUDY_COMMENTS_AUTHOR = /* GraphQL */ `
  query Comments($id: ID!, $comments: Int!) {
    study(id: $id) {
      # depth 1
      comments(first: $comments) {
        # depth 2
        edges {
          node {
            body
            author {
              name
            }
          }
        } # depth 3
      }
    }
  }
`;

function countRows(data: any): { studies: number; collaborators: number } {
  const studies = data.organizations.edges.flatMap((o: any) => o.node.studies.edges);
  return { studies: studies.length, collaborators: studies.flatMap((s: any) => s.node.collaborators).length };
}

describe('DataLoader batching: statements follow the query shape, not the row count', () => {
  let gateway: TestGateway;
  let unbatched: TestGateway;
  let token: string;

  before(async () => {
    gateway = await startTestGateway();
    unbatched = await startTestGateway({ config: { dataloaderBatching: false } });
    token = await gateway.tokenFor('analyst@example.com');
    const first = await gateway.graphql('{ viewer { id } }', { token });
    assert.equal(first.sqlStatements, 1, 'the first request reads the viewer');
    assert.equal(
      (await gateway.graphql('{ viewer { id } }', { token })).sqlStatements,
      0,
      'later ones find it in process',
    );
    await unbatched.graphql('{ viewer { id } }', { token });
  });
  after(async () => {
    await gateway?.close();
    await unbatched?.close();
  });

  it('organizations → studies → collaborators → user takes one statement: studies, collaborators and users come with their organizations', async () => {
    const response = await gateway.graphql(ORGANIZATIONS_STUDIES_COLLABORATORS, { token, variables: { studies: 10 } });
    const rows = countRows(dataOf(response));
    assert.equal(rows.studies, 30, 'three organizations of ten studies each');
    assert.ok(rows.collaborators >= 90);
    // Depth 4 in one statement: the organizations' page folds each one's studies, which fold (because the
    // query asks for them) each study's collaborators with their users, priming every loader.
    assert.equal(response.sqlStatements, 1 + AUTH_STATEMENTS);
  });

  it('an organization of the viewer’s (by slug or id) comes with the viewer: its dashboard takes one statement, another’s is looked up and refused', async () => {
    const dashboard = /* GraphQL */ `
      query Dashboard($slug: String!) {
        organization(slug: $slug) {
          id
          name
          plan
          createdAt
          studies(first: 20) {
            edges {
              node {
                title
                createdBy {
                  name
                }
                collaborators {
                  role
                  user {
                    name
                  }
                }
              }
            }
          }
        }
      }
    `;
    const response = await gateway.graphql(dashboard, { token, variables: { slug: 'acme-research' } });
    const organization = dataOf(response).organization;
    const row = await gateway.db
      .selectFrom('organizations')
      .selectAll()
      .where('slug', '=', 'acme-research')
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [organization.id, organization.name, organization.plan.toLowerCase(), organization.createdAt],
      [row.id, row.name, row.plan, row.created_at.toISOString()],
    );
    assert.equal(organization.studies.edges.length, 20);
    assert.equal(response.sqlStatements, 1 + AUTH_STATEMENTS, 'only the studies page');
    assert.equal(
      (await gateway.graphql(`{ organization(id: "${row.id}") { slug } }`, { token })).sqlStatements,
      0 + AUTH_STATEMENTS,
    );

    const umbrella = await gateway.db
      .selectFrom('organizations')
      .select('slug')
      .where('id', '=', UMBRELLA)
      .executeTakeFirstOrThrow();
    const outsider = await gateway.graphql(`{ organization(slug: "${umbrella.slug}") { name } }`, { token });
    assert.equal(onlyError(outsider).extensions?.code, 'NOT_FOUND');
    assert.equal(outsider.sqlStatements, 1 + AUTH_STATEMENTS, 'not the viewer’s: looked up');
  });

  it('collaborators asked through fragments and aliases come with their studies too, the same rows as asked directly', async () => {
    const throughFragments = /* GraphQL */ `
      query Nested($studies: Int!) {
        organizations(first: 10) {
          edges {
            node {
              studies(first: $studies) {
                edges {
                  ...StudyEdge
                }
              }
            }
          }
        }
      }
      fragment StudyEdge on StudyEdge {
        node {
          ... on Study {
            team: collaborators {
              role
              user {
                name
              }
            }
          }
        }
      }
    `;
    const direct = await gateway.graphql(ORGANIZATIONS_STUDIES_COLLABORATORS, { token, variables: { studies: 10 } });
    const viaFragments = await gateway.graphql(throughFragments, { token, variables: { studies: 10 } });
    assert.equal(viaFragments.sqlStatements, 1 + AUTH_STATEMENTS);
    const teams = (data: any, key: string) =>
      data.organizations.edges.flatMap((o: any) => o.node.studies.edges.map((s: any) => s.node[key]));
    assert.deepEqual(teams(dataOf(viaFragments), 'team'), teams(dataOf(direct), 'collaborators'));
  });

  it('a page’s collaborators fold into its statement with the users their selection reads, in any alias or fragment, and the same study by id gets the same ones', async () => {
    const studyId = (
      await gateway.db
        .selectFrom('studies')
        .select('id')
        .where('organization_id', '=', ACME)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow()
    ).id;
    const page = (collaborators: string) =>
      `organization(id: "${ACME}") { studies(first: 5) { edges { node { id ${collaborators} } } } }`;
    const whole = 'collaborators { role permissions addedAt addedBy { id } user { id email name createdAt } }';
    const expected = await gateway.db
      .selectFrom('study_collaborators as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select(['c.study_id', 'c.role', 'u.id', 'u.email', 'u.name'])
      .where('c.study_id', '=', studyId)
      .orderBy('c.added_at')
      .orderBy('c.user_id')
      .execute();
    assert.ok(expected.length > 1, 'the newest study has collaborators');
    const reference = await gateway.graphql(`{ ${page(whole)} }`, { token });
    assert.equal(
      reference.sqlStatements,
      1 + AUTH_STATEMENTS,
      'collaborators, users and who added them: one statement',
    );
    const studies = dataOf(reference).organization.studies.edges;
    assert.equal(studies[0].node.id, studyId);
    assert.deepEqual(
      studies[0].node.collaborators.map((c: any) => [c.role, c.user.id, c.user.email, c.user.name]),
      expected.map((row) => [row.role.toUpperCase(), row.id, row.email, row.name]),
    );

    // Role and user name only, under an alias and in a fragment: the same values, one statement.
    const narrow = await gateway.graphql(
      `{ ${page('team: collaborators { __typename role user { __typename id name } } ...Emails')} } fragment Emails on Study { collaborators { user { email } } }`,
      { token },
    );
    assert.equal(narrow.sqlStatements, 1 + AUTH_STATEMENTS);
    const narrowStudies = dataOf(narrow).organization.studies.edges;
    assert.deepEqual(
      narrowStudies.map(({ node }: any) => node.team.map((c: any) => [c.role, c.user.id, c.user.name])),
      studies.map(({ node }: any) => node.collaborators.map((c: any) => [c.role, c.user.id, c.user.name])),
    );
    assert.deepEqual(
      narrowStudies.map(({ node }: any) => node.collaborators.map((c: any) => c.user.email)),
      studies.map(({ node }: any) => node.collaborators.map((c: any) => c.user.email)),
    );

    // No user read: no user joined, still one statement.
    const roles = await gateway.graphql(`{ ${page('collaborators { role }')} }`, { token });
    assert.equal(roles.sqlStatements, 1 + AUTH_STATEMENTS);

    // The same study by id in the same request, with a wider selection: its own statement, the same collaborators.
    const both = dataOf(
      await gateway.graphql(
        `{ ${page('collaborators { role user { name } }')} study(id: "${studyId}") { ${whole} } }`,
        {
          token,
        },
      ),
    );
    assert.deepEqual(both.study.collaborators, studies.find(({ node }: any) => node.id === studyId).node.collaborators);
  });

  it('twice as many studies and collaborators send the same number of statements', async () => {
    const small = await gateway.graphql(ORGANIZATIONS_STUDIES_COLLABORATORS, { token, variables: { studies: 10 } });
    const large = await gateway.graphql(ORGANIZATIONS_STUDIES_COLLABORATORS, { token, variables: { studies: 20 } });
    const smallRows = countRows(dataOf(small));
    const largeRows = countRows(dataOf(large));
    assert.equal(largeRows.studies, 2 * smallRows.studies);
    assert.ok(largeRows.collaborators >= 2 * smallRows.collaborators - 10);
    assert.equal(large.sqlStatements, small.sqlStatements);
  });

  it('study → comments → author takes one statement (comments fold into the study’s, authors join the comments), also after the comments double', async () => {
    const study = await gateway.db
      .selectFrom('studies')
      .select(['id'])
      .where('organization_id', '=', sql<string>`md5('org:1')::uuid`)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const before = await gateway.graphql(STUDY_COMMENTS_AUTHOR, { token, variables: { id: study.id, comments: 100 } });
    const beforeCount = dataOf(before).study.comments.edges.length;
    assert.ok(beforeCount >= 4);
    // The study with its comments page folded in, joined with their authors (userById primed).
    assert.equal(before.sqlStatements, 1 + AUTH_STATEMENTS);

    // Double the comments, written by as many different members as possible.
    await sql`
      INSERT INTO comments (study_id, author_id, body)
      SELECT ${study.id}::uuid, m.user_id, 'extra comment ' || row_number() OVER ()
      FROM (SELECT user_id FROM organization_members WHERE organization_id = md5('org:1')::uuid ORDER BY user_id LIMIT ${beforeCount}) m
    `.execute(gateway.db);
    const doubled = await gateway.graphql(STUDY_COMMENTS_AUTHOR, { token, variables: { id: study.id, comments: 100 } });
    assert.equal(dataOf(doubled).study.comments.edges.length, 2 * beforeCount);
    assert.equal(doubled.sqlStatements, before.sqlStatements);
  });

  it('with batching off the same query costs a statement per row, with the same answer', async () => {
    const unbatchedToken = await unbatched.tokenFor('analyst@example.com');
    const batchedResponse = await gateway.graphql(ORGANIZATIONS_STUDIES_COLLABORATORS, {
      token,
      variables: { studies: 10 },
    });
    const unbatchedResponse = await unbatched.graphql(ORGANIZATIONS_STUDIES_COLLABORATORS, {
      token: unbatchedToken,
      variables: { studies: 10 },
    });
    assert.deepEqual(dataOf(unbatchedResponse), dataOf(batchedResponse));
    assert.ok(
      unbatchedResponse.sqlStatements > 5 * batchedResponse.sqlStatements,
      `unbatched ${unbatchedResponse.sqlStatements} vs batched ${batchedResponse.sqlStatements}`,
    );
  });

  it('collaborators joined into a page carry the same values as their own statement, timestamps to the millisecond (also before 1970)', async () => {
    const { study_id: studyId } = await gateway.db
      .selectFrom('study_collaborators')
      .innerJoin('studies', 'studies.id', 'study_collaborators.study_id')
      .select('study_id')
      .where('studies.organization_id', '=', ACME)
      .orderBy('studies.created_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const collaborators = await gateway.db
      .selectFrom('study_collaborators')
      .select('user_id')
      .where('study_id', '=', studyId)
      .orderBy('user_id')
      .execute();
    assert.ok(collaborators.length >= 2);
    // Microseconds that a Date drops, on either side of the epoch.
    await sql`UPDATE study_collaborators SET added_at = '2026-10-31 20:36:00.123456+00' WHERE study_id = ${studyId} AND user_id = ${collaborators[0].user_id}`.execute(
      gateway.db,
    );
    await sql`UPDATE users SET created_at = '1969-12-31 23:59:59.9995+00' WHERE id = ${collaborators[1].user_id}`.execute(
      gateway.db,
    );
    const fields = 'role permissions addedAt addedBy { id } user { id email name createdAt }';
    const page = await gateway.graphql(
      `{ organization(id: "${ACME}") { studies(first: 5) { edges { node { id collaborators { ${fields} } } } } } }`,
      {
        token,
      },
    );
    const own = await gateway.graphql(`{ study(id: "${studyId}") { collaborators { ${fields} } } }`, { token });
    const fromPage = dataOf(page).organization.studies.edges.find((edge: any) => edge.node.id === studyId).node
      .collaborators;
    assert.deepEqual(fromPage, dataOf(own).study.collaborators);
    const byUser = new Map(fromPage.map((c: any) => [c.user.id, c]));
    assert.equal((byUser.get(collaborators[0].user_id) as any).addedAt, '2026-10-31T20:36:00.123Z');
    assert.equal((byUser.get(collaborators[1].user_id) as any).user.createdAt, '1969-12-31T23:59:59.999Z');
  });
});
