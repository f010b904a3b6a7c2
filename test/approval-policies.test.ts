import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reviewOutcome } from '../src/domain/approval-policy';
import { dataOf, memberWithRole, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME } from './support/ids';

const ANALYST = 'analyst@example.com';
const SET_POLICY =
  'mutation($input: SetApprovalPolicyInput!) { setApprovalPolicy(input: $input) { requiredApprovals reviewerRoles updatedAt } }';

describe('the review rule (reviewOutcome)', () => {
  const approval = (
    reviewerId: string,
    status: 'pending' | 'approved' | 'rejected',
    requestedBy = 'owner',
    role: 'owner' | 'admin' | 'member' | 'viewer' | 'gone' = 'member',
  ) => ({ reviewerId, requestedBy, status, reviewerRole: role === 'gone' ? undefined : role });
  const needing = (
    requiredApprovals: number,
    reviewerRoles: ('owner' | 'admin' | 'member')[] = ['owner', 'admin', 'member'],
  ) => ({
    requiredApprovals,
    reviewerRoles,
  });
  it('approves at the required number of distinct reviewers, goes back to active on a rejection, else waits', () => {
    assert.equal(reviewOutcome([approval('a', 'approved'), approval('b', 'pending')], needing(2)), null);
    assert.deepEqual(reviewOutcome([approval('a', 'approved'), approval('b', 'approved')], needing(2)), {
      status: 'approved',
      approvals: 2,
    });
    assert.deepEqual(
      reviewOutcome([approval('a', 'approved'), approval('a', 'approved')], needing(2)),
      null,
      'one reviewer twice is one approval',
    );
    assert.deepEqual(reviewOutcome([approval('a', 'approved'), approval('b', 'rejected')], needing(1)), {
      status: 'active',
      approvals: 1,
    });
  });
  it('never counts a requester of the round as a reviewer', () => {
    const round = [approval('a', 'approved', 'b'), approval('b', 'approved', 'owner')];
    assert.equal(reviewOutcome(round, needing(2)), null, 'b requested one: b’s approval does not count');
    assert.deepEqual(reviewOutcome(round, needing(1)), { status: 'approved', approvals: 1 });
  });
  it('counts only reviewers whose role the policy takes now (a narrowed policy, a demoted or departed reviewer)', () => {
    const round = [approval('a', 'approved', 'owner', 'admin'), approval('b', 'approved', 'owner', 'member')];
    assert.equal(reviewOutcome(round, needing(2, ['admin'])), null, 'the member’s approval does not count');
    assert.deepEqual(reviewOutcome(round, needing(1, ['admin'])), { status: 'approved', approvals: 1 });
    assert.equal(
      reviewOutcome(
        [approval('a', 'rejected', 'owner', 'viewer'), approval('b', 'approved', 'owner', 'gone')],
        needing(1),
      ),
      null,
      'neither a viewer’s rejection nor a departed member’s approval counts',
    );
  });
});

describe('approval policies', () => {
  let gateway: TestGateway;
  let analyst: string;
  let reviewers: { id: string; email: string; token: string }[];
  let admin: { id: string; email: string; token: string };

  const setPolicy = (requiredApprovals: number, reviewerRoles: string[], token = analyst) =>
    gateway.graphql(SET_POLICY, {
      token,
      variables: { input: { organizationId: ACME, requiredApprovals, reviewerRoles } },
    });
  /** A new study of Acme's, moved to IN_REVIEW by the analyst (its owner). */
  const studyInReview = async (title: string): Promise<string> => {
    const id = dataOf(
      await gateway.graphql('mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }', {
        token: analyst,
        variables: { input: { organizationId: ACME, title } },
      }),
    ).createStudy.id as string;
    for (const status of ['ACTIVE', 'IN_REVIEW']) await changeStatus(id, status);
    return id;
  };
  const changeStatus = async (id: string, status: string) =>
    dataOf(
      await gateway.graphql(
        'mutation($input: ChangeStudyStatusInput!) { changeStudyStatus(input: $input) { status } }',
        {
          token: analyst,
          variables: { input: { id, status } },
        },
      ),
    );
  const request = async (studyId: string, reviewerId: string): Promise<string> =>
    dataOf(
      await gateway.graphql('mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id } }', {
        token: analyst,
        variables: { input: { studyId, reviewerId } },
      }),
    ).requestApproval.id;
  const decide = (token: string, approvalId: string, decision: 'APPROVED' | 'REJECTED') =>
    gateway.graphql('mutation($input: DecideApprovalInput!) { decideApproval(input: $input) { status } }', {
      token,
      variables: { input: { approvalId, decision } },
    });
  const statusOf = async (id: string): Promise<string> =>
    dataOf(await gateway.graphql(`{ study(id: "${id}") { status } }`, { token: analyst })).study.status;
  const policyMoves = (studyId: string) =>
    gateway.db
      .selectFrom('collaboration_activity')
      .selectAll()
      .where('study_id', '=', studyId)
      .where('activity_type', '=', 'status_changed')
      .where('user_id', 'is', null)
      .orderBy('id')
      .execute();

  before(async () => {
    gateway = await startTestGateway();
    analyst = await gateway.tokenFor(ANALYST);
    const first = await memberWithRole(gateway, ACME, 'member');
    const second = await memberWithRole(gateway, ACME, 'member', [first.email]);
    reviewers = [first, second];
    admin = await memberWithRole(gateway, ACME, 'admin');
  });
  after(async () => {
    await gateway.close();
  });

  it('has a default (one approval, any member) and is set by admins only, within its bounds', async () => {
    const read = async () =>
      dataOf(
        await gateway.graphql(
          `{ organization(id: "${ACME}") { approvalPolicy { requiredApprovals reviewerRoles updatedAt } } }`,
          { token: analyst },
        ),
      ).organization.approvalPolicy;
    assert.deepEqual(await read(), {
      requiredApprovals: 1,
      reviewerRoles: ['OWNER', 'ADMIN', 'MEMBER'],
      updatedAt: null,
    });
    assert.equal(onlyError(await setPolicy(2, ['MEMBER'], reviewers[0].token)).extensions?.code, 'FORBIDDEN');
    for (const [required, roles] of [
      [0, ['MEMBER']],
      [11, ['MEMBER']],
      [1, []],
      [1, ['VIEWER']],
    ] as const)
      assert.equal(
        onlyError(await setPolicy(required, [...roles])).extensions?.code,
        'BAD_USER_INPUT',
        `${required} ${JSON.stringify(roles)}`,
      );
    const set = dataOf(await setPolicy(2, ['MEMBER', 'ADMIN'])).setApprovalPolicy;
    assert.deepEqual([set.requiredApprovals, set.reviewerRoles], [2, ['ADMIN', 'MEMBER']]);
    assert.ok(set.updatedAt);
    assert.deepEqual((await read()).reviewerRoles, ['ADMIN', 'MEMBER']);
  });

  it('approves a study in review by itself at the required approvals, once, with an entry that names the policy', async () => {
    dataOf(await setPolicy(2, ['MEMBER', 'ADMIN']));
    const studyId = await studyInReview('Two approvals');
    const [first, second] = [await request(studyId, reviewers[0].id), await request(studyId, reviewers[1].id)];
    assert.equal(dataOf(await decide(reviewers[0].token, first, 'APPROVED')).decideApproval.status, 'APPROVED');
    assert.equal(await statusOf(studyId), 'IN_REVIEW', 'one of two');
    dataOf(await decide(reviewers[1].token, second, 'APPROVED'));
    assert.equal(await statusOf(studyId), 'APPROVED');
    const [move] = await policyMoves(studyId);
    assert.deepEqual(move.details, {
      from: 'in_review',
      to: 'approved',
      approvalPolicy: { requiredApprovals: 2, approvals: 2 },
      approvalId: second,
    });
    const [latest] = await gateway.db
      .selectFrom('collaboration_activity')
      .select(['activity_type', 'user_id'])
      .where('study_id', '=', studyId)
      .orderBy('id', 'desc')
      .limit(1)
      .execute();
    assert.deepEqual(latest, { activity_type: 'status_changed', user_id: null }, 'logged after the decision');
  });

  it('sends a study back to active on a rejection; a new round does not count the old one', async () => {
    dataOf(await setPolicy(1, ['MEMBER']));
    const studyId = await studyInReview('Rejected, then approved');
    const rejected = await request(studyId, reviewers[0].id);
    dataOf(await decide(reviewers[0].token, rejected, 'REJECTED'));
    assert.equal(await statusOf(studyId), 'ACTIVE');
    await changeStatus(studyId, 'IN_REVIEW');
    const approved = await request(studyId, reviewers[1].id);
    dataOf(await decide(reviewers[1].token, approved, 'APPROVED'));
    assert.equal(await statusOf(studyId), 'APPROVED', 'the earlier round’s rejection is not this round’s');
    assert.deepEqual(
      (await policyMoves(studyId)).map((move) => (move.details as { to: string }).to),
      ['active', 'approved'],
    );
  });

  it('refuses to ask a reviewer outside the policy’s roles', async () => {
    dataOf(await setPolicy(1, ['ADMIN']));
    const studyId = await studyInReview('Admins review');
    const refused = onlyError(
      await gateway.graphql('mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id } }', {
        token: analyst,
        variables: { input: { studyId, reviewerId: reviewers[0].id } },
      }),
    );
    assert.equal(refused.extensions?.code, 'BAD_USER_INPUT');
    assert.match(refused.message, /ADMIN only/);
    const approvalId = await request(studyId, admin.id);
    dataOf(await decide(admin.token, approvalId, 'APPROVED'));
    assert.equal(await statusOf(studyId), 'APPROVED');
  });

  it('approves a study that already meets a lowered requirement as soon as the policy is set', async () => {
    dataOf(await setPolicy(2, ['MEMBER', 'ADMIN']));
    const studyId = await studyInReview('Lowered');
    const approvalId = await request(studyId, reviewers[0].id);
    dataOf(await decide(reviewers[0].token, approvalId, 'APPROVED'));
    assert.equal(await statusOf(studyId), 'IN_REVIEW', 'one of two');
    dataOf(await setPolicy(1, ['MEMBER', 'ADMIN']));
    assert.equal(await statusOf(studyId), 'APPROVED');
    const [move] = await policyMoves(studyId);
    assert.deepEqual(move.details, {
      from: 'in_review',
      to: 'approved',
      approvalPolicy: { requiredApprovals: 1, approvals: 1 },
      approvalId: null,
    });
  });

  it('moves the study exactly once when the deciding approvals race on two connections', async () => {
    dataOf(await setPolicy(2, ['MEMBER', 'ADMIN']));
    for (let round = 0; round < 4; round += 1) {
      const studyId = await studyInReview(`Race ${round}`);
      const approvals = [await request(studyId, reviewers[0].id), await request(studyId, reviewers[1].id)];
      const decided = await Promise.all([
        decide(reviewers[0].token, approvals[0], 'APPROVED'),
        decide(reviewers[1].token, approvals[1], 'APPROVED'),
      ]);
      for (const response of decided) assert.equal(response.body.errors, undefined, JSON.stringify(response.body));
      assert.equal(await statusOf(studyId), 'APPROVED');
      assert.equal((await policyMoves(studyId)).length, 1, `race ${round}: one move`);
    }
  });
});
