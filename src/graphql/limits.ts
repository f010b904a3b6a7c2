import { fragmentsByName } from './fragments';
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type DocumentNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

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
    const fragments = fragmentsByName(context.getDocument());
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
    for (const child of Object.values(item))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** graphql-js's default is 100: each error is work and bytes for a document that is refused anyway. */
export const MAX_VALIDATION_ERRORS = 10;

/**
 * Brackets (`{`, `[`, `(`) a document may nest. Twenty field levels and a few levels of input objects stay
 * far below; graphql-js's parser recurses once per level and overflows the stack near 2,400.
 */
export const MAX_DOCUMENT_NESTING = 64;

/**
 * Why a document's text is refused before it is parsed, or undefined: its brackets nest deeper than
 * MAX_DOCUMENT_NESTING. One pass over the text, skipping strings, block strings and comments.
 */
export function documentTextRefusal(source: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source.charCodeAt(i);
    if (char === 0x23 /* # */) {
      while (i < source.length && source.charCodeAt(i) !== 0x0a && source.charCodeAt(i) !== 0x0d) i++;
    } else if (char === 0x22 /* " */) {
      if (source.startsWith('"""', i)) {
        const end = blockStringEnd(source, i + 3);
        i = end - 1;
      } else {
        i++;
        while (i < source.length) {
          const inside = source.charCodeAt(i);
          if (inside === 0x5c /* \ */) i += 2;
          else if (inside === 0x22 || inside === 0x0a || inside === 0x0d) break;
          else i++;
        }
      }
    } else if (char === 0x7b || char === 0x5b || char === 0x28) {
      if (++depth > MAX_DOCUMENT_NESTING)
        return `Document nests brackets more than ${MAX_DOCUMENT_NESTING} levels deep.`;
    } else if (char === 0x7d || char === 0x5d || char === 0x29) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** Index just past the `"""` closing a block string that starts at `from` (escaped `\"""` does not close it). */
function blockStringEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    if (source.charCodeAt(i) === 0x5c && source.startsWith('\\"""', i)) i += 3;
    else if (source.startsWith('"""', i)) return i + 3;
  }
  return source.length;
}

/**
 * Selections (fields, fragment spreads, inline fragments) a document may hold, counted as written. graphql-js's
 * rule that fields sharing a response name can be merged compares them in pairs, so validation grows with the
 * square of this: 300 cost about 35 ms on the worst shape measured (every field under one name, through
 * fragments). The largest operation of schema/operations has 59 fields, the introspection query 80.
 */
export const MAX_SELECTIONS = 300;

/** What the other rules walk instead of a document refused by selectionLimit: nothing. */
const NOTHING: DocumentNode = { kind: Kind.DOCUMENT, definitions: [] };

/**
 * Refuses documents with more than `max` selections before the other rules have looked at them. The count
 * runs when the document is entered, the first node every rule visits, in one pass over the definitions.
 * Reporting an error alone would not stop the other rules from walking (and pairing) every field, so the
 * rule also hands the walk an empty document in place of this one (graphql-js's visitor replaces a node
 * with what an enter function returns, for every rule walking in parallel); list it first.
 */
export function selectionLimit(max: number): ValidationRule {
  return (context: ValidationContext) => ({
    Document(document) {
      let selections = 0;
      const stack: SelectionSetNode[] = [];
      for (const definition of document.definitions) {
        if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION)
          stack.push(definition.selectionSet);
      }
      while (stack.length > 0) {
        for (const selection of stack.pop()!.selections) {
          selections += 1;
          if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) stack.push(selection.selectionSet);
        }
        if (selections > max) {
          context.reportError(
            new GraphQLError(`Document holds more than ${max} selections (fields and fragments); split it.`, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'selections', maxSelections: max },
            }),
          );
          return NOTHING;
        }
      }
      return undefined;
    },
  });
}

/**
 * Tokens of a document's text up to its first syntax error, counting at most `max` (graphql-js's parser
 * stops at MAX_QUERY_TOKENS too): the measure of the work a failed document caused. Comments and
 * whitespace are not tokens, so padding costs nothing to parse and nothing here.
 */
export function tokenCount(source: string, max = MAX_QUERY_TOKENS): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (count < max && lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch {
    // A syntax error: the parser stopped here too.
  }
  return count;
}
