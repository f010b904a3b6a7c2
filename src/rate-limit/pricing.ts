import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type TypeNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { ErrorCode } from '../graphql/errors';
import { httpStatus, type Transport } from './admission';
import { OperationCost, type CostInput } from './cost';

/**
 * The operation with its variables coerced as execution will coerce them: a variable that is null for a
 * non-null type, missing, or of the wrong type is the caller's BAD_USER_INPUT here, before anything runs.
 */
function costInputOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  transport: Transport,
): CostInput {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) {
    throw new GraphQLError(coerced.errors[0].message, {
      nodes: coerced.errors[0].nodes,
      extensions: { code: ErrorCode.BAD_USER_INPUT, ...httpStatus(transport, 400) },
    });
  }
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return { schema, operation, fragments, variables: coerced.coerced };
}

/**
 * A pricing that has priced. Arguments are coerced as execution would coerce them, so what fails here (a
 * null where a size is required) is the caller's input: BAD_USER_INPUT.
 */
function estimatedPricing(input: CostInput, transport: Transport): OperationCost {
  const pricing = new OperationCost(input);
  try {
    pricing.estimate();
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    throw new GraphQLError(error.message, {
      nodes: error.nodes,
      extensions: { code: ErrorCode.BAD_USER_INPUT, ...httpStatus(transport, 400) },
    });
  }
  return pricing;
}

/**
 * Pricings kept per parsed operation (Apollo reuses parsed documents) and the variables that can change a
 * price: a repeated request is priced once. An ID or a string (which study, which slug) never sizes a list
 * or decides a @skip/@include, so requests differing only in them share a pricing; a list of them sizes by
 * its length (nodes(ids:)), so its length is part of the key; anything else (numbers, booleans, enums,
 * inputs) is part of the key whole.
 */
const PRICINGS_PER_OPERATION = 32;
/**
 * Longest key (JSON of the price variables) a pricing is kept under: the variables are the client's, up to
 * the body limit each, so an operation's pricings are bounded in bytes (32 × 1 KB), not only in count. A
 * request with larger ones is priced afresh.
 */
const MAX_PRICING_KEY_LENGTH = 1024;
const PRICE_NEUTRAL_TYPES = new Set(['ID', 'String']);

interface OperationPricings {
  /**
   * The operation's variables that can change its price (see PRICE_NEUTRAL_TYPES), and whether only their
   * length can: a list of ids prices by how many there are (nodes(ids:) is sized by it), not by which.
   */
  priceVariables: { name: string; lengthOnly: boolean }[];
  byVariables: Map<string, OperationCost>;
}

const pricings = new WeakMap<OperationDefinitionNode, OperationPricings>();

function pricingsOf(operation: OperationDefinitionNode): OperationPricings {
  let known = pricings.get(operation);
  if (!known) {
    const priceVariables = (operation.variableDefinitions ?? []).flatMap((d) => {
      const neutral = PRICE_NEUTRAL_TYPES.has(namedTypeOf(d.type));
      if (neutral && !isList(d.type)) return [];
      return [{ name: d.variable.name.value, lengthOnly: neutral }];
    });
    pricings.set(operation, (known = { priceVariables, byVariables: new Map() }));
  }
  return known;
}

function namedTypeOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type);
}

function isList(type: TypeNode): boolean {
  return type.kind === Kind.LIST_TYPE || (type.kind === Kind.NON_NULL_TYPE && isList(type.type));
}

/**
 * The operation's pricing for these variables, estimated: kept per operation and price-changing variables,
 * so a repeated request is priced once, whichever transport it came by. Variables are coerced on every
 * call: a bad one is refused (BAD_USER_INPUT) whether or not a pricing is kept.
 */
export function priceOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  transport: Transport,
): OperationCost {
  const input = costInputOf(schema, document, operation, variables, transport);
  // An omitted variable (its default applies) and an explicit null price differently.
  const { priceVariables, byVariables } = pricingsOf(operation);
  const key = JSON.stringify(
    priceVariables.map(({ name, lengthOnly }) => {
      if (!Object.hasOwn(input.variables, name)) return [];
      const value = input.variables[name];
      return [lengthOnly && Array.isArray(value) ? { length: value.length } : value];
    }),
  );
  const known = byVariables.get(key);
  if (known) return known;
  // A pricing is kept only once it has priced: one that throws is not handed to the next request of the same operation.
  const pricing = estimatedPricing(input, transport);
  if (key.length > MAX_PRICING_KEY_LENGTH) return pricing;
  if (byVariables.size >= PRICINGS_PER_OPERATION) byVariables.clear();
  byVariables.set(key, pricing);
  return pricing;
}
