import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects `path` below it (by field names, through fragments, whatever
 * the aliases), so that a loader can fetch what the next level will ask for in the same statement. Each
 * selection set and fragment is read once per level of the (short) path: linear in the document.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const [depth, name] of path.entries()) {
    // One set of followed fragments per level: a fragment's fields are the same wherever it is spread.
    const seenFragments = new Set<string>();
    const fields = sets.flatMap((set) => fieldsNamed(info, set, name, seenFragments));
    if (fields.length === 0) return false;
    if (depth === path.length - 1) return true;
    sets = fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return false;
}

/** The fields called `name` in a selection set, through inline fragments and named ones not yet followed. */
function fieldsNamed(info: GraphQLResolveInfo, root: SelectionSetNode, name: string, seenFragments: Set<string>): FieldNode[] {
  const found: FieldNode[] = [];
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name) found.push(selection);
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
  return found;
}
