import 'reflect-metadata';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { lexicographicSortSchema, specifiedDirectives, type GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { resolvers } from '../../resolvers';
import { cacheControlDirective } from '../../schema/cache-control';
import { costDirective, listSizeDirective, rateLimitDirective } from '../../schema/cost-directives';
import { validateArguments } from './argument-validation';
import { callFieldResolversDirectly, ResolverInstances } from './direct-field-resolvers';
import { freshReadsPerMutation } from './fresh-reads-per-mutation';

/**
 * type-graphql asks for a PubSub whenever a schema has subscriptions, for `topics`-style ones; ours bring
 * their own streams (`subscribe`, see src/realtime), so a topic is a programming error.
 */
const NO_TOPICS: PubSub = {
  publish() {
    throw new Error('subscriptions publish through src/realtime, not type-graphql topics');
  },
  subscribe() {
    throw new Error('subscriptions subscribe through src/realtime, not type-graphql topics');
  },
};

/**
 * Built once at start-up: type-graphql's metadata turned into an executable schema. `transform` applies
 * directive behaviour (the @rateLimit field limits) to the built schema; the SDL is the same either way.
 */
export async function buildGatewaySchema(
  transform: (schema: GraphQLSchema) => GraphQLSchema = (schema) => schema,
): Promise<GraphQLSchema> {
  // No globalMiddlewares and no authChecker here: the direct field-resolver calls (see
  // callFieldResolversDirectly) would skip them; access checks live in the resolvers.
  const instances = new ResolverInstances();
  const schema = await buildSchema({
    resolvers,
    container: instances,
    // A `directives` list replaces graphql's own unless they are named too: @include, @skip, @deprecated, @specifiedBy.
    directives: [...specifiedDirectives, cacheControlDirective, costDirective, listSizeDirective, rateLimitDirective],
    validateFn: validateArguments,
    pubSub: NO_TOPICS,
  });
  return transform(freshReadsPerMutation(callFieldResolversDirectly(schema, resolvers, instances)));
}

const HEADER = '# Generated from the type-graphql classes by `npm run schema:emit`; do not edit by hand.\n\n';

/** The SDL committed as schema/schema.graphql: sorted, with directive usages, so diffs stay readable. */
export function printGatewaySchema(schema: GraphQLSchema): string {
  return `${HEADER}${printSchemaWithDirectives(lexicographicSortSchema(schema))}\n`;
}
