import type { GatewayContext } from '../context/context';
import { COLLABORATOR_ROLES } from '../../loaders/collaborator.loader';
import { roleAtLeast } from '../domain/roles';
import type { Viewer } from './viewer';
import type { CollaboratorRole, OrganizationRole, StudyRow } from '../db/types';
import { UUID_PATTERN } from '../../schema/input-limits';
import { badUserInput, forbidden, notFound, unauthenticated } from '../graphql/errors';

/** An `ID` argument that must be a UUID: a malformed one is BAD_USER_INPUT, not a database error. */
export function parseUuid(id: string, argument: string): string {
  if (!UUID_PATTERN.test(id))
    throw badUserInput(`\`${argument}\` must be a UUID, got ${JSON.stringify(id.slice(0, 64))}.`, argument);
  return id.toLowerCase();
}

export function requireViewer(ctx: GatewayContext): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

export function viewerRole(ctx: GatewayContext, organizationId: string): OrganizationRole | null {
  return ctx.viewer?.roles.get(organizationId) ?? null;
}

/** Members see an organization; to anyone else it does not exist. */
export function requireMember(ctx: GatewayContext, organizationId: string): OrganizationRole {
  requireViewer(ctx);
  const role = viewerRole(ctx, organizationId);
  if (!role) throw notFound('Organization', organizationId);
  return role;
}

export function requireOrganizationRole(
  ctx: GatewayContext,
  organizationId: string,
  minimum: OrganizationRole,
  action: string,
): OrganizationRole {
  const role = requireMember(ctx, organizationId);
  if (!roleAtLeast(role, minimum)) {
    throw forbidden(`Only an organization ${minimum} or above can ${action}; you are ${role}.`);
  }
  return role;
}

/** The study if the viewer may see it (member of its organization); NOT_FOUND otherwise. */
export async function loadVisibleStudy(ctx: GatewayContext, id: string, argument = 'id'): Promise<StudyRow> {
  requireViewer(ctx);
  const studyId = parseUuid(id, argument);
  const study = await ctx.loaders.studyById.load(studyId);
  if (!study || !viewerRole(ctx, study.organization_id)) throw notFound('Study', id);
  return study;
}

export async function viewerStudyRole(ctx: GatewayContext, study: StudyRow): Promise<CollaboratorRole | null> {
  const viewer = requireViewer(ctx);
  const collaborators = await ctx.loaders.collaboratorsByStudy.load({ parentId: study.id, args: COLLABORATOR_ROLES });
  return collaborators.find((c) => c.user_id === viewer.id)?.role ?? null;
}

/**
 * Study writes: organization admins and owners always; otherwise an organization member (not a viewer)
 * holding one of `studyRoles` on the study.
 */
export async function requireStudyRole(
  ctx: GatewayContext,
  study: StudyRow,
  studyRoles: CollaboratorRole[],
  action: string,
): Promise<void> {
  const organizationRole = requireMember(ctx, study.organization_id);
  if (roleAtLeast(organizationRole, 'admin')) return;
  const studyRole = await viewerStudyRole(ctx, study);
  if (roleAtLeast(organizationRole, 'member') && studyRole && studyRoles.includes(studyRole)) return;
  throw forbidden(`Only a study ${studyRoles.join(' or ')} or an organization admin can ${action}.`);
}
