import { anyText, anyUuid, definers } from './sql';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/types';
import type { LoaderSettings } from './loader-toolkit';

export type UserLoaders = ReturnType<typeof createUserLoaders>;

export function createUserLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  const define = definers(db, settings);
  return {
    userById: define.byId('userById', (ids) => db.selectFrom('users').selectAll().where('id', '=', anyUuid(ids))),
    userByEmail: define.byKey('userByEmail', 'email', (emails) =>
      db.selectFrom('users').selectAll().where('email', '=', anyText(emails)),
    ),
  };
}
