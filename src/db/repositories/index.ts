import type { Kysely } from 'kysely';
import type { Database } from '../types';
import { deleteCollaborator, insertApproval, insertCollaborator, insertComment, markCommentResolved, recordApprovalDecision } from './collaboration.repository';
import { insertMember, updateMemberRole } from './membership.repository';
import { insertStudy, updateStudyFields, updateStudyStatus } from './study.repository';
import { refreshTeamProductivity } from './team-productivity.repository';

// Any arguments after the database: each write keeps its own signature through Bound.
type Write = (db: Kysely<Database>, ...args: any[]) => Promise<unknown>;
type Bound<W> = W extends (db: Kysely<Database>, ...args: infer A) => infer R ? (...args: A) => R : never;

function bindTo<T extends Record<string, Write>>(db: Kysely<Database>, writes: T): { readonly [K in keyof T]: Bound<T[K]> } {
  const bound: Record<string, unknown> = {};
  for (const [name, write] of Object.entries(writes)) bound[name] = (...args: unknown[]) => write(db, ...args);
  return Object.freeze(bound) as { readonly [K in keyof T]: Bound<T[K]> };
}

/**
 * Every write the API makes, bound to the database once at start-up: resolvers write through these (from
 * the context, beside the loaders they read through) and never hold Kysely themselves.
 */
export function createRepositories(db: Kysely<Database>) {
  return bindTo(db, {
    insertStudy,
    updateStudyFields,
    updateStudyStatus,
    insertCollaborator,
    deleteCollaborator,
    insertComment,
    markCommentResolved,
    insertApproval,
    recordApprovalDecision,
    insertMember,
    updateMemberRole,
    refreshTeamProductivity,
  });
}

export type Repositories = ReturnType<typeof createRepositories>;
