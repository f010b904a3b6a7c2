import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

type LookAheadInfo = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

/**
 * Every field node at `path` below `from` (the field being resolved, unless given): by field names, through
 * fragments, every alias together; empty when `path` is not selected. A loader can then fetch in the same
 * statement what the next levels will read, and only that. Each selection set and fragment is read once
 * per level of the (short) path: linear in the document.
 */
export function fieldsAt(info: LookAheadInfo, path: readonly string[], from: readonly FieldNode[] = info.fieldNodes): FieldNode[] {
  let sets: SelectionSetNode[] = from.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  let fields: FieldNode[] = [];
  for (const name of path) {
    // One set of followed fragments per level: a fragment's fields are the same wherever it is spread.
    const seenFragments = new Set<string>();
    fields = [];
    for (const set of sets) forEachField(info, set, seenFragments, (field) => field.name.value === name && fields.push(field));
    if (fields.length === 0) return [];
    sets = fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return fields;
}

/** The names of the fields selected below `fields` (through fragments, every alias together). */
export function fieldNamesBelow(info: LookAheadInfo, fields: readonly FieldNode[]): Set<string> {
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  for (const field of fields) if (field.selectionSet) forEachField(info, field.selectionSet, seenFragments, (found) => names.add(found.name.value));
  return names;
}

/** The fields of a selection set, through inline fragments and named ones not yet followed. */
function forEachField(info: LookAheadInfo, root: SelectionSetNode, seenFragments: Set<string>, visitField: (field: FieldNode) => unknown): void {
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
