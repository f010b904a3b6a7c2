import { requireViewer } from '../auth/access';
import type { GatewayContext } from '../context/context';
import { notFound } from '../graphql/errors';
import { parseNodeId } from '../domain/node-ids';

/**
 * Marks notifications of the viewer read, all or none: an id that is not one of the viewer's notifications
 * is NOT_FOUND (another user's are as if they did not exist). Returns how many were unread.
 */
export async function markNotificationsRead(ctx: GatewayContext, ids: readonly string[]): Promise<number> {
  const viewer = requireViewer(ctx);
  const unique = [...new Set(ids)];
  const numbers = unique.map((id) => {
    const parsed = parseNodeId(id);
    return parsed?.kind === 'Notification' ? parsed.id : null;
  });
  const rows = await Promise.all(
    numbers.map((number) => (number === null ? Promise.resolve(null) : ctx.loaders.notificationById.load(number))),
  );
  const missing = unique.find((_id, index) => rows[index]?.user_id !== viewer.id);
  if (missing !== undefined) throw notFound('Notification', missing.slice(0, 120));
  const changed = await ctx.repositories.markNotificationsRead({
    userId: viewer.id,
    ids: numbers.filter((number): number is string => number !== null),
  });
  ctx.loaders.forget('notifications');
  return changed;
}
