import { studyOrder, studyPageArgs } from '../loaders/study.loader';
import type { ConnectionPayload } from '../schema/connection.type';
import { OrderDirection, StudyOrderField } from '../schema/enums';
import type { Study } from '../schema/study.type';
import type { StudyPageArgs } from '../schema/study.input';
import type { GatewayContext } from '../src/context/context';
import type { GraphQLResolveInfo } from 'graphql';
import { connectionOf, loaderArgsOf } from './connection';
import { atPosition, CONNECTION_NODES, readPlan } from '../loaders/selection';
import { toStudy } from './mappers';

/** One organization's studies as a connection; the caller has checked that the viewer may see them. */
export async function studyConnection(
  ctx: GatewayContext,
  organizationId: string,
  args: StudyPageArgs,
  info: GraphQLResolveInfo,
): Promise<ConnectionPayload<Study>> {
  const field = args.orderBy?.field ?? StudyOrderField.CREATED_AT;
  const direction = args.orderBy?.direction ?? OrderDirection.DESC;
  const order = studyOrder(field, direction);
  // Folding is the process's setting, but the key says it: a value made without folds never serves one with.
  const loaderArgs = atPosition(info, ctx.loaders.folding ? 'studies' : 'studies unfolded', () =>
    loaderArgsOf(studyPageArgs(args, info, readPlan(info, 'Study', CONNECTION_NODES), ctx.loaders.folding)),
  );
  return connectionOf(
    info,
    () => ctx.loaders.studiesPage.load({ parentId: organizationId, args: loaderArgs }),
    order,
    toStudy,
    () => ctx.loaders.studyTotal.load({ parentId: organizationId, args: loaderArgs.filter }),
  );
}
