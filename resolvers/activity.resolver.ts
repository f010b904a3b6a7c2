import { Resolver } from 'type-graphql';
import { ParentField } from '../schema/resolver-fields';
import type { GraphQLResolveInfo } from 'graphql';
import { atPosition, CONNECTION_NODES, readPlan } from '../loaders/selection';
import { whenLoaded } from '../loaders/loader-toolkit';
import { Activity } from '../schema/activity.type';
import { Study } from '../schema/study.type';
import type { GatewayContext } from '../src/context/context';
import { ACTIVITY_ORDER, activityFilter, activityPageArgs, type ActivityFilter } from '../loaders/activity.loader';
import type { ConnectionPayload } from '../schema/connection.type';
import type { ActivityPageArgs } from '../schema/study.args';
import { connectionOf, loaderArgsOf } from './connection';
import { toActivity, toStudy } from './mappers';

/** The activity log's keyset order (newest first), shared by Study.activity and the subscriptions' cursors. */
/** A page of a study's or an organization's log, newest first: Study.activity and Organization.activity. */
export async function activityConnection(
  ctx: GatewayContext,
  parentId: string,
  args: ActivityPageArgs,
  filter: Omit<ActivityFilter, 'types'>,
  info: GraphQLResolveInfo,
): Promise<ConnectionPayload<Activity>> {
  const loaderArgs = atPosition(info, 'activity', () =>
    loaderArgsOf(activityPageArgs(filter, args, readPlan(info, 'Activity', CONNECTION_NODES))),
  );
  return connectionOf(
    info,
    () => ctx.loaders.activityPage.load({ parentId, args: loaderArgs }),
    ACTIVITY_ORDER,
    toActivity,
    () => ctx.loaders.activityTotal.load({ parentId, args: loaderArgsOf(activityFilter(filter, args)) }),
  );
}

@Resolver(() => Activity)
export class ActivityResolver {
  @ParentField(() => Study, {
    nullable: true,
    description: 'The study concerned; null for organization-wide entries.',
  })
  study(activity: Activity, ctx: GatewayContext): Study | null | Promise<Study | null> {
    if (activity.studyId === null) return null;
    // The page's statement may have brought the study without its description (Study.description reads it then).
    return whenLoaded(ctx.loaders.studyById.loadPartialNow(activity.studyId), (row) => (row ? toStudy(row) : null));
  }
}
