import { isObjectType, type GraphQLSchema } from 'graphql';
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

/** What a direct call passes for one parameter: the parent value or the context. */
type Passed = 'root' | 'context';

function passedFor(param: ParamMetadata): Passed | undefined {
  if (param.kind === 'context' && param.propertyName === undefined) return 'context';
  if (param.kind === 'root' && param.propertyName === undefined) return 'root';
  return undefined;
}

/**
 * type-graphql calls a field resolver through a wrapper that, on every call, builds a resolver-data object
 * and sorts and maps the method's parameter list (Array.prototype.sort allocates). A page of 20 studies
 * with their collaborators makes over a hundred such calls per request; their allocations were the
 * largest share of a worker's (sampled) allocations. Field resolvers that take only `@Root()` and `@Ctx()`
 * and have no middleware or roles are called directly instead. A parent that is not an instance of its
 * declared class (type-graphql would copy it into one) still goes through type-graphql's wrapper.
 */
export function callFieldResolversDirectly(
  schema: GraphQLSchema,
  resolverClasses: readonly ClassType[],
  instances: ResolverInstances,
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
    const passed = params.map(passedFor);
    if (passed.some((kind) => kind === undefined)) continue;
    const typeName = metadata.getObjectType && typeNames.get(metadata.getObjectType());
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = isObjectType(type) ? type.getFields()[metadata.schemaName] : undefined;
    if (!field?.resolve) continue;
    const rootParam = params.find((param) => param.kind === 'root');
    const rootClass = rootParam?.kind === 'root' ? (rootParam.getType?.() as ClassType | undefined) : undefined;
    const method = (metadata.target.prototype as Record<string, (...args: unknown[]) => unknown>)[metadata.methodName];
    const instance = instances.get(metadata.target as new () => unknown);
    const wrapped = field.resolve;
    const call = directCall(method, instance, passed as Passed[]);
    const resolve: typeof wrapped =
      typeof rootClass === 'function'
        ? (root, args, context, info) =>
            root instanceof rootClass ? call(root, context) : wrapped(root, args, context, info)
        : (root, _args, context) => call(root, context);
    directResolvers.add(resolve);
    field.resolve = resolve;
  }
  return schema;
}

function directCall(
  method: (...args: unknown[]) => unknown,
  instance: unknown,
  passed: Passed[],
): (root: unknown, context: unknown) => unknown {
  const [first, second] = passed;
  if (passed.length === 2 && first === 'root' && second === 'context')
    return (root, context) => method.call(instance, root, context);
  return (root, context) =>
    method.apply(
      instance,
      passed.map((kind) => (kind === 'root' ? root : context)),
    );
}
