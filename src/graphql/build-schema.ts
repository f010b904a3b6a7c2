import 'reflect-metadata';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { lexicographicSortSchema, specifiedDirectives, type GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { resolvers } from '../../resolvers';
import { cacheControlDirective } from '../../schema/cache-control';
import { costDirective, listSizeDirective, rateLimitDirective } from '../../schema/cost-directives';
import { passesWithoutValidation, validateArgumentValue, validateArguments } from './argument-validation';
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
 * The root types' descriptions. type-graphql builds Query, Mutation and Subscription itself, with no place for
 * a description, so they are set here, on the schema both the server and `npm run schema:emit` build.
 */
const ROOT_TYPE_DESCRIPTIONS = {
  query:
    'Entry points for reading. Every field but `rateLimit` needs a signed-in viewer (`Authorization: Bearer <token>`) and answers only with what the viewer may see: their organizations and what those hold.',
  mutation:
    "Writes. Each takes one `input` argument, needs a signed-in viewer, is limited per caller (@rateLimit) and returns the object it changed, as it is after the write, or null with its error when refused (the document's other writes keep their answers).",
  subscription:
    'Live events on /graphql: over WebSocket (graphql-transport-ws, the token in connection_init\'s payload as `{ "authorization": "Bearer <token>" }`) or Server-Sent Events (`Accept: text/event-stream`, the token in the Authorization header). The same access rules and error codes as queries; a subscription is charged when it starts and again for each event it delivers.',
} as const;

function describeRootTypes(schema: GraphQLSchema): GraphQLSchema {
  for (const [type, description] of [
    [schema.getQueryType(), ROOT_TYPE_DESCRIPTIONS.query],
    [schema.getMutationType(), ROOT_TYPE_DESCRIPTIONS.mutation],
    [schema.getSubscriptionType(), ROOT_TYPE_DESCRIPTIONS.subscription],
  ] as const) {
    if (type) type.description = description;
  }
  return schema;
}

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
  return transform(
    freshReadsPerMutation(
      callFieldResolversDirectly(describeRootTypes(schema), resolvers, instances, {
        passes: passesWithoutValidation,
        validate: validateArgumentValue,
      }),
    ),
  );
}

const HEADER = '# Generated from the type-graphql classes by `npm run schema:emit`; do not edit by hand.\n\n';

/** The SDL committed as schema/schema.graphql: sorted, with directive usages, so diffs stay readable. */
export function printGatewaySchema(schema: GraphQLSchema): string {
  return `${HEADER}${printSchemaWithDirectives(lexicographicSortSchema(schema))}\n`;
}
