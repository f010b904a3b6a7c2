import type { OrganizationPlan, OrganizationRole } from '../db/types';

/** Who a request acts for: read once from a verified token, with what access checks and rate limits need. */
export interface Viewer {
  readonly id: string;
  readonly email: string;
  /** Role per organization id, loaded with the viewer: access checks cost no statement. */
  readonly roles: ReadonlyMap<string, OrganizationRole>;
  /** Plans of those organizations (rate-limit tiers). */
  readonly plans: ReadonlySet<OrganizationPlan>;
}
