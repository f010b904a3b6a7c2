import type { GraphQLResolveInfo } from 'graphql';
import { foldsOf } from '../loaders/folds';
import { atPosition, LIST_ITEMS } from '../loaders/selection';
import type { GatewayContext, Viewer } from '../src/context/context';

/**
 * Reads a study by id together with the relations its selection reads below it (folds.ts), in one statement
 * that reads only studies of the viewer's organizations: the access check that follows then finds the
 * study primed (or refuses), and nothing of a study the viewer may not see leaves the request. Without
 * folds the study is read by its own loader, as any other.
 */
export async function readStudyWithFolds(
  ctx: GatewayContext,
  viewer: Viewer,
  studyId: string,
  info: GraphQLResolveInfo,
): Promise<void> {
  if (!ctx.loaders.folding || viewer.roles.size === 0) return;
  const { folds } = atPosition(info, 'study folds', () => ({ folds: foldsOf(info, 'Study', LIST_ITEMS) }));
  if (folds.length === 0) return;
  const organizationIds = [...viewer.roles.keys()].sort();
  // A failed fold (a statement timeout) leaves each relation to its own loader, which reports on its own field.
  await ctx.loaders.studyWithFolds.load({ parentId: studyId, args: { folds, organizationIds } }).catch(() => undefined);
}
