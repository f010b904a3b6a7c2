import { GraphQLError, type ValidationRule } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from './errors';
import { MAX_VARIABLE_DEPTH } from './limits';

// PostgreSQL text cannot hold NUL: such input would reach the database only to fail there as a 500.
const MESSAGE = 'Text may not contain NUL (\\u0000) characters.';

/** String literals of the document. */
export const noNulInLiterals: ValidationRule = (context) => ({
  StringValue(node) {
    if (node.value.includes('\u0000')) context.reportError(new GraphQLError(MESSAGE, { nodes: [node] }));
  },
});

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > MAX_VARIABLE_DEPTH || value === null || typeof value !== 'object') return false;
  return Object.values(value).some((item) => hasNul(item, depth + 1));
}

/** String values anywhere in the variables: BAD_USER_INPUT before anything runs. */
export function noNulInVariablesPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request }) {
          if (hasNul(request.variables))
            throw new GraphQLError(MESSAGE, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
        },
      };
    },
  };
}
