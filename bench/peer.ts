import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { signAccessToken } from '../src/auth/tokens';
import { freePort, startGatewayProcess, type GatewayProcess } from '../tools/gateway-process';
import type { Config } from '../src/config';
import type { Database } from '../src/db/types';
import { percentileChartSvg } from './chart';
import { mergeLoads, runLoad, type LoadResult } from './load';
import { markdownTable } from './stats';

/** bench/peer: PostGraphile v5 with its own package.json and lock file (not a dependency of the gateway). */
const PEER_DIR = path.resolve(__dirname, '../../bench/peer');

export interface PeerOptions {
  /** Distinct requests per data need (members, each with their organization and a study of it). */
  users: number;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  /** Gateway worker processes (production's default is one per core); PostGraphile runs one. */
  workers: number;
}

interface Member {
  user_id: string;
  email: string;
  organization_id: string;
  slug: string;
  study_id: string;
}

/** One data need, written for each server, and how to read the same rows out of either answer. */
interface DataNeed {
  name: string;
  studygraph: { query: string; variables: (m: Member) => Record<string, unknown> };
  postgraphile: { query: string; variables: (m: Member) => Record<string, unknown> };
  /** The rows an answer holds, in a form both servers' answers share (ids, lower-case enums, in order). */
  rowsOf: { studygraph: (data: any) => unknown; postgraphile: (data: any) => unknown };
}

const lower = (value: unknown) => String(value).toLowerCase();
const person = (user: { id?: string; rowId?: string; name: string } | null) =>
  user ? [user.id ?? user.rowId, user.name] : null;
const byFirst = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));

const NEEDS: DataNeed[] = [
  {
    name: 'Organization dashboard',
    studygraph: {
      query: `query OrganizationDashboard($slug: String!) { organization(slug: $slug) { id name studies(first: 20) { edges { node {
        id title status createdAt createdBy { id name } collaborators { role user { id name } } } } } } }`,
      variables: (m) => ({ slug: m.slug }),
    },
    postgraphile: {
      query: `query OrganizationDashboard($slug: String!) { organizationBySlug(slug: $slug) { rowId name
        studiesByOrganizationId(first: 20, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { nodes {
          rowId title status createdAt userByCreatedBy { rowId name }
          studyCollaboratorsByStudyId(orderBy: [ADDED_AT_ASC, USER_ID_ASC]) { nodes { role userByUserId { rowId name } } } } } } }`,
      variables: (m) => ({ slug: m.slug }),
    },
    rowsOf: {
      studygraph: (d) =>
        d.organization.studies.edges.map(({ node: s }: any) => [
          s.id,
          s.title,
          lower(s.status),
          Date.parse(s.createdAt),
          person(s.createdBy),
          s.collaborators.map((c: any) => [lower(c.role), person(c.user)]),
        ]),
      postgraphile: (d) =>
        d.organizationBySlug.studiesByOrganizationId.nodes.map((s: any) => [
          s.rowId,
          s.title,
          lower(s.status),
          Date.parse(s.createdAt),
          person(s.userByCreatedBy),
          s.studyCollaboratorsByStudyId.nodes.map((c: any) => [lower(c.role), person(c.userByUserId)]),
        ]),
    },
  },
  {
    name: 'Study page',
    studygraph: {
      query: `query StudyPage($id: ID!) { study(id: $id) { id title
        comments(first: 20) { edges { node { id body createdAt author { id name } } } }
        approvals { id status reviewer { id name } }
        activity(first: 20) { edges { node { id type createdAt actor { id name } } } } } }`,
      variables: (m) => ({ id: m.study_id }),
    },
    postgraphile: {
      query: `query StudyPage($id: UUID!) { studyByRowId(rowId: $id) { rowId title
        commentsByStudyId(first: 20, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { nodes { rowId body createdAt userByAuthorId { rowId name } } }
        approvalsByStudyId(orderBy: [REQUESTED_AT_ASC, ROW_ID_ASC]) { nodes { rowId status userByReviewerId { rowId name } } }
        collaborationActivitiesByStudyId(first: 20, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { nodes { rowId activityType createdAt userByUserId { rowId name } } } } }`,
      variables: (m) => ({ id: m.study_id }),
    },
    rowsOf: {
      studygraph: (d) => [
        d.study.id,
        d.study.comments.edges.map(({ node: c }: any) => [c.id, c.body, Date.parse(c.createdAt), person(c.author)]),
        d.study.approvals.map((a: any) => [a.id, lower(a.status), person(a.reviewer)]),
        d.study.activity.edges.map(({ node: a }: any) => [
          String(a.id),
          lower(a.type),
          Date.parse(a.createdAt),
          person(a.actor),
        ]),
      ],
      postgraphile: (d) => [
        d.studyByRowId.rowId,
        d.studyByRowId.commentsByStudyId.nodes.map((c: any) => [
          c.rowId,
          c.body,
          Date.parse(c.createdAt),
          person(c.userByAuthorId),
        ]),
        d.studyByRowId.approvalsByStudyId.nodes.map((a: any) => [a.rowId, lower(a.status), person(a.userByReviewerId)]),
        d.studyByRowId.collaborationActivitiesByStudyId.nodes.map((a: any) => [
          String(a.rowId),
          lower(a.activityType),
          Date.parse(a.createdAt),
          person(a.userByUserId),
        ]),
      ],
    },
  },
  {
    name: 'Filtered studies',
    studygraph: {
      query: `query ActiveStudies($organizationId: ID!) { studies(organizationId: $organizationId, filter: { statuses: [ACTIVE] }, first: 20) {
        totalCount edges { node { id title status createdBy { id name } } } } }`,
      variables: (m) => ({ organizationId: m.organization_id }),
    },
    postgraphile: {
      query: `query ActiveStudies($organizationId: UUID!) { allStudies(condition: { organizationId: $organizationId, status: "active" }, first: 20, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
        totalCount nodes { rowId title status userByCreatedBy { rowId name } } } }`,
      variables: (m) => ({ organizationId: m.organization_id }),
    },
    rowsOf: {
      studygraph: (d) => [
        d.studies.totalCount,
        d.studies.edges.map(({ node: s }: any) => [s.id, s.title, lower(s.status), person(s.createdBy)]),
      ],
      postgraphile: (d) => [
        d.allStudies.totalCount,
        d.allStudies.nodes.map((s: any) => [s.rowId, s.title, lower(s.status), person(s.userByCreatedBy)]),
      ],
    },
  },
  {
    name: 'Member directory',
    studygraph: {
      query: `query MemberDirectory($organizationId: ID!) { organization(id: $organizationId) { id members(first: 20, role: MEMBER) { edges { node {
        role joinedAt user { id name } invitedBy { id name } } } } } }`,
      variables: (m) => ({ organizationId: m.organization_id }),
    },
    postgraphile: {
      query: `query MemberDirectory($organizationId: UUID!) { organizationByRowId(rowId: $organizationId) { rowId
        organizationMembersByOrganizationId(condition: { role: "member" }, first: 20, orderBy: [JOINED_AT_ASC, USER_ID_ASC]) { nodes {
          role joinedAt userByUserId { rowId name } userByInvitedBy { rowId name } } } } }`,
      variables: (m) => ({ organizationId: m.organization_id }),
    },
    rowsOf: {
      studygraph: (d) =>
        d.organization.members.edges.map(({ node: m }: any) => [
          lower(m.role),
          Date.parse(m.joinedAt),
          person(m.user),
          person(m.invitedBy),
        ]),
      postgraphile: (d) =>
        d.organizationByRowId.organizationMembersByOrganizationId.nodes.map((m: any) => [
          lower(m.role),
          Date.parse(m.joinedAt),
          person(m.userByUserId),
          person(m.userByInvitedBy),
        ]),
    },
  },
  {
    name: 'Comment thread',
    studygraph: {
      query: `query CommentThread($id: ID!) { study(id: $id) { id
        comments(first: 20) { edges { node { id body createdAt author { id name } resolvedAt resolvedBy { id name } } } }
        approvals { id status requestedAt requestedBy { id name } reviewer { id name } } } }`,
      variables: (m) => ({ id: m.study_id }),
    },
    postgraphile: {
      query: `query CommentThread($id: UUID!) { studyByRowId(rowId: $id) { rowId
        commentsByStudyId(first: 20, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { nodes {
          rowId body createdAt userByAuthorId { rowId name } resolvedAt userByResolvedBy { rowId name } } }
        approvalsByStudyId(orderBy: [REQUESTED_AT_ASC, ROW_ID_ASC]) { nodes {
          rowId status requestedAt userByRequestedBy { rowId name } userByReviewerId { rowId name } } } } }`,
      variables: (m) => ({ id: m.study_id }),
    },
    rowsOf: {
      studygraph: (d) => [
        d.study.id,
        d.study.comments.edges.map(({ node: c }: any) => [
          c.id,
          c.body,
          Date.parse(c.createdAt),
          person(c.author),
          c.resolvedAt && Date.parse(c.resolvedAt),
          person(c.resolvedBy),
        ]),
        d.study.approvals.map((a: any) => [
          a.id,
          lower(a.status),
          Date.parse(a.requestedAt),
          person(a.requestedBy),
          person(a.reviewer),
        ]),
      ],
      postgraphile: (d) => [
        d.studyByRowId.rowId,
        d.studyByRowId.commentsByStudyId.nodes.map((c: any) => [
          c.rowId,
          c.body,
          Date.parse(c.createdAt),
          person(c.userByAuthorId),
          c.resolvedAt && Date.parse(c.resolvedAt),
          person(c.userByResolvedBy),
        ]),
        d.studyByRowId.approvalsByStudyId.nodes.map((a: any) => [
          a.rowId,
          lower(a.status),
          Date.parse(a.requestedAt),
          person(a.userByRequestedBy),
          person(a.userByReviewerId),
        ]),
      ],
    },
  },
  {
    name: 'Member’s home',
    studygraph: {
      query: `query MemberHome { organizations(first: 20) { edges { node { id name
        studies(first: 5) { edges { node { id title createdAt createdBy { id name } } } } } } } }`,
      variables: () => ({}),
    },
    postgraphile: {
      query: `query MemberHome($userId: UUID!) { userByRowId(rowId: $userId) { organizationMembersByUserId(first: 20) { nodes {
        organizationByOrganizationId { rowId name studiesByOrganizationId(first: 5, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { nodes {
          rowId title createdAt userByCreatedBy { rowId name } } } } } } } }`,
      variables: (m) => ({ userId: m.user_id }),
    },
    // The same organizations; studygraph lists them by name, PostGraphile by membership: compared in id order.
    rowsOf: {
      studygraph: (d) =>
        d.organizations.edges
          .map(({ node: o }: any) => [
            o.id,
            o.name,
            o.studies.edges.map(({ node: s }: any) => [s.id, s.title, Date.parse(s.createdAt), person(s.createdBy)]),
          ])
          .sort(byFirst),
      postgraphile: (d) =>
        d.userByRowId.organizationMembersByUserId.nodes
          .map(({ organizationByOrganizationId: o }: any) => [
            o.rowId,
            o.name,
            o.studiesByOrganizationId.nodes.map((s: any) => [
              s.rowId,
              s.title,
              Date.parse(s.createdAt),
              person(s.userByCreatedBy),
            ]),
          ])
          .sort(byFirst),
    },
  },
  {
    name: 'Activity feed',
    studygraph: {
      query: `query ActivityFeed($organizationId: ID!) { organization(id: $organizationId) { id activity(first: 20) { edges { node {
        id type createdAt actor { id name } study { id title } } } } } }`,
      variables: (m) => ({ organizationId: m.organization_id }),
    },
    postgraphile: {
      query: `query ActivityFeed($organizationId: UUID!) { organizationByRowId(rowId: $organizationId) { rowId
        collaborationActivitiesByOrganizationId(first: 20, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { nodes {
          rowId activityType createdAt userByUserId { rowId name } studyByStudyId { rowId title } } } } }`,
      variables: (m) => ({ organizationId: m.organization_id }),
    },
    rowsOf: {
      studygraph: (d) =>
        d.organization.activity.edges.map(({ node: a }: any) => [
          String(a.id),
          lower(a.type),
          Date.parse(a.createdAt),
          person(a.actor),
          a.study ? [a.study.id, a.study.title] : null,
        ]),
      postgraphile: (d) =>
        d.organizationByRowId.collaborationActivitiesByOrganizationId.nodes.map((a: any) => [
          String(a.rowId),
          lower(a.activityType),
          Date.parse(a.createdAt),
          person(a.userByUserId),
          a.studyByStudyId ? [a.studyByStudyId.rowId, a.studyByStudyId.title] : null,
        ]),
    },
  },
  {
    // Two relations and their totals below one organization (the viewer's, known without a statement).
    name: 'Organization overview',
    studygraph: {
      query: `query OrganizationOverview($organizationId: ID!) { organization(id: $organizationId) { id name
        members(first: 10) { totalCount edges { node { role user { id name } } } }
        studies(first: 10) { totalCount edges { node { id title createdBy { id name } } } } } }`,
      variables: (m) => ({ organizationId: m.organization_id }),
    },
    postgraphile: {
      query: `query OrganizationOverview($organizationId: UUID!) { organizationByRowId(rowId: $organizationId) { rowId name
        organizationMembersByOrganizationId(first: 10, orderBy: [JOINED_AT_ASC, USER_ID_ASC]) { totalCount nodes { role userByUserId { rowId name } } }
        studiesByOrganizationId(first: 10, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { totalCount nodes { rowId title userByCreatedBy { rowId name } } } } }`,
      variables: (m) => ({ organizationId: m.organization_id }),
    },
    rowsOf: {
      studygraph: ({ organization: o }) => [
        o.id,
        o.name,
        o.members.totalCount,
        o.members.edges.map(({ node: m }: any) => [lower(m.role), person(m.user)]),
        o.studies.totalCount,
        o.studies.edges.map(({ node: s }: any) => [s.id, s.title, person(s.createdBy)]),
      ],
      postgraphile: ({ organizationByRowId: o }) => [
        o.rowId,
        o.name,
        o.organizationMembersByOrganizationId.totalCount,
        o.organizationMembersByOrganizationId.nodes.map((m: any) => [lower(m.role), person(m.userByUserId)]),
        o.studiesByOrganizationId.totalCount,
        o.studiesByOrganizationId.nodes.map((s: any) => [s.rowId, s.title, person(s.userByCreatedBy)]),
      ],
    },
  },
  {
    name: 'Four levels',
    studygraph: {
      query: `query FourLevels($slug: String!) { organization(slug: $slug) { id studies(first: 10) { edges { node { id title
        comments(first: 5) { edges { node { id body author { id name } } } } } } } } }`,
      variables: (m) => ({ slug: m.slug }),
    },
    postgraphile: {
      query: `query FourLevels($slug: String!) { organizationBySlug(slug: $slug) { rowId
        studiesByOrganizationId(first: 10, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { nodes { rowId title
          commentsByStudyId(first: 5, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { nodes { rowId body userByAuthorId { rowId name } } } } } } }`,
      variables: (m) => ({ slug: m.slug }),
    },
    rowsOf: {
      studygraph: (d) =>
        d.organization.studies.edges.map(({ node: s }: any) => [
          s.id,
          s.title,
          s.comments.edges.map(({ node: c }: any) => [c.id, c.body, person(c.author)]),
        ]),
      postgraphile: (d) =>
        d.organizationBySlug.studiesByOrganizationId.nodes.map((s: any) => [
          s.rowId,
          s.title,
          s.commentsByStudyId.nodes.map((c: any) => [c.rowId, c.body, person(c.userByAuthorId)]),
        ]),
    },
  },
];

interface Server {
  key: 'studygraph' | 'studygraph-warm' | 'postgraphile';
  label: string;
  color: string;
  url: string;
  pid: number;
  stop(): Promise<unknown>;
}

interface Measurement extends LoadResult {
  statements: number | null;
  cpuSecondsPerThousand: number;
  rssMb: number;
  /** Of the largest process (a worker): the target is per process. */
  largestRssMb: number;
}

/** PostGraphile from bench/peer, installed from its lock file on first use. */
async function startPostGraphile(databaseUrl: string, log: (line: string) => void): Promise<GatewayProcess> {
  if (!existsSync(path.join(PEER_DIR, 'node_modules', 'postgraphile'))) {
    log('installing PostGraphile into bench/peer (npm ci, once)');
    const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEER_DIR, stdio: 'inherit' });
    if (install.status !== 0) throw new Error('npm ci in bench/peer failed');
  }
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(PEER_DIR, 'server.mjs')], {
    cwd: PEER_DIR,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostGraphile exited (${child.exitCode})`);
    try {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('PostGraphile did not start within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    pid: child.pid!,
    output: () => '',
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit');
      clearTimeout(timer);
      return child.exitCode;
    },
  };
}

/** CPU seconds (user + system) and resident memory of a process and its children (cluster workers), and of the largest of them. */
function processTree(pid: number): { cpuSeconds: number; rssMb: number; largestRssMb: number } {
  const ticks = 100; // USER_HZ on Linux
  const pids = [pid];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  let cpuSeconds = 0;
  let rssMb = 0;
  let largestRssMb = 0;
  for (const p of pids) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      cpuSeconds += (Number(fields[11]) + Number(fields[12])) / ticks;
      const processRssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      rssMb += processRssMb;
      largestRssMb = Math.max(largestRssMb, processRssMb);
    } catch {
      // gone meanwhile
    }
  }
  return { cpuSeconds, rssMb, largestRssMb };
}

async function post(url: string, body: string, token?: string): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"'))
    throw new Error(`bench request to ${url} failed (${response.status}): ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Statements the database ran for `requests` requests, from pg_stat_statements (null where it is not installed). */
async function statementsPerRequest(db: Kysely<Database>, send: () => Promise<number>): Promise<number | null> {
  const calls = async () => {
    try {
      const { rows } = await sql<{
        calls: string;
      }>`SELECT coalesce(sum(calls), 0) AS calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(
        db,
      );
      return Number(rows[0].calls);
    } catch {
      return null;
    }
  };
  const before = await calls();
  const requests = await send();
  const after = await calls();
  // Our own two reads of pg_stat_statements are counted too.
  return before === null || after === null ? null : (after - before - 1) / requests;
}

/**
 * studygraph against PostGraphile v5 on the same database, same Node, same client: the same data needs
 * (checked to return the same rows first), at fixed concurrency, measured runs alternating between the
 * servers round after round. studygraph cold (response cache off), studygraph warm (cache on, primed),
 * PostGraphile (no cache of answers; it has none).
 */
export async function benchPeer(
  db: Kysely<Database>,
  config: Config,
  options: PeerOptions,
  log: (line: string) => void,
) {
  const secret = randomBytes(32).toString('hex');
  const jwt = { ...config.jwt, secret: new TextEncoder().encode(secret) };
  const members = (
    await sql<Member>`
      SELECT DISTINCT ON (md5(m.user_id::text)) m.user_id, u.email, m.organization_id, o.slug,
        (SELECT s.id FROM studies s WHERE s.organization_id = m.organization_id ORDER BY md5(s.id::text || m.user_id::text) LIMIT 1) AS study_id
      FROM organization_members m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
      ORDER BY md5(m.user_id::text), m.organization_id
      LIMIT ${options.users}`.execute(db)
  ).rows.filter((m) => m.study_id !== null);
  if (members.length === 0)
    throw new Error('no member with a study: seed the database first (npm run seed -- --scale large)');
  const tokens = await Promise.all(members.map((m) => signAccessToken({ id: m.user_id, email: m.email }, jwt)));

  const gatewayEnv = {
    DATABASE_URL: config.databaseUrl!,
    NODE_ENV: 'production',
    WORKERS: String(options.workers),
    JWT_SECRET: secret,
    RATE_LIMITS: 'off',
    AUTO_MIGRATE: 'off',
    AUTO_SEED: 'off',
    TEAM_PRODUCTIVITY_REFRESH_MINUTES: '0',
    LOG_LEVEL: 'warn',
  };
  const started: Server[] = [];
  try {
    const cold = await startGatewayProcess({ ...gatewayEnv, RESPONSE_CACHE: 'off' }, { output: 'inherit' });
    started.push({
      key: 'studygraph',
      label: `studygraph, cache cold (${options.workers} worker${options.workers > 1 ? 's' : ''})`,
      color: '#1f77b4',
      ...cold,
    });
    const warm = await startGatewayProcess({ ...gatewayEnv, RESPONSE_CACHE: 'on' }, { output: 'inherit' });
    started.push({ key: 'studygraph-warm', label: 'studygraph, cache warm', color: '#2ca02c', ...warm });
    const peer = await startPostGraphile(config.databaseUrl!, log);
    started.push({ key: 'postgraphile', label: 'PostGraphile v5 (amber, 1 process)', color: '#ff7f0e', ...peer });

    const results = new Map<string, Map<Server['key'], Measurement>>();
    for (const need of NEEDS) {
      const bodies = {
        studygraph: members.map((m) =>
          JSON.stringify({ query: need.studygraph.query, variables: need.studygraph.variables(m) }),
        ),
        postgraphile: members.map((m) =>
          JSON.stringify({ query: need.postgraphile.query, variables: need.postgraphile.variables(m) }),
        ),
      };
      // Same rows from both, for every member, before anything is timed.
      for (const [i, member] of members.entries()) {
        const ours = JSON.stringify(
          need.rowsOf.studygraph((await post(started[0].url, bodies.studygraph[i], tokens[i])).data),
        );
        const theirs = JSON.stringify(
          need.rowsOf.postgraphile((await post(started[2].url, bodies.postgraphile[i])).data),
        );
        if (ours !== theirs)
          throw new Error(
            `${need.name}: studygraph and PostGraphile disagree for ${member.email}:\n${ours.slice(0, 600)}\n${theirs.slice(0, 600)}`,
          );
      }
      log(`${need.name}: both servers return the same rows for ${members.length} members`);
      const bodiesOf = (server: Server) => (server.key === 'postgraphile' ? bodies.postgraphile : bodies.studygraph);
      const statements = new Map<Server['key'], number | null>();
      for (const server of started) {
        const sendAll = async () => {
          for (const [i, body] of bodiesOf(server).entries()) await post(server.url, body, tokens[i]);
          return bodiesOf(server).length;
        };
        if (server.key === 'studygraph-warm') await sendAll(); // prime the cache: the warm phase measures hits
        statements.set(server.key, await statementsPerRequest(db, sendAll));
        await runLoad(server.url, bodiesOf(server), tokens, {
          connections: options.connections,
          seconds: options.warmupSeconds,
        });
      }
      const runs = new Map<Server['key'], { load: LoadResult; cpuSeconds: number }[]>(started.map((s) => [s.key, []]));
      for (let round = 0; round < options.rounds; round += 1) {
        for (let k = 0; k < started.length; k += 1) {
          const server = started[(round + k) % started.length];
          const before = processTree(server.pid).cpuSeconds;
          const load = await runLoad(server.url, bodiesOf(server), tokens, {
            connections: options.connections,
            seconds: options.seconds,
          });
          runs.get(server.key)!.push({ load, cpuSeconds: processTree(server.pid).cpuSeconds - before });
        }
      }
      const byServer = new Map<Server['key'], Measurement>();
      for (const server of started) {
        const measured = runs.get(server.key)!;
        const load = mergeLoads(measured.map((m) => m.load));
        const cpu = measured.reduce((total, m) => total + m.cpuSeconds, 0);
        const memory = processTree(server.pid);
        byServer.set(server.key, {
          ...load,
          statements: statements.get(server.key)!,
          cpuSecondsPerThousand: (cpu / Math.max(1, load.requests)) * 1000,
          rssMb: memory.rssMb,
          largestRssMb: memory.largestRssMb,
        });
        log(
          `${server.label.padEnd(38)} ${need.name.padEnd(24)} ${load.requestsPerSecond.toFixed(0).padStart(6)} req/s  p95 ${load.p95.toFixed(1)} ms  ${load.failures} failures`,
        );
      }
      results.set(need.name, byServer);
    }
    return { report: report(results, started, options, members.length), svg: chart(results, started) };
  } finally {
    await Promise.all(started.map((server) => server.stop()));
  }
}

const ms = (value: number) => value.toFixed(1);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '—');
const statementsText = (value: number | null) => (value === null ? 'n/a' : value.toFixed(1));

function report(
  results: Map<string, Map<Server['key'], Measurement>>,
  servers: Server[],
  options: PeerOptions,
  members: number,
): string {
  const rows: (string | number)[][] = [];
  const latency: (string | number)[][] = [];
  for (const [need, byServer] of results) {
    const cold = byServer.get('studygraph')!;
    const warm = byServer.get('studygraph-warm')!;
    const peer = byServer.get('postgraphile')!;
    rows.push([
      need,
      cold.requestsPerSecond.toFixed(0),
      warm.requestsPerSecond.toFixed(0),
      peer.requestsPerSecond.toFixed(0),
      ratio(cold.requestsPerSecond, peer.requestsPerSecond),
      ratio(warm.requestsPerSecond, peer.requestsPerSecond),
      `${statementsText(cold.statements)} / ${statementsText(warm.statements)} / ${statementsText(peer.statements)}`,
      `${cold.cpuSecondsPerThousand.toFixed(2)} / ${warm.cpuSecondsPerThousand.toFixed(2)} / ${peer.cpuSecondsPerThousand.toFixed(2)}`,
      cold.failures + warm.failures + peer.failures,
    ]);
    latency.push([
      need,
      `${ms(cold.p50)} / ${ms(cold.p95)} / ${ms(cold.p99)}`,
      `${ms(warm.p50)} / ${ms(warm.p95)} / ${ms(warm.p99)}`,
      `${ms(peer.p50)} / ${ms(peer.p95)} / ${ms(peer.p99)}`,
      ratio(cold.p95, peer.p95),
    ]);
  }
  const largest = (server: Server, of: (m: Measurement) => number) =>
    Math.max(...[...results.values()].map((m) => of(m.get(server.key)!))).toFixed(0);
  const rss = servers.map(
    (server) =>
      `${server.label}: ${largest(server, (m) => m.rssMb)} MB, its largest process ${largest(server, (m) => m.largestRssMb)} MB`,
  );
  return [
    `Fixed concurrency: ${options.connections} connections; per data need and server ${options.rounds} measured runs of ${options.seconds} s, ` +
      `alternating between the servers in a rotating order, after ${options.warmupSeconds} s of warm-up; over ${members} members' requests. ` +
      `studygraph: NODE_ENV=production, WORKERS=${options.workers}, rate limits off; cold = response cache off, warm = cache on and primed (every request a hit). ` +
      'PostGraphile v5.1 with the amber preset, one process, on the same database and the same Node. Both were checked to return the same rows for every request first. Client: autocannon in the bench process.',
    '### Throughput, SQL statements and CPU',
    markdownTable(
      [
        'data need',
        'req/s studygraph cold',
        'req/s studygraph warm',
        'req/s PostGraphile',
        'cold / PostGraphile',
        'warm / PostGraphile',
        'SQL statements per request (cold / warm / PGL)',
        'CPU s per 1,000 requests (cold / warm / PGL)',
        'failures',
      ],
      rows,
    ),
    '### Latency p50 / p95 / p99 (ms)',
    markdownTable(
      ['data need', 'studygraph cold', 'studygraph warm', 'PostGraphile', 'p95 cold / PostGraphile'],
      latency,
    ),
    `Resident memory at the end of a data need's runs, the most over the needs (whole process tree, and its largest process: the target is < 512 MB per process): ${rss.join('; ')}. SQL statements are counted by pg_stat_statements over one pass of every request (n/a where the extension is missing).`,
  ].join('\n\n');
}

function chart(results: Map<string, Map<Server['key'], Measurement>>, servers: Server[]): string {
  return percentileChartSvg(
    'studygraph vs PostGraphile v5: latency per data need at fixed concurrency',
    results,
    servers,
  );
}
