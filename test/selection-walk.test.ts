import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSchema,
  Kind,
  parse,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { fieldsAt, forEachField, type SelectionFilter } from '../loaders/selection';

/**
 * What a fold may do before the resolvers run is decided by walking the document: that walk must follow only
 * what is sure to be executed for the parent's type (loaders/selection.ts SelectionFilter), while a read
 * plan's walk follows everything a selection may read.
 */
const schema = buildSchema(`
  interface Node { id: ID! }
  type Study implements Node { id: ID! title: String comments: [Int] }
  type Organization implements Node { id: ID! name: String activity: [Int] }
  type Query { node: Node }
`);

const document = parse(`
  query ($with: Boolean!) {
    node {
      id
      ... on Study { title comments }
      ... on Organization { name activity }
      ... on Node { id }
      ... StudyParts
      ... OrganizationParts
      later: comments @include(if: $with)
      ... @skip(if: $with) { title }
      ... StudyParts @include(if: $with)
    }
  }
  fragment StudyParts on Study { comments }
  fragment OrganizationParts on Organization { activity }
`);

const operation = document.definitions[0] as OperationDefinitionNode;
const node = operation.selectionSet.selections[0] as FieldNode;
const fragments = Object.fromEntries(
  document.definitions
    .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
    .map((fragment) => [fragment.name.value, fragment]),
);
const info = { fieldNodes: [node], fragments };

function namesBelow(only?: SelectionFilter): string[] {
  const names: string[] = [];
  forEachField(
    info,
    node.selectionSet!,
    new Set(),
    (field) => names.push(field.alias?.value ?? field.name.value),
    only,
  );
  return names;
}

describe('walking a selection: what may be read, and what is sure to be executed', () => {
  it('without a filter, every field of every fragment, conditional or not', () => {
    assert.deepEqual(namesBelow(), [
      'id',
      'title',
      'comments',
      'name',
      'activity',
      'id',
      'comments',
      'activity',
      'later',
      'title',
    ]);
  });

  it('for one object type, only its own fragments and the abstract ones, and nothing under @skip or @include', () => {
    const sure: SelectionFilter = { unconditional: true, type: { name: 'Study', schema } };
    assert.deepEqual(namesBelow(sure), ['id', 'title', 'comments', 'id', 'comments']);
  });

  it('a path through conditional fields is not sure', () => {
    // `comments` in the inline fragment, in StudyParts, and as `later` under @include.
    assert.equal(fieldsAt(info, ['comments'], [node]).length, 3);
    assert.equal(fieldsAt(info, ['comments'], [node], { unconditional: true }).length, 2);
  });
});
