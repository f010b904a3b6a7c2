import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  getNamedType,
  isEnumType,
  isLeafType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { sql } from 'kysely';
import { notificationNodeId, pairNodeId } from '../src/domain/node-ids';
import { DEMO_USERS } from '../src/seed/scales';
import { buildGatewaySchema } from '../src/graphql/build-schema';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway';
import { UMBRELLA, UMBRELLA_STUDY } from './support/ids';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Every field of `type`, nested `depth` levels, with small values for required arguments. */
/** A user's own notifications: refused for anyone else (test/notifications.test.ts), and only the viewer's here. */
const VIEWER_PRIVATE_FIELDS = new Set(['User.notifications', 'User.unreadNotificationCount']);

function everything(type: GraphQLObjectType, depth: number): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (VIEWER_PRIVATE_FIELDS.has(`${type.name}.${field.name}`)) continue;
    const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
    if (required.some((arg) => getNamedType(arg.type).name !== 'Int')) continue;
    const args = [
      ...required.map((arg) => `${arg.name}: 5`),
      ...(field.args.some((a) => a.name === 'first') ? ['first: 5'] : []),
    ];
    const call = `${field.name}${args.length ? `(${[...new Set(args)].join(', ')})` : ''}`;
    const named = getNamedType(field.type);
    if (isObjectType(named)) {
      if (depth > 0) parts.push(`${call} { ${everything(named, depth - 1)} }`);
    } else if (isScalarType(named) || isEnumType(named)) {
      parts.push(call);
    }
  }
  return parts.length ? parts.join(' ') : '__typename';
}

describe('tenant isolation audit: another organization’s data is unreachable', () => {
  let gateway: TestGateway;
  let schema: GraphQLSchema;
  /** Ids and texts of Umbrella (the analyst is not a member; the outsider belongs nowhere). */
  let foreign: {
    ids: Set<string>;
    texts: string[];
    slug: string;
    commentId: string;
    approvalId: string;
    memberId: string;
    studyWord: string;
    invitationId: string;
    notificationId: string;
    webhookId: string;
    deliveryId: string;
    ruleId: string;
    /** An id of each kind of Node of Umbrella's, with its type. */
    nodes: [id: string, type: string][];
  };
  let viewers: { name: string; token: string }[];

  before(async () => {
    // The walk asks for every field at once (webhooks with their delivery logs among them): over the default
    // cost maximum, which is not what this suite tests.
    gateway = await startTestGateway({ config: { maxQueryCost: 100_000 } });
    schema = await buildGatewaySchema();
    const db = gateway.db;
    // An open invitation of Umbrella's, to an address that is neither viewer's.
    const umbrellaAdmin = await db
      .selectFrom('organization_members')
      .select('user_id')
      .where('organization_id', '=', UMBRELLA)
      .executeTakeFirstOrThrow();
    const invitation = await db
      .insertInto('organization_invitations')
      .values({
        organization_id: UMBRELLA,
        email: 'umbrella-invitee@example.com',
        role: 'admin',
        invited_by: umbrellaAdmin.user_id,
        expires_at: new Date(Date.now() + 86400_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rows = await sql<{ id: string; text: string | null }>`
      SELECT id, name AS text FROM organizations WHERE id = ${UMBRELLA}
      UNION ALL SELECT id, title FROM studies WHERE organization_id = ${UMBRELLA}
      UNION ALL SELECT c.id, c.body FROM comments c JOIN studies s ON s.id = c.study_id WHERE s.organization_id = ${UMBRELLA}
      UNION ALL SELECT a.id, NULL FROM approvals a JOIN studies s ON s.id = a.study_id WHERE s.organization_id = ${UMBRELLA}
      UNION ALL SELECT id, email FROM organization_invitations WHERE organization_id = ${UMBRELLA}`.execute(db);
    const organization = await db
      .selectFrom('organizations')
      .select(['slug'])
      .where('id', '=', UMBRELLA)
      .executeTakeFirstOrThrow();
    const comment = await db
      .selectFrom('comments')
      .select('id')
      .where('study_id', '=', UMBRELLA_STUDY)
      .executeTakeFirstOrThrow();
    const approval = await sql<{
      id: string;
    }>`SELECT a.id FROM approvals a JOIN studies s ON s.id = a.study_id WHERE s.organization_id = ${UMBRELLA} LIMIT 1`.execute(
      db,
    );
    const member = await db
      .selectFrom('organization_members')
      .select('user_id')
      .where('organization_id', '=', UMBRELLA)
      .executeTakeFirstOrThrow();
    const study = await db
      .selectFrom('studies')
      .select('title')
      .where('id', '=', UMBRELLA_STUDY)
      .executeTakeFirstOrThrow();
    const activity = await db
      .selectFrom('collaboration_activity')
      .select('id')
      .where('organization_id', '=', UMBRELLA)
      .executeTakeFirstOrThrow();
    // A member of Umbrella's who shares no organization with the analyst: users are visible to those they share one with.
    const loner = await sql<{ user_id: string }>`
      SELECT m.user_id FROM organization_members m
      WHERE m.organization_id = ${UMBRELLA} AND NOT EXISTS (
        SELECT FROM organization_members o JOIN organization_members a ON a.organization_id = o.organization_id
        WHERE o.user_id = m.user_id AND a.user_id = ${DEMO_USERS.analyst.id})
      ORDER BY m.user_id LIMIT 1`.execute(db);
    // One of Umbrella's members is told of one of its entries.
    const notification = await db
      .insertInto('notifications')
      .values({ user_id: member.user_id, organization_id: UMBRELLA, activity_id: activity.id, kind: 'comment_added' })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Umbrella has a webhook with one logged attempt.
    const webhook = await db
      .insertInto('webhooks')
      .values({
        organization_id: UMBRELLA,
        url: 'https://hooks.example.com/umbrella',
        events: ['study_created'],
        secret: 'whsec_x',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const delivery = await db
      .insertInto('webhook_deliveries')
      .values({
        webhook_id: webhook.id,
        event_id: String(activity.id),
        event_type: 'STUDY_CREATED',
        body: '{}',
        attempt: 1,
        succeeded: true,
        response_code: 200,
        duration_ms: 5,
        error: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // And an automation rule.
    const rule = await db
      .insertInto('automation_rules')
      .values({
        organization_id: UMBRELLA,
        name: 'Umbrella rule',
        trigger_kind: 'activity',
        trigger_activity_type: 'comment_added',
        trigger_status: null,
        inactive_days: null,
        condition_statuses: null,
        actions: JSON.stringify([{ kind: 'notify', roles: ['admin'], collaborators: false }]),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const collaborator = await db
      .selectFrom('study_collaborators')
      .select('user_id')
      .where('study_id', '=', UMBRELLA_STUDY)
      .executeTakeFirstOrThrow();
    foreign = {
      nodes: [
        [UMBRELLA, 'Organization'],
        [UMBRELLA_STUDY, 'Study'],
        [comment.id, 'Comment'],
        [approval.rows[0].id, 'Approval'],
        [loner.rows[0].user_id, 'User'],
        [invitation.id, 'MemberInvitation'],
        [String(activity.id), 'Activity'],
        [pairNodeId('Member', UMBRELLA, member.user_id), 'Member'],
        [pairNodeId('Collaborator', UMBRELLA_STUDY, collaborator.user_id), 'Collaborator'],
        [notificationNodeId(notification.id), 'Notification'],
      ],
      ids: new Set(rows.rows.map((row) => row.id)),
      // Long texts only: short words also occur in the viewer's own organizations.
      texts: rows.rows.map((row) => row.text).filter((text): text is string => text !== null && text.length >= 24),
      slug: organization.slug,
      commentId: comment.id,
      approvalId: approval.rows[0].id,
      memberId: member.user_id,
      studyWord: study.title.split(/\s+/).find((word) => word.length >= 5) ?? study.title,
      invitationId: invitation.id,
      notificationId: notificationNodeId(notification.id),
      webhookId: webhook.id,
      deliveryId: delivery.id,
      ruleId: rule.id,
    };
    viewers = [
      { name: 'member of another organization', token: await gateway.tokenFor('analyst@example.com') },
      { name: 'outsider', token: await gateway.tokenFor('outsider@example.com') },
    ];
  });
  after(() => gateway?.close());

  function assertNothingForeign(response: GraphQLResponse, asked: string, label: string) {
    const text = JSON.stringify(response.body);
    const askedIds = new Set(asked.match(UUID) ?? []);
    const leakedIds = (text.match(UUID) ?? []).filter((id) => foreign.ids.has(id) && !askedIds.has(id));
    assert.deepEqual(leakedIds, [], `${label}: no id of another tenant`);
    const leakedTexts = foreign.texts.filter((t) => text.includes(JSON.stringify(t).slice(1, -1)));
    assert.deepEqual(leakedTexts, [], `${label}: no text of another tenant`);
    for (const error of response.body.errors ?? []) {
      assert.ok(
        ['NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED'].includes(String(error.extensions?.code)),
        `${label}: ${error.message}`,
      );
    }
  }

  /** Everything of one type a Node may be, as a fragment. */
  const fragmentOn = (type: string) => `... on ${type} { ${everything(schema.getType(type) as GraphQLObjectType, 3)} }`;

  /** Every root field, with the ways it can be pointed at Umbrella. A new field fails the audit until added. */
  const queries = (): Record<string, string[]> => {
    const query = schema.getQueryType()!;
    const select = (field: string) => everything(getNamedType(query.getFields()[field].type) as GraphQLObjectType, 4);
    return {
      organization: [
        `{ organization(id: "${UMBRELLA}") { ${select('organization')} } }`,
        `{ organization(slug: "${foreign.slug}") { ${select('organization')} } }`,
      ],
      organizations: [`{ organizations(first: 100) { ${select('organizations')} } }`],
      study: [`{ study(id: "${UMBRELLA_STUDY}") { ${select('study')} } }`],
      studies: [`{ studies(organizationId: "${UMBRELLA}", first: 5) { ${select('studies')} } }`],
      searchStudies: [
        `{ searchStudies(organizationId: "${UMBRELLA}", query: ${JSON.stringify(foreign.studyWord)}, first: 100) { ${select('searchStudies')} } }`,
        `{ searchStudies(query: ${JSON.stringify(foreign.studyWord)}, first: 100) { ${select('searchStudies')} } }`,
      ],
      viewer: [`{ viewer { ${select('viewer')} } }`],
      invitations: [`{ invitations { ${select('invitations')} } }`],
      rateLimit: ['{ rateLimit { __typename } }'],
      node: foreign.nodes.map(([id, type]) => `{ node(id: "${id}") { __typename ${fragmentOn(type)} } }`),
      nodes: [
        `{ nodes(ids: ${JSON.stringify(foreign.nodes.map(([id]) => id))}) { __typename ${fragmentOn('Study')} ${fragmentOn('Comment')} } }`,
      ],
    };
  };

  const mutations = (): Record<string, string> => ({
    addCollaborator: `{ studyId: "${UMBRELLA_STUDY}", userId: "${foreign.memberId}", role: VIEWER }`,
    addComment: `{ studyId: "${UMBRELLA_STUDY}", body: "hello from outside" }`,
    acceptInvitation: `{ invitationId: "${foreign.invitationId}" }`,
    addMember: `{ organizationId: "${UMBRELLA}", email: "outsider@example.com", role: ADMIN }`,
    changeMemberRole: `{ organizationId: "${UMBRELLA}", userId: "${foreign.memberId}", role: MEMBER }`,
    changeStudyStatus: `{ id: "${UMBRELLA_STUDY}", status: ARCHIVED }`,
    createStudy: `{ organizationId: "${UMBRELLA}", title: "planted" }`,
    decideApproval: `{ approvalId: "${foreign.approvalId}", decision: APPROVED }`,
    declineInvitation: `{ invitationId: "${foreign.invitationId}" }`,
    inviteMember: `{ organizationId: "${UMBRELLA}", email: "outsider@example.com", role: ADMIN }`,
    refreshTeamProductivity: `{ organizationId: "${UMBRELLA}" }`,
    removeCollaborator: `{ studyId: "${UMBRELLA_STUDY}", userId: "${foreign.memberId}" }`,
    requestApproval: `{ studyId: "${UMBRELLA_STUDY}", reviewerId: "${foreign.memberId}" }`,
    resolveComment: `{ commentId: "${foreign.commentId}" }`,
    markNotificationsRead: `{ ids: ["${foreign.notificationId}"] }`,
    setApprovalPolicy: `{ organizationId: "${UMBRELLA}", requiredApprovals: 3, reviewerRoles: [ADMIN] }`,
    createWebhook: `{ organizationId: "${UMBRELLA}", url: "https://hooks.example.com/planted", events: [STUDY_CREATED] }`,
    deleteWebhook: `{ webhookId: "${foreign.webhookId}" }`,
    redeliverWebhookDelivery: `{ deliveryId: "${foreign.deliveryId}" }`,
    createAutomationRule: `{ organizationId: "${UMBRELLA}", name: "planted", trigger: { kind: ACTIVITY, activityType: COMMENT_ADDED }, actions: [{ kind: NOTIFY, notifyCollaborators: true }] }`,
    updateAutomationRule: `{ ruleId: "${foreign.ruleId}", enabled: false }`,
    deleteAutomationRule: `{ ruleId: "${foreign.ruleId}" }`,
    updateStudy: `{ id: "${UMBRELLA_STUDY}", title: "renamed from outside" }`,
  });

  it('the audit covers every root query and mutation of the schema', () => {
    assert.deepEqual(Object.keys(queries()).sort(), Object.keys(schema.getQueryType()!.getFields()).sort());
    assert.deepEqual(Object.keys(mutations()).sort(), Object.keys(schema.getMutationType()!.getFields()).sort());
  });

  it('control: the same walk as one of its members does reach its ids and texts (the audit can see a leak)', async () => {
    const member = await gateway.db
      .selectFrom('users')
      .select('email')
      .where('id', '=', foreign.memberId)
      .executeTakeFirstOrThrow();
    const token = await gateway.tokenFor(member.email);
    const seen = new Set<string>();
    for (const operation of [...queries().organization, ...queries().study, ...queries().studies]) {
      const text = JSON.stringify((await gateway.graphql(operation, { token })).body);
      for (const id of text.match(UUID) ?? []) if (foreign.ids.has(id)) seen.add(id);
      for (const t of foreign.texts) if (text.includes(JSON.stringify(t).slice(1, -1))) seen.add(t);
    }
    assert.ok(seen.size >= 10, `the walk reached ${seen.size} of Umbrella's ids and texts`);
  });

  it('queries by id, by slug, by organization, by search and through every nested relation return nothing of it', async () => {
    let asked = 0;
    for (const viewer of viewers) {
      for (const [field, operations] of Object.entries(queries())) {
        for (const operation of operations) {
          const response = await gateway.graphql(operation, { token: viewer.token });
          assert.ok(response.status < 500, `${viewer.name} ${field}: ${JSON.stringify(response.body.errors)}`);
          assertNothingForeign(response, operation, `${viewer.name} ${field}`);
          asked += 1;
        }
      }
    }
    assert.ok(asked >= 18);
  });

  it('node and nodes answer null and NOT_FOUND for each of its objects, which its own members do get', async () => {
    for (const viewer of viewers) {
      for (const [id, type] of foreign.nodes) {
        const response = await gateway.graphql(`{ node(id: "${id}") { __typename } }`, { token: viewer.token });
        assert.equal(response.body.data?.node, null, `${viewer.name}: ${type} ${id}`);
        assert.equal(response.body.errors?.[0]?.extensions?.code, 'NOT_FOUND', `${viewer.name}: ${type}`);
      }
      const all = await gateway.graphql(
        `{ nodes(ids: ${JSON.stringify(foreign.nodes.map(([id]) => id))}) { __typename } }`,
        {
          token: viewer.token,
        },
      );
      assert.deepEqual(
        all.body.data?.nodes,
        foreign.nodes.map(() => null),
        viewer.name,
      );
    }
    const member = await gateway.db
      .selectFrom('users')
      .select('email')
      .where('id', '=', foreign.memberId)
      .executeTakeFirstOrThrow();
    const own = await gateway.graphql(
      `{ nodes(ids: ${JSON.stringify(foreign.nodes.map(([id]) => id))}) { __typename id } }`,
      {
        token: await gateway.tokenFor(member.email),
      },
    );
    // The invitation is its addressee's alone, not its organization members'.
    assert.deepEqual(
      own.body.data?.nodes.map((node: { __typename: string } | null) => node?.__typename ?? null),
      foreign.nodes.map(([, type]) => (type === 'MemberInvitation' ? null : type)),
    );
  });

  it('mutations aimed at it are refused and write nothing', async () => {
    const counts = () =>
      sql<{
        n: string;
      }>`SELECT (SELECT count(*) FROM studies) + (SELECT count(*) FROM comments) + (SELECT count(*) FROM approvals)
        + (SELECT count(*) FROM study_collaborators) + (SELECT count(*) FROM organization_members) + (SELECT count(*) FROM collaboration_activity)
        + (SELECT count(*) FROM organization_invitations WHERE status = 'pending') + (SELECT count(*) FROM notifications)
        + (SELECT count(*) FROM webhooks) + (SELECT count(*) FROM webhook_deliveries)
        + (SELECT count(*) FROM automation_rules WHERE enabled) AS n`.execute(gateway.db);
    const fingerprint = () =>
      sql<{
        f: string;
      }>`SELECT md5(string_agg(s.id || s.title || s.status || coalesce(s.description, ''), ',' ORDER BY s.id)) || md5(string_agg(m.user_id || m.role, ',' ORDER BY m.user_id))
        || (SELECT md5(string_agg(c.id || coalesce(c.resolved_at::text, ''), ',' ORDER BY c.id)) FROM comments c JOIN studies cs ON cs.id = c.study_id WHERE cs.organization_id = ${UMBRELLA})
        || (SELECT md5(string_agg(a.id || a.status, ',' ORDER BY a.id)) FROM approvals a JOIN studies s2 ON s2.id = a.study_id WHERE s2.organization_id = ${UMBRELLA})
        || (SELECT md5(coalesce(string_agg(p.required_approvals || array_to_string(p.reviewer_roles, '+'), ','), 'default')) FROM approval_policies p WHERE p.organization_id = ${UMBRELLA})
        || (SELECT md5(coalesce(string_agg(n.id || coalesce(n.read_at::text, ''), ',' ORDER BY n.id), 'none')) FROM notifications n WHERE n.organization_id = ${UMBRELLA}) AS f
        FROM studies s, organization_members m WHERE s.organization_id = ${UMBRELLA} AND m.organization_id = ${UMBRELLA}`.execute(
        gateway.db,
      );
    const before = [(await counts()).rows[0].n, (await fingerprint()).rows[0].f];
    for (const viewer of viewers) {
      for (const [field, input] of Object.entries(mutations())) {
        const leaf = isLeafType(getNamedType(schema.getMutationType()!.getFields()[field].type));
        const operation = `mutation { ${field}(input: ${input})${leaf ? '' : ' { __typename }'} }`;
        const response = await gateway.graphql(operation, { token: viewer.token });
        assert.equal(response.body.data?.[field] ?? null, null, `${viewer.name} ${field} returned data`);
        assert.ok(
          ['NOT_FOUND', 'FORBIDDEN'].includes(String(response.body.errors?.[0]?.extensions?.code)),
          `${viewer.name} ${field}: ${JSON.stringify(response.body.errors)}`,
        );
        assertNothingForeign(response, operation, `${viewer.name} ${field}`);
      }
    }
    assert.deepEqual([(await counts()).rows[0].n, (await fingerprint()).rows[0].f], before, 'nothing was written');
  });
});
