import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../src/db/types';
import { byKey, defineLoader, type LoaderSettings } from './page';
import { anyUuid } from './sql';

export function createUserLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    userById: defineLoader<string, UserRow | null>(
      settings,
      'userById',
      async (ids) => byKey(ids, await db.selectFrom('users').selectAll().where('id', '=', anyUuid(ids)).execute(), 'id'),
    ),
    userByEmail: defineLoader<string, UserRow | null>(
      settings,
      'userByEmail',
      async (emails) =>
        byKey(
          emails,
          await db.selectFrom('users').selectAll().where('email', 'in', [...emails]).execute(),
          'email',
        ),
    ),
  };
}
