import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../src/db/types';
import { byKey, defineLoader, type LoaderSettings } from './loader-toolkit';
import { anyUuid, selectByShape } from './sql';

/** A user's columns as another entity's query joins them (`users as u`): that loader primes userById with them. */
export const JOINED_USER_COLUMNS = ['u.email as user_email', 'u.name as user_name', 'u.created_at as user_created_at'] as const;

export interface JoinedUser {
  user_email: string;
  user_name: string;
  user_created_at: Date;
}

/** The user a row joined (JOINED_USER_COLUMNS), as userById holds it. */
function joinedUserOf(userId: string, row: JoinedUser): UserRow {
  return { id: userId, email: row.user_email, name: row.user_name, created_at: row.user_created_at };
}

/** Splits the joined user off a row and hands it to userById, so the next level needs no statement for it. */
export function primeJoinedUser<Row extends JoinedUser>(users: UserLoaders['userById'], userId: string, row: Row): Omit<Row, keyof JoinedUser> {
  const { user_email, user_name, user_created_at, ...rest } = row;
  users.prime(userId, joinedUserOf(userId, row));
  return rest;
}

/** As primeJoinedUser, the user carried on the row as well (a collaborator carries its user). */
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

/** As primeJoinedUser, for a LEFT JOIN: a row without a user (a deleted actor) primes nothing. */
export function primeOptionalJoinedUser<Row extends { [K in keyof JoinedUser]: JoinedUser[K] | null }>(
  users: UserLoaders['userById'],
  userId: string | null,
  row: Row,
): Omit<Row, keyof JoinedUser> {
  const { user_email, user_name, user_created_at, ...rest } = row;
  if (userId !== null && user_email !== null && user_name !== null && user_created_at !== null) {
    users.prime(userId, { id: userId, email: user_email, name: user_name, created_at: user_created_at });
  }
  return rest;
}

export type UserLoaders = ReturnType<typeof createUserLoaders>;

export function createUserLoaders(db: Kysely<Database>, settings: LoaderSettings) {
  return {
    userById: defineLoader<string, UserRow | null>(settings, 'userById', async (ids) =>
      byKey(ids, await selectByShape(db, settings, 'userById', ids, (keys) => db.selectFrom('users').selectAll().where('id', '=', anyUuid(keys))), 'id'),
    ),
    userByEmail: defineLoader<string, UserRow | null>(settings, 'userByEmail', async (emails) =>
      byKey(
        emails,
        await db
          .selectFrom('users')
          .selectAll()
          .where('email', 'in', [...emails])
          .execute(),
        'email',
      ),
    ),
  };
}
