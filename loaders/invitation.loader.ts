import { sql, type Kysely } from 'kysely';
import type { Database, InvitationRow } from '../src/db/types';
import { byKey, defineLoader, type LoaderSettings } from './loader-toolkit';
import { anyUuid } from './sql';

/** Most open invitations one address is shown at once, newest first: invitations are not for paging through. */
const MAX_LISTED_INVITATIONS = 100;

export function createInvitationLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  const withOrganizationName = () =>
    db
      .selectFrom('organization_invitations as i')
      .innerJoin('organizations as o', 'o.id', 'i.organization_id')
      .selectAll('i')
      .select('o.name as organization_name');
  return {
    invitationById: defineLoader<string, InvitationRow | null>(settings, 'invitationById', async (ids) =>
      byKey(ids, await withOrganizationName().where('i.id', '=', anyUuid(ids)).execute(), 'id'),
    ),

    /** The open (pending, unexpired) invitations of an email address, newest first. */
    openInvitationsByEmail: defineLoader<string, InvitationRow[]>(settings, 'openInvitationsByEmail', async (emails) =>
      // One address per request in practice (the viewer's own): a statement each keeps the cap per address.
      Promise.all(
        emails.map((email) =>
          withOrganizationName()
            .where('i.email', '=', email)
            .where('i.status', '=', 'pending')
            .where('i.expires_at', '>', sql<Date>`now()`)
            .orderBy('i.created_at', 'desc')
            .orderBy('i.id', 'desc')
            .limit(MAX_LISTED_INVITATIONS)
            .execute(),
        ),
      ),
    ),
  };
}
