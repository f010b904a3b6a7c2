import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, StudyStatus } from '../src/db/types';
import { createParentLoader, groupBy, type LoaderSettings } from './loader-toolkit';
import { anyUuid } from './sql';

/**
 * Organization analytics over a window of `days` whole UTC days ending `endingDaysAgo` days before today
 * (0: ending today). Each metric group is its own loader, so a query pays only for the fields it selects,
 * and each sends one statement for all the organizations asked with the same window.
 */
export interface AnalyticsParams {
  days: number;
  endingDaysAgo: number;
}

export interface StudyMetrics {
  total: number;
  byStatus: { status: StudyStatus; count: number }[];
  created: number;
  completed: number;
  /** Of the studies created in the window, the share completed since; null when none was created. */
  completionRate: number | null;
}

export interface CommentMetrics {
  created: number;
  resolved: number;
  averageResolutionHours: number | null;
}

export interface ActivityMetrics {
  activeMembers: number;
  byType: { type: string; count: number }[];
  /** 24 entries, hour 0 to 23 (UTC). */
  byHour: { hour: number; count: number }[];
}

export interface DayCount {
  /** YYYY-MM-DD (UTC). */
  date: string;
  count: number;
}

export interface ContributorCount {
  userId: string;
  count: number;
}

const STUDY_STATUSES: readonly StudyStatus[] = ['draft', 'active', 'in_review', 'approved', 'completed', 'archived'];

/**
 * 00:00 UTC of the window's first day, as timestamptz, whatever the session's time zone. The day counts are
 * parameters, not literals: every statement is prepared on each connection by its text, and windows ×
 * offsets × limits would make hundreds of thousands of texts.
 */
function windowStart({ days, endingDaysAgo }: AnalyticsParams): RawBuilder<Date> {
  return sql<Date>`((date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => ${days - 1 + endingDaysAgo})) AT TIME ZONE 'UTC')`;
}

/** 00:00 UTC of the day after the window's last: the window is [windowStart, windowEnd). */
function windowEnd({ endingDaysAgo }: AnalyticsParams): RawBuilder<Date> {
  return sql<Date>`((date_trunc('day', now() AT TIME ZONE 'UTC') + make_interval(days => ${1 - endingDaysAgo})) AT TIME ZONE 'UTC')`;
}

/** `column` within the window. */
function inWindow(column: string, window: AnalyticsParams): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(column)} >= ${windowStart(window)} AND ${sql.ref(column)} < ${windowEnd(window)})`;
}

export function createAnalyticsLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    studyMetrics: createParentLoader<AnalyticsParams, StudyMetrics>(
      settings,
      'studyMetrics',
      async (organizationIds, window) => {
        const { rows } = await sql<{
          organization_id: string;
          status: StudyStatus;
          total: number;
          created: number;
          completed: number;
          created_and_completed: number;
        }>`
          SELECT organization_id, status,
                 count(*)::int AS total,
                 (count(*) FILTER (WHERE ${inWindow('created_at', window)}))::int AS created,
                 (count(*) FILTER (WHERE ${inWindow('completed_at', window)}))::int AS completed,
                 (count(*) FILTER (WHERE ${inWindow('created_at', window)} AND completed_at IS NOT NULL))::int AS created_and_completed
          FROM studies
          WHERE organization_id = ${anyUuid(organizationIds)}
          GROUP BY organization_id, status`.execute(db);
        const byOrganization = groupBy(rows, 'organization_id');
        return new Map(
          organizationIds.map((id) => {
            const perStatus = byOrganization.get(id) ?? [];
            const sum = (pick: (row: (typeof rows)[number]) => number) =>
              perStatus.reduce((total, row) => total + pick(row), 0);
            const created = sum((row) => row.created);
            return [
              id,
              {
                total: sum((row) => row.total),
                byStatus: STUDY_STATUSES.map((status) => ({
                  status,
                  count: perStatus.find((row) => row.status === status)?.total ?? 0,
                })),
                created,
                completed: sum((row) => row.completed),
                completionRate: created > 0 ? sum((row) => row.created_and_completed) / created : null,
              },
            ];
          }),
        );
      },
      () => ({
        total: 0,
        byStatus: STUDY_STATUSES.map((status) => ({ status, count: 0 })),
        created: 0,
        completed: 0,
        completionRate: null,
      }),
    ),

    /** Comments written in the window; comments resolved in the window and how long they took. */
    commentMetrics: createParentLoader<AnalyticsParams, CommentMetrics>(
      settings,
      'commentMetrics',
      async (organizationIds, window) => {
        // Two index ranges (written in the window, resolved in the window) rather than one OR over both.
        const { rows } = await sql<{
          organization_id: string;
          created: number;
          resolved: number;
          average_hours: number | null;
        }>`
          WITH written AS (
            SELECT organization_id, count(*)::int AS created FROM comments
            WHERE organization_id = ${anyUuid(organizationIds)} AND ${inWindow('created_at', window)} GROUP BY organization_id
          ), resolved AS (
            SELECT organization_id, count(*)::int AS resolved, (avg(extract(epoch FROM resolved_at - created_at)) / 3600)::float8 AS average_hours
            FROM comments
            WHERE organization_id = ${anyUuid(organizationIds)} AND ${inWindow('resolved_at', window)} GROUP BY organization_id
          )
          SELECT coalesce(w.organization_id, r.organization_id) AS organization_id, coalesce(w.created, 0) AS created,
                 coalesce(r.resolved, 0) AS resolved, r.average_hours
          FROM written w FULL JOIN resolved r ON r.organization_id = w.organization_id`.execute(db);
        return new Map(
          rows.map((row) => [
            row.organization_id,
            { created: row.created, resolved: row.resolved, averageResolutionHours: row.average_hours },
          ]),
        );
      },
      () => ({ created: 0, resolved: 0, averageResolutionHours: null }),
    ),

    /** Mean hours from request to decision of the approvals decided in the window; null when none was. */
    averageApprovalHours: createParentLoader<AnalyticsParams, number | null>(
      settings,
      'averageApprovalHours',
      async (organizationIds, window) => {
        const { rows } = await sql<{ organization_id: string; average_hours: number }>`
          SELECT organization_id, (avg(extract(epoch FROM decided_at - requested_at)) / 3600)::float8 AS average_hours
          FROM approvals
          WHERE organization_id = ${anyUuid(organizationIds)} AND ${inWindow('decided_at', window)}
          GROUP BY organization_id`.execute(db);
        return new Map(rows.map((row) => [row.organization_id, row.average_hours]));
      },
      () => null,
    ),

    /** Active members, activity per type and per hour of day (UTC), from one pass over the window. */
    activityMetrics: createParentLoader<AnalyticsParams, ActivityMetrics>(
      settings,
      'activityMetrics',
      async (organizationIds, window) => {
        const { rows } = await sql<{
          organization_id: string;
          kind: 'members' | 'type' | 'hour';
          key: string | null;
          count: number;
        }>`
          WITH window_activity AS (
            SELECT organization_id, user_id, activity_type, extract(hour FROM created_at AT TIME ZONE 'UTC')::int AS hour
            FROM collaboration_activity
            WHERE organization_id = ${anyUuid(organizationIds)} AND ${inWindow('created_at', window)}
          )
          SELECT organization_id, 'members' AS kind, NULL AS key, count(DISTINCT user_id)::int AS count FROM window_activity GROUP BY organization_id
          UNION ALL
          SELECT organization_id, 'type', activity_type, count(*)::int FROM window_activity GROUP BY organization_id, activity_type
          UNION ALL
          SELECT organization_id, 'hour', hour::text, count(*)::int FROM window_activity GROUP BY organization_id, hour`.execute(
          db,
        );
        const byOrganization = groupBy(rows, 'organization_id');
        return new Map(
          organizationIds.map((id) => {
            const own = byOrganization.get(id) ?? [];
            const hours = new Map(own.filter((row) => row.kind === 'hour').map((row) => [Number(row.key), row.count]));
            return [
              id,
              {
                activeMembers: own.find((row) => row.kind === 'members')?.count ?? 0,
                byType: own
                  .filter((row) => row.kind === 'type')
                  .map((row) => ({ type: row.key!, count: row.count }))
                  .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
                byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, count: hours.get(hour) ?? 0 })),
              },
            ];
          }),
        );
      },
      () => ({ activeMembers: 0, byType: [], byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, count: 0 })) }),
    ),

    /** Distinct active users per UTC day of the window, zeros included (generate_series). */
    dailyActiveUsers: createParentLoader<AnalyticsParams, DayCount[]>(
      settings,
      'dailyActiveUsers',
      async (organizationIds, window) => {
        const { days, endingDaysAgo } = window;
        const { rows } = await sql<{ organization_id: string; date: string; count: number }>`
          WITH per_day AS (
            SELECT organization_id, date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(DISTINCT user_id)::int AS count
            FROM collaboration_activity
            WHERE organization_id = ${anyUuid(organizationIds)} AND ${inWindow('created_at', window)}
            GROUP BY 1, 2
          )
          SELECT o.id AS organization_id, to_char(d.day, 'YYYY-MM-DD') AS date, coalesce(p.count, 0) AS count
          FROM unnest(${sql.val([...organizationIds])}::uuid[]) AS o(id)
          CROSS JOIN generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => ${days - 1 + endingDaysAgo}),
                                     date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => ${endingDaysAgo}), interval '1 day') AS d(day)
          LEFT JOIN per_day p ON p.organization_id = o.id AND p.day = d.day
          ORDER BY o.id, d.day`.execute(db);
        const byOrganization = groupBy(rows, 'organization_id');
        return new Map(
          organizationIds.map((id) => [id, (byOrganization.get(id) ?? []).map(({ date, count }) => ({ date, count }))]),
        );
      },
      () => [],
    ),

    /** The most active users of the window, most active first (ties by user id). */
    topContributors: createParentLoader<AnalyticsParams & { limit: number }, ContributorCount[]>(
      settings,
      'topContributors',
      async (organizationIds, { limit, ...window }) => {
        const { rows } = await sql<{ organization_id: string; user_id: string; count: number }>`
          SELECT organization_id, user_id, count FROM (
            SELECT organization_id, user_id, count(*)::int AS count,
                   row_number() OVER (PARTITION BY organization_id ORDER BY count(*) DESC, user_id) AS rank
            FROM collaboration_activity
            WHERE organization_id = ${anyUuid(organizationIds)} AND ${inWindow('created_at', window)} AND user_id IS NOT NULL
            GROUP BY organization_id, user_id
          ) ranked
          WHERE rank <= ${limit}
          ORDER BY organization_id, rank`.execute(db);
        const byOrganization = groupBy(rows, 'organization_id');
        return new Map(
          organizationIds.map((id) => [
            id,
            (byOrganization.get(id) ?? []).map((row) => ({ userId: row.user_id, count: row.count })),
          ]),
        );
      },
      () => [],
    ),
  };
}
