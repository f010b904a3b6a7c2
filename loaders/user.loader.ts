import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../src/db/types';
import { byKey } from './page';
import { anyUuid } from './sql';

export function createUserLoaders(db: Kysely<Database>, batch: boolean) {
  return {
    userById: new DataLoader<string, UserRow | null>(
      async (ids) => byKey(ids, await db.selectFrom('users').selectAll().where('id', '=', anyUuid(ids)).execute(), 'id'),
      { batch },
    ),
    userByEmail: new DataLoader<string, UserRow | null>(
      async (emails) =>
        byKey(
          emails,
          await db.selectFrom('users').selectAll().where('email', 'in', [...emails]).execute(),
          'email',
        ),
      { batch },
    ),
  };
}
