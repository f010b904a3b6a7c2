import { Ctx, Query, Resolver } from 'type-graphql';
import { CachePrivate, CACHE_SECONDS } from '../schema/cache-control';
import { User } from '../schema/user.type';
import type { GatewayContext, Viewer } from '../src/context/context';
import { unauthenticated } from '../src/graphql/errors';
import { toUser } from './mappers';
import { CurrentViewer } from '../schema/current-viewer';

@Resolver(() => User)
export class UserResolver {
  @CachePrivate(CACHE_SECONDS.membership)
  @Query(() => User, { description: 'The authenticated user.' })
  async viewer(@CurrentViewer() viewer: Viewer, @Ctx() ctx: GatewayContext): Promise<User> {
    const row = await ctx.loaders.userById.load(viewer.id);
    if (!row) throw unauthenticated('The user of this token no longer exists.');
    return toUser(row);
  }
}
