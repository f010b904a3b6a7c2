import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { sql } from 'kysely';
import { createLoaders } from '../loaders';
import { CONNECTION_NODES, LIST_ITEMS, readPlan, wholeRows } from '../loaders/selection';
import { dataOf, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY } from './support/ids';

/**
 * The loading layer reads what a selection reads (loaders/relations.ts, selection.ts, joins.ts): to-one
 * relations a selection follows come in the statement of the rows that point to them, whatever the
 * relation; costly columns come only when their field is read; a partial row never answers a whole read.
 */

/** The info readPlan is given for the first field of a document's operation. */
function infoOf(document: string): {
  fieldNodes: readonly FieldNode[];
  fragments: Record<string, FragmentDefinitionNode>;
} {
  const parsed = parse(document);
  const operation = parsed.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    parsed.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments };
}

const COMMENT_THREAD = /* GraphQL */ `
  query Thread($id: ID!) {
    study(id: $id) {
      id
      comments(first: 20) {
        edges {
          node {
            id
            body
            createdAt
            author {
              id
              name
            }
            resolvedAt
            resolvedBy {
              id
              name
            }
          }
        }
      }
      approvals {
        id
        status
        requestedBy {
          id
          name
        }
        reviewer {
          id
          name
        }
      }
    }
  }
`;

const MEMBER_DIRECTORY = /* GraphQL */ `
  query Directory($id: ID!) {
    organization(id: $id) {
      members(first: 20) {
        edges {
          node {
            role
            user {
              id
              name
              email
            }
            invitedBy {
              id
              name
            }
          }
        }
      }
    }
  }
`;

const ACTIVITY_FEED = /* GraphQL */ `
  query Feed($id: ID!) {
    organization(id: $id) {
      activity(first: 20) {
        edges {
          node {
            id
            type
            actor {
              id
              name
            }
            study {
              id
              title
            }
          }
        }
      }
    }
  }
`;

describe('read plans: statements read what the selection reads, for every relation', () => {
  let gateway: TestGateway;
  let unbatched: TestGateway;
  let token: string;
  let unbatchedToken: string;
  /** A study of ACME with comments and approvals. */
  let threadStudy: string;

  before(async () => {
    gateway = await startTestGateway();
    unbatched = await startTestGateway({ config: { dataloaderBatching: false } });
    token = await gateway.tokenFor('analyst@example.com');
    unbatchedToken = await unbatched.tokenFor('analyst@example.com');
    await gateway.graphql('{ viewer { id } }', { token });
    await unbatched.graphql('{ viewer { id } }', { token: unbatchedToken });
    const found = await sql<{ id: string }>`
      SELECT s.id FROM studies s WHERE s.organization_id = ${ACME}::uuid
        AND (SELECT count(*) FROM comments c WHERE c.study_id = s.id) >= 2 AND EXISTS (SELECT 1 FROM approvals a WHERE a.study_id = s.id)
      ORDER BY s.id LIMIT 1`.execute(gateway.db);
    threadStudy = found.rows[0].id;
    // Every comment of the study resolved by someone: the resolvers' join carries rows.
    for (const db of [gateway.db, unbatched.db]) {
      await sql`UPDATE comments SET resolved_at = created_at + interval '1 hour', resolved_by = author_id WHERE study_id = ${threadStudy}::uuid`.execute(
        db,
      );
    }
  });
  after(async () => {
    await gateway?.close();
    await unbatched?.close();
  });

  it('plans follow fragments and aliases, join only the relations read, and fetch a costly column only when its field is read', () => {
    const comments = infoOf(
      `{ comments(first: 5) { edges { node { ...C other: author { id } } } } } fragment C on Comment { resolvedBy { name } }`,
    );
    // Only the columns the fields read, and the keys (id, parent, order), of the comments and of each user.
    assert.deepEqual(readPlan(comments, 'Comment', CONNECTION_NODES), {
      costly: [],
      columns: ['author_id', 'created_at', 'id', 'resolved_by', 'study_id'],
      joins: [
        { field: 'author', costly: [], columns: ['id'] },
        { field: 'resolvedBy', costly: [], columns: ['id', 'name'] },
      ],
    });
    const withBody = infoOf(`{ comments(first: 5) { edges { node { ... on Comment { body } } } } }`);
    assert.deepEqual(readPlan(withBody, 'Comment', CONNECTION_NODES), {
      costly: ['body'],
      columns: ['body', 'created_at', 'id', 'study_id'],
      joins: [],
    });
    // An entry's details (JSON) only when read; a type whose fields' columns are not declared (a study) reads every column.
    const feed = infoOf(`{ activity(first: 5) { edges { node { study { title } } } } }`);
    const feedColumns = ['created_at', 'id', 'organization_id', 'study_id', 'user_id'];
    assert.deepEqual(readPlan(feed, 'Activity', CONNECTION_NODES), {
      costly: [],
      columns: feedColumns,
      joins: [{ field: 'study', costly: [], columns: null }],
    });
    const feedWithDescriptions = infoOf(
      `{ activity(first: 5) { edges { node { s: study { description } details } } } }`,
    );
    assert.deepEqual(readPlan(feedWithDescriptions, 'Activity', CONNECTION_NODES), {
      costly: [],
      columns: ['created_at', 'details', 'id', 'organization_id', 'study_id', 'user_id'],
      joins: [{ field: 'study', costly: ['description'], columns: null }],
    });
    const approvals = infoOf(`{ approvals { reviewer { id } } }`);
    assert.deepEqual(readPlan(approvals, 'Approval', LIST_ITEMS), {
      costly: [],
      columns: ['id', 'requested_at', 'reviewer_id', 'study_id'],
      joins: [{ field: 'reviewer', costly: [], columns: ['id'] }],
    });
    // A user field whose columns are not declared (notifications) reads the whole user.
    const collaborators = infoOf(`{ collaborators { user { name notifications(first: 1) { totalCount } } } }`);
    assert.deepEqual(readPlan(collaborators, 'Collaborator', LIST_ITEMS), {
      costly: [],
      columns: ['added_at', 'study_id', 'user_id'],
      joins: [{ field: 'user', costly: [], columns: null }],
    });
  });

  it('a comment thread with two relations per comment and two per approval takes one statement, the same answer as unbatched', async () => {
    const batched = await gateway.graphql(COMMENT_THREAD, { token, variables: { id: threadStudy } });
    // The study, its comments with authors and resolvers and its approvals with requesters and reviewers folded in.
    assert.equal(batched.sqlStatements, 1);
    const data = dataOf(batched);
    assert.ok(data.study.comments.edges.length >= 2);
    assert.ok(data.study.comments.edges.every(({ node }: any) => node.resolvedBy?.name && node.author.name));
    assert.ok(data.study.approvals.length >= 1);
    assert.deepEqual(
      data,
      dataOf(await unbatched.graphql(COMMENT_THREAD, { token: unbatchedToken, variables: { id: threadStudy } })),
    );
  });

  it('a member directory with each member’s user and inviter takes one statement, the same answer as unbatched', async () => {
    const batched = await gateway.graphql(MEMBER_DIRECTORY, { token, variables: { id: ACME } });
    assert.equal(batched.sqlStatements, 1);
    const members = dataOf(batched).organization.members.edges;
    assert.equal(members.length, 20);
    assert.ok(members.some(({ node }: any) => node.invitedBy !== null));
    assert.deepEqual(
      dataOf(batched),
      dataOf(await unbatched.graphql(MEMBER_DIRECTORY, { token: unbatchedToken, variables: { id: ACME } })),
    );
  });

  it('an activity feed with actors and studies takes one statement; a study it brought without its description never answers a read of it', async () => {
    const feed = await gateway.graphql(ACTIVITY_FEED, { token, variables: { id: ACME } });
    assert.equal(feed.sqlStatements, 1);
    assert.deepEqual(
      dataOf(feed),
      dataOf(await unbatched.graphql(ACTIVITY_FEED, { token: unbatchedToken, variables: { id: ACME } })),
    );
    const studyId = dataOf(feed).organization.activity.edges.find(({ node }: any) => node.study)!.node.study
      .id as string;
    const described = await gateway.db
      .selectFrom('studies')
      .select('description')
      .where('id', '=', studyId)
      .executeTakeFirstOrThrow();
    await gateway.db
      .updateTable('studies')
      .set({ description: 'what the study is about' })
      .where('id', '=', studyId)
      .execute();
    // The same request reads the feed (studies without descriptions) and then the study itself, whole.
    const both = await gateway.graphql(
      `query Both($org: ID!, $study: ID!) { organization(id: $org) { activity(first: 20) { edges { node { study { id title } } } } }
        study(id: $study) { description } }`,
      { token, variables: { org: ACME, study: studyId } },
    );
    assert.equal(dataOf(both).study.description, 'what the study is about');
    const inFeed = await gateway.graphql(
      `query Described($org: ID!) { organization(id: $org) { activity(first: 20) { edges { node { study { id description } } } } } }`,
      {
        token,
        variables: { org: ACME },
      },
    );
    assert.equal(inFeed.sqlStatements, 1, 'descriptions read below the feed come in its statement');
    const entry = dataOf(inFeed).organization.activity.edges.find(({ node }: any) => node.study?.id === studyId);
    assert.equal(entry.node.study.description, 'what the study is about');
    await gateway.db
      .updateTable('studies')
      .set({ description: described.description })
      .where('id', '=', studyId)
      .execute();
  });

  it('a page whose selection leaves a costly column out does not fetch it; a study of such a page read elsewhere is read whole', async () => {
    const loaders = createLoaders(gateway.db, { batch: true });
    const lean = await loaders.commentsPage.load({
      parentId: ACME_STUDY,
      args: { first: 5, after: null, backward: false, resolved: null, plan: { costly: [], columns: null, joins: [] } },
    });
    assert.ok(lean.rows.length > 0);
    assert.ok(lean.rows.every((row) => row.body === undefined && typeof row.id === 'string'));
    const whole = await loaders.commentsPage.load({
      parentId: ACME_STUDY,
      args: { first: 5, after: null, backward: false, resolved: null, plan: wholeRows('Comment') },
    });
    assert.ok(whole.rows.every((row) => typeof row.body === 'string'));

    const studies = await loaders.studiesPage.load({
      parentId: ACME,
      args: {
        first: 3,
        after: null,
        backward: false,
        orderBy: 'created_at',
        direction: 'desc',
        filter: { statuses: null, createdById: null, createdAfter: null, createdBefore: null },
        plan: { costly: [], columns: null, joins: [] },
        folds: [],
      },
    });
    const first = studies.rows[0];
    assert.equal(first.description, undefined);
    assert.equal(
      loaders.studyById.loadPartialNow(first.id),
      loaders.studyById.loadPartialNow(first.id),
      'kept as a partial row',
    );
    const read = await loaders.studyById.load(first.id);
    assert.notEqual(read?.description, undefined, 'a whole read goes to the database');
  });
});
