import { requireOrganizationRole } from '../auth/access';
import type { GatewayContext } from '../context/context';

/**
 * Recomputes the team figures of every organization now (organization admins ask, for theirs): the figures'
 * cached answers everywhere are retired, and this request reads them again.
 */
export async function refreshTeamProductivity(ctx: GatewayContext, input: { organizationId: string }): Promise<void> {
  requireOrganizationRole(ctx, input.organizationId, 'admin', 'refresh team productivity');
  await ctx.repositories.refreshTeamProductivity();
  await ctx.services.generations.bumpTeamProductivity();
  ctx.loaders.forget('teamProductivity');
}
