import { Args, Ctx, FieldResolver, Info, Root } from 'type-graphql';
import { ConnectionSize } from './cost-directives';

type FieldType = NonNullable<Parameters<typeof FieldResolver>[0]>;
type FieldOptions = NonNullable<Parameters<typeof FieldResolver>[1]>;

/** Applies decorators to one method in the order they would stand, the last one first. */
export function composed(...decorators: readonly MethodDecorator[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const decorate of [...decorators].reverse()) decorate(target, key, descriptor);
  };
}

/** Declares a method's parameters by position, as if each carried its parameter decorator. */
export function parameters(...decorators: readonly ReturnType<typeof Root>[]): MethodDecorator {
  return (target, key) => {
    decorators.forEach((decorate, index) => decorate(target, key, index));
  };
}

/**
 * A to-one relation of a parent: `field(parent: Parent, ctx: GatewayContext, info)`; the info tells which
 * columns of the related row the selection below reads (a row a statement brought partially may answer).
 */
export function RelationField(type: FieldType, options: FieldOptions): MethodDecorator {
  return composed(FieldResolver(type, options), parameters(Root(), Ctx(), Info()));
}

/**
 * A field resolved from its parent and the context alone: `field(parent: Parent, ctx: GatewayContext)`.
 * The parameters' types come from the signature (decorator metadata), as `@Root()`/`@Ctx()` would read them.
 */
export function ParentField(type: FieldType, options: FieldOptions): MethodDecorator {
  return composed(FieldResolver(type, options), parameters(Root(), Ctx()));
}

/**
 * A connection below a parent: `field(parent: Parent, args: SomePageArgs, ctx: GatewayContext, info)`, sized by
 * its `first`/`last` for the cost estimate. The arguments' class is the signature's.
 */
export function ConnectionField(type: FieldType, options: FieldOptions): MethodDecorator {
  return composed(ConnectionSize(), FieldResolver(type, options), parameters(Root(), Args(), Ctx(), Info()));
}
