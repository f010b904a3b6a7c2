import { anyText, anyUuid, definers } from './sql';
import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../src/db/types';
import type { LoaderSettings } from './loader-toolkit';

/** A user's columns as another entity's query joins them (`users as u`): that loader primes userById with them. */
export const JOINED_USER_COLUMNS = [
  'u.email as user_email',
  'u.name as user_name',
  'u.created_at as user_created_at',
] as const;

export interface JoinedUser {
  user_email: string;
  user_name: string;
  user_created_at: Date;
}

/** The user a row joined (JOINED_USER_COLUMNS), as userById holds it. */
function joinedUserOf(userId: string, row: JoinedUser): UserRow {
  return { id: userId, email: row.user_email, name: row.user_name, created_at: row.user_created_at };
}

/** Splits the joined user (JOINED_USER_COLUMNS) off a row, primes userById with it and carries it on the row (a collaborator carries its user). */
export function withJoinedUser<Row extends JoinedUser>(
  users: UserLoaders['userById'],
  userId: string,
  row: Row,
): Omit<Row, keyof JoinedUser> & { user: UserRow } {
  const { user_email, user_name, user_created_at, ...rest } = row;
  const user = joinedUserOf(userId, row);
  users.prime(userId, user);
  return { ...rest, user };
}

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
