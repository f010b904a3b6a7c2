import {
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isIntrospectionType,
  isListType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  OperationTypeNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { costDirective, listSizeDirective } from '../../schema/cost-directives';

/** Lists without @listSize are assumed to hold this many items. */
const DEFAULT_LIST_SIZE = 10;
const DEFAULT_OBJECT_WEIGHT = 1;
const DEFAULT_MUTATION_WEIGHT = 10;
/**
 * Introspection runs in memory, but its answers grow with every nesting of `fields { type { fields … } } }`:
 * each of its objects weighs a tenth of a point, so Sandbox's full introspection stays cheap and a
 * recursive one is refused like any other costly operation.
 */
const INTROSPECTION_OBJECT_WEIGHT = 0.1;

interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
}

export interface CostInput {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  /** Coerced variable values (the cost plugin coerces them as execution will). */
  variables: Record<string, unknown>;
}

/** What execution returned: the data, and where errors struck (their paths). */
export interface ExecutionOutcome {
  data?: unknown;
  errors?: readonly { path?: readonly (string | number)[] }[];
}

/**
 * The estimated cost of an operation, known before anything runs: every object costs its type's weight
 * (1 unless @cost says otherwise), scalars nothing (unless their field has a @cost), mutation fields 10,
 * and a list multiplies what it holds by its size: the slicing argument (`first`) or @listSize's
 * assumedSize. Fields are collected as execution collects them (a fragment spread twice at one level
 * runs once; @skip/@include apply), and each distinct field is priced once per context, so the walk
 * is linear in the document's size however its fragments nest.
 */
export function estimateCost(input: CostInput): number {
  return new OperationCost(input).estimate();
}

/**
 * The cost of the work an operation did, from its result: lists count their real lengths, so a list that
 * came back shorter than estimated is refunded and one that came back longer (a list with an assumed size)
 * costs more. Where an error nulled a subtree, or the whole `data`, that subtree is charged its estimate:
 * its resolvers ran, and an error elsewhere never makes work cheaper.
 */
export function actualCost(input: CostInput, outcome: ExecutionOutcome): number {
  return new OperationCost(input).actual(outcome);
}

/** Response keys to the field nodes that execution merges under them. */
type CollectedFields = Map<string, FieldNode[]>;

/**
 * The pricing of one operation with one set of variables. What it learns (collected fields, field
 * descriptions, estimates) is kept, so one instance can serve every request of the same document and
 * variables: the estimate is computed once, and each actual cost only walks the answer.
 */
export class OperationCost {
  private readonly estimates = new Map<string, number>();
  private readonly descriptions = new Map<string, FieldDescription | undefined>();
  /** The answer's fields by the identity of a collected selection and of the sizes it is priced under. */
  private readonly priced = new WeakMap<CollectedFields, Map<Sizes, PricedField[]>>();
  private estimated: number | undefined;
  private readonly collected = new Map<string, CollectedFields>();
  private readonly nodeIds = new WeakMap<object, number>();
  private nextNodeId = 0;
  private readonly root: GraphQLObjectType | null | undefined;

  /** The coerced variables it prices with. */
  get variables(): Record<string, unknown> {
    return this.input.variables;
  }

  constructor(private readonly input: CostInput) {
    const { schema, operation } = input;
    this.root = schema.getRootType(operation.operation);
  }

  estimate(): number {
    if (this.estimated === undefined) {
      this.estimated = this.root
        ? Math.ceil(
            this.estimateFields(
              this.root,
              this.collect(this.root, [this.input.operation.selectionSet]),
              NO_SIZES,
              true,
            ),
          )
        : 0;
    }
    return this.estimated;
  }

  actual(outcome: ExecutionOutcome): number {
    if (!this.root) return 0;
    const fields = this.collect(this.root, [this.input.operation.selectionSet]);
    if (outcome.data === null || outcome.data === undefined) return this.estimate();
    const failedPaths = new Set<string>();
    for (const error of outcome.errors ?? []) {
      let prefix = '';
      for (const segment of error.path ?? [])
        failedPaths.add((prefix = prefix ? `${prefix}.${segment}` : String(segment)));
    }
    return Math.ceil(
      this.actualFields(
        this.root,
        fields,
        NO_SIZES,
        true,
        outcome.data,
        failedPaths.size > 0 ? '' : undefined,
        failedPaths,
      ),
    );
  }

  // --- collecting fields as graphql-js's collectFields does -------------------------------------------

  private idOf(node: object): number {
    let id = this.nodeIds.get(node);
    if (id === undefined) this.nodeIds.set(node, (id = this.nextNodeId++));
    return id;
  }

  private collect(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): CollectedFields {
    const key = `${type.name}|${selectionSets.map((set) => this.idOf(set)).join(',')}`;
    let fields = this.collected.get(key);
    if (!fields) {
      fields = new Map();
      const visited = new Set<string>();
      for (const set of selectionSets) this.collectInto(fields, type, set, visited);
      this.collected.set(key, fields);
    }
    return fields;
  }

  private collectInto(
    fields: CollectedFields,
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    visited: Set<string>,
  ): void {
    for (const selection of selectionSet.selections) {
      if (!this.included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const responseKey = selection.alias?.value ?? selection.name.value;
        const nodes = fields.get(responseKey);
        if (nodes) nodes.push(selection);
        else fields.set(responseKey, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (this.conditionMatches(selection.typeCondition?.name.value, type))
          this.collectInto(fields, type, selection.selectionSet, visited);
      } else {
        const name = selection.name.value;
        if (visited.has(name)) continue;
        visited.add(name);
        const fragment = this.input.fragments[name];
        if (fragment && this.conditionMatches(fragment.typeCondition.name.value, type))
          this.collectInto(fields, type, fragment.selectionSet, visited);
      }
    }
  }

  private included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode): boolean {
    if (!node.directives?.length) return true;
    const skip = getDirectiveValues(GraphQLSkipDirective, node, this.input.variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, this.input.variables);
    return include?.if !== false;
  }

  private conditionMatches(typeName: string | undefined, type: GraphQLObjectType): boolean {
    if (typeName === undefined || typeName === type.name) return true;
    const condition = this.input.schema.getType(typeName);
    return condition !== undefined && isAbstractType(condition) && this.input.schema.isSubType(condition, type);
  }

  // --- pricing ----------------------------------------------------------------------------------------

  private fieldOf(parentType: GraphQLObjectType, name: string): GraphQLField<unknown, unknown> | undefined {
    if (name === TypeNameMetaFieldDef.name) return undefined;
    if (parentType === this.input.schema.getQueryType()) {
      if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
      if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    }
    return parentType.getFields()[name];
  }

  private keyOf(parentType: GraphQLObjectType, nodes: FieldNode[], sizes: Sizes, isRoot: boolean): string {
    return `${parentType.name}|${nodes.map((n) => this.idOf(n)).join(',')}|${sizes.key}|${isRoot}`;
  }

  /** Everything about a field that does not depend on the data: weights, list sizes, its children. */
  private describe(
    parentType: GraphQLObjectType,
    nodes: FieldNode[],
    sizes: Sizes,
    isRoot: boolean,
    key = this.keyOf(parentType, nodes, sizes, isRoot),
  ): FieldDescription | undefined {
    if (this.descriptions.has(key)) return this.descriptions.get(key);
    const description = this.describeNew(parentType, nodes, sizes, isRoot);
    this.descriptions.set(key, description);
    return description;
  }

  private describeNew(
    parentType: GraphQLObjectType,
    nodes: FieldNode[],
    sizes: Sizes,
    isRoot: boolean,
  ): FieldDescription | undefined {
    const node = nodes[0];
    const field = this.fieldOf(parentType, node.name.value);
    if (!field) return undefined;
    const named = getNamedType(field.type);
    const isMutationField = isRoot && this.input.operation.operation === OperationTypeNode.MUTATION;
    const ownWeight = weightOf(field) ?? (isMutationField ? DEFAULT_MUTATION_WEIGHT : 0);
    const itemWeight = typeWeight(named);
    const listSize = listSizeOf(field);
    const args = listSize ? getArgumentValues(field, node, this.input.variables) : {};
    let childSizes = NO_SIZES;
    if (listSize?.sizedFields?.length) {
      const size = sizeFromArguments(listSize, args);
      childSizes = {
        key: listSize.sizedFields.map((name) => `${name}=${size}`).join(','),
        of: new Map(listSize.sizedFields.map((name) => [name, size])),
      };
    }
    const isList = isListType(getNullableType(field.type));
    const size = isList
      ? (sizes.of.get(node.name.value) ??
        (listSize && !listSize.sizedFields?.length ? sizeFromArguments(listSize, args) : DEFAULT_LIST_SIZE))
      : 1;
    const childType = isObjectType(named) ? named : undefined;
    const selectionSets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
    const children = childType ? this.collect(childType, selectionSets) : undefined;
    // An interface or union: what each type it may be selects (the walk is bounded by the number of types).
    const possible = isAbstractType(named)
      ? this.input.schema.getPossibleTypes(named).map((type) => ({ type, children: this.collect(type, selectionSets) }))
      : undefined;
    // The answer's `__typename` names its type only where no type's selection puts another field under that
    // key (an alias `__typename: title` would let a client pick the cheapest type for its refund).
    const typenameTrusted =
      possible?.every(({ children: fields }) =>
        (fields.get('__typename') ?? []).every((selection) => selection.name.value === '__typename'),
      ) ?? false;
    return { ownWeight, itemWeight, isList, size, childType, children, possible, typenameTrusted, childSizes };
  }

  private estimateFields(type: GraphQLObjectType, fields: CollectedFields, sizes: Sizes, isRoot: boolean): number {
    let total = 0;
    for (const nodes of fields.values()) total += this.estimateField(type, nodes, sizes, isRoot);
    return total;
  }

  private estimateField(parentType: GraphQLObjectType, nodes: FieldNode[], sizes: Sizes, isRoot: boolean): number {
    const key = this.keyOf(parentType, nodes, sizes, isRoot);
    const known = this.estimates.get(key);
    if (known !== undefined) return known;
    const field = this.describe(parentType, nodes, sizes, isRoot, key);
    let cost = 0;
    if (field) {
      cost = field.ownWeight + field.size * (field.itemWeight + this.childEstimate(field));
    }
    this.estimates.set(key, cost);
    return cost;
  }

  /** The fields of one selection in the answer, each with its description: worked out once per field group and sizes. */
  private pricedFields(type: GraphQLObjectType, fields: CollectedFields, sizes: Sizes, isRoot: boolean): PricedField[] {
    let bySizes = this.priced.get(fields);
    if (!bySizes) this.priced.set(fields, (bySizes = new Map<Sizes, PricedField[]>()));
    let priced = bySizes.get(sizes);
    if (!priced) {
      priced = [];
      for (const [responseKey, nodes] of fields) {
        const field = this.describe(type, nodes, sizes, isRoot);
        if (field) priced.push({ responseKey, parentType: type, nodes, sizes, isRoot, field });
      }
      bySizes.set(sizes, priced);
    }
    return priced;
  }

  /**
   * Walks the answer, not the document: linear in the answer's size, with no allocation per value (this
   * runs on every response). `path` (the response path, dotted) is only tracked when errors struck
   * somewhere (undefined otherwise).
   */
  private actualFields(
    type: GraphQLObjectType,
    fields: CollectedFields,
    sizes: Sizes,
    isRoot: boolean,
    data: unknown,
    path: string | undefined,
    failed: Set<string>,
  ): number {
    let total = 0;
    const object = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
    for (const priced of this.pricedFields(type, fields, sizes, isRoot)) {
      const value = object?.[priced.responseKey];
      total += this.actualField(
        priced,
        value,
        path === undefined ? undefined : path ? `${path}.${priced.responseKey}` : priced.responseKey,
        failed,
      );
    }
    return total;
  }

  private actualField(priced: PricedField, value: unknown, path: string | undefined, failed: Set<string>): number {
    const { field } = priced;
    // Null where an error struck at or below: what ran there is not in the answer, so it costs its estimate.
    if (value === null || value === undefined)
      return path !== undefined && failed.has(path)
        ? this.estimateField(priced.parentType, priced.nodes, priced.sizes, priced.isRoot)
        : field.ownWeight;
    // A scalar or enum (or a list of them): its items weigh nothing and have nothing below.
    if (field.itemWeight === 0 && field.children === undefined) return field.ownWeight;
    if (!field.isList) return field.ownWeight + this.itemCost(field, value, path, failed);
    if (!Array.isArray(value)) return field.ownWeight;
    let total = field.ownWeight;
    for (let index = 0; index < value.length; index += 1)
      total += this.itemCost(field, value[index], path === undefined ? undefined : `${path}.${index}`, failed);
    return total;
  }

  private itemCost(field: FieldDescription, item: unknown, path: string | undefined, failed: Set<string>): number {
    if (item === null || item === undefined)
      return path !== undefined && failed.has(path) ? field.itemWeight + this.childEstimate(field) : 0;
    if (field.childType && field.children)
      return (
        field.itemWeight +
        this.actualFields(field.childType, field.children, field.childSizes, false, item, path, failed)
      );
    if (!field.possible) return field.itemWeight;
    // Of an abstract type, the answer says which type it is where the client asked for __typename (Apollo
    // Client and Relay always do); otherwise it costs what the costliest type it may be would.
    const typename = field.typenameTrusted ? (item as Record<string, unknown>).__typename : undefined;
    const which = typeof typename === 'string' ? field.possible.find(({ type }) => type.name === typename) : undefined;
    return (
      field.itemWeight +
      (which
        ? this.actualFields(which.type, which.children, field.childSizes, false, item, path, failed)
        : this.childEstimate(field))
    );
  }

  /** What one item's selection is estimated to cost: its type's, or for an abstract type the costliest possible type's. */
  private childEstimate(field: FieldDescription): number {
    if (field.childType && field.children)
      return this.estimateFields(field.childType, field.children, field.childSizes, false);
    let most = 0;
    for (const { type, children } of field.possible ?? [])
      most = Math.max(most, this.estimateFields(type, children, field.childSizes, false));
    return most;
  }
}

interface FieldDescription {
  ownWeight: number;
  itemWeight: number;
  isList: boolean;
  /** Items the field is estimated to return (1 unless it is a list). */
  size: number;
  childType: GraphQLObjectType | undefined;
  children: CollectedFields | undefined;
  /** For an interface or union: each type it may be, with what the selection collects on it. */
  possible: { type: GraphQLObjectType; children: CollectedFields }[] | undefined;
  /** Whether the answer's `__typename` key holds the meta-field (see describeNew). */
  typenameTrusted: boolean;
  childSizes: Sizes;
}

/** A field of a selection as the answer holds it (under `responseKey`), described; what its estimate needs if it failed. */
interface PricedField {
  responseKey: string;
  parentType: GraphQLObjectType;
  nodes: FieldNode[];
  sizes: Sizes;
  isRoot: boolean;
  field: FieldDescription;
}

/** Sizes a parent's @listSize(sizedFields) imposes on its fields (connections: `edges`). */
interface Sizes {
  key: string;
  of: ReadonlyMap<string, number>;
}
const NO_SIZES: Sizes = { key: '', of: new Map() };

/**
 * What subscribing itself costs, apart from what each event's answer selects: the @cost weight of the
 * subscription's root field. An event delivered is charged its answer's cost less this.
 */
export function subscribeWeight(schema: GraphQLSchema, fieldName: string): number {
  const field = schema.getSubscriptionType()?.getFields()[fieldName];
  return field ? (weightOf(field) ?? 0) : 0;
}

function weightOf(node: { astNode?: Parameters<typeof getDirectiveValues>[1] | null }): number | undefined {
  if (!node.astNode) return undefined;
  const values = getDirectiveValues(costDirective, node.astNode);
  return values ? (values.weight as number) : undefined;
}

function listSizeOf(field: GraphQLField<unknown, unknown>): ListSize | undefined {
  if (!field.astNode) return undefined;
  return getDirectiveValues(listSizeDirective, field.astNode) ?? undefined;
}

function typeWeight(type: GraphQLNamedType): number {
  if (!isCompositeType(type)) return 0;
  if (isIntrospectionType(type)) return INTROSPECTION_OBJECT_WEIGHT;
  return weightOf(type) ?? DEFAULT_OBJECT_WEIGHT;
}

function sizeFromArguments(listSize: ListSize, args: Record<string, unknown>): number {
  for (const name of listSize.slicingArguments ?? []) {
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, value);
    // A list argument sizes by its length (nodes(ids:) returns one object per id).
    if (Array.isArray(value)) return value.length;
  }
  return listSize.assumedSize ?? DEFAULT_LIST_SIZE;
}
