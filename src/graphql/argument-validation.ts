import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import type { ValidatorFn } from 'type-graphql';
import { GraphQLError } from 'graphql';
import { ErrorCode } from './errors';

interface Violation {
  /** Property path inside the argument, e.g. `title` of `input`, `filter.createdById` of the field's args. */
  path: string;
  constraints: string[];
}

function flatten(errors: ValidationError[], prefix: string): Violation[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ path, constraints: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

const declaresRules = new WeakMap<object, boolean>();

/**
 * Whether class-validator has any rule for this class (its own or inherited; nested inputs are validated
 * only through a rule of the parent, @ValidateNested). Most argument classes (a page's `first`/`after`)
 * have none, and validate() would still walk them on every field of every request.
 */
function hasRules(value: object): boolean {
  const constructor = value.constructor;
  if (typeof constructor !== 'function') return true;
  let known = declaresRules.get(constructor);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(constructor, '', true, false).length > 0;
    declaresRules.set(constructor, known);
  }
  return known;
}

/**
 * Runs the inputs' class-validator rules and reports every violation at once as BAD_USER_INPUT, with
 * the messages in the error (type-graphql's default says only "Argument Validation Error").
 */
export const validateArguments: ValidatorFn = async (argValue) => {
  if (argValue === null || typeof argValue !== 'object') return;
  const values: unknown[] = Array.isArray(argValue) ? argValue : [argValue];
  const violations: Violation[] = [];
  for (const value of values) {
    if (value === null || typeof value !== 'object' || !hasRules(value)) continue;
    const errors = await validate(value, {
      forbidUnknownValues: false,
      validationError: { target: false, value: false },
    });
    violations.push(...flatten(errors, ''));
  }
  if (violations.length === 0) return;
  const message = violations.flatMap((v) => v.constraints).join('; ');
  throw new GraphQLError(`Invalid arguments: ${message}.`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, validationErrors: violations },
  });
};
