import type { User } from '../schema/user.type';
import type { GatewayContext } from '../src/context';
import { toUser } from './mappers';

/** A user reached through a foreign key; a missing one is a broken invariant, not a client error. */
export async function relatedUser(ctx: GatewayContext, userId: string): Promise<User> {
  const row = await ctx.loaders.userById.load(userId);
  if (!row) throw new Error(`User ${userId} referenced by a row is missing`);
  return toUser(row);
}

/** For nullable references (ON DELETE SET NULL). */
export async function optionalRelatedUser(ctx: GatewayContext, userId: string | null): Promise<User | null> {
  if (userId === null) return null;
  const row = await ctx.loaders.userById.load(userId);
  return row ? toUser(row) : null;
}
