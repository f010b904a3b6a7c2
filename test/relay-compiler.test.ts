import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

/*
 * relay-compiler (Meta's, the Rust binary its npm package carries) against the committed schema: it refuses
 * `@refetchable` on a type unless the schema has Relay's Node interface with `node(id:)`, and a `@connection`
 * paged backward unless the connection takes `last`/`before`. The operations are a client's, written here.
 */
const SCHEMA = path.resolve(__dirname, '../../schema/schema.graphql');
const CLI = require.resolve('relay-compiler/cli.js');

const SOURCES: Record<string, string> = {
  'StudyTitle.ts': `import { graphql } from 'relay-runtime';
export const fragment = graphql\`
  fragment StudyTitle_study on Study @refetchable(queryName: "StudyTitleRefetchQuery") {
    id
    title
    status
  }
\`;
`,
  'OrganizationMembers.ts': `import { graphql } from 'relay-runtime';
export const fragment = graphql\`
  fragment OrganizationMembers_organization on Organization
  @refetchable(queryName: "OrganizationMembersPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    members(last: $count, before: $cursor) @connection(key: "OrganizationMembers_members") {
      edges {
        node {
          id
          role
          user { id name }
        }
      }
    }
  }
\`;
`,
  'NodeLookup.ts': `import { graphql } from 'relay-runtime';
export const query = graphql\`
  query NodeLookupQuery($id: ID!) {
    node(id: $id) {
      id
      ... on Study { title }
      ... on Organization { name }
      ... on Member { role }
    }
  }
\`;
`,
};

describe('relay-compiler', () => {
  let project: string;

  before(() => {
    project = mkdtempSync(path.join(tmpdir(), 'studygraph-relay-'));
    mkdirSync(path.join(project, 'src'));
    writeFileSync(path.join(project, 'schema.graphql'), readFileSync(SCHEMA, 'utf8'));
    writeFileSync(
      path.join(project, 'relay.config.json'),
      JSON.stringify({ src: './src', schema: './schema.graphql', language: 'typescript' }),
    );
    for (const [name, text] of Object.entries(SOURCES)) writeFileSync(path.join(project, 'src', name), text);
  });
  after(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it('compiles node(id:) lookups, @refetchable fragments and a connection paged backward', () => {
    const run = spawnSync(process.execPath, [CLI], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `relay-compiler failed:\n${run.stdout}\n${run.stderr}`);
    const generated = (name: string) => readFileSync(path.join(project, 'src', '__generated__', name), 'utf8');

    // The refetch query of a type reads it through Query.node, as Relay's Global Object Identification has it.
    const refetch = generated('StudyTitleRefetchQuery.graphql.ts');
    assert.ok(refetch.includes('query StudyTitleRefetchQuery('), refetch);
    assert.ok(refetch.includes('node(id: $id)'), 'refetched through Query.node');

    // The pagination query pages backward: last/before, and the connection's metadata says so.
    const pagination = generated('OrganizationMembersPaginationQuery.graphql.ts');
    assert.ok(pagination.includes('members(last: $count, before: $cursor)'), pagination);
    assert.match(generated('OrganizationMembers_organization.graphql.ts'), /"direction": "backward"/);
    assert.match(pagination, /hasPreviousPage/);

    assert.ok(generated('NodeLookupQuery.graphql.ts').includes('node(id: $id)'));
  });
});
