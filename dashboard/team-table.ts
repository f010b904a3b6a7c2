import { element } from './charts';
import { csvButton } from './csv';

export interface TeamMember {
  name: string;
  role: string;
  joinedAt: string;
  /** Activity entries in the period (0 for a member with none). */
  entries: number;
}

export type TeamColumn = 'name' | 'role' | 'joined' | 'entries';
/** The table's order, as the URL keeps it: a column, descending when `-` leads (`-entries`). */
export type TeamSort = { column: TeamColumn; descending: boolean };

export const DEFAULT_TEAM_SORT: TeamSort = { column: 'entries', descending: true };
const COLUMNS: { column: TeamColumn; header: string }[] = [
  { column: 'name', header: 'Member' },
  { column: 'role', header: 'Role' },
  { column: 'joined', header: 'Joined' },
  { column: 'entries', header: 'Activity entries' },
];

export function parseTeamSort(text: string | null): TeamSort {
  const descending = text?.startsWith('-') ?? false;
  const column = (descending ? text!.slice(1) : text) as TeamColumn;
  return COLUMNS.some((c) => c.column === column) ? { column, descending } : DEFAULT_TEAM_SORT;
}

export function teamSortText(sort: TeamSort): string {
  return `${sort.descending ? '-' : ''}${sort.column}`;
}

const ROLE_RANK: Record<string, number> = { OWNER: 0, ADMIN: 1, MEMBER: 2, VIEWER: 3 };

function compare(a: TeamMember, b: TeamMember, column: TeamColumn): number {
  switch (column) {
    case 'name':
      return a.name.localeCompare(b.name, 'en');
    case 'role':
      return (ROLE_RANK[a.role] ?? 9) - (ROLE_RANK[b.role] ?? 9);
    case 'joined':
      return a.joinedAt.localeCompare(b.joinedAt);
    case 'entries':
      return a.entries - b.entries;
  }
}

/** Members in the table's order; ties by name, so the order is the same on every load. */
function sortedTeam(members: readonly TeamMember[], sort: TeamSort): TeamMember[] {
  const direction = sort.descending ? -1 : 1;
  return [...members].sort((a, b) => direction * compare(a, b, sort.column) || a.name.localeCompare(b.name, 'en'));
}

/**
 * The team table: every member with their activity in the period, sortable by any column (a header's
 * button; `aria-sort` says the order), downloadable as CSV in the order shown.
 */
export function teamTable(
  members: readonly TeamMember[],
  sort: TeamSort,
  period: string,
  onSort: (sort: TeamSort) => void,
): HTMLElement {
  const rows = sortedTeam(members, sort).map((member) => [
    member.name,
    member.role.charAt(0) + member.role.slice(1).toLowerCase(),
    member.joinedAt.slice(0, 10),
    String(member.entries),
  ]);
  const headers = COLUMNS.map(({ column, header }) => {
    const current = sort.column === column;
    const button = element('button', { type: 'button', class: 'link', 'data-column': column }, header);
    button.addEventListener('click', () =>
      onSort({ column, descending: current ? !sort.descending : column === 'entries' || column === 'joined' }),
    );
    return element(
      'th',
      { scope: 'col', 'aria-sort': current ? (sort.descending ? 'descending' : 'ascending') : 'none' },
      button,
    );
  });
  return element(
    'div',
    { class: 'list', id: 'team-table' },
    element(
      'table',
      {},
      element('caption', {}, `Members and their activity, ${period}`),
      element('thead', {}, element('tr', {}, ...headers)),
      element('tbody', {}, ...rows.map((cells) => element('tr', {}, ...cells.map((cell) => element('td', {}, cell))))),
    ),
    csvButton(
      'team.csv',
      COLUMNS.map((c) => c.header),
      () => rows,
    ),
  );
}
