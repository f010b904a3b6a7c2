import { IsOptional, Matches } from 'class-validator';
import { Field, ID } from 'type-graphql';
import { UUID_PATTERN } from './input-limits';

export interface UuidFieldOptions {
  description?: string;
  /** May be left out or null (then it is not checked). */
  nullable?: boolean;
}

/**
 * An `ID` input field or argument that must be a UUID: anything else is BAD_USER_INPUT naming the field,
 * before a statement is sent. One decorator for what every id of every input says.
 */
export function UuidField(options: UuidFieldOptions = {}): PropertyDecorator {
  const decorators: PropertyDecorator[] = [
    Field(() => ID, options),
    ...(options.nullable ? [IsOptional()] : []),
    Matches(UUID_PATTERN, { message: '$property must be a UUID' }),
  ];
  return (target, propertyKey) => {
    for (const decorate of decorators) decorate(target, propertyKey);
  };
}
