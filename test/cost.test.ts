import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { operationCost } from '../src/rate-limit/cost';
import { buildGatewaySchema } from '../src/schema';

function estimate(schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return operationCost({ schema, operation, fragments, variables });
}

describe('cost estimates (hand-computed)', () => {
  let schema: GraphQLSchema;
  before(async () => {
    schema = await buildGatewaySchema();
  });

  const cases: [string, string, number, Record<string, unknown>?][] = [
    ['one object', '{ viewer { name email } }', 1],
    ['scalars and typename are free', '{ __typename rateLimit { cost } }', 0],
    ['a connection costs its nodes: first × 1', '{ organizations(first: 5) { totalCount pageInfo { hasNextPage } edges { cursor node { name } } } }', 5],
    ['first defaults to 20', '{ organizations { edges { node { id } } } }', 20],
    ['first from a variable', 'query($n: Int!) { organizations(first: $n) { edges { node { id } } } }', 3, { n: 3 }],
    [
      'nested connections multiply: 10 × (1 + 20 × (1 + 1))',
      '{ organizations(first: 10) { edges { node { studies(first: 20) { edges { node { title createdBy { name } } } } } } } }',
      410,
    ],
    ['aliases count twice', '{ a: viewer { id } b: viewer { id } }', 2],
    [
      'fragments are followed: 2 × (1 + 3 × 1)',
      '{ organizations(first: 2) { edges { node { ...F } } } } fragment F on Organization { name studies(first: 3) { edges { node { id } } } }',
      8,
    ],
    ['inline fragments too', '{ viewer { ... on User { id } } }', 1],
    ['lists without a slicing argument use @listSize(assumedSize): 1 + 10 × (1 + 1)', '{ study(id: "x") { collaborators { role user { name } } } }', 21],
    [
      'analytics: organization 1 + analytics field 10 + its object 1 + topContributors(limit: 3) × user 1',
      '{ organization(slug: "x") { analytics(days: 30) { totalStudies dailyActiveUsers { count } topContributors(limit: 3) { count user { name } } } } }',
      15,
    ],
    ['a mutation costs 10 plus what it returns', 'mutation { addComment(input: { studyId: "x", body: "y" }) { id author { name } } }', 12],
    ['two mutations cost 10 each', 'mutation { a: resolveComment(input: { commentId: "x" }) { id } b: resolveComment(input: { commentId: "y" }) { id } }', 22],
    ['searchStudies weighs 10 plus its page', '{ searchStudies(query: "sleep", first: 5) { edges { node { id } } } }', 15],
  ];
  for (const [name, query, expected, variables] of cases) {
    it(name, () => assert.equal(estimate(schema, query, variables), expected));
  }

  it('the actual cost counts what came back', () => {
    const query = '{ organizations(first: 10) { edges { node { studies(first: 20) { edges { node { id } } } } } } }';
    const document = parse(query);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const data = {
      organizations: {
        edges: [
          { node: { studies: { edges: [{ node: { id: 'a' } }, { node: { id: 'b' } }] } } },
          { node: { studies: { edges: [] } } },
        ],
      },
    };
    assert.equal(operationCost({ schema, operation, fragments: {}, variables: {} }), 10 * (1 + 20));
    assert.equal(operationCost({ schema, operation, fragments: {}, variables: {} }, data), 2 * 1 + 2);
  });
});
