import 'reflect-metadata';
import { Resolver, type ClassType } from 'type-graphql';
import { whenLoaded } from '../loaders/loader-toolkit';
import type { UserRow } from '../src/db/types';
import { RelationField } from '../schema/resolver-fields';
import { entityColumnsRead } from '../loaders/selection';
import type { GraphQLResolveInfo } from 'graphql';
import { User } from '../schema/user.type';
import type { GatewayContext } from '../src/context/context';
import { toUser } from './mappers';

/**
 * A user reached through a foreign key; a missing one is a broken invariant, not a client error. At once
 * when a statement of the level above brought the user (primed), as pages do, and then perhaps with only
 * the columns this position's selection reads (`info`; without it, a whole row).
 */
export function relatedUser(ctx: GatewayContext, userId: string, info?: SelectionOfField): User | Promise<User> {
  return whenLoaded(userRowNow(ctx, userId, info), (row: UserRow | null) => {
    if (!row) throw new Error(`User ${userId} referenced by a row is missing`);
    return toUser(row);
  });
}

/** For nullable references (ON DELETE SET NULL). */
function optionalRelatedUser(
  ctx: GatewayContext,
  userId: string | null,
  info: SelectionOfField,
): User | null | Promise<User | null> {
  if (userId === null) return null;
  return whenLoaded(userRowNow(ctx, userId, info), (row: UserRow | null) => (row ? toUser(row) : null));
}

type SelectionOfField = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

function userRowNow(ctx: GatewayContext, userId: string, info: SelectionOfField | undefined) {
  return ctx.loaders.userById.loadCoveringNow(userId, info ? entityColumnsRead(info, 'users') : null);
}

/** A field of a parent type that names a user by id: required (ON DELETE CASCADE/RESTRICT) or nullable. */
export type UserReference<Parent> =
  | { readonly description: string; readonly nullable: false; readonly userId: (parent: Parent) => string }
  | { readonly description: string; readonly nullable: true; readonly userId: (parent: Parent) => string | null };

/** A user every row names (the column is NOT NULL and the user cannot go while it does). */
export function requiredUser<Parent>(userId: (parent: Parent) => string, description: string): UserReference<Parent> {
  return { userId, description, nullable: false };
}

/** A user a row may name: null when it names none, or when that account is gone (ON DELETE SET NULL). */
export function optionalUser<Parent>(
  userId: (parent: Parent) => string | null,
  description: string,
): UserReference<Parent> {
  return { userId, description, nullable: true };
}

/**
 * The resolver of a parent type's user references, one field each, declared as data: every such field
 * reads through `userById` the same way, so none is written out by hand.
 */
export function userReferences<Parent extends object>(
  parent: ClassType<Parent>,
  references: Readonly<Record<string, UserReference<Parent>>>,
): ClassType {
  @Resolver(() => parent)
  class UserReferences {}
  Object.defineProperty(UserReferences, 'name', { value: `${parent.name}UserReferences` });
  for (const [field, reference] of Object.entries(references)) {
    const resolve = reference.nullable
      ? (row: Parent, ctx: GatewayContext, info: GraphQLResolveInfo) =>
          optionalRelatedUser(ctx, reference.userId(row), info)
      : (row: Parent, ctx: GatewayContext, info: GraphQLResolveInfo) => relatedUser(ctx, reference.userId(row), info);
    const descriptor: PropertyDescriptor = { value: resolve, writable: true, configurable: true };
    Object.defineProperty(UserReferences.prototype, field, descriptor);
    // What `@Root()` reads from a written method's signature: the parent's class.
    Reflect.defineMetadata('design:paramtypes', [parent, Object, Object], UserReferences.prototype, field);
    RelationField(() => User, { nullable: reference.nullable, description: reference.description })(
      UserReferences.prototype,
      field,
      descriptor,
    );
  }
  return UserReferences;
}
