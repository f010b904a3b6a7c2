import type { Kysely } from 'kysely';
import type { CollaboratorRow, Database } from '../src/db/types';
import type { LoaderSettings } from './loader-toolkit';
import { declareFoldable } from './folds';
import { type EntityPrimer, planColumnNames, planColumns } from './joins';
import { defineListLoader } from './pages';
import { LIST_ITEMS, type ReadPlan, wholeRows } from './selection';

export interface CollaboratorListParams {
  /** What the selection reads of each collaborator (readPlan): which users (the collaborator, who added them) to join. */
  plan: ReadPlan;
}

/** Every column of a collaborator row. */
const COLLABORATOR_COLUMNS = ['study_id', 'user_id', 'role', 'permissions', 'added_at', 'added_by'] as const;

/**
 * A study's collaborators, in the order they were added: one declaration for the loader, Study.collaborators
 * and the folds of studies (a page of studies, a study by id) that read them.
 */
export const COLLABORATOR_LISTS = declareFoldable<CollaboratorListParams, CollaboratorRow>('Study', 'collaborators', {
  loader: 'collaboratorsByStudy',
  node: 'Collaborator',
  path: LIST_ITEMS,
  table: 'study_collaborators',
  parentColumn: 'study_id',
  argsFrom: (_field, plan) => ({ plan }),
  statement: (args) => ({
    parents: 'studies',
    children: (eb) =>
      eb
        .selectFrom('study_collaborators as c')
        .select(planColumns('c', COLLABORATOR_COLUMNS, 'Collaborator', args.plan))
        .whereRef('c.study_id', '=', 'p.id'),
    order: { value: 'c.added_at', id: 'c.user_id', direction: 'asc', valueType: 'timestamptz', idType: 'uuid' },
    window: null,
    joins: { node: 'Collaborator', plan: args.plan },
  }),
  ownColumns: (args) => planColumnNames(COLLABORATOR_COLUMNS, 'Collaborator', args.plan),
});

/** A study's collaborators as access checks read them (their roles): no user joined. */
export const COLLABORATOR_ROLES: CollaboratorListParams = { plan: wholeRows('Collaborator') };

export function createCollaboratorLoaders(db: Kysely<Database>, settings: LoaderSettings, prime: EntityPrimer) {
  return {
    /** A study's collaborators (tens, not thousands), with the users the selection reads (primed). */
    collaboratorsByStudy: defineListLoader(db, settings, prime, COLLABORATOR_LISTS),
  };
}
