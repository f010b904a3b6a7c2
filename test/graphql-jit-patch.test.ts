import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  execute,
  GraphQLEnumType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';

/**
 * patches/graphql-jit+0.8.9.patch (applied by `npm install`, postinstall) gives each leaf position of a
 * compiled query a hoisted function that builds the error's locations and path only when it reports one.
 * The answers, errors included, must stay graphql-js's.
 */
const Status = new GraphQLEnumType({
  name: 'Status',
  values: { OPEN: { value: 'open' }, CLOSED: { value: 'closed' } },
});
const Item = new GraphQLObjectType({
  name: 'Item',
  fields: {
    name: { type: new GraphQLNonNull(GraphQLString) },
    note: { type: GraphQLString },
    count: { type: GraphQLInt },
    status: { type: new GraphQLNonNull(Status) },
  },
});
const Group = new GraphQLObjectType({
  name: 'Group',
  fields: { items: { type: new GraphQLNonNull(new GraphQLList(Item)) } },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      groups: {
        type: new GraphQLList(Group),
        resolve: () => [
          { items: [{ name: 'a', note: null, count: 1, status: 'open' }] },
          {
            items: [
              { name: 'b', note: 'kept', count: 2, status: 'closed' },
              { name: null, note: 'x', count: 3, status: 'open' },
              { name: 'd', note: new Error('note failed'), count: 'many', status: 'open' },
              { name: 'e', note: null, count: 5, status: 'unknown' },
            ],
          },
        ],
      },
    },
  }),
});
const QUERY = '{ groups { items { name note count status } } }';

describe('graphql-jit, as patched: leaves', () => {
  it('answers as graphql-js does: values, enum names, nulls, and errors with their paths and locations', async () => {
    const document = parse(QUERY);
    const compiled = compileQuery(schema, document, undefined, { disablingCapturingStackErrors: true });
    assert.ok(isCompiledQuery(compiled));
    const jit = await compiled.query(undefined, {}, {});
    const js = await execute({ schema, document });
    const errorsOf = (result: typeof js) =>
      (result.errors ?? [])
        .map((e) => ({ message: e.message, path: e.path, locations: e.locations }))
        .sort((a, b) => a.message.localeCompare(b.message));
    // graphql-js builds its objects without a prototype: compared as the JSON a client gets.
    assert.equal(JSON.stringify(jit.data), JSON.stringify(js.data));
    assert.deepEqual(errorsOf(jit), errorsOf(js));
    // Each kind of leaf error happened: a null for a non-null, an Error as value, a value the scalar and the enum refuse.
    assert.equal(errorsOf(js).length, 4);
  });

  it('the patch is applied: no leaf passes its locations and path to every call', () => {
    const compiled = compileQuery(schema, parse(QUERY), undefined, { debug: true } as never);
    const source = (compiled as unknown as Record<string, string>).__DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation;
    assert.match(source, /Leaf\(__context, value, idx0, idx1\)/);
    assert.doesNotMatch(
      source,
      /checkNonNullLeaf|checkNullableLeaf/,
      'run npm install: postinstall applies patches/graphql-jit+0.8.9.patch',
    );
  });
});
