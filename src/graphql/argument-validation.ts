import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import { LRUCache } from 'lru-cache';
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
  // Rules are declared on classes: a value without one (a null-prototype object) has none to check, and
  // class-validator would throw on it.
  if (typeof constructor !== 'function') return false;
  let known = declaresRules.get(constructor);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(constructor, '', true, false).length > 0;
    declaresRules.set(constructor, known);
  }
  return known;
}

/** Keys longer than this (a long text input) are validated every time rather than kept. */
const MAX_REMEMBERED_KEY_LENGTH = 1024;
/** What the remembered keys may hold at most, counted as UTF-16 (two bytes a character). */
export const MAX_REMEMBERED_BYTES = 1024 * 1024;

/**
 * Argument values that passed their class's rules, as `<class number>|<JSON>`. The rules are pure (sizes,
 * lengths, patterns), so a value that passed once passes again: a field inside a list is resolved once per
 * row with the same arguments (a page of organizations, each with `studies(first: 5)`), and validating each
 * was 4% of a worker's busy time on such a page. Bounded in bytes (MAX_REMEMBERED_BYTES), whatever values clients send.
 */
const knownValid = new LRUCache<string, true>({
  maxSize: MAX_REMEMBERED_BYTES,
  sizeCalculation: (_value, key) => key.length * 2,
});

/** Bytes the remembered keys hold now (tests: the bound holds under a flood of distinct values). */
export function rememberedValidationBytes(): number {
  return knownValid.calculatedSize;
}
const classNumbers = new WeakMap<object, number>();
let classesNumbered = 0;

function validKey(value: object): string | undefined {
  let number = classNumbers.get(value.constructor);
  if (number === undefined) classNumbers.set(value.constructor, (number = classesNumbered++));
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    return undefined;
  }
  return json.length > MAX_REMEMBERED_KEY_LENGTH ? undefined : `${number}|${json}`;
}

/**
 * Whether an argument value is known to pass without running anything: its class has no rules, or this very
 * value passed them before. Lets a caller skip validateArguments' promise (see direct-field-resolvers.ts).
 */
export function passesWithoutValidation(value: object): boolean {
  if (!hasRules(value)) return true;
  const key = validKey(value);
  // get, not has: a hit counts as recent use, so the values every request repeats stay.
  return key !== undefined && knownValid.get(key) === true;
}

/**
 * Runs the inputs' class-validator rules and reports every violation at once as BAD_USER_INPUT, with
 * the messages in the error (type-graphql's default says only "Argument Validation Error").
 */
export const validateArguments: ValidatorFn = (argValue) => validateArgumentValue(argValue);

/** validateArguments for one argument value, as direct-field-resolvers.ts calls it. */
export async function validateArgumentValue(argValue: unknown): Promise<void> {
  if (argValue === null || typeof argValue !== 'object') return;
  const values: unknown[] = Array.isArray(argValue) ? argValue : [argValue];
  const violations: Violation[] = [];
  for (const value of values) {
    if (value === null || typeof value !== 'object' || passesWithoutValidation(value)) continue;
    const errors = await validate(value, {
      forbidUnknownValues: false,
      validationError: { target: false, value: false },
    });
    const key = errors.length === 0 ? validKey(value) : undefined;
    if (key !== undefined) knownValid.set(key, true);
    violations.push(...flatten(errors, ''));
  }
  if (violations.length === 0) return;
  const message = violations.flatMap((v) => v.constraints).join('; ');
  throw new GraphQLError(`Invalid arguments: ${message}.`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, validationErrors: violations },
  });
}
