import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildGatewaySchema, printGatewaySchema } from '../src/build-schema';
import { breakingChanges } from '../src/schema-compatibility';

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
    for (const name of ['viewer', 'organization', 'organizations', 'study', 'studies', 'searchStudies']) assert.ok(query[name], name);
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
      .replace(/^ {2}organization\(id: ID, slug: String\)/m, '  organizationRenamed(id: ID, slug: String)')
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
});
