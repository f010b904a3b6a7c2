import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { atPosition } from '../loaders/selection';

/** A document's `comments` field position, as a resolver's info gives it (fieldNodes, fragments). */
function commentsPosition(text: string) {
  const document = parse(text);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  )!;
  const study = operation.selectionSet.selections[0] as FieldNode;
  const comments = study.selectionSet!.selections[0] as FieldNode;
  const fieldNodes = [comments];
  return (variableValues: Record<string, unknown>) => ({ fieldNodes, fragments, variableValues });
}

const DOCUMENT = `query Q($id: ID!, $first: Int, $authorField: Boolean, $unused: String) {
  study(id: $id) { comments(first: $first) { ...Page } }
}
fragment Page on CommentConnection { edges { node { body author @include(if: $authorField) { name } } } }`;

/** A maker that counts what it made. */
function counting() {
  let made = 0;
  return { make: () => ({ made: ++made }), made: () => made };
}

describe('atPosition: one value per field position and the values of the variables it reads', () => {
  it('requests with the same values of the variables read there share the value; other variables do not matter', () => {
    const at = commentsPosition(DOCUMENT);
    const { make, made } = counting();
    const first = atPosition(at({ id: 'a', first: 5, authorField: true }), 'comments', make);
    // Another request (another variables object), another study: $id is read above the position, not in it.
    const second = atPosition(at({ id: 'b', first: 5, authorField: true, unused: 'x' }), 'comments', make);
    assert.equal(second, first);
    assert.equal(made(), 1);
  });

  it('a variable read in the arguments or, through a fragment, in a directive below makes the value again', () => {
    const at = commentsPosition(DOCUMENT);
    const { make, made } = counting();
    const base = atPosition(at({ id: 'a', first: 5, authorField: true }), 'comments', make);
    const otherFirst = atPosition(at({ id: 'a', first: 6, authorField: true }), 'comments', make);
    assert.notEqual(otherFirst, base);
    const otherDirective = atPosition(at({ id: 'a', first: 6, authorField: false }), 'comments', make);
    assert.notEqual(otherDirective, otherFirst);
    // Left out is not the same as given null.
    const leftOut = atPosition(at({ id: 'a', authorField: false }), 'comments', make);
    const givenNull = atPosition(at({ id: 'a', first: null, authorField: false }), 'comments', make);
    assert.notEqual(givenNull, leftOut);
    assert.equal(made(), 5);
  });

  it('values too long to keep as text are shared within a request only', () => {
    const at = commentsPosition(DOCUMENT);
    const { make, made } = counting();
    const long = 'x'.repeat(2000);
    const variables = { id: 'a', first: 5, authorField: long };
    const once = atPosition(at(variables), 'comments', make);
    assert.equal(atPosition(at(variables), 'comments', make), once);
    assert.notEqual(atPosition(at({ ...variables }), 'comments', make), once);
    assert.equal(made(), 2);
  });

  it('keeps one value per position and name, whatever values a client sends: a flood of distinct ones keeps only the last', () => {
    const at = commentsPosition(DOCUMENT);
    const { make, made } = counting();
    const first = atPosition(at({ id: 'a', first: 1, authorField: true }), 'comments', make);
    for (let n = 2; n <= 1000; n++) atPosition(at({ id: 'a', first: n, authorField: true }), 'comments', make);
    assert.equal(made(), 1000);
    // The first values' value was replaced, not kept beside the others: asked again, it is made again.
    assert.notEqual(atPosition(at({ id: 'a', first: 1, authorField: true }), 'comments', make), first);
    assert.equal(made(), 1001);
  });
});
