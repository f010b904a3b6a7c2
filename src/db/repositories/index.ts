import type { Kysely } from 'kysely';
import type { Database } from '../types';
import type { ActivityLog, WebhookOutbox } from './activity.repository';
import {
  deleteCollaborator,
  insertApproval,
  insertCollaborator,
  insertComment,
  markCommentResolved,
  recordApprovalDecision,
} from './collaboration.repository';
import {
  acceptInvitation,
  declineInvitation,
  insertMember,
  updateMemberRole,
  upsertInvitation,
} from './membership.repository';
import { insertStudy, updateStudyFields, updateStudyStatus } from './study.repository';
import { refreshTeamProductivity } from './team-productivity.repository';
import { upsertApprovalPolicy } from './approval-policy.repository';
import { markNotificationsRead } from './notification.repository';
import { deleteWebhook, insertWebhook } from './webhook.repository';
import { deleteAutomationRule, insertAutomationRule, updateAutomationRule } from './automation.repository';
import { sweepInactivityRules } from './automation-sweep.repository';

// Any arguments after the target (the database, or the activity log): each write keeps its own signature through Bound.
type Write<Target> = (target: Target, ...args: never[]) => Promise<unknown>;
type Bound<W> = W extends (target: never, ...args: infer A) => infer R ? (...args: A) => R : never;

function bindTo<Target, T extends Record<string, Write<Target>>>(
  target: Target,
  writes: T,
): { readonly [K in keyof T]: Bound<T[K]> } {
  const bound: Record<string, unknown> = {};
  for (const [name, write] of Object.entries(writes))
    bound[name] = (...args: unknown[]) => write(target, ...(args as never[]));
  return Object.freeze(bound) as { readonly [K in keyof T]: Bound<T[K]> };
}

/**
 * Every write the API makes, bound to the database once at start-up: resolvers write through these (from
 * the context, beside the loaders they read through) and never hold Kysely themselves. `committed` hears
 * of every activity entry once its transaction has committed (the subscriptions' events).
 */
export function createRepositories(db: Kysely<Database>, committed: ActivityLog['committed'], outbox?: WebhookOutbox) {
  const logged = bindTo({ db, committed, outbox } satisfies ActivityLog, {
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
    acceptInvitation,
    upsertApprovalPolicy,
    sweepInactivityRules,
  });
  return Object.freeze({
    ...logged,
    ...bindTo(db, {
      refreshTeamProductivity,
      upsertInvitation,
      declineInvitation,
      markNotificationsRead,
      insertWebhook,
      deleteWebhook,
      insertAutomationRule,
      updateAutomationRule,
      deleteAutomationRule,
    }),
  });
}

export type Repositories = ReturnType<typeof createRepositories>;
