import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Max, Min } from 'class-validator';
import { GraphQLError } from 'graphql';
import { MAX_REMEMBERED_BYTES, rememberedValidationBytes, validateArguments } from '../src/graphql/argument-validation';
import { MaxLength } from 'class-validator';

class SmallCount {
  @Min(1)
  @Max(5)
  count!: number;
}

class LargeCount {
  @Min(1)
  @Max(50)
  count!: number;
}

class Note {
  @MaxLength(1000)
  text!: string;
}

const argsOf = <T extends object>(Class: new () => T, values: T): T => Object.assign(new Class(), values);
const validate = async (value: object): Promise<void> => {
  await validateArguments(value, value.constructor as never, undefined as never);
};

function refusedAsBadInput(error: unknown): boolean {
  assert.ok(error instanceof GraphQLError);
  assert.equal(error.extensions.code, 'BAD_USER_INPUT');
  return true;
}

describe('argument validation: what passed once is remembered, nothing that fails is', () => {
  it('refuses a value out of range after the same class let valid values through', async () => {
    await validate(argsOf(SmallCount, { count: 3 }));
    await validate(argsOf(SmallCount, { count: 3 }));
    await assert.rejects(validate(argsOf(SmallCount, { count: 0 })), refusedAsBadInput);
    // Refused again: a refusal is never remembered as a pass.
    await assert.rejects(validate(argsOf(SmallCount, { count: 0 })), refusedAsBadInput);
  });

  it('passes a value without a class of its own, which can carry no rules, instead of failing on it', async () => {
    const classless = Object.assign(Object.create(null) as object, { count: 0 });
    await validate(classless);
    await validate(classless);
  });

  it('keeps the classes apart: a value that passed for one class is still checked for another', async () => {
    await validate(argsOf(LargeCount, { count: 10 }));
    await assert.rejects(validate(argsOf(SmallCount, { count: 10 })), refusedAsBadInput);
  });

  it('stays within its byte bound under a flood of distinct valid values', async () => {
    for (let index = 0; index < 4000; index += 1) await validate(argsOf(Note, { text: `${index}:${'x'.repeat(900)}` }));
    const held = rememberedValidationBytes();
    assert.ok(held > MAX_REMEMBERED_BYTES / 2, `the flood filled the cache (${held} bytes)`);
    assert.ok(held <= MAX_REMEMBERED_BYTES, `${held} bytes held, over ${MAX_REMEMBERED_BYTES}`);
  });
});
