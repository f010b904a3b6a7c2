import 'reflect-metadata';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { resolvers } from '../resolvers';
import { cacheControlDirective } from '../schema/cache-control';
import { validateArguments } from './validation';

/** Built once at start-up: type-graphql's metadata turned into an executable schema. */
export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    directives: [cacheControlDirective],
    validate: true,
    validateFn: validateArguments,
  });
}

const HEADER = '# Generated from the type-graphql classes by `npm run schema:emit`; do not edit by hand.\n\n';

/** The SDL committed as schema/schema.graphql: sorted, with directive usages, so diffs stay readable. */
export function printGatewaySchema(schema: GraphQLSchema): string {
  return `${HEADER}${printSchemaWithDirectives(lexicographicSortSchema(schema))}\n`;
}
