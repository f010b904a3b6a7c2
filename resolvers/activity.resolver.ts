import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { atPosition, CONNECTION_NODES, readPlan } from '../loaders/selection';
import { whenLoaded } from '../loaders/loader-toolkit';
import { Activity } from '../schema/activity.type';
import { Study } from '../schema/study.type';
import { User } from '../schema/user.type';
import type { GatewayContext } from '../src/context/context';
import { ACTIVITY_ORDER_KEY, activityPageArgs, type ActivityFilter } from '../loaders/activity.loader';
import type { ConnectionPayload } from '../schema/connection.type';
import type { ActivityPageArgs } from '../schema/study.args';
import type { ActivityRow } from '../src/db/types';
import { loaderArgsOf, toConnection, type KeysetOrder } from './connection';
import { toActivity, toStudy } from './mappers';
import { optionalRelatedUser } from './relations';

/** The activity log's keyset order (newest first), shared by Study.activity and the subscriptions' cursors. */
export const ACTIVITY_ORDER: KeysetOrder<ActivityRow> = {
  key: ACTIVITY_ORDER_KEY,
  valueKind: 'timestamp',
  idKind: 'bigint',
  value: (row) => row.created_at,
  id: (row) => row.id,
};

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
  const page = await ctx.loaders.activityPage.load({ parentId, args: loaderArgs });
  const { types } = loaderArgs;
  return toConnection(page, ACTIVITY_ORDER, toActivity, () =>
    ctx.loaders.activityTotal.load({ parentId, args: { ...filter, types } }),
  );
}

@Resolver(() => Activity)
export class ActivityResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who did it; null if that user was deleted.' })
  actor(@Root() activity: Activity, @Ctx() ctx: GatewayContext): User | null | Promise<User | null> {
    return optionalRelatedUser(ctx, activity.actorId);
  }

  @FieldResolver(() => Study, {
    nullable: true,
    description: 'The study concerned; null for organization-wide entries.',
  })
  study(@Root() activity: Activity, @Ctx() ctx: GatewayContext): Study | null | Promise<Study | null> {
    if (activity.studyId === null) return null;
    // The page's statement may have brought the study without its description (Study.description reads it then).
    return whenLoaded(ctx.loaders.studyById.loadPartialNow(activity.studyId), (row) => (row ? toStudy(row) : null));
  }
}
