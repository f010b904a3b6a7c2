import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

type LookAheadInfo = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>;

/**
 * The names of the fields selected below `path` under the field being resolved (by field names, through
 * fragments, every alias together), or null when `path` is not selected: what the levels after it will
 * read, so that a loader can fetch that in the same statement, and only that. Each selection set and
 * fragment is read once per level of the (short) path: linear in the document.
 */
export function fieldNamesBelow(info: LookAheadInfo, path: readonly string[]): Set<string> | null {
  const fields = fieldsAt(info, path);
  if (fields.length === 0) return null;
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  for (const field of fields) if (field.selectionSet) forEachField(info, field.selectionSet, seenFragments, (found) => names.add(found.name.value));
  return names;
}

/** Every field node at `path` below the field being resolved. */
function fieldsAt(info: LookAheadInfo, path: readonly string[]): FieldNode[] {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
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
