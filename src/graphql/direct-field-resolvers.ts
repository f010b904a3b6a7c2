import { isObjectType, type FieldNode, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { positionKey } from '../../loaders/selection';
import { getMetadataStorage, type ContainerType } from 'type-graphql';

type FieldResolverMetadata = ReturnType<typeof getMetadataStorage>['fieldResolvers'][number];
type ParamMetadata = NonNullable<FieldResolverMetadata['params']>[number];
type ClassType = abstract new (...args: never[]) => unknown;

/**
 * One instance per resolver class, given to type-graphql as its container: the direct calls below reach
 * the same instances type-graphql's own resolvers do.
 */
export class ResolverInstances implements ContainerType {
  private readonly instances = new Map<unknown, unknown>();

  get(resolverClass: new () => unknown): unknown {
    let instance = this.instances.get(resolverClass);
    if (instance === undefined) this.instances.set(resolverClass, (instance = new resolverClass()));
    return instance;
  }
}

const directResolvers = new WeakSet<object>();

/** Whether callFieldResolversDirectly made this field's resolver (diagnostics and tests). */
export function isDirectCall(resolve: unknown): boolean {
  return typeof resolve === 'function' && directResolvers.has(resolve);
}

/** How a direct call checks converted arguments: the same rules type-graphql's `validateFn` runs. */
export interface DirectArgumentValidation {
  /** Known to pass without running anything (no rules, or passed before): the call stays synchronous. */
  passes(value: object): boolean;
  /** Runs the rules; rejects with the error type-graphql's validateFn would. */
  validate(value: object): Promise<void>;
}

type ArgsClass = new () => Record<string, unknown>;

/** What a direct call passes for one parameter. */
type Passed =
  | { kind: 'root' }
  | { kind: 'context' }
  | { kind: 'info' }
  | { kind: 'args'; convert: (args: Record<string, unknown>) => Record<string, unknown> };

/**
 * `@Args()` of a class whose fields are scalars and enums, converted as type-graphql's convertArgsToInstance
 * converts them (an instance of the class holding the given fields, lists copied); undefined for a class
 * with an input object among its fields (or its parents'), which stays with type-graphql's conversion.
 */
function argsConverter(storage: ReturnType<typeof getMetadataStorage>, param: ParamMetadata): Passed | undefined {
  if (param.kind !== 'args' || param.validateFn !== undefined || param.validateSettings !== undefined) return undefined;
  const target = param.getType() as ArgsClass;
  const inputClasses = new Set<unknown>(storage.inputTypes.map((type) => type.target));
  const names: string[] = [];
  for (let cls: unknown = target; typeof cls === 'function' && cls.prototype !== undefined;) {
    const declared = storage.argumentTypes.find((type) => type.target === cls);
    for (const field of declared?.fields ?? []) {
      if (inputClasses.has(field.getType())) return undefined;
      names.push(field.name);
    }
    cls = Object.getPrototypeOf(cls) as unknown;
  }
  const convert = (args: Record<string, unknown>) => {
    const instance = new target();
    const given: Record<string, unknown> = {};
    for (const name of names) {
      const value = args[name];
      if (value !== undefined) given[name] = Array.isArray(value) ? [...(value as unknown[])] : value;
    }
    // As type-graphql's convertToType: a property the class initialises to undefined goes unless given.
    for (const key of Object.keys(instance)) if (instance[key] === undefined && !(key in given)) delete instance[key];
    return Object.assign(instance, given);
  };
  return { kind: 'args', convert };
}

function passedFor(storage: ReturnType<typeof getMetadataStorage>, param: ParamMetadata): Passed | undefined {
  if (param.kind === 'context' && param.propertyName === undefined) return { kind: 'context' };
  if (param.kind === 'root' && param.propertyName === undefined) return { kind: 'root' };
  if (param.kind === 'info') return { kind: 'info' };
  return argsConverter(storage, param);
}

/**
 * type-graphql calls a field resolver through a wrapper that, on every call, builds a resolver-data object,
 * sorts and maps the method's parameter list (Array.prototype.sort allocates) and awaits the arguments'
 * validation. A page of 20 studies with their collaborators makes over a hundred such calls per request, and
 * a connection inside a list (each study's `comments(first: 5)`) one per row; their allocations were the
 * largest share of a worker's (sampled) allocations. Field resolvers that take `@Root()`, `@Ctx()`, `@Info()`
 * and `@Args()` of scalars and enums, with no middleware or roles, are called directly instead; their
 * arguments are converted as type-graphql converts them and checked by the same rules (`validation`), and
 * a call stays synchronous when the arguments are known to pass. A parent that is not an instance of its
 * declared class (type-graphql would copy it into one) still goes through type-graphql's wrapper.
 */
export function callFieldResolversDirectly(
  schema: GraphQLSchema,
  resolverClasses: readonly ClassType[],
  instances: ResolverInstances,
  validation: DirectArgumentValidation,
): GraphQLSchema {
  const storage = getMetadataStorage();
  const ours = new Set<unknown>(resolverClasses);
  const typeNames = new Map(storage.objectTypes.map((type) => [type.target, type.name]));
  for (const metadata of storage.fieldResolvers) {
    if (
      metadata.kind !== 'external' ||
      !ours.has(metadata.target) ||
      metadata.middlewares?.length ||
      metadata.roles?.length
    )
      continue;
    const params = [...(metadata.params ?? [])].sort((a, b) => a.index - b.index);
    const passed = params.map((param) => passedFor(storage, param));
    if (!passed.every((kind) => kind !== undefined)) continue;
    const typeName = metadata.getObjectType && typeNames.get(metadata.getObjectType());
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = isObjectType(type) ? type.getFields()[metadata.schemaName] : undefined;
    if (!field?.resolve) continue;
    const rootParam = params.find((param) => param.kind === 'root');
    const rootClass = rootParam?.kind === 'root' ? (rootParam.getType?.() as ClassType | undefined) : undefined;
    const method = (metadata.target.prototype as Record<string, (...args: unknown[]) => unknown>)[metadata.methodName];
    const instance = instances.get(metadata.target as new () => unknown);
    const wrapped = field.resolve;
    const call = directCall(method, instance, passed, validation);
    const resolve: typeof wrapped =
      typeof rootClass === 'function'
        ? (root, args, context, info) =>
            root instanceof rootClass
              ? call(root, args as Record<string, unknown>, context, info)
              : wrapped(root, args, context, info)
        : call;
    directResolvers.add(resolve);
    field.resolve = resolve;
  }
  return schema;
}

type DirectCall = (root: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo) => unknown;

/**
 * Field positions whose arguments passed their rules, with the key of the variables' values they passed
 * under (positionKey): a position's arguments are its document's and those values', so every row of a list
 * after the first, and every later request with the same values, skips checking them again.
 */
const argumentsPassedAt = new WeakMap<readonly FieldNode[], string | object>();

function directCall(
  method: (...args: unknown[]) => unknown,
  instance: unknown,
  passed: Passed[],
  validation: DirectArgumentValidation,
): DirectCall {
  const [first, second] = passed;
  if (passed.length === 2 && first.kind === 'root' && second.kind === 'context')
    return (root, _args, context) => method.call(instance, root, context);
  const takesArgs = passed.some((param) => param.kind === 'args');
  return (root, args, context, info) => {
    const position = takesArgs ? positionKey(info) : '';
    const known = !takesArgs || argumentsPassedAt.get(info.fieldNodes) === position;
    let unchecked: object[] | undefined;
    const values = passed.map((param) => {
      if (param.kind === 'root') return root;
      if (param.kind === 'context') return context;
      if (param.kind === 'info') return info;
      const converted = param.convert(args);
      if (!known && !validation.passes(converted)) (unchecked ??= []).push(converted);
      return converted;
    });
    if (unchecked === undefined) {
      if (!known) argumentsPassedAt.set(info.fieldNodes, position);
      return method.apply(instance, values);
    }
    return Promise.all(unchecked.map((value) => validation.validate(value))).then(() => {
      argumentsPassedAt.set(info.fieldNodes, position);
      return method.apply(instance, values);
    });
  };
}
