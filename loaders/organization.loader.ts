import { anyText, anyUuid, definers, selectByShape } from './sql';
import type { Kysely } from 'kysely';
import type { Database, OrganizationRole, OrganizationRow } from '../src/db/types';
import type { Cursor } from '../src/domain/pagination';
import { createPageLoader, createParentLoader, groupBy, type LoaderSettings } from './loader-toolkit';
import { pagesOfParents } from './pages';
import { type Fold, type FoldPrimer, foldSelection, primeFoldsOfRows } from './folds';
import type { EntityPrimer } from './joins';
import { keysetOrder } from './keyset-order';

export interface ViewerOrganizationRow extends OrganizationRow {
  member_id: string;
  viewer_role: OrganizationRole;
}

export interface OrganizationPageParams {
  first: number;
  after: Cursor | null;
  backward: boolean;
  /** The relations of each organization the selection reads that come in the page's statement (folds.ts). */
  folds: Fold[];
}

/** Organizations a user belongs to, by name: keyset on (name, id). */
export const ORGANIZATION_ORDER = keysetOrder<ViewerOrganizationRow>('organizations:name', {
  value: 'o.name',
  id: 'o.id',
  direction: 'asc',
  valueType: 'text',
  idType: 'uuid',
});

export function createOrganizationLoaders(
  db: Kysely<Database>,
  settings: LoaderSettings,
  prime: EntityPrimer,
  primeFolded: FoldPrimer,
) {
  const define = definers(db, settings);
  return {
    organizationById: define.byId('organizationById', (ids) =>
      db.selectFrom('organizations').selectAll().where('id', '=', anyUuid(ids)),
    ),
    organizationBySlug: define.byKey('organizationBySlug', 'slug', (slugs) =>
      db.selectFrom('organizations').selectAll().where('slug', '=', anyText(slugs)),
    ),

    /**
     * The relations (and counts) the selection reads below organizations already at hand (the viewer's own,
     * known before anything is read): one statement of the organizations for all of them, which the
     * resolver asks for only when it folds two or more (one alone is one statement by its own loader).
     */
    organizationFolds: createParentLoader<{ folds: Fold[] }, boolean>(
      settings,
      'organizationFolds',
      async (organizationIds, args, argsKey) => {
        const rows = await selectByShape(db, settings, `organizationFolds|${argsKey}`, organizationIds, (ids) =>
          db
            .selectFrom('organizations as parent_row')
            .select('parent_row.id')
            .select(args.folds.map((fold, index) => foldSelection(db, 'Organization', fold, 'parent_row.id', index)))
            .where('parent_row.id', '=', anyUuid(ids)),
        );
        primeFoldsOfRows('Organization', rows, args.folds, prime, primeFolded);
        return new Map(rows.map((row) => [row.id, true]));
      },
      () => false,
    ),

    /** Pages of the organizations a user (the parent) is a member of, with the relations the selection folds in. */
    organizationsOfUser: createPageLoader<OrganizationPageParams, ViewerOrganizationRow>(
      settings,
      'organizationsOfUser',
      async (userIds, args, argsKey) => {
        const folds = settings.batch ? args.folds : [];
        const rows = await selectByShape(db, settings, `organizationsOfUser|${argsKey}`, userIds, (ids) =>
          pagesOfParents(
            db,
            {
              parents: 'users',
              children: (eb) =>
                eb
                  .selectFrom('organization_members as m')
                  .innerJoin('organizations as o', 'o.id', 'm.organization_id')
                  .selectAll('o')
                  .select(['m.user_id as member_id', 'm.role as viewer_role'])
                  .whereRef('m.user_id', '=', 'p.id'),
              order: ORGANIZATION_ORDER.columns,
              window: args,
            },
            ids,
          ).$if(folds.length > 0, (query) =>
            query.select(folds.map((fold, index) => foldSelection(db, 'Organization', fold, 'page.id', index))),
          ),
        );
        primeFoldsOfRows('Organization', rows, folds, prime, primeFolded);
        return groupBy(rows, 'member_id');
      },
    ),
  };
}
