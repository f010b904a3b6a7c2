import { whenLoaded } from '../loaders/loader-toolkit';
import type { UserRow } from '../src/db/types';
import type { User } from '../schema/user.type';
import type { GatewayContext } from '../src/context/context';
import { toUser } from './mappers';

/**
 * A user reached through a foreign key; a missing one is a broken invariant, not a client error. At once
 * when a statement of the level above brought the user (primed), as pages do.
 */
export function relatedUser(ctx: GatewayContext, userId: string): User | Promise<User> {
  return whenLoaded(ctx.loaders.userById.loadNow(userId), (row: UserRow | null) => {
    if (!row) throw new Error(`User ${userId} referenced by a row is missing`);
    return toUser(row);
  });
}

/** For nullable references (ON DELETE SET NULL). */
export function optionalRelatedUser(ctx: GatewayContext, userId: string | null): User | null | Promise<User | null> {
  if (userId === null) return null;
  return whenLoaded(ctx.loaders.userById.loadNow(userId), (row: UserRow | null) => (row ? toUser(row) : null));
}
