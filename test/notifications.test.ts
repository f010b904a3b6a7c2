import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dataOf, memberWithRole, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME } from './support/ids';
import { WsClient } from './support/ws-client';
import { createClient } from 'graphql-sse';

const ANALYST = 'analyst@example.com';
const MINE = `{ viewer { unreadNotificationCount notifications(first: 20) { totalCount edges { node { id kind readAt activity { type details } } } } } }`;

describe('notifications', () => {
  let gateway: TestGateway;
  let analyst: string;
  let reviewer: { id: string; email: string; token: string };
  let studyId: string;

  const mine = async (token: string) => dataOf(await gateway.graphql(MINE, { token })).viewer;
  const write = async (token: string, mutation: string, input: Record<string, unknown>) =>
    dataOf(await gateway.graphql(mutation, { token, variables: { input } }));

  before(async () => {
    // With the response cache on: notifications must never be answered from it.
    gateway = await startTestGateway({ config: { responseCache: true } });
    analyst = await gateway.tokenFor(ANALYST);
    reviewer = await memberWithRole(gateway, ACME, 'member');
    studyId = (
      await write(analyst, 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }', {
        organizationId: ACME,
        title: 'Told of',
      })
    ).createStudy.id;
  });
  after(async () => {
    await gateway.close();
  });

  it('tells a reviewer of an approval asked of them, and the requester of the decision, never the one who acted', async () => {
    const before = await mine(reviewer.token);
    const approvalId = (
      await write(analyst, 'mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id } }', {
        studyId,
        reviewerId: reviewer.id,
      })
    ).requestApproval.id;
    const told = await mine(reviewer.token);
    assert.equal(told.unreadNotificationCount, before.unreadNotificationCount + 1);
    const [latest] = told.notifications.edges;
    assert.equal(latest.node.kind, 'APPROVAL_REQUESTED');
    assert.equal(latest.node.readAt, null);
    assert.deepEqual(latest.node.activity, {
      type: 'APPROVAL_REQUESTED',
      details: { approvalId, reviewerId: reviewer.id },
    });

    const analystBefore = await mine(analyst);
    await write(reviewer.token, 'mutation($input: DecideApprovalInput!) { decideApproval(input: $input) { id } }', {
      approvalId,
      decision: 'APPROVED',
    });
    const analystAfter = await mine(analyst);
    assert.equal(analystAfter.unreadNotificationCount, analystBefore.unreadNotificationCount + 1);
    assert.equal(analystAfter.notifications.edges[0].node.kind, 'APPROVAL_DECIDED');
    assert.equal(
      (await mine(reviewer.token)).unreadNotificationCount,
      told.unreadNotificationCount,
      'the reviewer is not told of their own decision',
    );
  });

  it('tells a study’s collaborators of a comment, not its author', async () => {
    await write(analyst, 'mutation($input: AddCollaboratorInput!) { addCollaborator(input: $input) { role } }', {
      studyId,
      userId: reviewer.id,
      role: 'EDITOR',
    });
    const [reviewerBefore, analystBefore] = [await mine(reviewer.token), await mine(analyst)];
    await write(analyst, 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
      studyId,
      body: 'Have a look',
    });
    const reviewerAfter = await mine(reviewer.token);
    assert.equal(reviewerAfter.unreadNotificationCount, reviewerBefore.unreadNotificationCount + 1);
    assert.equal(reviewerAfter.notifications.edges[0].node.kind, 'COMMENT_ADDED');
    assert.equal((await mine(analyst)).unreadNotificationCount, analystBefore.unreadNotificationCount);
  });

  it('marks the viewer’s own read, all or none, and pages unread ones only on request', async () => {
    const before = await mine(reviewer.token);
    const [first, second] = before.notifications.edges.map((edge: { node: { id: string } }) => edge.node.id);
    const mark = (token: string, ids: string[]) =>
      gateway.graphql('mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) }', {
        token,
        variables: { input: { ids } },
      });
    // Someone else's id refuses the whole batch: nothing is marked.
    assert.equal(onlyError(await mark(analyst, [first])).extensions?.code, 'NOT_FOUND');
    assert.equal(onlyError(await mark(reviewer.token, [first, 'bm90LWFuLWlk'])).extensions?.code, 'NOT_FOUND');
    assert.equal((await mine(reviewer.token)).unreadNotificationCount, before.unreadNotificationCount);

    assert.equal(dataOf(await mark(reviewer.token, [first, first])).markNotificationsRead, 1);
    assert.equal(dataOf(await mark(reviewer.token, [first])).markNotificationsRead, 0, 'already read');
    const after = await mine(reviewer.token);
    assert.equal(after.unreadNotificationCount, before.unreadNotificationCount - 1);
    assert.ok(after.notifications.edges[0].node.readAt);
    const unread = dataOf(
      await gateway.graphql('{ viewer { notifications(unreadOnly: true) { totalCount edges { node { id } } } } }', {
        token: reviewer.token,
      }),
    ).viewer.notifications;
    assert.equal(unread.totalCount, after.unreadNotificationCount);
    assert.ok(unread.edges.every((edge: { node: { id: string } }) => edge.node.id !== first));
    assert.ok(unread.edges.some((edge: { node: { id: string } }) => edge.node.id === second));
  });

  it('is private: another user’s notifications are FORBIDDEN (that field only), and node(id:) finds only one’s own', async () => {
    const reviewerNotification = (await mine(reviewer.token)).notifications.edges[0].node.id;
    const response = await gateway.graphql(
      `{ node(id: "${reviewer.id}") { ... on User { name notifications { totalCount } unreadNotificationCount } } }`,
      { token: analyst },
    );
    assert.equal(response.status, 200);
    assert.equal(typeof response.body.data?.node.name, 'string', 'the rest of the user answers');
    assert.equal(response.body.data?.node.notifications, null);
    assert.equal(response.body.data?.node.unreadNotificationCount, null);
    assert.ok(response.body.errors?.every((error) => error.extensions?.code === 'FORBIDDEN'));
    const lookup = (token: string) =>
      gateway.graphql(`{ node(id: "${reviewerNotification}") { id ... on Notification { kind } } }`, { token });
    assert.equal(dataOf(await lookup(reviewer.token)).node.id, reviewerNotification);
    assert.equal(onlyError(await lookup(analyst)).extensions?.code, 'NOT_FOUND');
  });

  it('are never answered from the response cache: marking read shows at once', async () => {
    const count = async () => {
      const response = await gateway.graphql('{ viewer { unreadNotificationCount } }', { token: reviewer.token });
      return {
        count: dataOf(response).viewer.unreadNotificationCount as number,
        cache: response.headers.get('x-cache'),
      };
    };
    const before = await count();
    assert.ok(before.count > 0);
    const costOf = async (query: string) =>
      ((await gateway.graphql(query, { token: reviewer.token })).body.extensions as any).cost
        .requestedQueryCost as number;
    assert.equal(
      await costOf('{ viewer { unreadNotificationCount } }'),
      (await costOf('{ viewer { id } }')) + 1,
      'the count is a statement, priced as one',
    );
    assert.notEqual((await count()).cache, 'hit', 'asked again: not from the cache');
    const [unread] = dataOf(
      await gateway.graphql('{ viewer { notifications(unreadOnly: true, first: 1) { edges { node { id } } } } }', {
        token: reviewer.token,
      }),
    ).viewer.notifications.edges;
    // Another member's cached answer about the organization: marking read leaves it, as it changes nothing shared.
    const organizationName = async () =>
      (await gateway.graphql(`{ organization(id: "${ACME}") { name } }`, { token: analyst })).headers.get('x-cache');
    await organizationName();
    assert.equal(await organizationName(), 'hit');
    dataOf(
      await gateway.graphql('mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) }', {
        token: reviewer.token,
        variables: { input: { ids: [unread.node.id] } },
      }),
    );
    assert.equal((await count()).count, before.count - 1);
    assert.equal(await organizationName(), 'hit', 'marking read emptied no cache');
  });

  it('reach their user live, over WebSocket and Server-Sent Events alike, and nobody else', async () => {
    const LIVE = 'subscription { notifications { id kind activity { type } } }';
    const socket = await WsClient.connect(gateway.url, reviewer.token);
    const bystander = await WsClient.connect(gateway.url, analyst);
    const client = createClient({
      url: `${gateway.url}/graphql`,
      headers: () => ({ authorization: `Bearer ${reviewer.token}` }),
      retryAttempts: 0,
    });
    const events = client.iterate<any>({ query: LIVE });
    try {
      socket.subscribe('n', LIVE, {});
      bystander.subscribe('n', LIVE, {});
      const next = events.next();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const live = (
        await write(analyst, 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }', {
          organizationId: ACME,
          title: 'Told live',
        })
      ).createStudy.id;
      await write(analyst, 'mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id } }', {
        studyId: live,
        reviewerId: reviewer.id,
      });
      const [overSocket] = await socket.nexts('n', 1);
      assert.equal(overSocket.errors, undefined, JSON.stringify(overSocket.errors));
      assert.deepEqual(
        [overSocket.data.notifications.kind, overSocket.data.notifications.activity.type],
        ['APPROVAL_REQUESTED', 'APPROVAL_REQUESTED'],
      );
      const { value } = (await next) as IteratorResult<any>;
      assert.equal(value.data.notifications.id, overSocket.data.notifications.id, 'the same notification over SSE');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(bystander.of('n').length, 0, 'the requester is not told of their own request');
    } finally {
      await events.return?.(undefined);
      client.dispose();
      socket.close();
      bystander.close();
      await Promise.all([socket.closeCode(), bystander.closeCode()]);
    }
  });
});
