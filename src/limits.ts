import { GraphQLError, Kind, type SelectionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

/** Field levels, connection wrappers (`edges`, `node`) included: organizations → studies → collaborators → user is 8. */
export const MAX_QUERY_DEPTH = 20;
/** graphql-js stops parsing past this many tokens: a huge document is refused before it is walked. */
export const MAX_QUERY_TOKENS = 5000;

/**
 * Refuses operations nested deeper than `maxDepth` fields (fragments followed, introspection included).
 * Each fragment's depth is computed once and remembered, so the walk is linear in the document's size
 * however often fragments spread one another.
 */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map(context.getDocument().definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
    /** Depth a fragment adds below the point it is spread at; IN_PROGRESS marks a cycle (refused by NoFragmentCycles). */
    const fragmentDepths = new Map<string, number>();
    const IN_PROGRESS = -1;
    const selectionsDepth = (selectionSet: SelectionSetNode): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) deepest = Math.max(deepest, selectionDepth(selection));
      return deepest;
    };
    const selectionDepth = (node: SelectionNode): number => {
      switch (node.kind) {
        case Kind.FIELD:
          return 1 + (node.selectionSet ? selectionsDepth(node.selectionSet) : 0);
        case Kind.INLINE_FRAGMENT:
          return selectionsDepth(node.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const name = node.name.value;
          const known = fragmentDepths.get(name);
          if (known !== undefined) return Math.max(0, known);
          const fragment = fragments.get(name);
          if (!fragment) return 0;
          fragmentDepths.set(name, IN_PROGRESS);
          const depth = selectionsDepth(fragment.selectionSet);
          fragmentDepths.set(name, depth);
          return depth;
        }
      }
    };
    return {
      OperationDefinition(operation) {
        const depth = selectionsDepth(operation.selectionSet);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Query is nested ${depth} levels deep; the maximum is ${maxDepth}.`, {
              nodes: [operation],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', depth, maxDepth },
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
              new GraphQLError(`Operation uses ${aliases} aliases; the maximum is ${max}.`, {
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases', aliases, maxAliases: max },
              }),
            );
          }
        },
      },
    };
  };
}

/** Input objects in the schema nest a few levels; deeper variables are refused before anything recurses into them. */
export const MAX_VARIABLE_DEPTH = 32;

/** Whether a JSON value nests deeper than `max` levels; iterative, so no depth overflows the stack. */
export function nestingDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(item)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
