import { sql } from 'kysely';
import { signAccessToken } from '../src/auth/tokens';
import type { Config } from '../src/config';
import type { Gateway } from '../src/app';
import { markdownTable, summarize } from './stats';

const QUERY = `query Analytics($id: ID, $days: Int!) {
  organization(id: $id) {
    analytics(days: $days) {
      totalStudies activeStudies studiesByStatus { status count } studiesCreated studiesCompleted studyCompletionRate
      totalComments resolvedComments averageCommentResolutionHours averageApprovalHours activeMembers
      dailyActiveUsers { date count } peakHours { hour count } activityByType { type count }
      topContributors(limit: 5) { count user { name } }
    }
  }
}`;

/**
 * p50/p95/p99 of a full `analytics(days)` request (every field) per organization, for 30 and 365 days,
 * each organization asked once per round so no answer is reused (there is no response cache in the path).
 */
export async function benchAnalytics(
  gateway: Gateway,
  baseUrl: string,
  config: Config,
  options: { organizations: number; rounds: number },
) {
  const owners = await sql<{ organization_id: string; user_id: string; email: string }>`
    SELECT DISTINCT ON (m.organization_id) m.organization_id, u.id AS user_id, u.email
    FROM organization_members m JOIN users u ON u.id = m.user_id
    WHERE m.role = 'owner' ORDER BY m.organization_id, u.id LIMIT ${options.organizations}`.execute(
    gateway.database.db,
  );
  const targets = await Promise.all(
    owners.rows.map(async (row) => ({
      organizationId: row.organization_id,
      token: await signAccessToken({ id: row.user_id, email: row.email }, config.jwt),
    })),
  );
  const rows: (string | number)[][] = [];
  for (const days of [30, 365]) {
    const latencies: number[] = [];
    const statements: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      for (const target of targets) {
        const started = performance.now();
        const response = await fetch(`${baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
          body: JSON.stringify({ query: QUERY, variables: { id: target.organizationId, days } }),
        });
        const body = (await response.json()) as { errors?: unknown[] };
        latencies.push(performance.now() - started);
        statements.push(Number(response.headers.get('x-sql-statements') ?? Number.NaN));
        if (body.errors) throw new Error(`analytics request failed: ${JSON.stringify(body.errors)}`);
      }
    }
    const s = summarize(latencies);
    rows.push([
      `analytics(days: ${days})`,
      s.n,
      s.p50.toFixed(1),
      s.p95.toFixed(1),
      s.p99.toFixed(1),
      s.max.toFixed(1),
      Math.max(...statements),
    ]);
  }
  return markdownTable(['operation', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'SQL statements'], rows);
}
