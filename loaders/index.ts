import type { Kysely } from 'kysely';
import type { Database } from '../src/db/types';
import { createActivityLoaders } from './activity.loader';
import { createAnalyticsLoaders } from './analytics.loader';
import { createApprovalLoaders } from './approval.loader';
import { createCollaboratorLoaders } from './collaborator.loader';
import { createCommentLoaders } from './comment.loader';
import { createMembershipLoaders } from './membership.loader';
import { createOrganizationLoaders } from './organization.loader';
import { createStudyLoaders } from './study.loader';
import { createTeamProductivityLoaders } from './team-productivity.loader';
import { createUserLoaders } from './user.loader';

export interface LoaderOptions {
  /** false: one key per statement (the benchmark's unbatched baseline). */
  batching: boolean;
}

/** The only place loaders are built: once per request, so no cached row outlives it. */
export function createLoaders(db: Kysely<Database>, options: LoaderOptions) {
  const batch = options.batching;
  return {
    ...createUserLoaders(db, batch),
    ...createOrganizationLoaders(db, batch),
    ...createMembershipLoaders(db, batch),
    ...createStudyLoaders(db, batch),
    ...createCollaboratorLoaders(db, batch),
    ...createCommentLoaders(db, batch),
    ...createApprovalLoaders(db, batch),
    ...createActivityLoaders(db, batch),
    ...createAnalyticsLoaders(db, batch),
    ...createTeamProductivityLoaders(db, batch),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
