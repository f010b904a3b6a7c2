import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { ENTITY_NODE, NODES, type NodeTypeName } from './relations';

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
): FieldNode[] {
  let sets: SelectionSetNode[] = from.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  let fields: FieldNode[] = [];
  for (const name of path) {
    // One set of followed fragments per level: a fragment's fields are the same wherever it is spread.
    const seenFragments = new Set<string>();
    fields = [];
    for (const set of sets)
      forEachField(info, set, seenFragments, (field) => field.name.value === name && fields.push(field));
    if (fields.length === 0) return [];
    sets = fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return fields;
}

/** The names of the fields selected below `fields` (through fragments, every alias together). */
export function fieldNamesBelow(info: LookAheadInfo, fields: readonly FieldNode[]): Set<string> {
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  for (const field of fields)
    if (field.selectionSet)
      forEachField(info, field.selectionSet, seenFragments, (found) => names.add(found.name.value));
  return names;
}

/** The fields of a selection set, through inline fragments and named ones not yet followed. */
export function forEachField(
  info: LookAheadInfo,
  root: SelectionSetNode,
  seenFragments: Set<string>,
  visitField: (field: FieldNode) => unknown,
): void {
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        visitField(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        const fragment = info.fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(root);
}

/** What a list's selection reads of its rows: the costly columns, and the to-one relations to join (with theirs). */
export interface ReadPlan {
  /** Costly columns of the rows themselves that the selection reads, in declaration order. */
  costly: readonly string[];
  joins: readonly JoinPlan[];
}

export interface JoinPlan {
  /** The relation's field (NODES[node].toOne). */
  field: string;
  /** Costly columns of the reached entity that the selection reads below the field. */
  costly: readonly string[];
}

/** Where a list's rows are below the list field: a connection's nodes, or the items of a plain list. */
export const CONNECTION_NODES = ['edges', 'node'] as const;
export const LIST_ITEMS = [] as const;

function costlyRead(declared: Readonly<Record<string, string>>, names: ReadonlySet<string>): string[] {
  return Object.entries(declared).flatMap(([field, column]) => (names.has(field) ? [column] : []));
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
    const below = target ? fieldNamesBelow(info, fieldsAt(info, [relation.field], nodes)) : new Set<string>();
    joins.push({ field: relation.field, costly: target ? costlyRead(NODES[target].costly, below) : [] });
  }
  const plan: ReadPlan = { costly: costlyRead(declared.costly, names), joins };
  byNode.set(memoKey, plan);
  return plan;
}

/** The plan that reads everything and joins nothing: loads that do not come from a selection. */
export function wholeRows(node: NodeTypeName): ReadPlan {
  return { costly: Object.values(NODES[node].costly), joins: [] };
}

/**
 * A value made once per field position and variables: what a field's resolver computes from its arguments
 * and selection alone (a loader's args) is the same for every item of the list above it, and one object
 * for all of them lets the loader key it once (argsKeyOf). Not for anything that depends on the parent.
 */
const positionValues = new WeakMap<readonly FieldNode[], Map<string, { variables: unknown; value: unknown }>>();

export function atPosition<T>(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'variableValues'>,
  name: string,
  make: () => T,
): T {
  let values = positionValues.get(info.fieldNodes);
  if (!values)
    positionValues.set(info.fieldNodes, (values = new Map<string, { variables: unknown; value: unknown }>()));
  const known = values.get(name);
  if (known && known.variables === info.variableValues) return known.value as T;
  const value = make();
  values.set(name, { variables: info.variableValues, value });
  return value;
}
