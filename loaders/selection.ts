import {
  isObjectType,
  Kind,
  visit,
  type FieldNode,
  type FragmentSpreadNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type NamedTypeNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableNode,
} from 'graphql';
import { ENTITIES, type EntityName, ENTITY_NODE, type FieldColumns, NODES, type NodeTypeName } from './relations';

type LookAheadInfo = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

/**
 * Every field node at `path` below `from` (the field being resolved, unless given): by field names, through
 * fragments, every alias together; empty when `path` is not selected. A loader can then fetch in the same
 * statement what the next levels will read, and only that. Each selection set and fragment is read once
 * per level of the (short) path: linear in the document.
 */
export function fieldsAt(
  info: LookAheadInfo,
  path: readonly string[],
  from: readonly FieldNode[] = info.fieldNodes,
  only?: SelectionFilter,
): FieldNode[] {
  let sets: SelectionSetNode[] = from.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  let fields: FieldNode[] = [];
  for (const name of path) {
    // One set of followed fragments per level: a fragment's fields are the same wherever it is spread.
    const seenFragments = new Set<string>();
    fields = [];
    for (const set of sets)
      forEachField(info, set, seenFragments, (field) => field.name.value === name && fields.push(field), only);
    if (fields.length === 0) return [];
    sets = fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return fields;
}

/** The names of the fields selected below `fields` (through fragments, every alias together). */
function fieldNamesBelow(info: LookAheadInfo, fields: readonly FieldNode[]): Set<string> {
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  for (const field of fields)
    if (field.selectionSet)
      forEachField(info, field.selectionSet, seenFragments, (found) => names.add(found.name.value));
  return names;
}

const pageReads = new WeakMap<readonly FieldNode[], boolean>();

/**
 * Whether a connection's selection reads its page (edges, pageInfo), not only its `totalCount`: a total
 * alone is a count, no page need be read for it. Decided once per position (the document alone says).
 */
export function readsPage(info: LookAheadInfo): boolean {
  let reads = pageReads.get(info.fieldNodes);
  if (reads === undefined) {
    reads = false;
    for (const name of fieldNamesBelow(info, info.fieldNodes))
      if (name !== 'totalCount' && name !== '__typename') reads = true;
    pageReads.set(info.fieldNodes, reads);
  }
  return reads;
}

/**
 * Which selections a walk follows. By default every one (what a selection may read: a statement that
 * fetches a little more is never wrong). A walk that decides work done before the resolvers run (folds)
 * follows only what is sure to be executed: nothing under `@skip`/`@include` (the cost model prices those
 * by the variables; a fold would do their work unpriced) and no fragment on another object type.
 */
export interface SelectionFilter {
  unconditional: true;
  /** The object type whose fields are wanted, with the schema that tells object types from abstract ones. */
  type?: { name: string; schema: GraphQLSchema };
}

function isConditional(selection: SelectionNode): boolean {
  return (
    selection.directives?.some((directive) => directive.name.value === 'skip' || directive.name.value === 'include') ??
    false
  );
}

function appliesTo(typeCondition: NamedTypeNode | undefined, only: SelectionFilter | undefined): boolean {
  if (!typeCondition || !only?.type || typeCondition.name.value === only.type.name) return true;
  return !isObjectType(only.type.schema.getType(typeCondition.name.value));
}

/** The fields of a selection set, through inline fragments and named ones not yet followed (see SelectionFilter). */
export function forEachField(
  info: LookAheadInfo,
  root: SelectionSetNode,
  seenFragments: Set<string>,
  visitField: (field: FieldNode) => unknown,
  only?: SelectionFilter,
): void {
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (only && isConditional(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        visitField(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (appliesTo(selection.typeCondition, only)) visit(selection.selectionSet);
      } else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        const fragment = info.fragments[selection.name.value];
        if (fragment && appliesTo(fragment.typeCondition, only)) visit(fragment.selectionSet);
      }
    }
  };
  visit(root);
}

/** What a list's selection reads of its rows: the costly columns, and the to-one relations to join (with theirs). */
export interface ReadPlan {
  /** Costly columns of the rows themselves that the selection reads, in declaration order. */
  costly: readonly string[];
  /** The columns of the rows the selection reads, keys included (NODES[node].fields); null: every column. */
  columns: readonly string[] | null;
  joins: readonly JoinPlan[];
}

export interface JoinPlan {
  /** The relation's field (NODES[node].toOne). */
  field: string;
  /** Costly columns of the reached entity that the selection reads below the field. */
  costly: readonly string[];
  /** The columns of the reached entity the selection reads below the field (ENTITIES[…].fields); null: every one. */
  columns: readonly string[] | null;
}

/** Where a list's rows are below the list field: a connection's nodes, or the items of a plain list. */
export const CONNECTION_NODES = ['edges', 'node'] as const;
export const LIST_ITEMS = [] as const;

function costlyRead(declared: Readonly<Record<string, string>>, names: ReadonlySet<string>): string[] {
  return Object.entries(declared).flatMap(([field, column]) => (names.has(field) ? [column] : []));
}

/**
 * The columns fields `names` read and the keys, sorted (selections that read the same columns have the same
 * plan, and so the same statement); null when a field's columns are not declared (all are read).
 */
function columnsRead(declared: FieldColumns | undefined, names: ReadonlySet<string>): string[] | null {
  if (!declared) return null;
  const columns = new Set(declared.keys);
  for (const name of names) {
    if (name === '__typename') continue;
    const read = declared.byField[name];
    if (!read) return null;
    for (const column of read) columns.add(column);
  }
  return [...columns].sort();
}

/**
 * The plan of a list field's selection. One per field position of a request: graphql-js hands every item
 * of a list the same fieldNodes array for a child field, so a list level computes its plan once, whatever
 * its length. `@skip`/`@include` are not read: a plan may fetch a little more than a response shows, never less.
 */
const plans = new WeakMap<readonly FieldNode[], Map<string, ReadPlan>>();

export function readPlan(info: LookAheadInfo, node: NodeTypeName, path: readonly string[]): ReadPlan {
  let byNode = plans.get(info.fieldNodes);
  if (!byNode) plans.set(info.fieldNodes, (byNode = new Map<string, ReadPlan>()));
  const memoKey = `${node}|${path.join('.')}`;
  const known = byNode.get(memoKey);
  if (known) return known;
  const nodes = path.length === 0 ? info.fieldNodes : fieldsAt(info, path);
  const names = fieldNamesBelow(info, nodes);
  const declared = NODES[node];
  const joins: JoinPlan[] = [];
  for (const relation of declared.toOne) {
    if (!names.has(relation.field)) continue;
    const target = ENTITY_NODE[relation.target];
    const below = fieldNamesBelow(info, fieldsAt(info, [relation.field], nodes));
    joins.push({
      field: relation.field,
      costly: target ? costlyRead(NODES[target].costly, below) : [],
      columns: columnsRead(ENTITIES[relation.target].fields, below),
    });
  }
  const plan: ReadPlan = {
    costly: costlyRead(declared.costly, names),
    columns: columnsRead(declared.fields, names),
    joins,
  };
  byNode.set(memoKey, plan);
  return plan;
}

/**
 * The columns of an entity the selection below a field reads (the field resolves to that entity's row),
 * keys included; null: every column (a field whose columns are not declared). Once per field position.
 */
const entityColumnsByPosition = new WeakMap<readonly FieldNode[], Map<EntityName, readonly string[] | null>>();

export function entityColumnsRead(info: LookAheadInfo, entity: EntityName): readonly string[] | null {
  let byEntity = entityColumnsByPosition.get(info.fieldNodes);
  if (!byEntity)
    entityColumnsByPosition.set(info.fieldNodes, (byEntity = new Map<EntityName, readonly string[] | null>()));
  const known = byEntity.get(entity);
  if (known !== undefined) return known;
  const columns = columnsRead(ENTITIES[entity].fields, fieldNamesBelow(info, info.fieldNodes));
  byEntity.set(entity, columns);
  return columns;
}

/** The plan that reads everything and joins nothing: loads that do not come from a selection. */
export function wholeRows(node: NodeTypeName): ReadPlan {
  return { costly: Object.values(NODES[node].costly), columns: null, joins: [] };
}

/**
 * The variables a field position reads: in its arguments and directives and anywhere in its selection,
 * through fragments. Found once per position (a walk of its subtree, each fragment once): what the
 * document alone decides.
 */
const variablesByPosition = new WeakMap<readonly FieldNode[], readonly string[]>();

function variablesRead(info: LookAheadInfo): readonly string[] {
  const known = variablesByPosition.get(info.fieldNodes);
  if (known) return known;
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  const visitor = {
    Variable: (node: VariableNode) => void names.add(node.name.value),
    FragmentSpread: (node: FragmentSpreadNode) => {
      if (seenFragments.has(node.name.value)) return;
      seenFragments.add(node.name.value);
      const fragment = info.fragments[node.name.value];
      if (fragment) visit(fragment, visitor);
    },
  };
  for (const node of info.fieldNodes) visit(node, visitor);
  const read = [...names].sort();
  variablesByPosition.set(info.fieldNodes, read);
  return read;
}

/** Longest text of a position's variable values kept to recognise them in a later request; longer ones are not. */
const MAX_POSITION_KEY_LENGTH = 1024;

/** A request's own key, for values too long to keep as text: an empty object, alive as long as its variables. */
const requestTokens = new WeakMap<object, object>();
/** The keys a request's positions have, worked out once per request and position (not once per row). */
const keysOfRequest = new WeakMap<object, Map<readonly FieldNode[], string | object>>();

/**
 * The values of the variables a position reads, as text ('' when it reads none): two requests of a document
 * with the same text get the same key at that position, so a value kept under it serves both. Where that
 * text would be longer than MAX_POSITION_KEY_LENGTH, a token of the request's own, which no other request
 * has (and which keeps nothing of its variables alive).
 */
export function positionKey(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues'>,
): string | object {
  const variables = info.variableValues;
  let keys = keysOfRequest.get(variables);
  if (!keys) keysOfRequest.set(variables, (keys = new Map<readonly FieldNode[], string | object>()));
  const known = keys.get(info.fieldNodes);
  if (known !== undefined) return known;
  const names = variablesRead(info);
  // [value] or [] (not given): a variable left out is not one given as null.
  let key: string | object =
    names.length === 0 ? '' : JSON.stringify(names.map((name) => (name in variables ? [variables[name]] : [])));
  if (key.length > MAX_POSITION_KEY_LENGTH) {
    let token = requestTokens.get(variables);
    if (!token) requestTokens.set(variables, (token = {}));
    key = token;
  }
  keys.set(info.fieldNodes, key);
  return key;
}

interface PositionValue {
  /** The key (positionKey) of the variables it was made for. */
  key: string | object;
  value: unknown;
}

/**
 * A value made once per field position and the values of the variables that position reads: what a field's
 * resolver (or a fold) computes from its arguments and selection alone — a loader's args — is the same for
 * every item of the list above it and for every request of the document with those values. One object
 * for all of them lets the loader key it once (argsKeyOf, which remembers an object's text): a page's
 * args carry its read plan and folds, and writing them out again for each request was 2% of a worker's
 * busy time on a study page. Not for anything that depends on the parent or the viewer. One value per
 * position and name is kept: bounded by the documents kept.
 */
const positionValues = new WeakMap<readonly FieldNode[], Map<string, PositionValue>>();

export function atPosition<T>(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues'>,
  name: string,
  make: () => T,
): T {
  let values = positionValues.get(info.fieldNodes);
  if (!values) positionValues.set(info.fieldNodes, (values = new Map<string, PositionValue>()));
  const key = positionKey(info);
  const known = values.get(name);
  if (known && known.key === key) return known.value as T;
  const value = make();
  values.set(name, { key, value });
  return value;
}
