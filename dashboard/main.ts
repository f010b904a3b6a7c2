import './style.css';
import { ApiProblem, runOperation } from './api';
import { element, renderChart } from './charts';
import { csvButton } from './csv';
import {
  DEFAULT_TEAM_SORT,
  parseTeamSort,
  teamSortText,
  teamTable,
  type TeamMember,
  type TeamSort,
} from './team-table';
import { watchOrganization, type Watch } from './live';
import { renderWorkflow, type WebhooksData, type WorkflowActions, type WorkflowData } from './workflow';

const TOKEN_KEY = 'studygraph.token';
const PERIODS = [7, 30, 90, 365] as const;
const ADMIN_ROLES = new Set(['OWNER', 'ADMIN']);

interface Analytics {
  days: number;
  totalStudies: number;
  activeStudies: number;
  studiesCreated: number;
  studiesCompleted: number;
  studyCompletionRate: number | null;
  totalComments: number;
  resolvedComments: number;
  averageCommentResolutionHours: number | null;
  averageApprovalHours: number | null;
  activeMembers: number;
}

interface OrganizationSummary {
  id: string;
  name: string;
  viewerRole: string | null;
  memberCount: number;
  analytics: Analytics;
}

/** The figures of the period just before the one shown (PeriodComparison). */
type PreviousPeriod = Omit<Analytics, 'totalStudies' | 'activeStudies'>;

interface ComparisonData {
  organization: { previous: PreviousPeriod };
}

interface DashboardData {
  viewer: { name: string };
  organizations: { edges: { node: OrganizationSummary }[] };
}

interface TrendsData {
  organization: {
    analytics: {
      studiesByStatus: { status: string; count: number }[];
      dailyActiveUsers: { date: string; count: number }[];
      peakHours: { hour: number; count: number }[];
      activityByType: { type: string; count: number }[];
    };
  };
}

interface TeamProductivity {
  memberCount: number;
  studiesCreated: number;
  studiesPerMember: number | null;
  commentsPerMember: number | null;
  approvalsDecided: number;
  periodDays: number;
  refreshedAt: string | null;
}

interface TeamData {
  organization: {
    members: { edges: { node: { role: string; joinedAt: string; user: { id: string; name: string } } }[] };
  };
}

/** Enough contributors for the team table (every member with activity, in practice); the chart shows the first ten. */
const CONTRIBUTORS_LISTED = 50;
const CONTRIBUTORS_CHARTED = 10;

interface ContributorsData {
  organization: {
    analytics: { topContributors: { count: number; user: { id: string; name: string } }[] };
    teamProductivity: TeamProductivity;
  };
}

interface ActivityNode {
  id: string;
  type: string;
  createdAt: string;
  actor: { name: string } | null;
  study: { title: string } | null;
}

/** A drill-down, as it is written in the URL: `status:ACTIVE`, `type:COMMENT_ADDED`, `member:<user id>`. */
type Drill = { kind: 'status' | 'type' | 'member'; value: string; label?: string };

interface Filters {
  organizationId: string | null;
  days: number;
  drill: Drill | null;
  /** The team table's order. */
  team: TeamSort;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const words = (constant: string) => constant.charAt(0) + constant.slice(1).toLowerCase().replaceAll('_', ' ');
const hours = (value: number | null) => (value === null ? '–' : `${value.toFixed(1)} h`);
const percent = (value: number | null) => (value === null ? '–' : `${Math.round(value * 100)}%`);
const when = (iso: string) =>
  new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';

function readFilters(): Filters {
  const params = new URLSearchParams(location.search);
  const days = Number(params.get('days'));
  const [kind, ...rest] = (params.get('drill') ?? '').split(':');
  const value = rest.join(':');
  const drill: Drill | null =
    (kind === 'status' || kind === 'type' || kind === 'member') && value ? { kind, value } : null;
  return {
    organizationId: params.get('organization'),
    days: (PERIODS as readonly number[]).includes(days) ? days : 30,
    drill,
    team: parseTeamSort(params.get('sort')),
  };
}

/** Filters live in the URL, so a view can be shared; the token never does. */
function writeFilters(filters: Filters): void {
  const params = new URLSearchParams();
  if (filters.organizationId) params.set('organization', filters.organizationId);
  params.set('days', String(filters.days));
  if (filters.drill) params.set('drill', `${filters.drill.kind}:${filters.drill.value}`);
  if (teamSortText(filters.team) !== teamSortText(DEFAULT_TEAM_SORT)) params.set('sort', teamSortText(filters.team));
  history.replaceState(null, '', `${location.pathname}?${params}`);
}

/** The demo analyst's token, which the gateway puts in the page in development only. */
const demoToken = document.querySelector<HTMLMetaElement>('meta[name="studygraph-demo-token"]')?.content ?? null;
let filters = readFilters();
let token: string | null = sessionStorage.getItem(TOKEN_KEY) ?? demoToken;
let watch: Watch | undefined;
let watching: string | undefined;
let retryTimer: number | undefined;
let pendingRefetch: number | undefined;
/** The load running now; a load asked for meanwhile runs once after it, with the filters of that moment. */
let loadRunning: Promise<void> | undefined;
let loadAgain = false;
/** Only the latest drill-down asked for is drawn, whichever answer comes first. */
let drillTicket = 0;

function say(message: string): void {
  $('status').textContent = message;
}

function showProblem(message: string | null): void {
  const problem = $('problem');
  problem.hidden = message === null;
  problem.textContent = message ?? '';
}

function unfollow(): void {
  watch?.stop();
  watch = watching = undefined;
  window.clearTimeout(pendingRefetch);
}

/** The signed-out view: nothing of the signed-in one stays (the live badge's socket is closed with it). */
function showSignIn(reason: string, { offerDemoToken = true } = {}): void {
  unfollow();
  window.clearTimeout(retryTimer);
  $('dashboard').hidden = true;
  $('filters').hidden = true;
  $('live').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-reason').textContent = reason;
  // Whoever signed out meant it: the demo token is not put back for the next click.
  $<HTMLTextAreaElement>('token').value = offerDemoToken ? (demoToken ?? '') : '';
  say('');
}

function handleProblem(problem: unknown): void {
  if (!(problem instanceof ApiProblem)) {
    showProblem(`Something went wrong: ${problem instanceof Error ? problem.message : String(problem)}`);
    return;
  }
  if (problem.kind === 'signed-out') {
    sessionStorage.removeItem(TOKEN_KEY);
    token = null;
    showSignIn(`The gateway refused the token: ${problem.message} Paste a valid one.`);
  } else if (problem.kind === 'rate-limited') {
    const seconds = Math.ceil(problem.retryAfterSeconds ?? 60);
    showProblem(`Rate limited: ${problem.message} Trying again in ${seconds} s.`);
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(() => void load(), seconds * 1000);
  } else if (problem.kind === 'forbidden') {
    showProblem(`Not allowed: ${problem.message}`);
  } else {
    showProblem(problem.message);
  }
}

/**
 * How a figure moved since the previous period: ▲ or ▼ with the difference (in points for a rate), `=` when
 * unchanged, nothing when either period has no value. The previous value is in the title.
 */
function change(now: number | null, before: number | null, shown: (value: number | null) => string, unit = '') {
  if (now === null || before === null) return null;
  const difference = Math.round((now - before) * 10) / 10;
  const direction = difference > 0 ? 'up' : difference < 0 ? 'down' : 'same';
  const mark = direction === 'up' ? '▲' : direction === 'down' ? '▼' : '=';
  const text = direction === 'same' ? mark : `${mark} ${Math.abs(difference)}${unit}`;
  return element(
    'dd',
    { class: `change ${direction}`, title: `Previous ${filters.days} days: ${shown(before)}` },
    text,
  );
}

function renderFigures(organization: OrganizationSummary, previous: PreviousPeriod): void {
  const a = organization.analytics;
  const tile = (label: string, value: string, source: string, moved: HTMLElement | null) =>
    element(
      'div',
      { class: 'figure' },
      element('dt', {}, label),
      element('dd', {}, value),
      ...(moved ? [moved] : []),
      element('dd', { class: 'source' }, source),
    );
  const count = (value: number | null) => (value === null ? '–' : String(value));
  const points = (value: number | null) => (value === null ? null : value * 100);
  $('figures').replaceChildren(
    element('h2', {}, `${organization.name}, last ${a.days} days`),
    element(
      'dl',
      {},
      tile(
        'Studies created',
        String(a.studiesCreated),
        'analytics.studiesCreated',
        change(a.studiesCreated, previous.studiesCreated, count),
      ),
      tile(
        'Studies completed',
        String(a.studiesCompleted),
        'analytics.studiesCompleted',
        change(a.studiesCompleted, previous.studiesCompleted, count),
      ),
      tile(
        'Study completion rate',
        percent(a.studyCompletionRate),
        'analytics.studyCompletionRate',
        change(
          points(a.studyCompletionRate),
          points(previous.studyCompletionRate),
          (v) => percent(v && v / 100),
          ' pt',
        ),
      ),
      tile(
        'Comments resolved',
        `${a.resolvedComments} of ${a.totalComments}`,
        'analytics.resolvedComments / totalComments',
        change(a.resolvedComments, previous.resolvedComments, count),
      ),
      tile(
        'Comment resolution time',
        hours(a.averageCommentResolutionHours),
        'analytics.averageCommentResolutionHours',
        change(a.averageCommentResolutionHours, previous.averageCommentResolutionHours, hours, ' h'),
      ),
      tile(
        'Approval time',
        hours(a.averageApprovalHours),
        'analytics.averageApprovalHours',
        change(a.averageApprovalHours, previous.averageApprovalHours, hours, ' h'),
      ),
      tile(
        'Active members',
        `${a.activeMembers} of ${organization.memberCount}`,
        'analytics.activeMembers / memberCount',
        change(a.activeMembers, previous.activeMembers, count),
      ),
    ),
  );
}

function openDrill(drill: Drill): void {
  filters = { ...filters, drill };
  writeFilters(filters);
  void renderDrill();
}

function renderCharts(trends: TrendsData, contributors: ContributorsData): void {
  const a = trends.organization.analytics;
  const period = `over the last ${filters.days} days (UTC)`;
  const container = $('charts');
  renderChart(container, {
    id: 'daily-active-users',
    title: 'Daily active users',
    kind: 'line',
    labels: a.dailyActiveUsers.map((d) => d.date),
    values: a.dailyActiveUsers.map((d) => d.count),
    labelHeader: 'Day',
    valueHeader: 'Active users',
    source: `analytics.dailyActiveUsers: distinct members with activity each day, ${period}`,
  });
  renderChart(container, {
    id: 'peak-hours',
    title: 'Activity per hour of day',
    kind: 'bar',
    labels: a.peakHours.map((h) => `${String(h.hour).padStart(2, '0')}:00`),
    values: a.peakHours.map((h) => h.count),
    labelHeader: 'Hour (UTC)',
    valueHeader: 'Entries',
    source: `analytics.peakHours: activity entries per hour of the day, ${period}`,
  });
  renderChart(container, {
    id: 'activity-by-type',
    title: 'Activity by type',
    kind: 'horizontal-bar',
    labels: a.activityByType.map((t) => words(t.type)),
    values: a.activityByType.map((t) => t.count),
    labelHeader: 'Type',
    valueHeader: 'Entries',
    source: `analytics.activityByType, ${period}`,
    drill: {
      describe: (label) => `Show the latest ${label} entries`,
      open: (i) => openDrill({ kind: 'type', value: a.activityByType[i].type }),
    },
  });
  renderChart(container, {
    id: 'studies-by-status',
    title: 'Studies by status',
    kind: 'doughnut',
    labels: a.studiesByStatus.map((s) => words(s.status)),
    values: a.studiesByStatus.map((s) => s.count),
    labelHeader: 'Status',
    valueHeader: 'Studies',
    source: 'analytics.studiesByStatus: every study of the organization now',
    drill: {
      describe: (label) => `Show the ${label} studies`,
      open: (i) => openDrill({ kind: 'status', value: a.studiesByStatus[i].status }),
    },
  });
  const top = contributors.organization.analytics.topContributors.slice(0, CONTRIBUTORS_CHARTED);
  renderChart(container, {
    id: 'top-contributors',
    title: 'Top contributors',
    kind: 'horizontal-bar',
    labels: top.map((c) => c.user.name),
    values: top.map((c) => c.count),
    labelHeader: 'Member',
    valueHeader: 'Entries',
    source: `analytics.topContributors: the ${CONTRIBUTORS_CHARTED} members with the most activity entries, ${period}`,
    drill: {
      describe: (label) => `Show ${label}'s recent activity`,
      open: (i) => openDrill({ kind: 'member', value: top[i].user.id, label: top[i].user.name }),
    },
  });
}

function renderTeam(organization: OrganizationSummary, team: TeamProductivity): void {
  const figure = (label: string, value: string) =>
    element('div', { class: 'figure' }, element('dt', {}, label), element('dd', {}, value));
  const number = (value: number | null) => (value === null ? '–' : value.toFixed(2));
  const children: Node[] = [
    element('h2', {}, 'Team productivity'),
    element(
      'dl',
      {},
      figure('Members', String(team.memberCount)),
      figure('Studies created', String(team.studiesCreated)),
      figure('Studies per member', number(team.studiesPerMember)),
      figure('Comments per member', number(team.commentsPerMember)),
      figure('Approvals decided', String(team.approvalsDecided)),
    ),
    element(
      'p',
      { id: 'team-refreshed' },
      team.refreshedAt
        ? `Over the last ${team.periodDays} days, computed ${when(team.refreshedAt)} (teamProductivity, refreshed on the gateway's schedule).`
        : 'Not computed yet.',
    ),
  ];
  if (organization.viewerRole && ADMIN_ROLES.has(organization.viewerRole)) {
    const button = element('button', { type: 'button', id: 'refresh-team' }, 'Refresh now');
    const refresh = async () => {
      button.disabled = true;
      try {
        const data = await runOperation<{ refreshTeamProductivity: TeamProductivity }>(
          token!,
          'RefreshTeamProductivity',
          { organizationId: organization.id },
        );
        renderTeam(organization, { ...team, ...data.refreshTeamProductivity });
      } catch (problem) {
        handleProblem(problem);
        button.disabled = false;
      }
    };
    button.addEventListener('click', () => void refresh());
    children.push(button);
  }
  $('team').replaceChildren(...children);
}

/** Every member with their activity entries of the period (Contributors lists those with any). */
function renderTeamTable(team: TeamData, contributors: ContributorsData): void {
  const entries = new Map(contributors.organization.analytics.topContributors.map((c) => [c.user.id, c.count]));
  const members: TeamMember[] = team.organization.members.edges.map(({ node }) => ({
    name: node.user.name,
    role: node.role,
    joinedAt: node.joinedAt,
    entries: entries.get(node.user.id) ?? 0,
  }));
  const draw = () =>
    $('team-members').replaceChildren(
      element('h2', {}, 'Team'),
      teamTable(members, filters.team, `over the last ${filters.days} days`, (sort) => {
        filters = { ...filters, team: sort };
        writeFilters(filters);
        draw();
      }),
    );
  draw();
}

function closeButton(): HTMLButtonElement {
  const button = element('button', { type: 'button', id: 'close-drill' }, 'Close');
  button.addEventListener('click', () => {
    filters = { ...filters, drill: null };
    writeFilters(filters);
    $('drill').hidden = true;
  });
  return button;
}

/** A table of rows, with a button that downloads them as `filename`. */
function listTable(caption: string, headers: string[], rows: string[][], filename: string): HTMLElement {
  return element(
    'div',
    { class: 'list' },
    element(
      'table',
      {},
      element('caption', {}, caption),
      element('thead', {}, element('tr', {}, ...headers.map((h) => element('th', { scope: 'col' }, h)))),
      element('tbody', {}, ...rows.map((cells) => element('tr', {}, ...cells.map((c) => element('td', {}, c))))),
    ),
    csvButton(filename, headers, () => rows),
  );
}

async function renderDrill(): Promise<void> {
  const drill = filters.drill;
  const ticket = ++drillTicket;
  const section = $('drill');
  if (!drill || !filters.organizationId || !token) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  section.replaceChildren(element('p', {}, 'Loading…'));
  try {
    if (drill.kind === 'status') {
      const data = await runOperation<{
        studies: {
          totalCount: number;
          edges: { node: { title: string; createdAt: string; createdBy: { name: string } | null } }[];
        };
      }>(token, 'StudiesByStatus', { organizationId: filters.organizationId, status: drill.value });
      if (ticket !== drillTicket) return;
      const rows = data.studies.edges.map(({ node }) => [
        node.title,
        when(node.createdAt),
        node.createdBy?.name ?? '–',
      ]);
      section.replaceChildren(
        element('h2', {}, `${words(drill.value)} studies (${data.studies.totalCount})`),
        listTable(
          `The newest ${rows.length} of ${data.studies.totalCount}`,
          ['Title', 'Created', 'Created by'],
          rows,
          `studies-${drill.value}.csv`,
        ),
        closeButton(),
      );
    } else {
      const variables = drill.kind === 'type' ? { types: [drill.value] } : { actorId: drill.value };
      const data = await runOperation<{
        organization: { activity: { totalCount: number; edges: { node: ActivityNode }[] } };
      }>(token, 'OrganizationActivity', {
        organizationId: filters.organizationId,
        ...variables,
      });
      if (ticket !== drillTicket) return;
      const { totalCount, edges } = data.organization.activity;
      const rows = edges.map(({ node }) => [
        when(node.createdAt),
        words(node.type),
        node.actor?.name ?? '–',
        node.study?.title ?? '(organization)',
      ]);
      const who = drill.kind === 'member' ? (drill.label ?? edges[0]?.node.actor?.name ?? 'This member') : null;
      section.replaceChildren(
        element(
          'h2',
          {},
          who ? `${who}: recent activity (${totalCount})` : `${words(drill.value)} entries (${totalCount})`,
        ),
        listTable(
          `The latest ${rows.length} of ${totalCount}`,
          ['When', 'Type', 'Who', 'Study'],
          rows,
          `activity-${drill.kind}.csv`,
        ),
        closeButton(),
      );
    }
  } catch (problem) {
    if (ticket !== drillTicket) return;
    section.hidden = true;
    handleProblem(problem);
  }
}

function fillFilters(organizations: OrganizationSummary[]): void {
  const select = $<HTMLSelectElement>('organization');
  select.replaceChildren(...organizations.map((o) => element('option', { value: o.id }, o.name)));
  select.value = filters.organizationId!;
  $<HTMLSelectElement>('days').value = String(filters.days);
  $('filters').hidden = false;
}

/** The workflow section's buttons: each write, then the page again (its answer is what the section shows). */
function workflowActions(signedIn: string): WorkflowActions {
  const write = (name: 'MarkNotificationsRead' | 'RedeliverWebhookDelivery', variables: Record<string, unknown>) =>
    void runOperation(signedIn, name, variables)
      .catch(handleProblem)
      // The section drawn again either way: a failed write's button comes back.
      .finally(() => void load(true));
  return {
    markRead: (ids) => write('MarkNotificationsRead', { ids }),
    redeliver: (deliveryId) => write('RedeliverWebhookDelivery', { deliveryId }),
  };
}

function follow(signedIn: string, organizationId: string): void {
  if (watching === organizationId) return;
  unfollow();
  watching = organizationId;
  watch = watchOrganization(
    signedIn,
    organizationId,
    () => {
      // Signals come in bursts while people work: one refetch per burst.
      window.clearTimeout(pendingRefetch);
      pendingRefetch = window.setTimeout(() => void load(true), 500);
    },
    (on) => {
      $('live').hidden = !on;
    },
  );
}

function load(quiet = false): Promise<void> {
  if (loadRunning) {
    loadAgain = true;
    return loadRunning;
  }
  loadRunning = fetchAndRender(quiet).finally(() => {
    loadRunning = undefined;
    if (loadAgain) {
      loadAgain = false;
      void load(true);
    }
  });
  return loadRunning;
}

async function fetchAndRender(quiet: boolean): Promise<void> {
  const signedIn = token;
  if (!signedIn) {
    showSignIn('Paste a token to see your organizations.');
    return;
  }
  window.clearTimeout(retryTimer);
  if (!quiet) say('Loading…');
  try {
    const dashboard = await runOperation<DashboardData>(signedIn, 'Dashboard', { days: filters.days });
    // Signed out (or in as someone else) meanwhile: this answer is no longer to be shown.
    if (token !== signedIn) return;
    const organizations = dashboard.organizations.edges.map((e) => e.node);
    if (organizations.length === 0) {
      showProblem(`${dashboard.viewer.name} is not a member of any organization yet.`);
      return;
    }
    const organization = organizations.find((o) => o.id === filters.organizationId) ?? organizations[0];
    filters = { ...filters, organizationId: organization.id };
    writeFilters(filters);
    const variables = { organizationId: organization.id, days: filters.days };
    const [trends, contributors, comparison, team, workflow, webhooks] = await Promise.all([
      runOperation<TrendsData>(signedIn, 'Trends', variables),
      runOperation<ContributorsData>(signedIn, 'Contributors', { ...variables, limit: CONTRIBUTORS_LISTED }),
      runOperation<ComparisonData>(signedIn, 'PeriodComparison', variables),
      runOperation<TeamData>(signedIn, 'Team', { organizationId: organization.id }),
      runOperation<WorkflowData>(signedIn, 'Workflow', { organizationId: organization.id }),
      // Webhooks are their admins' alone: others are not asked.
      ADMIN_ROLES.has(organization.viewerRole ?? '')
        ? runOperation<WebhooksData>(signedIn, 'WorkflowWebhooks', { organizationId: organization.id })
        : Promise.resolve(null),
    ]);
    if (token !== signedIn) return;
    showProblem(null);
    $('sign-in').hidden = true;
    $('dashboard').hidden = false;
    $('sign-out').hidden = false;
    fillFilters(organizations);
    renderFigures(organization, comparison.organization.previous);
    renderCharts(trends, contributors);
    renderTeam(organization, contributors.organization.teamProductivity);
    renderTeamTable(team, contributors);
    renderWorkflow($('workflow'), workflow, webhooks, workflowActions(signedIn));
    await renderDrill();
    follow(signedIn, organization.id);
    say(`Signed in as ${dashboard.viewer.name}. Updated ${new Date().toLocaleTimeString('en')}.`);
  } catch (problem) {
    if (token === signedIn) handleProblem(problem);
  }
}

$<HTMLSelectElement>('organization').addEventListener('change', (event) => {
  filters = { ...filters, organizationId: (event.target as HTMLSelectElement).value, drill: null };
  writeFilters(filters);
  void load();
});
$<HTMLSelectElement>('days').addEventListener('change', (event) => {
  filters = { ...filters, days: Number((event.target as HTMLSelectElement).value) };
  writeFilters(filters);
  void load();
});
$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  showSignIn('Signed out.', { offerDemoToken: false });
});
$<HTMLFormElement>('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  const pasted = $<HTMLTextAreaElement>('token')
    .value.trim()
    .replace(/^Bearer\s+/i, '');
  if (!pasted) return;
  token = pasted;
  sessionStorage.setItem(TOKEN_KEY, pasted);
  void load();
});

void load();
