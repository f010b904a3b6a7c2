import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACME, ACME_STUDY } from './support/ids';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway';

/**
 * An operation's first two runs go through graphql-js, the third and later through its compiled function:
 * the same gateway answers both ways, so every answer is compared with the interpreted one.
 */
const RICH = /* GraphQL */ `
  query Rich($org: ID!, $first: Int! = 3, $withMembers: Boolean = true) {
    organization(id: $org) {
      ...OrgFields
      renamed: name
      members(first: 2) @include(if: $withMembers) {
        edges {
          node {
            role
            user {
              name
            }
            invitedBy {
              id
            }
          }
        }
      }
      studies(first: $first, filter: { statuses: [ACTIVE, DRAFT, COMPLETED] }) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            id
            title
            status
            createdAt
            createdBy {
              name
            }
            collaborators {
              role
              user {
                id
              }
            }
          }
        }
      }
    }
    nothing: study(id: "00000000-0000-4000-8000-00000000ffff") {
      id
    }
  }
  fragment OrgFields on Organization {
    id
    slug
    plan
    viewerRole
  }
`;

const FAILING = /* GraphQL */ `
  query Failing($id: ID!) {
    study(id: $id) { id title }
    organization(id: "${ACME}") { name }
  }`;

async function compiledCount(gateway: TestGateway): Promise<Record<string, number>> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^studygraph_compiled_operations_total\{result="(\w+)"\} (\d+)$/gm))
    counts[match[1]] = Number(match[2]);
  return counts;
}

function answer(response: GraphQLResponse) {
  return { status: response.status, body: response.body };
}

describe('compiled execution (graphql-jit)', () => {
  let gateway: TestGateway;
  let token: string;
  before(async () => {
    gateway = await startTestGateway({ config: { compiledExecution: true } });
    token = await gateway.tokenFor('analyst@example.com');
  });
  after(() => gateway?.close());

  it('answers exactly as graphql-js does: fragments, aliases, directives, variable defaults, enums, nulls', async () => {
    const variables = [{ org: ACME }, { org: ACME, first: 5, withMembers: false }];
    const interpreted = [];
    for (const v of variables) interpreted.push(answer(await gateway.graphql(RICH, { token, variables: v })));
    assert.deepEqual((await compiledCount(gateway)).compiled ?? 0, 0, 'two runs are not compiled yet');
    assert.ok(interpreted[0].body.data, JSON.stringify(interpreted[0].body));
    assert.equal(interpreted[0].body.data.organization.studies.edges.length, 3, 'the default of $first applied');
    assert.equal(interpreted[1].body.data.organization.members, undefined, '@include(if: false)');
    for (let round = 0; round < 2; round++) {
      for (const [i, v] of variables.entries())
        assert.deepEqual(answer(await gateway.graphql(RICH, { token, variables: v })), interpreted[i]);
    }
    assert.equal((await compiledCount(gateway)).compiled, 1, 'the third run compiled the operation once');
  });

  it('keeps graphql-js’s errors: a bad variable is BAD_USER_INPUT (400), a resolver’s coded error keeps its code, path and location', async () => {
    const bad = await gateway.graphql(FAILING, { token, variables: { id: 'not-a-uuid' } });
    const badVariable = await gateway.graphql(FAILING, { token, variables: { id: { nested: true } } });
    await gateway.graphql(FAILING, { token, variables: { id: ACME_STUDY } });
    const before = await compiledCount(gateway);
    assert.deepEqual(answer(await gateway.graphql(FAILING, { token, variables: { id: 'not-a-uuid' } })), answer(bad));
    assert.equal((await compiledCount(gateway)).compiled, (before.compiled ?? 0) + 1, 'this run was compiled');
    assert.equal(bad.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual(bad.body.errors?.[0]?.path, ['study']);
    assert.equal(bad.body.data?.organization?.name, 'Acme Research', 'the sibling field still answers');

    assert.equal(badVariable.status, 400);
    assert.equal(badVariable.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.deepEqual(
      answer(await gateway.graphql(FAILING, { token, variables: { id: { nested: true } } })),
      answer(badVariable),
    );
    assert.deepEqual(
      answer(await gateway.graphql(FAILING, { token, variables: {} })).body.errors?.[0]?.extensions?.code,
      'BAD_USER_INPUT',
      'a missing variable',
    );
  });

  /** Users the analyst may add to Acme at once: not in it, but in another organization of the analyst's. */
  const addableToAcme = (limit: number) =>
    gateway.db
      .selectFrom('users')
      .select('email')
      .where('id', 'not in', (eb) =>
        eb.selectFrom('organization_members').select('user_id').where('organization_id', '=', ACME),
      )
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('organization_members as theirs')
          .innerJoin('organization_members as mine', 'mine.organization_id', 'theirs.organization_id')
          .innerJoin('users as analyst', 'analyst.id', 'mine.user_id')
          .select('theirs.user_id')
          .where('analyst.email', '=', 'analyst@example.com'),
      )
      .orderBy('email')
      .limit(limit)
      .execute();

  it('leaves operations with input-object variables to graphql-js (graphql-jit skips input fields’ defaults)', async () => {
    const withInput = 'mutation($input: AddMemberInput!) { addMember(input: $input) { role } }';
    const [{ email }] = await addableToAcme(1);
    const before = (await compiledCount(gateway)).interpreted ?? 0;
    const codes = [];
    for (let run = 0; run < 3; run++) {
      // The role's default (MEMBER) applies; the second and third runs find the member already added.
      const response = await gateway.graphql(withInput, {
        token,
        variables: { input: { organizationId: ACME, email } },
      });
      codes.push(response.body.errors?.[0]?.extensions?.code ?? response.body.data?.addMember.role);
    }
    assert.deepEqual(codes, ['MEMBER', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    assert.equal((await compiledCount(gateway)).interpreted, before + 1);
  });

  it('leaves operations with variables inside input literals to graphql-js: an omitted one still gets the field’s default', async () => {
    const addable = await addableToAcme(3);
    assert.equal(addable.length, 3);
    const literal =
      'mutation($org: ID!, $email: String!, $role: OrganizationRole) { addMember(input: { organizationId: $org, email: $email, role: $role }) { role } }';
    const before = (await compiledCount(gateway)).interpreted ?? 0;
    const roles = [];
    for (const { email } of addable) {
      const response = await gateway.graphql(literal, { token, variables: { org: ACME, email } });
      roles.push(response.body.data?.addMember?.role ?? JSON.stringify(response.body.errors));
    }
    assert.deepEqual(roles, ['MEMBER', 'MEMBER', 'MEMBER'], 'the third run too');
    assert.equal((await compiledCount(gateway)).interpreted, before + 1);
  });
});
