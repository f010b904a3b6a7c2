import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseNodeId, pairNodeId } from '../src/domain/node-ids';
import { sql } from 'kysely';
import { dataOf, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY } from './support/ids';

/** Every kind of Node the analyst can reach from Acme, as the fields that reach them show them. */
const WALK = `query($org: ID!, $study: ID!) {
  organization(id: $org) {
    id name
    members(first: 2) { edges { node { id role user { id name } } } }
    activity(first: 2) { edges { node { id type } } }
  }
  study(id: $study) {
    id title
    collaborators { id role user { id } }
    comments(first: 2) { edges { node { id body } } }
    approvals { id status }
  }
}`;

const FRAGMENTS = `__typename id
  ... on Organization { name }
  ... on Study { title }
  ... on User { name }
  ... on Comment { body }
  ... on Approval { status }
  ... on Activity { type }
  ... on Member { memberRole: role }
  ... on Collaborator { collaboratorRole: role }`;

describe('Relay object identification: Node, node(id:), nodes(ids:)', () => {
  let gateway: TestGateway;
  let analyst: string;
  let walked: any;

  before(async () => {
    gateway = await startTestGateway();
    analyst = await gateway.tokenFor('analyst@example.com');
    // A study of Acme's with comments and approvals.
    const study = await sql<{ id: string }>`
      SELECT s.id FROM studies s WHERE s.organization_id = ${ACME}
        AND EXISTS (SELECT FROM comments c WHERE c.study_id = s.id) AND EXISTS (SELECT FROM approvals a WHERE a.study_id = s.id)
      ORDER BY s.id LIMIT 1`.execute(gateway.db);
    walked = dataOf(await gateway.graphql(WALK, { token: analyst, variables: { org: ACME, study: study.rows[0].id } }));
  });
  after(() => gateway?.close());

  /** Each object of the walk: its id, its type and what the walk showed of it. */
  function reached(): { id: string; type: string; shown: Record<string, unknown> }[] {
    const { organization, study } = walked;
    const member = organization.members.edges[0].node;
    const collaborator = study.collaborators[0];
    return [
      { id: organization.id, type: 'Organization', shown: { name: organization.name } },
      { id: study.id, type: 'Study', shown: { title: study.title } },
      { id: member.user.id, type: 'User', shown: { name: member.user.name } },
      { id: member.id, type: 'Member', shown: { memberRole: member.role } },
      { id: collaborator.id, type: 'Collaborator', shown: { collaboratorRole: collaborator.role } },
      { id: study.comments.edges[0].node.id, type: 'Comment', shown: { body: study.comments.edges[0].node.body } },
      { id: study.approvals[0].id, type: 'Approval', shown: { status: study.approvals[0].status } },
      {
        id: organization.activity.edges[0].node.id,
        type: 'Activity',
        shown: { type: organization.activity.edges[0].node.type },
      },
    ];
  }

  it('node(id:) fetches every kind of object again, as the field that reached it showed it', async () => {
    for (const { id, type, shown } of reached()) {
      const data = dataOf(
        await gateway.graphql(`query($id: ID!) { node(id: $id) { ${FRAGMENTS} } }`, {
          token: analyst,
          variables: { id },
        }),
      );
      assert.deepEqual(data.node, { __typename: type, id, ...shown }, type);
    }
  });

  it('nodes(ids:) answers in the order asked, null and NOT_FOUND for ids that name nothing the viewer may see', async () => {
    const objects = reached();
    const ids = [
      objects[0].id,
      'not an id',
      objects[1].id,
      '00000000-0000-4000-8000-00000000abcd',
      objects[3].id,
      '99999999',
    ];
    const response = await gateway.graphql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, {
      token: analyst,
      variables: { ids },
    });
    assert.deepEqual(
      response.body.data?.nodes.map((node: { __typename: string } | null) => node?.__typename ?? null),
      ['Organization', null, 'Study', null, 'Member', null],
    );
    assert.deepEqual(
      (response.body.errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code]).sort(),
      [
        ['nodes.1', 'NOT_FOUND'],
        ['nodes.3', 'NOT_FOUND'],
        ['nodes.5', 'NOT_FOUND'],
      ],
    );
  });

  it('loads through the loaders: the statements do not grow with the number of ids', async () => {
    const ids = reached().map(({ id }) => id);
    const query = `query($ids: [ID!]!) { nodes(ids: $ids) { ${FRAGMENTS} } }`;
    const few = await gateway.graphql(query, { token: analyst, variables: { ids: ids.slice(0, 8) } });
    const many = await gateway.graphql(query, { token: analyst, variables: { ids: [...ids, ...ids, ...ids] } });
    assert.equal(many.body.data?.nodes.length, 24);
    assert.ok(
      many.sqlStatements <= few.sqlStatements,
      `${many.sqlStatements} statements for 24 ids, ${few.sqlStatements} for 8`,
    );
  });

  it('prices what each type it may be selects; the answer’s __typename settles the actual cost', async () => {
    const query = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Study { comments(first: 50) { edges { node { id } } } } } }`;
    const priced = dataOf(
      await gateway.graphql(
        `query($ids: [ID!]!) { rateLimit(dryRun: true) { cost } nodes(ids: $ids) { __typename ... on Study { comments(first: 50) { edges { node { id } } } } } }`,
        {
          token: analyst,
          variables: { ids: [ACME, ACME_STUDY] },
        },
      ),
    );
    // Two objects, each costed as the costliest type it may be: a study with a page of 50 comments.
    assert.ok((priced.rateLimit.cost as number) >= 2 * 50, `estimated ${priced.rateLimit.cost}`);
    const answered = await gateway.graphql(query, { token: analyst, variables: { ids: [ACME, ACME_STUDY] } });
    const cost = (answered.body.extensions as Record<string, unknown>).cost as {
      requestedQueryCost: number;
      actualQueryCost: number;
    };
    assert.ok(
      cost.actualQueryCost < cost.requestedQueryCost / 2,
      `actual ${cost.actualQueryCost} of ${cost.requestedQueryCost}`,
    );
  });

  it('a list of ids is priced by its length, whatever was priced before for the same document', async () => {
    const query = `query($ids: [ID!]!) { rateLimit(dryRun: true) { cost } nodes(ids: $ids) { id } }`;
    const one = dataOf(await gateway.graphql(query, { token: analyst, variables: { ids: [ACME] } }));
    const many = dataOf(
      await gateway.graphql(query, { token: analyst, variables: { ids: Array.from({ length: 100 }, () => ACME) } }),
    );
    assert.ok(
      (many.rateLimit.cost as number) >= 100 * (one.rateLimit.cost as number) * 0.5,
      JSON.stringify([one, many]),
    );
  });

  it('an alias named __typename cannot pass an object off as a cheaper type for the refund', async () => {
    const created = dataOf(
      await gateway.graphql('mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }', {
        token: analyst,
        variables: { input: { organizationId: ACME, title: 'Member' } },
      }),
    ).createStudy;
    const response = await gateway.graphql(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Study { __typename: title comments(first: 50) { edges { node { id } } } } } }`,
      { token: analyst, variables: { ids: [created.id] } },
    );
    assert.equal(response.body.data?.nodes[0].__typename, 'Member', 'the alias answered the title');
    const cost = (response.body.extensions as Record<string, unknown>).cost as { actualQueryCost: number };
    assert.ok(
      cost.actualQueryCost >= 50,
      `charged ${cost.actualQueryCost}: the costliest type's estimate, not a Member's`,
    );
  });

  it('refuses more than 100 ids, and anonymous callers', async () => {
    const tooMany = await gateway.graphql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      token: analyst,
      variables: { ids: Array.from({ length: 101 }, () => ACME) },
    });
    assert.equal(onlyError(tooMany).extensions?.code, 'BAD_USER_INPUT');
    const anonymous = await gateway.graphql(`{ node(id: "${ACME}") { id } }`);
    assert.equal(onlyError(anonymous).extensions?.code, 'UNAUTHENTICATED');
  });

  it('Member and Collaborator ids are opaque pairs, stable, and no user’s id', () => {
    const { organization, study } = walked;
    const member = organization.members.edges[0].node;
    assert.equal(member.id, pairNodeId('Member', ACME, member.user.id));
    assert.notEqual(member.id, member.user.id);
    assert.deepEqual(parseNodeId(member.id), { kind: 'Member', parentId: ACME, userId: member.user.id });
    const collaborator = study.collaborators[0];
    assert.deepEqual(parseNodeId(collaborator.id), {
      kind: 'Collaborator',
      parentId: study.id,
      userId: collaborator.user.id,
    });
    assert.equal(parseNodeId(Buffer.from(`Member:${ACME}:x`).toString('base64url')), null);
    assert.equal(parseNodeId('9'.repeat(19)), null, 'a number past bigint’s range names nothing');
  });
});
