import { Kind, type DocumentNode, type FragmentDefinitionNode } from 'graphql';

/** A document's named fragments, by name: what every walk over an operation follows its spreads with. */
export function fragmentsByName(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return fragments;
}
