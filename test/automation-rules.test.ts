import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { dataOf, memberWithRole, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, INITECH, UMBRELLA } from './support/ids';

const ANALYST = 'analyst@example.com';
const CREATE_RULE = `mutation($input: CreateAutomationRuleInput!) { createAutomationRule(input: $input) {
  id name enabled trigger { kind activityType status inactiveDays } conditions { studyStatusIn }
  actions { kind status reviewerRole notifyRoles notifyCollaborators } } }`;
const CREATE_STUDY = 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }';
const CHANGE_STATUS = 'mutation($input: ChangeStudyStatusInput!) { changeStudyStatus(input: $input) { status } }';
const STUDY = `query($id: ID!) { study(id: $id) { status activity(first: 50) { edges { node { type actor { id } details } } } } }`;

describe('automation rules', () => {
  let gateway: TestGateway;
  let analyst: string;
  const ruleIds: string[] = [];

  const send = async (token: string, query: string, input: Record<string, unknown>) =>
    dataOf(await gateway.graphql(query, { token, variables: { input } }));
  const createRule = async (input: Record<string, unknown>) => {
    const { createAutomationRule } = await send(analyst, CREATE_RULE, { organizationId: ACME, ...input });
    ruleIds.push(createAutomationRule.id);
    return createAutomationRule;
  };
  const deleteRules = async () => {
    for (const ruleId of ruleIds.splice(0))
      await send(analyst, 'mutation($input: DeleteAutomationRuleInput!) { deleteAutomationRule(input: $input) }', {
        ruleId,
      });
  };
  const newStudy = async (title: string) =>
    (await send(analyst, CREATE_STUDY, { organizationId: ACME, title })).createStudy.id as string;
  const studyOf = async (id: string) => {
    const { study } = dataOf(await gateway.graphql(STUDY, { token: analyst, variables: { id } }));
    // Oldest first, as they were written.
    return { status: study.status, entries: study.activity.edges.map(({ node }: any) => node).reverse() };
  };

  before(async () => {
    gateway = await startTestGateway();
    analyst = await gateway.tokenFor(ANALYST);
  });
  after(async () => {
    await gateway.close();
  });

  it('fires once, in the triggering write, and what it does sets off no rule (no loop)', async () => {
    // Two rules that would bounce a study between ACTIVE and IN_REVIEW for ever if rules set rules off.
    const forward = await createRule({
      name: 'Active goes to review',
      trigger: { kind: 'STATUS_REACHED', status: 'ACTIVE' },
      actions: [{ kind: 'CHANGE_STATUS', status: 'IN_REVIEW' }],
    });
    await createRule({
      name: 'Review goes back',
      trigger: { kind: 'STATUS_REACHED', status: 'IN_REVIEW' },
      actions: [{ kind: 'CHANGE_STATUS', status: 'ACTIVE' }],
    });
    const studyId = await newStudy('Ruled');
    const answer = await send(analyst, CHANGE_STATUS, { id: studyId, status: 'ACTIVE' });
    assert.equal(answer.changeStudyStatus.status, 'ACTIVE', 'the write answers what it wrote');
    const { status, entries } = await studyOf(studyId);
    assert.equal(status, 'IN_REVIEW');
    const moves = entries.filter((entry: any) => entry.type === 'STATUS_CHANGED');
    assert.deepEqual(
      moves.map((entry: any) => [
        entry.details.from,
        entry.details.to,
        entry.actor?.id ?? null,
        entry.details.ruleId ?? null,
      ]),
      [
        ['draft', 'active', await gateway.userId(ANALYST), null],
        ['active', 'in_review', null, forward.id],
      ],
    );
    assert.equal(moves[1].details.ruleName, 'Active goes to review');
    await deleteRules();
  });

  it('notifies the roles and collaborators it names, and asks a member of a role to approve', async () => {
    const admin = await memberWithRole(gateway, ACME, 'admin');
    const rule = await createRule({
      name: 'Comments reach admins',
      trigger: { kind: 'ACTIVITY', activityType: 'COMMENT_ADDED' },
      conditions: { studyStatusIn: ['DRAFT'] },
      actions: [
        { kind: 'NOTIFY', notifyRoles: ['ADMIN'] },
        { kind: 'REQUEST_APPROVAL', reviewerRole: 'MEMBER' },
      ],
    });
    assert.deepEqual(rule.conditions, { studyStatusIn: ['DRAFT'] });
    const studyId = await newStudy('Commented');
    const unread = async (token: string) =>
      dataOf(
        await gateway.graphql(
          '{ viewer { unreadNotificationCount notifications(first: 5) { edges { node { kind } } } } }',
          { token },
        ),
      ).viewer;
    const adminBefore = await unread(admin.token);
    // The comment comes from the member the rule would ask first: it must ask another (no one approves what
    // they set off).
    const first = await gateway.db
      .selectFrom('organization_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.email'])
      .where('m.organization_id', '=', ACME)
      .where('m.role', '=', 'member')
      .orderBy('m.joined_at')
      .orderBy('m.user_id')
      .executeTakeFirstOrThrow();
    await send(
      await gateway.tokenFor(first.email),
      'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
      {
        studyId,
        body: 'Look',
      },
    );
    const { entries } = await studyOf(studyId);
    const ruled = entries.filter((entry: any) => entry.details.ruleId === rule.id);
    assert.deepEqual(
      ruled.map((entry: any) => [entry.type, entry.actor]),
      [
        ['AUTOMATION_NOTIFIED', null],
        ['APPROVAL_REQUESTED', null],
      ],
    );
    const adminAfter = await unread(admin.token);
    assert.equal(adminAfter.unreadNotificationCount, adminBefore.unreadNotificationCount + 1);
    assert.equal(adminAfter.notifications.edges[0].node.kind, 'RULE_NOTIFIED');
    const asked = ruled[1].details.reviewerId;
    assert.notEqual(asked, await gateway.userId(ANALYST), 'never the rule’s author');
    assert.notEqual(asked, first.id, 'never the one whose write set it off');
    const role = await gateway.db
      .selectFrom('organization_members')
      .select('role')
      .where('organization_id', '=', ACME)
      .where('user_id', '=', asked)
      .executeTakeFirstOrThrow();
    assert.equal(role.role, 'member');
    // Conditions: a study no longer a draft sets nothing off.
    await send(analyst, CHANGE_STATUS, { id: studyId, status: 'ACTIVE' });
    await send(analyst, 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
      studyId,
      body: 'Again',
    });
    const later = (await studyOf(studyId)).entries.filter((entry: any) => entry.details.ruleId === rule.id);
    assert.equal(later.length, 2, 'the rule did not act on an ACTIVE study');
    await deleteRules();
  });

  it('fires an inactivity rule from the sweep once per quiet spell', async () => {
    const rule = await createRule({
      name: 'Quiet drafts',
      trigger: { kind: 'INACTIVE', inactiveDays: 3 },
      conditions: { studyStatusIn: ['DRAFT'] },
      actions: [{ kind: 'NOTIFY', notifyRoles: [], notifyCollaborators: true }],
    });
    const quiet = await newStudy('Quiet');
    const busy = await newStudy('Busy');
    // The seed's old drafts first (a sweep takes 100 studies a rule at most), till none is left.
    while ((await gateway.gateway.runAutomationSweep()) > 0);
    // Only `quiet` has been quiet for four days: its entries, and its creation, moved back.
    await sql`UPDATE collaboration_activity SET created_at = created_at - interval '4 days' WHERE study_id = ${quiet}`.execute(
      gateway.db,
    );
    await sql`UPDATE studies SET created_at = created_at - interval '4 days' WHERE id = ${quiet}`.execute(gateway.db);
    const firedFor = async (studyId: string) =>
      (await studyOf(studyId)).entries.filter((entry: any) => entry.details.ruleId === rule.id).length;
    assert.equal(await gateway.gateway.runAutomationSweep(), 1);
    assert.equal(await firedFor(quiet), 1);
    assert.equal(await firedFor(busy), 0);
    assert.equal(await gateway.gateway.runAutomationSweep(), 0, 'its own entry is not activity, and it fired already');
    assert.equal(await firedFor(quiet), 1);
    // Activity after the firing, then quiet again: it fires again (all of it moved four or five days back).
    await sql`UPDATE automation_rule_runs SET fired_at = fired_at - interval '5 days' WHERE study_id = ${quiet}`.execute(
      gateway.db,
    );
    await send(analyst, 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
      studyId: quiet,
      body: 'Awake',
    });
    await sql`UPDATE collaboration_activity SET created_at = created_at - interval '4 days' WHERE study_id = ${quiet} AND activity_type = 'comment_added'`.execute(
      gateway.db,
    );
    assert.equal(await gateway.gateway.runAutomationSweep(), 1);
    assert.equal(await firedFor(quiet), 2);
    await deleteRules();
  });

  it('is written by admins, read by members, refused with a clear error when incomplete', async () => {
    const member = await memberWithRole(gateway, ACME, 'member');
    const input = {
      organizationId: ACME,
      name: 'x',
      trigger: { kind: 'ACTIVITY', activityType: 'COMMENT_ADDED' },
      actions: [{ kind: 'NOTIFY', notifyCollaborators: true }],
    };
    assert.equal(
      onlyError(await gateway.graphql(CREATE_RULE, { token: member.token, variables: { input } })).extensions?.code,
      'FORBIDDEN',
    );
    assert.equal(
      onlyError(
        await gateway.graphql(CREATE_RULE, {
          token: analyst,
          variables: { input: { ...input, organizationId: UMBRELLA } },
        }),
      ).extensions?.code,
      'NOT_FOUND',
    );
    assert.equal(
      onlyError(
        await gateway.graphql(CREATE_RULE, {
          token: analyst,
          variables: { input: { ...input, organizationId: INITECH } },
        }),
      ).extensions?.code,
      'FORBIDDEN',
    );
    for (const [bad, pattern] of [
      [{ trigger: { kind: 'ACTIVITY' } }, /activityType/],
      [{ trigger: { kind: 'ACTIVITY', activityType: 'MEMBER_ADDED' } }, /organization-wide/],
      [{ trigger: { kind: 'INACTIVE', inactiveDays: 0 } }, /inactiveDays/],
      [{ actions: [{ kind: 'CHANGE_STATUS' }] }, /CHANGE_STATUS action names its status/],
      [{ actions: [{ kind: 'REQUEST_APPROVAL', reviewerRole: 'VIEWER' }] }, /reviewerRole/],
      [{ actions: [{ kind: 'NOTIFY' }] }, /notifyRoles/],
      [{ actions: [] }, /actions/],
    ] as const) {
      const error = onlyError(
        await gateway.graphql(CREATE_RULE, { token: analyst, variables: { input: { ...input, ...bad } } }),
      );
      assert.equal(error.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(bad));
      assert.match(error.message, pattern);
    }
    const { organizationId: _organization, ...definition } = input;
    const rule = await createRule(definition);
    const listed = dataOf(
      await gateway.graphql(
        `query($id: ID!) { node(id: $id) { ... on Organization { automationRules { id name } } } }`,
        {
          token: member.token,
          variables: { id: ACME },
        },
      ),
    );
    assert.deepEqual(listed.node.automationRules, [{ id: rule.id, name: 'x' }]);
    const updated = await send(
      analyst,
      'mutation($input: UpdateAutomationRuleInput!) { updateAutomationRule(input: $input) { name enabled trigger { kind activityType } } }',
      { ruleId: rule.id, name: 'renamed', enabled: false },
    );
    assert.deepEqual(updated.updateAutomationRule, {
      name: 'renamed',
      enabled: false,
      trigger: { kind: 'ACTIVITY', activityType: 'COMMENT_ADDED' },
    });
    await deleteRules();
  });
});

describe('inactivity rules with the response cache, and two processes sweeping', () => {
  let gateway: TestGateway;
  let analyst: string;

  before(async () => {
    gateway = await startTestGateway({ config: { responseCache: true } });
    analyst = await gateway.tokenFor(ANALYST);
  });
  after(async () => {
    await gateway.close();
  });

  it('a sweep that moves a study is seen at once by a cached reader, and two processes fire it once', async () => {
    const send = async (query: string, input: Record<string, unknown>) =>
      dataOf(await gateway.graphql(query, { token: analyst, variables: { input } }));
    // Old drafts are archived after 3 quiet days; the seed's own are dealt with first.
    await send(CREATE_RULE, {
      organizationId: ACME,
      name: 'Archive quiet drafts',
      trigger: { kind: 'INACTIVE', inactiveDays: 3 },
      conditions: { studyStatusIn: ['DRAFT'] },
      actions: [{ kind: 'CHANGE_STATUS', status: 'ARCHIVED' }],
    });
    while ((await gateway.gateway.runAutomationSweep()) > 0);
    const studyId = (await send(CREATE_STUDY, { organizationId: ACME, title: 'Forgotten' })).createStudy.id as string;
    const status = async () => {
      const response = await gateway.graphql('query($id: ID!) { study(id: $id) { status } }', {
        token: analyst,
        variables: { id: studyId },
      });
      return { status: dataOf(response).study.status as string, cache: response.headers.get('x-cache') };
    };
    await status();
    assert.deepEqual(await status(), { status: 'DRAFT', cache: 'hit' });
    await sql`UPDATE collaboration_activity SET created_at = created_at - interval '4 days' WHERE study_id = ${studyId}`.execute(
      gateway.db,
    );
    await sql`UPDATE studies SET created_at = created_at - interval '4 days' WHERE id = ${studyId}`.execute(gateway.db);
    if (gateway.config.databaseUrl) {
      // Another process on the same database sweeps at the same moment: the study is archived once.
      const second = await startTestGateway({ shareDatabaseWith: gateway, config: { responseCache: true } });
      try {
        const fired = await Promise.all([gateway.gateway.runAutomationSweep(), second.gateway.runAutomationSweep()]);
        assert.equal(fired[0] + fired[1], 1, `fired ${fired.join(' and ')}`);
      } finally {
        await second.close();
      }
    } else assert.equal(await gateway.gateway.runAutomationSweep(), 1);
    assert.equal((await status()).status, 'ARCHIVED', 'no cached answer from before the sweep');
    const moves = await gateway.db
      .selectFrom('collaboration_activity')
      .select('details')
      .where('study_id', '=', studyId)
      .where('activity_type', '=', 'status_changed')
      .execute();
    assert.equal(moves.length, 1);
  });
});
