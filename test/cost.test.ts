import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  getIntrospectionQuery,
  Kind,
  parse,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { actualCost, estimateCost, type CostInput } from '../src/rate-limit/cost';
import { buildGatewaySchema } from '../src/graphql/build-schema';

function costInput(schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}): CostInput {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  return { schema, operation, fragments, variables };
}

function estimate(schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}): number {
  return estimateCost(costInput(schema, query, variables));
}

describe('cost estimates (hand-computed)', () => {
  let schema: GraphQLSchema;
  before(async () => {
    schema = await buildGatewaySchema();
  });

  const cases: [string, string, number, Record<string, unknown>?][] = [
    ['one object', '{ viewer { name email } }', 1],
    ['scalars and typename are free', '{ __typename rateLimit { cost } }', 0],
    [
      'a connection costs its nodes, first × 1, and its totalCount 1',
      '{ organizations(first: 5) { totalCount pageInfo { hasNextPage } edges { cursor node { name } } } }',
      6,
    ],
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
    [
      'lists without a slicing argument use @listSize(assumedSize): 1 + 10 × (1 + 1)',
      '{ study(id: "x") { collaborators { role user { name } } } }',
      21,
    ],
    [
      'analytics: organization 1 + analytics field 10 + its object 1 + topContributors(limit: 3) × user 1',
      '{ organization(slug: "x") { analytics(days: 30) { totalStudies dailyActiveUsers { count } topContributors(limit: 3) { count user { name } } } } }',
      15,
    ],
    [
      'a mutation costs 10 plus what it returns',
      'mutation { addComment(input: { studyId: "x", body: "y" }) { id author { name } } }',
      12,
    ],
    [
      'two mutations cost 10 each',
      'mutation { a: resolveComment(input: { commentId: "x" }) { id } b: resolveComment(input: { commentId: "y" }) { id } }',
      22,
    ],
    [
      'searchStudies weighs 10 plus its page',
      '{ searchStudies(query: "sleep", first: 5) { edges { node { id } } } }',
      15,
    ],
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
    assert.equal(estimateCost({ schema, operation, fragments: {}, variables: {} }), 10 * (1 + 20));
    assert.equal(actualCost({ schema, operation, fragments: {}, variables: {} }, { data }), 2 * 1 + 2);
  });

  it('a fragment spread several times at one level is charged once, as it resolves once', () => {
    const once = estimate(schema, '{ viewer { ...U } } fragment U on User { id }');
    assert.equal(estimate(schema, '{ viewer { ...U ...U ...U ...U ...U } } fragment U on User { id }'), once);
    const page =
      '{ organizations(first: 3) { edges { node { ...O ...O ...O } } } } fragment O on Organization { studies(first: 4) { edges { node { id } } } }';
    assert.equal(estimate(schema, page), 3 * (1 + 4));
  });

  it('@skip and @include are honoured, with literals and variables', () => {
    assert.equal(estimate(schema, '{ viewer @skip(if: true) { id } a: viewer { id } }'), 1);
    assert.equal(estimate(schema, 'query($on: Boolean!) { viewer @include(if: $on) { id } }', { on: false }), 0);
    assert.equal(estimate(schema, 'query($on: Boolean!) { viewer @include(if: $on) { id } }', { on: true }), 1);
  });

  it('totalCount and the organization counts cost a point each: they send a count', () => {
    assert.equal(estimate(schema, '{ organizations(first: 1) { totalCount } }'), 1);
    assert.equal(estimate(schema, '{ organization(slug: "x") { memberCount studyCount } }'), 3);
  });

  it('introspection is costed: cheap for one schema read, refused when it recurses', () => {
    const sandbox = estimate(schema, getIntrospectionQuery());
    assert.ok(sandbox > 0 && sandbox < 2000, `full introspection costs ${sandbox}`);
    const recursive = `{ __schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } } }`;
    assert.ok(estimate(schema, recursive) > 10_000);
  });

  it('fragment bombs are priced in milliseconds, linearly', () => {
    for (const levels of [20, 30, 60]) {
      // Each fragment spreads the next twice, at the same level and under two aliases.
      const flat =
        Array.from({ length: levels }, (_, i) => `fragment F${i} on User { id ...F${i + 1} ...F${i + 1} }`).join('\n') +
        `\nfragment F${levels} on User { name }`;
      const started = performance.now();
      assert.equal(estimate(schema, `{ viewer { ...F0 } } ${flat}`), 1);
      const branching = Array.from(
        { length: levels },
        (_, i) =>
          `fragment B${i} on Study { a: organization { studies(first: 1) { edges { node { ...B${i + 1} } } } } b: organization { studies(first: 1) { edges { node { ...B${i + 1} } } } } }`,
      ).join('\n');
      const cost = estimate(schema, `{ study(id: "x") { ...B0 } } ${branching} fragment B${levels} on Study { id }`);
      assert.ok(cost > 2 ** Math.min(levels, 40), `the branching bomb of ${levels} levels costs ${cost}`);
      assert.ok(performance.now() - started < 1000, 'priced without expanding the fragments');
    }
  });

  it('the actual cost charges the estimate where an error nulled the answer, and more for longer lists', () => {
    const query =
      '{ viewer { id } organizations(first: 10) { edges { node { studies(first: 20) { edges { node { id } } } } } } }';
    const input = costInput(schema, query);
    const estimated = estimateCost(input);
    // A non-null root field failed: data is null, yet every root field ran.
    assert.equal(actualCost(input, { data: null, errors: [{ path: ['viewer'] }] }), estimated);
    // An error below nulled one organization: it is charged what it was estimated, the rest what came back.
    const data = {
      viewer: { id: 'u' },
      organizations: { edges: [{ node: null }, { node: { studies: { edges: [] } } }] },
    };
    assert.equal(
      actualCost(input, { data, errors: [{ path: ['organizations', 'edges', 0, 'node', 'studies'] }] }),
      1 + (1 + 20) + 1,
    );
    // Without the error, the null node costs nothing below it.
    assert.equal(actualCost(input, { data }), 1 + 0 + 1);
    // A list with an assumed size that came back longer costs what came back.
    const collaborators = costInput(schema, '{ study(id: "x") { collaborators { user { id } } } }');
    const many = { study: { collaborators: Array.from({ length: 27 }, () => ({ user: { id: 'u' } })) } };
    assert.equal(actualCost(collaborators, { data: many }), 1 + 27 * 2);
    assert.ok(actualCost(collaborators, { data: many }) > estimateCost(collaborators));
  });
});
