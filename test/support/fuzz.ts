import {
  getNamedType,
  Kind,
  parse,
  print,
  validate,
  visit,
  type OperationDefinitionNode,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** A small deterministic PRNG (mulberry32): a failing case can be replayed from its seed. */
export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return { next, int, pick: <T>(list: readonly T[]): T => list[int(list.length)], chance: (p: number) => next() < p };
}
export type Random = ReturnType<typeof random>;

const STRINGS = [
  '',
  'a',
  'Study ✓ ünïcödé 🧪',
  'x'.repeat(5000),
  "'; DROP TABLE studies; --",
  '<script>alert(1)</script>',
  '\u0000\u0001',
  '%s%n',
  'a\nb\tc',
];
const INTS = [0, 1, -1, 2, 5, 10, 20, 100, 101, 365, 366, 2147483647, -2147483648];
const FLOATS = [0, -0.5, 1.5, 1e308, -1e-308];
const BAD_IDS = [
  '',
  'not-an-id',
  '00000000-0000-0000-0000-000000000000',
  '1 OR 1=1',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '../../etc/passwd',
  'a'.repeat(300),
];

function literal(type: GraphQLInputType, r: Random, ids: readonly string[], depth: number): string {
  if (isNonNullType(type)) return literal(type.ofType, r, ids, depth);
  if (isListType(type)) {
    const items = Array.from({ length: r.int(4) }, () => literal(type.ofType, r, ids, depth + 1));
    return `[${items.join(', ')}]`;
  }
  if (isEnumType(type)) return r.pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((field) => isNonNullType(field.type) || r.chance(0.5));
    return `{ ${fields.map((field) => `${field.name}: ${depth > 3 ? 'null' : literal(field.type, r, ids, depth + 1)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return JSON.stringify(r.chance(0.8) ? r.pick(ids) : r.pick(BAD_IDS));
      case 'Int':
        return String(r.pick(INTS));
      case 'Float':
        return String(r.pick(FLOATS));
      case 'Boolean':
        return r.chance(0.5) ? 'true' : 'false';
      case 'DateTimeISO':
        return JSON.stringify(r.pick(['2026-01-01T00:00:00.000Z', 'yesterday', '9999-12-31T23:59:59Z']));
      default:
        return JSON.stringify(r.pick(STRINGS));
    }
  }
  return 'null';
}

function args(field: GraphQLField<unknown, unknown>, r: Random, ids: readonly string[]): string {
  const chosen = field.args.filter((arg: GraphQLArgument) => isNonNullType(arg.type) || r.chance(0.4));
  if (chosen.length === 0) return '';
  return `(${chosen.map((arg) => `${arg.name}: ${literal(arg.type, r, ids, 0)}`).join(', ')})`;
}

/** Directives as clients write them, and as they should not: wrong places, repeats, unknown names, bad arguments. */
const DIRECTIVES = [
  '@include(if: true)',
  '@include(if: false)',
  '@skip(if: $on)',
  '@include(if: $off)',
  '@skip(if: false) @include(if: $on)',
  '@include(if: true) @include(if: true)',
  '@deprecated',
  '@specifiedBy(url: "https://example.com")',
  '@cost(weight: 5)',
  '@unknown',
  '@include',
  '@skip(if: "yes")',
  '@include(if: $missing)',
];

function selection(
  type: GraphQLObjectType,
  r: Random,
  ids: readonly string[],
  depth: number,
  directives = false,
): string {
  const fields = Object.values(type.getFields());
  const parts: string[] = [];
  for (let i = 0, n = 1 + r.int(4); i < n; i += 1) {
    const field = r.pick(fields);
    const named = getNamedType(field.type);
    const alias = r.chance(0.1) ? `a${i}: ` : '';
    const directive = directives && r.chance(0.4) ? ` ${r.pick(DIRECTIVES)}` : '';
    if (isObjectType(named)) {
      if (depth >= 5) continue;
      const inner = selection(named, r, ids, depth + 1, directives);
      const body = directives && r.chance(0.2) ? `... on ${named.name} ${r.pick(DIRECTIVES)} { ${inner} }` : inner;
      parts.push(`${alias}${field.name}${args(field, r, ids)}${directive} { ${body} }`);
    } else {
      parts.push(`${alias}${field.name}${args(field, r, ids)}${directive}`);
    }
  }
  return parts.length > 0 ? parts.join(' ') : '__typename';
}

/**
 * Operations heavy with fragments and directives: spreads that double at every level (flat, or under
 * two aliases each), chains and cycles of named fragments, unknown and unused ones, inline fragments, and
 * directives in every place. Each must be answered quickly, refused or computed.
 */
export function fragmentHeavyOperation(
  schema: GraphQLSchema,
  r: Random,
  ids: readonly string[],
): { query: string; variables: Record<string, unknown> } {
  const variables = { on: r.chance(0.5), off: r.chance(0.5) };
  const header = 'query Fuzz($on: Boolean = true, $off: Boolean = false)';
  const levels = 5 + r.int(40);
  const width = 2 + r.int(3);
  switch (r.int(5)) {
    case 0: {
      const spreads = (i: number) =>
        Array.from({ length: width }, () => `...F${i + 1}${r.chance(0.2) ? ` ${r.pick(DIRECTIVES)}` : ''}`).join(' ');
      const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on User { id ${spreads(i)} }`);
      return {
        query: `${header} { viewer { ...F0 } } ${fragments.join(' ')} fragment F${levels} on User { name email }`,
        variables,
      };
    }
    case 1: {
      const branch = (i: number, alias: string) =>
        `${alias}: organization { studies(first: ${1 + r.int(3)}) { edges { node { ...B${i + 1} } } } }`;
      const fragments = Array.from(
        { length: levels },
        (_, i) =>
          `fragment B${i} on Study { ${Array.from({ length: width }, (_, k) => branch(i, `b${k}`)).join(' ')} }`,
      );
      return {
        query: `${header} { study(id: ${JSON.stringify(r.pick(ids))}) { ...B0 } } ${fragments.join(' ')} fragment B${levels} on Study { id title }`,
        variables,
      };
    }
    case 2: {
      // A random web of fragments on User: chains, repeats, cycles, unknown and unused names.
      const count = 2 + r.int(12);
      const fragments = Array.from({ length: count }, (_, i) => {
        const spreads = Array.from({ length: r.int(4) }, () =>
          r.chance(0.1) ? '...Nowhere' : `...W${r.int(count)}`,
        ).join(' ');
        return `fragment W${i} on User { ${r.chance(0.5) ? 'name' : 'id'} ${spreads} }`;
      });
      return {
        query: `${header} { viewer { ...W0 ... on User { ...W${r.int(count)} } } } ${fragments.join(' ')}`,
        variables,
      };
    }
    case 3: {
      const query = schema.getQueryType()!;
      return { query: `${header} { ${selection(query, r, ids, 0, true)} }`, variables };
    }
    default: {
      // Deep nesting through fragments: each level one fragment deeper.
      const fragments = Array.from(
        { length: levels },
        (_, i) =>
          `fragment D${i} on Study { organization { studies(first: 1) { edges { node { id ...D${i + 1} ...D${i + 1} } } } } }`,
      );
      return {
        query: `${header} { study(id: ${JSON.stringify(r.pick(ids))}) { ...D0 } } ${fragments.join(' ')} fragment D${levels} on Study { id }`,
        variables,
      };
    }
  }
}

/** A random operation that is valid in shape (it may still fail validation on argument values). */
export function randomOperation(schema: GraphQLSchema, r: Random, ids: readonly string[]): string {
  const mutation = schema.getMutationType();
  if (mutation && r.chance(0.25)) {
    const field = r.pick(Object.values(mutation.getFields()));
    const named = getNamedType(field.type);
    const body = isObjectType(named) ? ` { ${selection(named, r, ids, 1)} }` : '';
    return `mutation { ${field.name}${args(field, r, ids)}${body} }`;
  }
  return `{ ${selection(schema.getQueryType()!, r, ids, 0)} }`;
}

const GARBAGE = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '$',
  '@',
  '...',
  'query',
  'mutation',
  'fragment',
  'on',
  'viewer',
  'studies',
  '"',
  '#',
  '\\',
  '\u0000',
  'null',
  '1e9999',
];

/** A request body that is malformed somewhere: JSON, the envelope, or the document. */
export function malformedBody(r: Random): string {
  switch (r.int(8)) {
    case 0:
      return Array.from({ length: 1 + r.int(200) }, () => String.fromCharCode(r.int(256))).join('');
    case 1:
      return JSON.stringify({ query: '{ viewer { id } }' }).slice(0, 1 + r.int(25));
    case 2:
      return JSON.stringify(
        r.pick([
          { query: 5 },
          { query: null },
          { query: ['{ viewer { id } }'] },
          { query: '{ viewer { id } }', variables: 'x' },
          { query: '{ __typename }', operationName: 7 },
          { query: '{ __typename }', extensions: [] },
          {},
          [],
          'query',
          42,
          null,
        ]),
      );
    case 3:
      return JSON.stringify({ query: Array.from({ length: 1 + r.int(60) }, () => r.pick(GARBAGE)).join(' ') });
    case 4:
      return JSON.stringify({ query: `${'{ a: viewer '.repeat(1 + r.int(300))}${'}'.repeat(r.int(300))}` });
    case 5:
      return JSON.stringify({
        query: 'query($n: Int!, $id: ID!) { organizations(first: $n) { totalCount } study(id: $id) { id } }',
        variables: { n: r.pick(['ten', 1e12, -5, null, [], {}]), id: r.pick([5, null, {}, 'x']) },
      });
    case 6:
      return `{"query": "{ __typename }", "variables": ${'{"a":'.repeat(1 + r.int(2000))}1${'}'.repeat(1 + r.int(2000))}}`;
    default:
      return JSON.stringify({ query: `{ ${'__typename '.repeat(1 + r.int(6000))}}` });
  }
}

/** A random string of `length` characters a name may hold (and, now and then, some it may not). */
function randomName(r: Random, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_';
  let name = r.chance(0.9) ? 'Op' : '\u00e9 -';
  while (name.length < length) name += alphabet[r.int(alphabet.length)];
  return name;
}

/**
 * A document the gateway has run before, sent with an operationName of its own making (distinct every time,
 * up to 20 KB): such names once stayed in a per-document map for ever.
 */
export function distinctOperationNameRequest(r: Random, document: string): { query: string; operationName: string } {
  return { query: document, operationName: randomName(r, 8 + r.int(r.chance(0.3) ? 20_000 : 200)) };
}

/**
 * A valid query whose root fields all sit under `@skip(if: $skip)` with `skip` true: it costs nothing and
 * resolves nothing, but a compiler would compile every branch. Distinct on each call, within the alias limit.
 */
export function skippedBranchOperation(
  schema: GraphQLSchema,
  r: Random,
  ids: readonly string[],
): { query: string; variables: Record<string, unknown> } {
  // Root fields of several random selections, each under an alias of its own so that none conflicts with another.
  // Within the alias limit (30): each root is aliased, and random selections alias some fields of their own.
  const roots: string[] = [];
  let aliases = 0;
  for (let attempt = 0; attempt < 200 && aliases < 28; attempt += 1) {
    const document = parse(`{ ${selection(schema.getQueryType()!, r, ids, 0)} }`);
    const operation = document.definitions[0] as OperationDefinitionNode;
    for (const field of operation.selectionSet.selections) {
      if (field.kind !== Kind.FIELD) continue;
      // Only branches that are valid on their own (random literals are often not): the document must run to be compiled.
      const root = print({ ...field, alias: { kind: Kind.NAME, value: `b${roots.length}` } });
      let rootAliases = 0;
      visit(parse(`{ ${root} }`), { Field: (node) => void (node.alias && (rootAliases += 1)) });
      if (aliases + rootAliases > 28 || root.includes('\\u0000') || validate(schema, parse(`{ ${root} }`)).length > 0)
        continue;
      roots.push(root);
      aliases += rootAliases;
    }
  }
  return {
    query: `query Skipped${r.int(1e9)}($skip: Boolean!) { ... @skip(if: $skip) { ${roots.join(' ')} } }`,
    variables: { skip: true },
  };
}

/** Documents that fail before they run, each distinct: unknown fields and arguments, wrong types, soups of tokens, truncations. */
export function invalidDocument(schema: GraphQLSchema, r: Random, ids: readonly string[]): string {
  const valid = randomOperation(schema, r, ids);
  switch (r.int(5)) {
    case 0:
      return valid.replace(/\{ (\w+)/, `{ ${randomName(r, 6)}`);
    case 1:
      return `{ ${Array.from({ length: 50 + r.int(350) }, () => `${r.pick(['viewer', 'rateLimit', 'organizations'])} { ${randomName(r, 4)} }`).join(' ')} }`;
    case 2:
      return valid.slice(0, Math.max(1, r.int(valid.length)));
    case 3:
      return Array.from({ length: 20 + r.int(2000) }, () =>
        r.pick(['{', '}', '(', ')', '[', ']', ':', '$', '@', '...', 'query', 'on', '"s"', '1', randomName(r, 3)]),
      ).join(' ');
    default:
      return valid.replace(/\(([^)]*)\)/, `(${randomName(r, 5)}: ${r.int(100)})`);
  }
}
