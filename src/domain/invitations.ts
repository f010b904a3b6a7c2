import type { InvitationRow, InvitationStatus } from '../db/types';

/** An invitation's status as its reader sees it: a pending one past its expiry is expired, though its row still says pending. */
export function invitationStatus(
  row: Pick<InvitationRow, 'status' | 'expires_at'>,
  now = new Date(),
): InvitationStatus | 'expired' {
  return row.status === 'pending' && row.expires_at <= now ? 'expired' : row.status;
}
