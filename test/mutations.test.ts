import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { recordApprovalDecision } from '../src/db/repositories/collaboration.repository';
import { dataOf, memberWithRole, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, GLOBEX, INITECH, UMBRELLA, UMBRELLA_STUDY } from './support/ids';

/** Every table a mutation may touch, counted: a failed mutation must leave all of them as they were. */
async function snapshot(gateway: TestGateway): Promise<Record<string, number>> {
  const row = await sql<Record<string, string>>`
    SELECT (SELECT count(*) FROM studies) AS studies, (SELECT count(*) FROM study_collaborators) AS collaborators,
           (SELECT count(*) FROM comments) AS comments, (SELECT count(*) FROM approvals) AS approvals,
           (SELECT count(*) FROM organization_members) AS members, (SELECT count(*) FROM collaboration_activity) AS activity,
           (SELECT string_agg(status || role || expires_at, ',' ORDER BY id) FROM organization_invitations) AS invitations,
           (SELECT count(*) FROM comments WHERE resolved_at IS NOT NULL) AS resolved,
           (SELECT count(*) FROM approvals WHERE status <> 'pending') AS decided,
           (SELECT string_agg(role, ',' ORDER BY organization_id, user_id) FROM organization_members) AS roles,
           (SELECT string_agg(status || title, ',' ORDER BY id) FROM studies) AS study_state`.execute(gateway.db);
  return Object.fromEntries(
    Object.entries(row.rows[0]).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : (v as any)]),
  );
}

async function latestActivity(gateway: TestGateway) {
  return gateway.db.selectFrom('collaboration_activity').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
}

const CREATE =
  'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id title description status collaborators { role user { email } } organization { id } } }';

describe('mutations', () => {
  let gateway: TestGateway;
  let analyst: string;
  let analystId: string;

  before(async () => {
    gateway = await startTestGateway();
    analyst = await gateway.tokenFor('analyst@example.com');
    analystId = await gateway.userId('analyst@example.com');
  });
  after(() => gateway?.close());

  it('every collaboration write refuses an anonymous caller before reading its arguments (UNAUTHENTICATED, not BAD_USER_INPUT)', async () => {
    const malformed = 'not-a-uuid';
    const writes: [string, string, Record<string, unknown>][] = [
      ['createStudy', 'CreateStudyInput', { organizationId: malformed, title: 'x' }],
      ['updateStudy', 'UpdateStudyInput', { id: malformed, title: 'x' }],
      ['changeStudyStatus', 'ChangeStudyStatusInput', { id: malformed, status: 'ACTIVE' }],
      ['addCollaborator', 'AddCollaboratorInput', { studyId: malformed, userId: malformed, role: 'EDITOR' }],
      ['removeCollaborator', 'RemoveCollaboratorInput', { studyId: malformed, userId: malformed }],
      ['addComment', 'AddCommentInput', { studyId: malformed, body: 'x' }],
      ['resolveComment', 'ResolveCommentInput', { commentId: malformed }],
      ['requestApproval', 'RequestApprovalInput', { studyId: malformed, reviewerId: malformed }],
      ['decideApproval', 'DecideApprovalInput', { approvalId: malformed, decision: 'APPROVED' }],
      ['addMember', 'AddMemberInput', { organizationId: malformed, userId: malformed, role: 'MEMBER' }],
      ['changeMemberRole', 'ChangeMemberRoleInput', { organizationId: malformed, userId: malformed, role: 'MEMBER' }],
      ['inviteMember', 'InviteMemberInput', { organizationId: malformed, email: 'a@example.com', role: 'MEMBER' }],
      ['acceptInvitation', 'AcceptInvitationInput', { invitationId: malformed }],
      ['declineInvitation', 'DeclineInvitationInput', { invitationId: malformed }],
    ];
    const before = await snapshot(gateway);
    for (const [field, type, input] of writes) {
      const response = await gateway.graphql(`mutation($input: ${type}!) { ${field}(input: $input) { __typename } }`, {
        variables: { input },
      });
      assert.equal(onlyError(response).extensions?.code, 'UNAUTHENTICATED', field);
    }
    assert.deepEqual(await snapshot(gateway), before);
  });

  describe('createStudy', () => {
    it('creates a draft owned by its creator and logs it in the same transaction', async () => {
      const before = await snapshot(gateway);
      const data = dataOf(
        await gateway.graphql(CREATE, {
          token: analyst,
          variables: { input: { organizationId: ACME, title: '  Sleep and focus  ', description: 'Pilot' } },
        }),
      );
      assert.equal(data.createStudy.title, 'Sleep and focus');
      assert.equal(data.createStudy.status, 'DRAFT');
      assert.deepEqual(data.createStudy.collaborators, [{ role: 'OWNER', user: { email: 'analyst@example.com' } }]);
      const after = await snapshot(gateway);
      assert.equal(after.studies, before.studies + 1);
      assert.equal(after.collaborators, before.collaborators + 1);
      assert.equal(after.activity, before.activity + 1);
      const activity = await latestActivity(gateway);
      assert.equal(activity.activity_type, 'study_created');
      assert.equal(activity.study_id, data.createStudy.id);
      assert.equal(activity.user_id, analystId);
    });

    it('rejects empty, blank and oversized titles and descriptions, writing nothing', async () => {
      const before = await snapshot(gateway);
      for (const input of [
        { organizationId: ACME, title: '' },
        { organizationId: ACME, title: '    ' },
        { organizationId: ACME, title: 'x'.repeat(201) },
        { organizationId: ACME, title: 'ok', description: 'x'.repeat(10_001) },
        { organizationId: 'nope', title: 'ok' },
      ]) {
        const response = await gateway.graphql(CREATE, { token: analyst, variables: { input } });
        assert.equal(onlyError(response).extensions?.code, 'BAD_USER_INPUT', JSON.stringify(input).slice(0, 80));
      }
      const wrongType = await gateway.graphql(CREATE, {
        token: analyst,
        variables: { input: { organizationId: ACME, title: 42 } },
      });
      assert.equal(onlyError(wrongType).extensions?.code, 'BAD_USER_INPUT');
      const unknownField = await gateway.graphql(CREATE, {
        token: analyst,
        variables: { input: { organizationId: ACME, title: 'ok', owner: 'me' } },
      });
      assert.equal(onlyError(unknownField).extensions?.code, 'BAD_USER_INPUT');
      assert.deepEqual(await snapshot(gateway), before);
    });

    it('is NOT_FOUND in another tenant and FORBIDDEN for an organization viewer', async () => {
      const before = await snapshot(gateway);
      const foreign = await gateway.graphql(CREATE, {
        token: analyst,
        variables: { input: { organizationId: UMBRELLA, title: 'Sneaky' } },
      });
      assert.equal(onlyError(foreign).extensions?.code, 'NOT_FOUND');
      const viewer = await memberWithRole(gateway, ACME, 'viewer');
      const denied = await gateway.graphql(CREATE, {
        token: viewer.token,
        variables: { input: { organizationId: ACME, title: 'Viewer study' } },
      });
      assert.equal(onlyError(denied).extensions?.code, 'FORBIDDEN');
      const anonymous = await gateway.graphql(CREATE, {
        variables: { input: { organizationId: ACME, title: 'Anon' } },
      });
      assert.equal(onlyError(anonymous).extensions?.code, 'UNAUTHENTICATED');
      assert.deepEqual(await snapshot(gateway), before);
    });
  });

  describe('study lifecycle', () => {
    let studyId: string;
    beforeEach(async () => {
      studyId = dataOf(
        await gateway.graphql(CREATE, {
          token: analyst,
          variables: { input: { organizationId: ACME, title: 'Lifecycle' } },
        }),
      ).createStudy.id;
    });

    it('updateStudy changes fields, bumps updatedAt and logs the change', async () => {
      const before = dataOf(
        await gateway.graphql(`{ study(id: "${studyId}") { updatedAt } }`, { token: analyst }),
      ).study;
      const data = dataOf(
        await gateway.graphql(
          'mutation($input: UpdateStudyInput!) { updateStudy(input: $input) { title description updatedAt } }',
          {
            token: analyst,
            variables: { input: { id: studyId, title: 'Renamed', description: null } },
          },
        ),
      );
      assert.equal(data.updateStudy.title, 'Renamed');
      assert.equal(data.updateStudy.description, null);
      assert.ok(data.updateStudy.updatedAt > before.updatedAt);
      assert.equal((await latestActivity(gateway)).activity_type, 'study_updated');
      const nothing = await gateway.graphql(
        'mutation($input: UpdateStudyInput!) { updateStudy(input: $input) { title } }',
        {
          token: analyst,
          variables: { input: { id: studyId } },
        },
      );
      assert.equal(onlyError(nothing).extensions?.code, 'BAD_USER_INPUT');
    });

    it('each mutation of a request reads the database as the writes before it left it', async () => {
      const response = await gateway.graphql(
        `mutation($id: ID!) {
          a: updateStudy(input: { id: $id, title: "First" }) { comments { totalCount } }
          b: addComment(input: { studyId: $id, body: "between the two" }) { id }
          c: updateStudy(input: { id: $id, title: "Second" }) { title comments { totalCount } }
        }`,
        { token: analyst, variables: { id: studyId } },
      );
      const data = dataOf(response);
      assert.equal(data.a.comments.totalCount, 0);
      assert.equal(data.c.comments.totalCount, 1, 'c counts the comment b wrote');
      assert.equal(data.c.title, 'Second');
    });

    it('a write’s own answer reads what the write changed, though the same field read it before the write (services forget what they change)', async () => {
      const owner = await memberWithRole(gateway, ACME, 'member');
      const colleague = await memberWithRole(gateway, ACME, 'member', [owner.email]);
      const created = dataOf(
        await gateway.graphql(CREATE, {
          token: owner.token,
          variables: { input: { organizationId: ACME, title: 'Read after write' } },
        }),
      );
      const id = created.createStudy.id;
      const data = dataOf(
        await gateway.graphql(
          `mutation($id: ID!, $user: ID!) {
            added: addCollaborator(input: { studyId: $id, userId: $user, role: EDITOR }) { role }
            removed: removeCollaborator(input: { studyId: $id, userId: $user }) { collaborators { user { id } } }
            commented: addComment(input: { studyId: $id, body: "after the change" }) { id }
            renamed: updateStudy(input: { id: $id, title: "Renamed in the same request" }) { title collaborators { user { id } } comments { totalCount } }
          }`,
          { token: owner.token, variables: { id, user: colleague.id } },
        ),
      );
      assert.equal(data.added.role, 'EDITOR');
      // The owner is no organization admin: removing read the study's collaborators (the owner's role) before the write.
      assert.deepEqual(
        data.removed.collaborators,
        [{ user: { id: owner.id } }],
        'the removed collaborator is gone from the answer',
      );
      assert.deepEqual(data.renamed, {
        title: 'Renamed in the same request',
        collaborators: [{ user: { id: owner.id } }],
        comments: { totalCount: 1 },
      });
    });

    it('changeStudyStatus follows the lifecycle and sets completedAt', async () => {
      const change = (status: string) =>
        gateway.graphql(
          'mutation($input: ChangeStudyStatusInput!) { changeStudyStatus(input: $input) { status completedAt } }',
          {
            token: analyst,
            variables: { input: { id: studyId, status } },
          },
        );
      const skip = await change('COMPLETED');
      assert.equal(onlyError(skip).extensions?.code, 'BAD_USER_INPUT');
      assert.match(onlyError(skip).message, /DRAFT study cannot become COMPLETED/);
      for (const status of ['ACTIVE', 'IN_REVIEW', 'APPROVED'])
        assert.equal(dataOf(await change(status)).changeStudyStatus.status, status);
      const done = dataOf(await change('COMPLETED')).changeStudyStatus;
      assert.equal(done.status, 'COMPLETED');
      assert.ok(done.completedAt);
      const activity = await latestActivity(gateway);
      assert.deepEqual(
        [activity.activity_type, activity.details],
        ['status_changed', { from: 'approved', to: 'completed' }],
      );
    });

    it('a plain member who is not a collaborator cannot edit; an editor can', async () => {
      const member = await memberWithRole(gateway, ACME, 'member');
      const denied = await gateway.graphql(
        'mutation($input: UpdateStudyInput!) { updateStudy(input: $input) { title } }',
        {
          token: member.token,
          variables: { input: { id: studyId, title: 'Mine now' } },
        },
      );
      assert.equal(onlyError(denied).extensions?.code, 'FORBIDDEN');
      dataOf(
        await gateway.graphql(
          'mutation($input: AddCollaboratorInput!) { addCollaborator(input: $input) { role permissions user { id } } }',
          {
            token: analyst,
            variables: { input: { studyId, userId: member.id, role: 'EDITOR', permissions: ['data:export'] } },
          },
        ),
      );
      const allowed = await gateway.graphql(
        'mutation($input: UpdateStudyInput!) { updateStudy(input: $input) { title } }',
        {
          token: member.token,
          variables: { input: { id: studyId, title: 'Edited by editor' } },
        },
      );
      assert.equal(dataOf(allowed).updateStudy.title, 'Edited by editor');
    });
  });

  describe('collaborators', () => {
    it('adds organization members only, once, and keeps a study owner', async () => {
      const studyId = dataOf(
        await gateway.graphql(CREATE, {
          token: analyst,
          variables: { input: { organizationId: ACME, title: 'Team' } },
        }),
      ).createStudy.id;
      const member = await memberWithRole(gateway, ACME, 'member');
      const add = (input: Record<string, unknown>) =>
        gateway.graphql(
          'mutation($input: AddCollaboratorInput!) { addCollaborator(input: $input) { role user { id } addedBy { id } } }',
          {
            token: analyst,
            variables: { input },
          },
        );
      const added = dataOf(await add({ studyId, userId: member.id, role: 'REVIEWER' })).addCollaborator;
      assert.deepEqual(added, { role: 'REVIEWER', user: { id: member.id }, addedBy: { id: analystId } });
      assert.equal((await latestActivity(gateway)).activity_type, 'collaborator_added');

      const before = await snapshot(gateway);
      assert.equal(
        onlyError(await add({ studyId, userId: member.id, role: 'EDITOR' })).extensions?.code,
        'BAD_USER_INPUT',
      );
      const outsiderId = await gateway.userId('outsider@example.com');
      assert.equal(
        onlyError(await add({ studyId, userId: outsiderId, role: 'EDITOR' })).extensions?.code,
        'BAD_USER_INPUT',
      );
      assert.equal(
        onlyError(await add({ studyId, userId: member.id, role: 'EDITOR', permissions: ['DROP TABLE'] })).extensions
          ?.code,
        'BAD_USER_INPUT',
      );
      const remove = (userId: string) =>
        gateway.graphql(
          'mutation($input: RemoveCollaboratorInput!) { removeCollaborator(input: $input) { collaborators { user { id } } } }',
          {
            token: analyst,
            variables: { input: { studyId, userId } },
          },
        );
      assert.equal(onlyError(await remove(analystId)).extensions?.code, 'BAD_USER_INPUT', 'the only owner stays');
      assert.deepEqual(await snapshot(gateway), before);

      const after = dataOf(await remove(member.id)).removeCollaborator;
      assert.deepEqual(after.collaborators, [{ user: { id: analystId } }]);
      assert.equal((await latestActivity(gateway)).activity_type, 'collaborator_removed');
    });
  });

  describe('collaborators, read again in the same request', () => {
    it('a page of studies read after a collaborator change in the same mutation request lists the collaborators as they are now', async () => {
      const studyId = dataOf(
        await gateway.graphql(CREATE, {
          token: analyst,
          variables: { input: { organizationId: ACME, title: 'Reread' } },
        }),
      ).createStudy.id;
      const first = await memberWithRole(gateway, ACME, 'member');
      const second = await memberWithRole(gateway, ACME, 'member', [first.email]);
      for (const member of [first, second]) {
        dataOf(
          await gateway.graphql('mutation($input: AddCollaboratorInput!) { addCollaborator(input: $input) { role } }', {
            token: analyst,
            variables: { input: { studyId, userId: member.id, role: 'EDITOR' } },
          }),
        );
      }
      // The newest study heads its organization's page; its collaborators come as summaries (role, user id).
      const page = 'organization { studies(first: 1) { edges { node { id collaborators { role user { id } } } } } }';
      const response = await gateway.graphql(
        `mutation($first: RemoveCollaboratorInput!, $second: RemoveCollaboratorInput!) {
          one: removeCollaborator(input: $first) { ${page} }
          two: removeCollaborator(input: $second) { collaborators { user { id } } ${page} }
        }`,
        { token: analyst, variables: { first: { studyId, userId: first.id }, second: { studyId, userId: second.id } } },
      );
      const listed = (field: any) => {
        const [edge] = field.organization.studies.edges;
        assert.equal(edge.node.id, studyId);
        return edge.node.collaborators.map((c: any) => c.user.id).sort();
      };
      const { one, two } = dataOf(response);
      assert.deepEqual(listed(one), [analystId, second.id].sort());
      assert.deepEqual(listed(two), [analystId]);
      assert.deepEqual(two.collaborators, [{ user: { id: analystId } }]);
    });
  });

  describe('comments and approvals', () => {
    it('adds and resolves comments; only permitted people resolve; twice is refused', async () => {
      const studyId = dataOf(
        await gateway.graphql(CREATE, {
          token: analyst,
          variables: { input: { organizationId: ACME, title: 'Talk' } },
        }),
      ).createStudy.id;
      const member = await memberWithRole(gateway, ACME, 'member');
      const comment = dataOf(
        await gateway.graphql(
          'mutation($input: AddCommentInput!) { addComment(input: $input) { id body author { id } resolvedAt } }',
          {
            token: member.token,
            variables: { input: { studyId, body: ' Needs a power analysis. ' } },
          },
        ),
      ).addComment;
      assert.deepEqual(
        [comment.body, comment.author.id, comment.resolvedAt],
        ['Needs a power analysis.', member.id, null],
      );
      for (const body of ['', '   ', 'x'.repeat(10_001)]) {
        const bad = await gateway.graphql('mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
          token: member.token,
          variables: { input: { studyId, body } },
        });
        assert.equal(onlyError(bad).extensions?.code, 'BAD_USER_INPUT');
      }
      const viewer = await memberWithRole(gateway, ACME, 'viewer');
      const viewerComment = await gateway.graphql(
        'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
        {
          token: viewer.token,
          variables: { input: { studyId, body: 'hi' } },
        },
      );
      assert.equal(onlyError(viewerComment).extensions?.code, 'FORBIDDEN');

      const resolve = (token: string) =>
        gateway.graphql(
          'mutation($input: ResolveCommentInput!) { resolveComment(input: $input) { resolvedAt resolvedBy { id } } }',
          {
            token,
            variables: { input: { commentId: comment.id } },
          },
        );
      const otherMember = await memberWithRole(gateway, ACME, 'member', [member.email]);
      assert.equal(onlyError(await resolve(otherMember.token)).extensions?.code, 'FORBIDDEN');
      const resolved = dataOf(await resolve(analyst)).resolveComment;
      assert.equal(resolved.resolvedBy.id, analystId);
      assert.ok(resolved.resolvedAt);
      assert.equal(onlyError(await resolve(analyst)).extensions?.code, 'BAD_USER_INPUT');
      const outsider = await gateway.tokenFor('outsider@example.com');
      assert.equal(onlyError(await resolve(outsider)).extensions?.code, 'NOT_FOUND');
    });

    it('requests and decides approvals; only the reviewer decides, once', async () => {
      const studyId = dataOf(
        await gateway.graphql(CREATE, {
          token: analyst,
          variables: { input: { organizationId: ACME, title: 'Review me' } },
        }),
      ).createStudy.id;
      const reviewer = await memberWithRole(gateway, ACME, 'member');
      const request = (reviewerId: string) =>
        gateway.graphql(
          'mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id status reviewer { id } requestedBy { id } decidedAt } }',
          {
            token: analyst,
            variables: { input: { studyId, reviewerId } },
          },
        );
      const approval = dataOf(await request(reviewer.id)).requestApproval;
      assert.deepEqual(
        [approval.status, approval.reviewer.id, approval.requestedBy.id, approval.decidedAt],
        ['PENDING', reviewer.id, analystId, null],
      );
      assert.equal(
        onlyError(await request(reviewer.id)).extensions?.code,
        'BAD_USER_INPUT',
        'one pending request per reviewer',
      );
      assert.equal(onlyError(await request(analystId)).extensions?.code, 'BAD_USER_INPUT', 'not your own reviewer');
      const viewer = await memberWithRole(gateway, ACME, 'viewer');
      assert.equal(onlyError(await request(viewer.id)).extensions?.code, 'BAD_USER_INPUT', 'viewers do not review');

      const decide = (token: string, decision: string) =>
        gateway.graphql(
          'mutation($input: DecideApprovalInput!) { decideApproval(input: $input) { status decidedAt } }',
          {
            token,
            variables: { input: { approvalId: approval.id, decision } },
          },
        );
      assert.equal(onlyError(await decide(analyst, 'APPROVED')).extensions?.code, 'FORBIDDEN');
      const decided = dataOf(await decide(reviewer.token, 'REJECTED')).decideApproval;
      assert.equal(decided.status, 'REJECTED');
      assert.ok(decided.decidedAt);
      assert.equal((await latestActivity(gateway)).activity_type, 'approval_decided');
      assert.equal(onlyError(await decide(reviewer.token, 'APPROVED')).extensions?.code, 'BAD_USER_INPUT');
      const approvals = dataOf(
        await gateway.graphql(`{ study(id: "${studyId}") { approvals { status } } }`, { token: analyst }),
      ).study.approvals;
      assert.deepEqual(approvals, [{ status: 'REJECTED' }]);
    });

    it('a reviewer demoted to viewer since the request cannot decide it (checked where the decision is written); promoted again, they can', async () => {
      const studyId = dataOf(
        await gateway.graphql(CREATE, {
          token: analyst,
          variables: { input: { organizationId: ACME, title: 'Review, then demote' } },
        }),
      ).createStudy.id;
      const reviewer = await memberWithRole(gateway, ACME, 'member');
      const approvalId = dataOf(
        await gateway.graphql('mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id } }', {
          token: analyst,
          variables: { input: { studyId, reviewerId: reviewer.id } },
        }),
      ).requestApproval.id;
      const setRole = async (role: string) =>
        dataOf(
          await gateway.graphql(
            'mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { role } }',
            {
              token: analyst,
              variables: { input: { organizationId: ACME, userId: reviewer.id, role } },
            },
          ),
        );
      const decide = () =>
        gateway.graphql('mutation($input: DecideApprovalInput!) { decideApproval(input: $input) { status } }', {
          token: reviewer.token,
          variables: { input: { approvalId, decision: 'APPROVED' } },
        });

      await setRole('VIEWER');
      const before = await snapshot(gateway);
      const refused = onlyError(await decide());
      assert.equal(refused.extensions?.code, 'FORBIDDEN');
      assert.match(refused.message, /member/);
      // The write itself holds the rule too, whatever the request knew of the reviewer's roles.
      const approval = await gateway.db
        .selectFrom('approvals')
        .selectAll()
        .where('id', '=', approvalId)
        .executeTakeFirstOrThrow();
      const study = await gateway.db
        .selectFrom('studies')
        .selectAll()
        .where('id', '=', studyId)
        .executeTakeFirstOrThrow();
      await assert.rejects(
        recordApprovalDecision(
          { db: gateway.db, committed: () => undefined },
          { approval, study, decision: 'approved', actorId: reviewer.id },
        ),
        (error: any) => error.extensions?.code === 'FORBIDDEN' && /no longer/.test(error.message),
      );
      assert.deepEqual(await snapshot(gateway), before, 'the approval is still pending');

      await setRole('MEMBER');
      assert.equal(dataOf(await decide()).decideApproval.status, 'APPROVED');
    });
  });

  describe('members', () => {
    const ADD =
      'mutation($input: AddMemberInput!) { addMember(input: $input) { role user { email } invitedBy { id } } }';
    const add = (token: string, input: Record<string, unknown>) =>
      gateway.graphql(ADD, { token, variables: { input } });

    /** A user in another organization of the analyst's (Globex), not in Acme: the analyst can already see them. */
    async function colleagueOutsideAcme(): Promise<{ id: string; email: string }> {
      return gateway.db
        .selectFrom('users as u')
        .innerJoin('organization_members as m', 'm.user_id', 'u.id')
        .select(['u.id', 'u.email'])
        .where('m.organization_id', '=', GLOBEX)
        .where('u.id', 'not in', (eb) =>
          eb.selectFrom('organization_members').select('user_id').where('organization_id', '=', ACME),
        )
        .orderBy('u.email')
        .executeTakeFirstOrThrow();
    }

    it('adds a user the admin already shares an organization with, by email or id; refuses duplicates and non-admins', async () => {
      const colleague = await colleagueOutsideAcme();
      const added = dataOf(
        await add(analyst, { organizationId: ACME, email: colleague.email.toUpperCase(), role: 'VIEWER' }),
      ).addMember;
      assert.deepEqual(added, { role: 'VIEWER', user: { email: colleague.email }, invitedBy: { id: analystId } });
      const activity = await latestActivity(gateway);
      assert.deepEqual(
        [activity.activity_type, activity.details],
        ['member_added', { userId: colleague.id, role: 'viewer' }],
      );
      const before = await snapshot(gateway);
      assert.equal(
        onlyError(await add(analyst, { organizationId: ACME, email: colleague.email })).extensions?.code,
        'BAD_USER_INPUT',
      );
      assert.equal(
        onlyError(await add(analyst, { organizationId: ACME, userId: colleague.id })).extensions?.code,
        'BAD_USER_INPUT',
      );
      assert.equal(onlyError(await add(analyst, { organizationId: ACME })).extensions?.code, 'BAD_USER_INPUT');
      assert.equal(
        onlyError(await add(analyst, { organizationId: ACME, email: 'not-an-email' })).extensions?.code,
        'BAD_USER_INPUT',
      );
      assert.equal(
        onlyError(await add(analyst, { organizationId: INITECH, email: colleague.email })).extensions?.code,
        'FORBIDDEN',
        'analyst is a plain member of Initech',
      );
      assert.equal(
        onlyError(await add(analyst, { organizationId: UMBRELLA, email: colleague.email })).extensions?.code,
        'NOT_FOUND',
      );
      const another = await colleagueOutsideAcme();
      assert.equal(
        onlyError(await add(analyst, { organizationId: ACME, userId: another.id, role: 'OWNER' })).extensions?.code,
        'FORBIDDEN',
        'admins do not make owners',
      );
      assert.deepEqual(await snapshot(gateway), before);
      assert.equal(
        dataOf(await add(analyst, { organizationId: ACME, userId: another.id })).addMember.role,
        'MEMBER',
        'by id, with the default role',
      );
    });

    it('anyone else gets the same answer whether or not the address has an account, and is not added', async () => {
      const umbrellaOnly = await gateway.db
        .selectFrom('users as u')
        .select(['u.id', 'u.email'])
        .where('u.id', 'in', (eb) =>
          eb.selectFrom('organization_members').select('user_id').where('organization_id', '=', UMBRELLA),
        )
        .where('u.id', 'not in', (eb) =>
          eb
            .selectFrom('organization_members as theirs')
            .innerJoin('organization_members as mine', 'mine.organization_id', 'theirs.organization_id')
            .select('theirs.user_id')
            .where('mine.user_id', '=', analystId),
        )
        .orderBy('u.email')
        .executeTakeFirstOrThrow();
      const outsider = { id: await gateway.userId('outsider@example.com'), email: 'outsider@example.com' };
      const before = await snapshot(gateway);
      // The message names what was asked for; with that taken out, every answer is the same.
      const answerTo = async (input: Record<string, unknown>, asked: string) => {
        const response = await add(analyst, { organizationId: ACME, ...input });
        const error = onlyError(response);
        return {
          status: response.status,
          data: response.body.data,
          code: error.extensions?.code,
          message: error.message.replace(asked, '<asked>'),
        };
      };
      const answers = [
        await answerTo({ email: outsider.email }, outsider.email),
        await answerTo({ email: umbrellaOnly.email }, umbrellaOnly.email),
        await answerTo({ email: 'nobody-at-all@example.com' }, 'nobody-at-all@example.com'),
        await answerTo({ userId: outsider.id }, outsider.id),
        await answerTo({ userId: umbrellaOnly.id }, umbrellaOnly.id),
        await answerTo({ userId: '00000000-0000-4000-8000-00000000beef' }, '00000000-0000-4000-8000-00000000beef'),
      ];
      assert.equal(answers[0].code, 'NOT_FOUND');
      assert.match(answers[0].message, /invite/);
      for (const answer of answers) assert.deepEqual(answer, answers[0]);
      assert.deepEqual(await snapshot(gateway), before, 'nobody was added');
    });

    it('invites any address alike; the invitee joins by accepting, signed in with it; nobody else sees or answers it', async () => {
      const INVITE =
        'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { id email role status organizationId organizationName invitedBy { id } createdAt expiresAt respondedAt } }';
      const invite = (token: string, input: Record<string, unknown>) =>
        gateway.graphql(INVITE, { token, variables: { input } });
      const respond = (token: string, verb: 'accept' | 'decline', invitationId: string) =>
        gateway.graphql(
          verb === 'accept'
            ? 'mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { role user { email } invitedBy { id } } }'
            : 'mutation($input: DeclineInvitationInput!) { declineInvitation(input: $input) { status respondedAt } }',
          { token, variables: { input: { invitationId } } },
        );
      const openInvitations = async (token: string) =>
        dataOf(await gateway.graphql('{ invitations { id organizationName role status invitedBy { id } } }', { token }))
          .invitations;
      const outsider = await gateway.tokenFor('outsider@example.com');

      const toAccount = dataOf(
        await invite(analyst, { organizationId: ACME, email: 'Outsider@Example.com', role: 'VIEWER' }),
      ).inviteMember;
      const toNobody = dataOf(
        await invite(analyst, { organizationId: ACME, email: 'ghost@example.com', role: 'VIEWER' }),
      ).inviteMember;
      const shape = (answer: Record<string, unknown>) => ({
        ...answer,
        id: typeof answer.id,
        email: typeof answer.email,
        createdAt: 0,
        expiresAt: 0,
      });
      assert.deepEqual(
        shape(toAccount),
        shape(toNobody),
        'the same answer for an address with an account and one without',
      );
      assert.deepEqual(
        [toAccount.email, toAccount.status, toAccount.role, toAccount.invitedBy],
        ['outsider@example.com', 'PENDING', 'VIEWER', { id: analystId }],
      );
      assert.equal(toAccount.organizationId, ACME);
      const week = Date.parse(toAccount.expiresAt) - Date.parse(toAccount.createdAt);
      assert.ok(Math.abs(week - 7 * 86400_000) < 5000, `open for a week, got ${week} ms`);
      const renewed = dataOf(
        await invite(analyst, { organizationId: ACME, email: 'outsider@example.com', role: 'MEMBER' }),
      ).inviteMember;
      assert.deepEqual(
        [renewed.id, renewed.role],
        [toAccount.id, 'MEMBER'],
        'inviting again renews the open invitation',
      );

      assert.deepEqual(await openInvitations(outsider), [
        {
          id: toAccount.id,
          organizationName: toAccount.organizationName,
          role: 'MEMBER',
          status: 'PENDING',
          invitedBy: { id: analystId },
        },
      ]);
      assert.deepEqual(await openInvitations(analyst), [], 'an invitation is listed to its address only');
      const someoneElse = await memberWithRole(gateway, ACME, 'member');
      const before = await snapshot(gateway);
      for (const verb of ['accept', 'decline'] as const) {
        assert.equal(
          onlyError(await respond(someoneElse.token, verb, toAccount.id)).extensions?.code,
          'NOT_FOUND',
          `${verb} by someone else`,
        );
        assert.equal(
          onlyError(await respond(analyst, verb, toAccount.id)).extensions?.code,
          'NOT_FOUND',
          `${verb} by the inviter`,
        );
      }
      assert.equal(
        onlyError(await invite(analyst, { organizationId: INITECH, email: 'x@example.com' })).extensions?.code,
        'FORBIDDEN',
        'a plain member',
      );
      assert.equal(
        onlyError(await invite(analyst, { organizationId: ACME, email: 'x@example.com', role: 'OWNER' })).extensions
          ?.code,
        'FORBIDDEN',
      );
      assert.equal(
        onlyError(await invite(analyst, { organizationId: UMBRELLA, email: 'x@example.com' })).extensions?.code,
        'NOT_FOUND',
      );
      assert.equal(
        onlyError(await invite(analyst, { organizationId: ACME, email: someoneElse.email })).extensions?.code,
        'BAD_USER_INPUT',
        'a member already',
      );
      assert.equal(
        onlyError(await invite(analyst, { organizationId: ACME, email: 'not-an-email' })).extensions?.code,
        'BAD_USER_INPUT',
      );
      assert.deepEqual(await snapshot(gateway), before);

      const joined = dataOf(await respond(outsider, 'accept', toAccount.id)).acceptInvitation;
      assert.deepEqual(joined, {
        role: 'MEMBER',
        user: { email: 'outsider@example.com' },
        invitedBy: { id: analystId },
      });
      const activity = await latestActivity(gateway);
      assert.deepEqual(
        [activity.activity_type, activity.details],
        [
          'member_added',
          { userId: await gateway.userId('outsider@example.com'), role: 'member', invitationId: toAccount.id },
        ],
      );
      assert.equal(
        dataOf(await gateway.graphql(`{ organization(id: "${ACME}") { viewerRole } }`, { token: outsider }))
          .organization.viewerRole,
        'MEMBER',
      );
      assert.equal(
        onlyError(await respond(outsider, 'accept', toAccount.id)).extensions?.code,
        'BAD_USER_INPUT',
        'accepted already',
      );
      assert.deepEqual(await openInvitations(outsider), []);

      // Declined, an invitation is closed; expired, it is no longer listed nor accepted.
      const toGlobex = dataOf(
        await invite(analyst, { organizationId: GLOBEX, email: 'outsider@example.com' }),
      ).inviteMember;
      const declined = dataOf(await respond(outsider, 'decline', toGlobex.id)).declineInvitation;
      assert.equal(declined.status, 'DECLINED');
      assert.ok(declined.respondedAt);
      assert.equal(onlyError(await respond(outsider, 'accept', toGlobex.id)).extensions?.code, 'BAD_USER_INPUT');
      const again = dataOf(
        await invite(analyst, { organizationId: GLOBEX, email: 'outsider@example.com' }),
      ).inviteMember;
      assert.notEqual(again.id, toGlobex.id, 'inviting after a decline opens a new invitation');
      await gateway.db
        .updateTable('organization_invitations')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', again.id)
        .execute();
      assert.deepEqual(await openInvitations(outsider), []);
      const expired = onlyError(await respond(outsider, 'accept', again.id));
      assert.equal(expired.extensions?.code, 'BAD_USER_INPUT');
      assert.match(expired.message, /expired/);
      assert.equal(
        onlyError(await gateway.graphql(`{ organization(id: "${GLOBEX}") { id } }`, { token: outsider })).extensions
          ?.code,
        'NOT_FOUND',
        'not a member of Globex',
      );
    });

    it('changes roles; only owners touch the owner role; the last owner stays', async () => {
      const owner = await memberWithRole(gateway, ACME, 'owner');
      const member = await memberWithRole(gateway, ACME, 'member');
      const change = (token: string, userId: string, role: string) =>
        gateway.graphql(
          'mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { role user { id } } }',
          {
            token,
            variables: { input: { organizationId: ACME, userId, role } },
          },
        );
      assert.equal(dataOf(await change(analyst, member.id, 'ADMIN')).changeMemberRole.role, 'ADMIN');
      const activity = await latestActivity(gateway);
      assert.deepEqual(
        [activity.activity_type, activity.study_id, activity.details],
        ['member_role_changed', null, { userId: member.id, from: 'member', to: 'admin' }],
      );
      const before = await snapshot(gateway);
      assert.equal(onlyError(await change(analyst, owner.id, 'MEMBER')).extensions?.code, 'FORBIDDEN');
      assert.equal(onlyError(await change(analyst, member.id, 'OWNER')).extensions?.code, 'FORBIDDEN');
      assert.equal(
        onlyError(await change(owner.token, owner.id, 'ADMIN')).extensions?.code,
        'BAD_USER_INPUT',
        'the only owner cannot step down',
      );
      assert.deepEqual(await snapshot(gateway), before);
      assert.equal(dataOf(await change(owner.token, member.id, 'OWNER')).changeMemberRole.role, 'OWNER');
      assert.equal(
        dataOf(await change(owner.token, owner.id, 'ADMIN')).changeMemberRole.role,
        'ADMIN',
        'now someone else owns it',
      );
    });
  });

  it('writes on another tenant’s study are NOT_FOUND and change nothing', async () => {
    const before = await snapshot(gateway);
    const umbrellaUser = (
      await gateway.db
        .selectFrom('organization_members')
        .select('user_id')
        .where('organization_id', '=', UMBRELLA)
        .executeTakeFirstOrThrow()
    ).user_id;
    for (const [mutation, input] of [
      ['updateStudy(input: { id: $id, title: "x" }) { id }', {}],
      ['changeStudyStatus(input: { id: $id, status: ARCHIVED }) { id }', {}],
      ['addComment(input: { studyId: $id, body: "x" }) { id }', {}],
      [`addCollaborator(input: { studyId: $id, userId: "${umbrellaUser}", role: EDITOR }) { role }`, {}],
      [`removeCollaborator(input: { studyId: $id, userId: "${umbrellaUser}" }) { id }`, {}],
      [`requestApproval(input: { studyId: $id, reviewerId: "${umbrellaUser}" }) { id }`, {}],
    ] as const) {
      const response = await gateway.graphql(`mutation($id: ID!) { ${mutation} }`, {
        token: analyst,
        variables: { id: UMBRELLA_STUDY, ...input },
      });
      assert.equal(onlyError(response).extensions?.code, 'NOT_FOUND', mutation);
    }
    const roleChange = await gateway.graphql(
      `mutation { changeMemberRole(input: { organizationId: "${UMBRELLA}", userId: "${umbrellaUser}", role: VIEWER }) { role } }`,
      { token: analyst },
    );
    assert.equal(onlyError(roleChange).extensions?.code, 'NOT_FOUND');
    assert.deepEqual(await snapshot(gateway), before);
  });
});
