import { GraphQLError, Kind, type ASTNode, type ValidationContext, type ValidationRule } from 'graphql';

/** Field levels, connection wrappers (`edges`, `node`) included: organizations → studies → collaborators → user is 8. */
export const MAX_QUERY_DEPTH = 20;
/** graphql-js stops parsing past this many tokens: a huge document is refused before it is walked. */
export const MAX_QUERY_TOKENS = 5000;

/** Refuses operations nested deeper than `maxDepth` fields (fragments followed, introspection included). */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map(
      context.getDocument().definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
    );
    const depthOf = (node: ASTNode, depth: number, seen: Set<string>): number => {
      switch (node.kind) {
        case Kind.FIELD:
          return node.selectionSet ? Math.max(depth + 1, ...node.selectionSet.selections.map((s) => depthOf(s, depth + 1, seen))) : depth + 1;
        case Kind.INLINE_FRAGMENT:
          return Math.max(depth, ...node.selectionSet.selections.map((s) => depthOf(s, depth, seen)));
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(node.name.value);
          if (!fragment || seen.has(node.name.value)) return depth;
          const inner = new Set(seen).add(node.name.value);
          return Math.max(depth, ...fragment.selectionSet.selections.map((s) => depthOf(s, depth, inner)));
        }
        default:
          return depth;
      }
    };
    return {
      OperationDefinition(operation) {
        const depth = Math.max(0, ...operation.selectionSet.selections.map((s) => depthOf(s, 0, new Set())));
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Query is nested ${depth} levels deep; the maximum is ${maxDepth}.`, {
              nodes: [operation],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', depth, maxDepth },
            }),
          );
        }
      },
    };
  };
}

export const MAX_ALIASES = 30;

/** Refuses operations with more aliased fields than `max` (aliases multiply work without deeper nesting). */
export function aliasLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias) aliases += 1;
      },
      Document: {
        leave() {
          if (aliases > max) {
            context.reportError(
              new GraphQLError(`Operation uses ${aliases} aliases; the maximum is ${max}.`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', aliases, maxAliases: max } }),
            );
          }
        },
      },
    };
  };
}
