import { element } from './charts';

export interface WorkflowData {
  organization: {
    id: string;
    approvalPolicy: { requiredApprovals: number; reviewerRoles: string[]; updatedAt: string | null };
    automationRules: {
      id: string;
      name: string;
      enabled: boolean;
      trigger: { kind: string; activityType: string | null; status: string | null; inactiveDays: number | null };
      conditions: { studyStatusIn: string[] | null };
      actions: {
        kind: string;
        status: string | null;
        reviewerRole: string | null;
        notifyRoles: string[] | null;
        notifyCollaborators: boolean | null;
      }[];
    }[];
  };
  viewer: {
    id: string;
    unreadNotificationCount: number | null;
    notifications: {
      edges: {
        node: {
          id: string;
          kind: string;
          createdAt: string;
          readAt: string | null;
          activity: { type: string; study: { id: string; title: string } | null } | null;
        };
      }[];
    } | null;
  };
}

export interface WebhooksData {
  organization: {
    webhooks:
      | {
          id: string;
          url: string;
          events: string[];
          createdAt: string;
          deliveries: {
            totalCount: number;
            edges: {
              node: {
                id: string;
                eventId: string;
                event: string;
                attempt: number;
                redelivery: boolean;
                succeeded: boolean;
                responseCode: number | null;
                durationMs: number;
                error: string | null;
                nextRetryAt: string | null;
                attemptedAt: string;
              };
            }[];
          };
        }[]
      | null;
  };
}

export interface WorkflowActions {
  markRead(ids: string[]): void;
  redeliver(deliveryId: string): void;
}

const words = (value: string) => value.toLowerCase().replaceAll('_', ' ');
const list = (values: string[]) => values.map(words).join(', ');
const time = (iso: string) => new Date(iso).toLocaleString('en');

function ruleTrigger(rule: WorkflowData['organization']['automationRules'][number]): string {
  const { kind, activityType, status, inactiveDays } = rule.trigger;
  if (kind === 'ACTIVITY') return `a study gets “${words(activityType ?? '')}”`;
  if (kind === 'STATUS_REACHED') return `a study reaches ${words(status ?? '')}`;
  return `a study is quiet for ${inactiveDays} days`;
}

function ruleActions(rule: WorkflowData['organization']['automationRules'][number]): string {
  return rule.actions
    .map((action) => {
      if (action.kind === 'CHANGE_STATUS') return `move it to ${words(action.status ?? '')}`;
      if (action.kind === 'REQUEST_APPROVAL') return `ask a ${words(action.reviewerRole ?? '')} to approve`;
      const whom = [...(action.notifyRoles ?? []).map(words), ...(action.notifyCollaborators ? ['collaborators'] : [])];
      return `notify ${whom.join(', ')}`;
    })
    .join('; ');
}

function table(caption: string, headers: string[], rows: (Node | string)[][]): HTMLTableElement {
  return element(
    'table',
    {},
    element('caption', {}, caption),
    element('thead', {}, element('tr', {}, ...headers.map((header) => element('th', { scope: 'col' }, header)))),
    element('tbody', {}, ...rows.map((cells) => element('tr', {}, ...cells.map((cell) => element('td', {}, cell))))),
  );
}

/**
 * The workflow section: the approval policy, the automation rules, the viewer's notifications with the unread
 * count, and (for admins) the webhooks with their latest delivery attempts and a redeliver button each.
 */
export function renderWorkflow(
  section: HTMLElement,
  workflow: WorkflowData,
  webhooks: WebhooksData | null,
  actions: WorkflowActions,
): void {
  const { approvalPolicy, automationRules } = workflow.organization;
  const policy = element(
    'div',
    { class: 'card', id: 'workflow-policy' },
    element('h3', {}, 'Approval policy'),
    element(
      'p',
      {},
      `A study in review is approved after ${approvalPolicy.requiredApprovals} approval${approvalPolicy.requiredApprovals === 1 ? '' : 's'} from ${list(approvalPolicy.reviewerRoles)}, and goes back to active on a rejection.`,
    ),
  );
  const rules = element(
    'div',
    { class: 'card', id: 'workflow-rules' },
    element('h3', {}, 'Automation rules'),
    automationRules.length === 0
      ? element('p', {}, 'No rules yet.')
      : table(
          'Rules, in the order they run',
          ['Rule', 'When', 'If', 'Then', 'State'],
          automationRules.map((rule) => [
            rule.name,
            ruleTrigger(rule),
            rule.conditions.studyStatusIn ? `it is ${rule.conditions.studyStatusIn.map(words).join(' or ')}` : 'always',
            ruleActions(rule),
            rule.enabled ? 'on' : 'off',
          ]),
        ),
  );
  const shown = workflow.viewer.notifications?.edges.map(({ node }) => node) ?? [];
  const unread = workflow.viewer.unreadNotificationCount ?? 0;
  const markRead = element('button', { type: 'button', id: 'mark-read' }, 'Mark these read');
  markRead.disabled = !shown.some((n) => n.readAt === null);
  markRead.addEventListener('click', () => actions.markRead(shown.filter((n) => n.readAt === null).map((n) => n.id)));
  const notifications = element(
    'div',
    { class: 'card', id: 'workflow-notifications' },
    element(
      'h3',
      {},
      'Your notifications ',
      element('span', { class: 'badge', id: 'unread-count' }, `${unread} unread`),
    ),
    shown.length === 0
      ? element('p', {}, 'Nothing yet.')
      : element(
          'ul',
          {},
          ...shown.map((n) =>
            element(
              'li',
              { class: n.readAt ? 'read' : 'unread' },
              `${words(n.kind)}${n.activity?.study ? ` — ${n.activity.study.title}` : ''} (${time(n.createdAt)})`,
            ),
          ),
        ),
    markRead,
  );
  const hooks = element('div', { class: 'card', id: 'workflow-webhooks' }, element('h3', {}, 'Webhooks'));
  const listed = webhooks?.organization.webhooks;
  if (!listed) hooks.append(element('p', {}, 'Organization admins and owners see the webhooks here.'));
  else if (listed.length === 0) hooks.append(element('p', {}, 'No webhooks.'));
  for (const webhook of listed ?? []) {
    const rows = webhook.deliveries.edges.map(({ node }) => {
      const redeliver = element('button', { type: 'button', 'data-delivery': node.id }, 'Redeliver');
      redeliver.addEventListener('click', () => {
        redeliver.disabled = true;
        actions.redeliver(node.id);
      });
      return [
        time(node.attemptedAt),
        words(node.event),
        `${node.attempt}${node.redelivery ? ' (redelivery)' : ''}`,
        node.succeeded
          ? `delivered (${node.responseCode})`
          : `failed${node.responseCode ? ` (${node.responseCode})` : ''}: ${node.error ?? ''}`,
        `${node.durationMs} ms`,
        node.nextRetryAt ? time(node.nextRetryAt) : '—',
        redeliver,
      ];
    });
    hooks.append(
      element('h4', {}, webhook.url),
      element('p', {}, `Sends ${list(webhook.events)}. ${webhook.deliveries.totalCount} attempts logged.`),
      rows.length === 0
        ? element('p', {}, 'No deliveries yet.')
        : table(
            `Latest attempts to ${webhook.url}`,
            ['When', 'Event', 'Attempt', 'Result', 'Took', 'Next retry', ''],
            rows,
          ),
    );
  }
  section.replaceChildren(element('h2', {}, 'Workflow'), policy, rules, notifications, hooks);
}
