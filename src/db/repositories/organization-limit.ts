import type { Transaction } from 'kysely';
import type { Database } from '../types';

/**
 * Whether an organization has fewer than `max` rows in `table`, counted under a lock on the organization's
 * row: concurrent creations of the same organization wait for each other, so none passes the limit.
 */
export async function belowOrganizationLimit(
  trx: Transaction<Database>,
  table: 'webhooks' | 'automation_rules',
  organizationId: string,
  max: number,
): Promise<boolean> {
  await trx.selectFrom('organizations').select('id').where('id', '=', organizationId).forUpdate().execute();
  const { count } = await trx
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(count) < max;
}
