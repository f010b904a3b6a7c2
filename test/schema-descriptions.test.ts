import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { buildGatewaySchema } from '../src/graphql/build-schema';

/**
 * Every element a client sees in Sandbox or an IDE, and whether it lacks a description: types (the root
 * types included), fields, their arguments, input fields, enum values, our directives and their arguments.
 * GraphQL's own scalars, directives and introspection types are graphql's to describe.
 */
function walk(schema: GraphQLSchema): { checked: number; undescribed: string[] } {
  let checked = 0;
  const undescribed: string[] = [];
  const check = (element: { description?: string | null }, name: string) => {
    checked++;
    if (!element.description?.trim()) undescribed.push(name);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    check(type, `type ${type.name}`);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(field, `field ${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) check(arg, `arg ${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) check(value, `enum ${type.name}.${value.name}`);
  }
  for (const directive of schema.getDirectives()) {
    if (isSpecifiedDirective(directive)) continue;
    check(directive, `directive @${directive.name}`);
    for (const arg of directive.args) check(arg, `directive-arg @${directive.name}(${arg.name})`);
  }
  return { checked, undescribed };
}

describe('schema descriptions', () => {
  it('every type, field, argument, input field, enum value and directive of the served schema is described', async () => {
    const { checked, undescribed } = walk(await buildGatewaySchema());
    // The walk reached the schema (its 400-odd elements), so an empty list means described, not unvisited.
    assert.ok(checked > 300, `elements checked: ${checked}`);
    assert.deepEqual(undescribed, [], 'describe each where it is declared, then `npm run schema:emit`');
  });

  it('the walk finds what lacks a description, root types, arguments, enum values and directives included', () => {
    const schema = buildSchema(`
      """A directive."""
      directive @hint(level: Int) on FIELD_DEFINITION
      type Query {
        """Described."""
        a(x: Int): E
        b: Int
      }
      """Described."""
      enum E { ONE }
    `);
    assert.deepEqual(walk(schema).undescribed.sort(), [
      'arg Query.a(x)',
      'directive-arg @hint(level)',
      'enum E.ONE',
      'field Query.b',
      'type Query',
    ]);
  });
});
