import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Activity } from '../schema/activity.type';
import { Study } from '../schema/study.type';
import { User } from '../schema/user.type';
import type { GatewayContext } from '../src/context';
import { ACTIVITY_ORDER_KEY } from '../loaders/activity.loader';
import type { ActivityRow } from '../src/db/types';
import type { KeysetOrder } from './connection';
import { toStudy } from './mappers';
import { optionalRelatedUser } from './relations';

/** The activity log's keyset order (newest first), shared by Study.activity and the subscriptions' cursors. */
export const ACTIVITY_ORDER: KeysetOrder<ActivityRow> = {
  key: ACTIVITY_ORDER_KEY,
  valueKind: 'timestamp',
  idKind: 'bigint',
  value: (row) => row.created_at,
  id: (row) => row.id,
};

@Resolver(() => Activity)
export class ActivityResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who did it; null if that user was deleted.' })
  actor(@Root() activity: Activity, @Ctx() ctx: GatewayContext): Promise<User | null> {
    return optionalRelatedUser(ctx, activity.actorId);
  }

  @FieldResolver(() => Study, { nullable: true, description: 'The study concerned; null for organization-wide entries.' })
  async study(@Root() activity: Activity, @Ctx() ctx: GatewayContext): Promise<Study | null> {
    if (activity.studyId === null) return null;
    const row = await ctx.loaders.studyById.load(activity.studyId);
    return row ? toStudy(row) : null;
  }
}
