import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context/context';

/**
 * Every mutation field starts from fresh loaders. Mutations of one request run one after the other, each
 * answer complete before the next starts; without this, a later field would read what an earlier one had
 * loaded before the writes in between (`a: updateStudy … b: addComment … c: updateStudy { comments {
 * totalCount } }` answered c with the count from before b). One rule for every write, instead of each
 * resolver clearing the loaders it thinks of. Wraps the schema's Mutation fields once, at start-up.
 */
export function freshReadsPerMutation(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = (source, args, context: GatewayContext, info) => {
      context.loaders.forgetReads();
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
