import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { signAccessToken } from '../src/auth/tokens';
import { OPERATIONS_DIR } from '../src/cache/persisted-queries';
import type { Config } from '../src/config';
import type { Database } from '../src/db/types';

/** One standard operation and the distinct requests (user × variables) the bench cycles through. */
export interface OperationTarget {
  name: string;
  bodies: string[];
  /** The bearer token of each body's user. */
  tokens: string[];
}

const OPERATIONS: { name: string; file: string; variables: (member: Member) => Record<string, unknown> }[] = [
  { name: 'Dashboard', file: 'dashboard.graphql', variables: () => ({ days: 30 }) },
  { name: 'Studies', file: 'studies.graphql', variables: (m) => ({ organizationId: m.organization_id, first: 20 }) },
  { name: 'Study', file: 'study.graphql', variables: (m) => ({ id: m.study_id }) },
  { name: 'Trends', file: 'trends.graphql', variables: (m) => ({ organizationId: m.organization_id, days: 90 }) },
  {
    name: 'Contributors',
    file: 'contributors.graphql',
    variables: (m) => ({ organizationId: m.organization_id, days: 30 }),
  },
];

interface Member {
  user_id: string;
  email: string;
  organization_id: string;
  study_id: string;
}

/**
 * `users` members (a fixed pseudo-random choice, the same every run), each with one of their organizations
 * and one study of it, and a request body per member for every saved operation.
 */
export async function loadTargets(db: Kysely<Database>, config: Config, users: number): Promise<OperationTarget[]> {
  const members = await sql<Member>`
    SELECT DISTINCT ON (md5(m.user_id::text)) m.user_id, u.email, m.organization_id,
      (SELECT s.id FROM studies s WHERE s.organization_id = m.organization_id ORDER BY md5(s.id::text || m.user_id::text) LIMIT 1) AS study_id
    FROM organization_members m JOIN users u ON u.id = m.user_id
    ORDER BY md5(m.user_id::text), m.organization_id
    LIMIT ${users}`.execute(db);
  const rows = members.rows.filter((m) => m.study_id !== null);
  if (rows.length === 0)
    throw new Error('no member with a study: seed the database first (npm run seed -- --scale medium)');
  const tokens = await Promise.all(rows.map((m) => signAccessToken({ id: m.user_id, email: m.email }, config.jwt)));
  return OPERATIONS.map((operation) => {
    const query = readFileSync(path.join(OPERATIONS_DIR, operation.file), 'utf8');
    return {
      name: operation.name,
      bodies: rows.map((member) => JSON.stringify({ query, variables: operation.variables(member) })),
      tokens,
    };
  });
}
