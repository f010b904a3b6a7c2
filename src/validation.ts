import { validate, type ValidationError } from 'class-validator';
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

/**
 * Runs the inputs' class-validator rules and reports every violation at once as BAD_USER_INPUT, with
 * the messages in the error (type-graphql's default says only "Argument Validation Error").
 */
export const validateArguments: ValidatorFn = async (argValue) => {
  if (argValue === null || typeof argValue !== 'object') return;
  const values: unknown[] = Array.isArray(argValue) ? argValue : [argValue];
  const violations: Violation[] = [];
  for (const value of values) {
    if (value === null || typeof value !== 'object') continue;
    const errors = await validate(value, { forbidUnknownValues: false, validationError: { target: false, value: false } });
    violations.push(...flatten(errors, ''));
  }
  if (violations.length === 0) return;
  const message = violations.flatMap((v) => v.constraints).join('; ');
  throw new GraphQLError(`Invalid arguments: ${message}.`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, validationErrors: violations },
  });
};
