import { fragmentsByName } from '../graphql/fragments';
import {
  getNamedType,
  isCompositeType,
  isUnionType,
  Kind,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** The type of the team_productivity view's figures, which only its refresh changes. */
const TEAM_PRODUCTIVITY_TYPE = 'TeamProductivity';

/**
 * Whether an operation can select team productivity figures (a field of type TeamProductivity), read from
 * the document alone: its answer is then keyed with the team productivity generation, which a refresh
 * bumps. The walk is linear: each fragment is entered once, whatever its spreads, since its type condition
 * (not where it is spread) says what its fields are. Where a type cannot be told, the answer is yes: a
 * needless miss is the safe mistake.
 */
export function readsTeamProductivity(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  // Renamed in the schema, the type would match nothing and a refresh would retire nothing.
  if (!schema.getType(TEAM_PRODUCTIVITY_TYPE)) return true;
  const fragments = fragmentsByName(document);
  const enteredFragments = new Set<string>();
  const typeNamed = (name: string | undefined, otherwise: GraphQLCompositeType | undefined) => {
    if (name === undefined) return otherwise;
    const type = schema.getType(name);
    return isCompositeType(type) ? type : undefined;
  };

  const reads = (parent: GraphQLCompositeType | undefined, selectionSet: SelectionSetNode): boolean => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const field = parent && !isUnionType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (!field) return true;
        const target = getNamedType(field.type);
        if (target.name === TEAM_PRODUCTIVITY_TYPE) return true;
        if (selection.selectionSet && reads(isCompositeType(target) ? target : undefined, selection.selectionSet))
          return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (reads(typeNamed(selection.typeCondition?.name.value, parent), selection.selectionSet)) return true;
      } else if (!enteredFragments.has(selection.name.value)) {
        enteredFragments.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (!fragment || reads(typeNamed(fragment.typeCondition.name.value, undefined), fragment.selectionSet))
          return true;
      }
    }
    return false;
  };

  const root = schema.getRootType(operation.operation);
  return reads(root ?? undefined, operation.selectionSet);
}
