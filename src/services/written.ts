import type { LoaderGroup } from '../../loaders';
import type { GatewayContext } from '../context/context';

/**
 * After a write, this request forgets what it read of `groups`, and of the activity log, the figures made
 * from it and the notifications it makes: every write through a repository appends its activity entry (and
 * the notifications of that entry) in the same transaction.
 */
export function forgetWritten(ctx: GatewayContext, ...groups: LoaderGroup[]): void {
  ctx.loaders.forget(...groups, 'activity', 'analytics', 'notifications');
}
