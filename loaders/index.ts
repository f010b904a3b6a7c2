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
import type { LoaderSettings } from './loader-toolkit';
import { createUserLoaders } from './user.loader';

/** The only place loaders are built: once per request, so no cached row outlives it. */
export function createLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  // Users first: loaders whose rows join their user (a study's creator, a collaborator, a comment's author,
  // an activity's actor, an approval's reviewer) prime userById.
  const users = createUserLoaders(db, settings);
  const collaborators = createCollaboratorLoaders(db, settings, users);
  return {
    ...users,
    ...createOrganizationLoaders(db, settings),
    ...createMembershipLoaders(db, settings),
    ...createStudyLoaders(db, settings, users, collaborators),
    collaboratorsByStudy: collaborators.collaboratorsByStudy,
    ...createCommentLoaders(db, settings, users),
    ...createApprovalLoaders(db, settings, users),
    ...createActivityLoaders(db, settings, users),
    ...createAnalyticsLoaders(db, settings),
    ...createTeamProductivityLoaders(db, settings),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
