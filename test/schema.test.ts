import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isObjectType, type GraphQLObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { buildGatewaySchema, printGatewaySchema } from '../src/graphql/build-schema';
import { breakingChanges } from '../src/graphql/schema-compatibility';
import { isDirectCall } from '../src/graphql/direct-field-resolvers';
import { Study } from '../schema/study.type';

const SCHEMA_FILE = path.resolve(__dirname, '../../schema/schema.graphql');
const RELEASED_SCHEMA_FILE = path.resolve(__dirname, '../../schema/released.graphql');

describe('schema', () => {
  it('schema/schema.graphql is what the code emits (run `npm run schema:emit` after changing types)', async () => {
    const emitted = printGatewaySchema(await buildGatewaySchema());
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    assert.equal(committed, emitted);
  });

  it('has the contract’s operations and enum spellings', async () => {
    const schema = await buildGatewaySchema();
    const query = schema.getQueryType()!.getFields();
    for (const name of ['viewer', 'organization', 'organizations', 'study', 'studies', 'searchStudies'])
      assert.ok(query[name], name);
    const mutation = schema.getMutationType()!.getFields();
    for (const name of [
      'createStudy',
      'updateStudy',
      'changeStudyStatus',
      'addCollaborator',
      'removeCollaborator',
      'addComment',
      'resolveComment',
      'requestApproval',
      'decideApproval',
      'addMember',
      'changeMemberRole',
    ]) {
      assert.ok(mutation[name], name);
      assert.deepEqual(
        mutation[name].args.map((a) => a.name),
        ['input'],
        `${name} takes one input`,
      );
    }
    const status = schema.getType('StudyStatus') as import('graphql').GraphQLEnumType;
    assert.deepEqual(
      status.getValues().map((v) => v.name),
      ['DRAFT', 'ACTIVE', 'IN_REVIEW', 'APPROVED', 'COMPLETED', 'ARCHIVED'],
    );
  });

  it('breaks nothing a client of the released schema uses (acknowledge a break with `npm run schema:release`)', async () => {
    const changes = breakingChanges(await readFile(RELEASED_SCHEMA_FILE, 'utf8'), await readFile(SCHEMA_FILE, 'utf8'));
    assert.deepEqual(changes, [], 'breaking changes against schema/released.graphql');
  });

  it('the comparison catches a removed field, a changed argument type and a changed field type', async () => {
    const released = await readFile(SCHEMA_FILE, 'utf8');
    const broken = released
      .replace(/^ {2}organization\(/m, '  organizationRenamed(')
      .replace('dryRun: Boolean! = false', 'dryRun: String! = "false"')
      .replace(/^ {2}email: String!$/m, '  email: Int!');
    assert.notEqual(broken, released);
    const types = breakingChanges(released, broken)
      .map((change) => change.type)
      .sort();
    assert.ok(types.includes('FIELD_REMOVED'), JSON.stringify(types));
    assert.ok(types.includes('FIELD_CHANGED_KIND'), JSON.stringify(types));
    assert.ok(types.includes('ARG_CHANGED_KIND'), JSON.stringify(types));
  });

  it('plain fields have no resolver of their own: only field resolvers run per field (simpleResolvers on every object type)', async () => {
    const schema = await buildGatewaySchema();
    const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
    const withResolver: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || roots.has(type)) continue;
      for (const field of Object.values(type.getFields()))
        if (field.resolve) withResolver.push(`${type.name}.${field.name}`);
    }
    // type-graphql wraps a field without simpleResolvers in a resolver that allocates per call and keeps
    // graphql-jit from reading the property inline: on a dashboard page, hundreds of calls per request.
    const fieldResolvers = new Set(
      getMetadataStorage().fieldResolvers.map(
        (resolver) => `${(resolver.getObjectType?.() as { name: string } | undefined)?.name}.${resolver.schemaName}`,
      ),
    );
    assert.ok(fieldResolvers.size > 10, `field resolvers found in the metadata: ${fieldResolvers.size}`);
    // Fields declared `simple: false` keep a resolver on purpose: getters that may give a promise or throw.
    const keptOnPurpose = new Set(
      getMetadataStorage().fields.flatMap((field) => (field.simple === false ? [field.schemaName] : [])),
    );
    assert.deepEqual([...keptOnPurpose].sort(), ['cursor', 'endCursor', 'startCursor', 'totalCount']);
    assert.deepEqual(
      withResolver.filter((field) => !fieldResolvers.has(field) && !keptOnPurpose.has(field.split('.')[1])),
      [],
    );
  });

  it('field resolvers of @Root() and @Ctx() are called directly, others through type-graphql; a parent of another class still works', async () => {
    const schema = await buildGatewaySchema();
    const fieldOf = (type: string, field: string) => (schema.getType(type) as GraphQLObjectType).getFields()[field];
    for (const [type, field] of [
      ['Study', 'createdBy'],
      ['Study', 'collaborators'],
      ['Collaborator', 'user'],
      ['Collaborator', 'addedBy'],
      ['Comment', 'author'],
      ['Activity', 'actor'],
    ]) {
      assert.ok(isDirectCall(fieldOf(type, field).resolve), `${type}.${field} is called directly`);
    }
    // @Args of an input object (a studies page's orderBy and filter): type-graphql converts and validates them.
    assert.equal(isDirectCall(fieldOf('Organization', 'studies').resolve), false);
    const user = { id: 'u1', email: 'u1@example.com', name: 'U One', created_at: new Date(0) };
    const context = { loaders: { userById: { loadCoveringNow: () => user } } };
    const createdBy = fieldOf('Study', 'createdBy').resolve!;
    const info = { fieldNodes: [], fragments: {} } as never;
    const direct = createdBy(Object.assign(new Study(), { createdById: 'u1' }), {}, context, info) as {
      name: string;
    };
    assert.equal(direct.name, 'U One');
    // A plain object is copied into a Study by type-graphql's wrapper, as before.
    const wrapped = createdBy({ createdById: 'u1' }, {}, context, info) as { name: string };
    assert.equal(wrapped.name, 'U One');
  });

  it('a connection field with @Args of scalars (Study.comments) is called directly: its arguments converted into their class and checked by the same rules', async () => {
    const schema = await buildGatewaySchema();
    const comments = (schema.getType('Study') as GraphQLObjectType).getFields().comments;
    assert.ok(isDirectCall(comments.resolve));
    const loaded: unknown[] = [];
    const context = {
      loaders: {
        folding: false,
        commentsPage: {
          load: (key: unknown) => {
            loaded.push(key);
            return Promise.resolve({ rows: [], hasNextPage: false, hasPreviousPage: false });
          },
        },
      },
    };
    const info = {
      fieldName: 'comments',
      fieldNodes: [],
      fragments: {},
      path: { prev: undefined, key: 'comments', typename: 'Study' },
      parentType: schema.getType('Study'),
      variableValues: {},
      schema,
    } as never;
    const study = Object.assign(new Study(), { id: 's1' });
    // Outside the rules: refused as type-graphql's validation refuses it, before any read.
    await assert.rejects(
      async () => comments.resolve!(study, { first: 0 }, context, info),
      (error: { extensions?: { code?: string }; message: string }) =>
        error.extensions?.code === 'BAD_USER_INPUT' && /first must not be less than 1/.test(error.message),
    );
    await assert.rejects(
      async () => comments.resolve!(study, { after: 'x'.repeat(513) }, context, info),
      (error: { extensions?: { code?: string } }) => error.extensions?.code === 'BAD_USER_INPUT',
    );
    assert.deepEqual(loaded, []);
  });
});
