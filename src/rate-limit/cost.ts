import {
  getDirectiveValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { costDirective, listSizeDirective } from '../../schema/cost-directives';

/** Lists without @listSize are assumed to hold this many items. */
export const DEFAULT_LIST_SIZE = 10;
export const DEFAULT_OBJECT_WEIGHT = 1;
export const DEFAULT_MUTATION_WEIGHT = 10;

interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
}

export interface CostInput {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/**
 * The cost of an operation: every object costs its type's weight (1 unless @cost says otherwise),
 * scalars nothing, mutation fields 10, and a list multiplies what it holds by its size. Without `data`
 * the size comes from the slicing argument (`first`) or @listSize's assumedSize: the estimate, known
 * before anything runs. With `data` (the response), sizes are the lists' real lengths: the actual cost.
 */
export function operationCost(input: CostInput, data?: unknown): number {
  const root = input.operation.operation === 'mutation' ? input.schema.getMutationType() : input.schema.getQueryType();
  if (!root) return 0;
  return selectionCost(input, root, input.operation.selectionSet, data, true, new Map());
}

function weightOf(node: { astNode?: Parameters<typeof getDirectiveValues>[1] | null }): number | undefined {
  if (!node.astNode) return undefined;
  const values = getDirectiveValues(costDirective, node.astNode);
  return values ? (values.weight as number) : undefined;
}

function listSizeOf(field: GraphQLField<unknown, unknown>): ListSize | undefined {
  if (!field.astNode) return undefined;
  return (getDirectiveValues(listSizeDirective, field.astNode) as ListSize | undefined) ?? undefined;
}

function typeWeight(type: GraphQLNamedType): number {
  if (!isCompositeType(type)) return 0;
  return weightOf(type) ?? DEFAULT_OBJECT_WEIGHT;
}

function sizeFromArguments(listSize: ListSize | undefined, args: Record<string, unknown>): number {
  for (const name of listSize?.slicingArguments ?? []) {
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, value);
  }
  return listSize?.assumedSize ?? DEFAULT_LIST_SIZE;
}

function selectionCost(
  input: CostInput,
  parentType: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  data: unknown,
  isRoot: boolean,
  /** Sizes imposed by the parent field's @listSize(sizedFields), by field name. */
  sizedFields: Map<string, number>,
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? input.schema.getType(selection.typeCondition.name.value) : parentType;
      if (isObjectType(type)) total += selectionCost(input, type, selection.selectionSet, data, isRoot, sizedFields);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = input.fragments[selection.name.value];
      const type = fragment ? input.schema.getType(fragment.typeCondition.name.value) : undefined;
      if (fragment && isObjectType(type)) total += selectionCost(input, type, fragment.selectionSet, data, isRoot, sizedFields);
      continue;
    }
    total += fieldCost(input, parentType, selection, data, isRoot, sizedFields);
  }
  return total;
}

function fieldCost(
  input: CostInput,
  parentType: GraphQLObjectType,
  node: FieldNode,
  parentData: unknown,
  isRoot: boolean,
  sizedFields: Map<string, number>,
): number {
  const name = node.name.value;
  if (name.startsWith('__')) return 0;
  const field = parentType.getFields()[name];
  if (!field) return 0;
  const named = getNamedType(field.type);
  const isMutationField = isRoot && input.operation.operation === 'mutation';
  const ownWeight = weightOf(field) ?? (isMutationField ? DEFAULT_MUTATION_WEIGHT : 0);
  const itemWeight = typeWeight(named);
  const key = node.alias?.value ?? name;
  const hasData = parentData !== undefined;
  const value = hasData && parentData !== null && typeof parentData === 'object' ? (parentData as Record<string, unknown>)[key] : undefined;
  if (hasData && (value === null || value === undefined)) return ownWeight;

  const listSize = listSizeOf(field);
  const args = getArgumentValues(field, node, input.variables);
  const childSizes = new Map<string, number>();
  if (listSize?.sizedFields?.length) {
    const size = sizeFromArguments(listSize, args);
    for (const sized of listSize.sizedFields) childSizes.set(sized, size);
  }

  const itemCost = (item: unknown) =>
    itemWeight + (node.selectionSet && isObjectType(named) ? selectionCost(input, named, node.selectionSet, item, false, childSizes) : 0);

  if (isListType(getNullableType(field.type))) {
    if (hasData) return ownWeight + (Array.isArray(value) ? value.reduce((sum: number, item) => sum + itemCost(item), 0) : 0);
    const size = sizedFields.get(name) ?? (listSize && !listSize.sizedFields?.length ? sizeFromArguments(listSize, args) : DEFAULT_LIST_SIZE);
    return ownWeight + size * itemCost(undefined);
  }
  return ownWeight + itemCost(hasData ? value : undefined);
}
