import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedData, decodeAnswer, encodeAnswer, stringifyResult } from '../src/cache/cached-answer';

const answer = {
  data: new CachedData('{"study":{"id":"1","title":"a \\"quoted\\"\\nline"}}', 7),
  cacheTime: 1_700_000_000_000,
  maxAge: 120,
  scope: 'PRIVATE' as const,
};

describe('cached answers', () => {
  it('decode what encode wrote, data text unchanged', () => {
    const decoded = decodeAnswer(encodeAnswer(answer))!;
    assert.deepEqual({ ...decoded, data: { ...decoded.data } }, { ...answer, data: { ...answer.data } });
    assert.ok(decoded.data instanceof CachedData);
  });

  it('anything else is not an answer: foreign text, old formats, a cut-off or padded value, a wrong header', () => {
    const whole = encodeAnswer(answer);
    for (const text of [
      'not json at all',
      '{"data":{"study":null},"cachePolicy":{"maxAge":120},"cacheTime":1}',
      whole.slice(0, -3),
      `${whole} `,
      whole.replace('"v":1', '"v":2'),
      whole.replace('"scope":"PRIVATE"', '"scope":"NOBODY"'),
      whole.replace('"cost":7', '"cost":"7"'),
      `null\n${answer.data.json}`,
      '',
    ]) {
      assert.equal(decodeAnswer(text), undefined, text);
    }
  });

  it('a response with cached data is written out as JSON.stringify would write the parsed data', () => {
    const data = JSON.parse(answer.data.json) as unknown;
    const extensions = { cost: { requestedQueryCost: 7, actualQueryCost: 7, throttleStatus: null } };
    const errors = [{ message: 'm', extensions: { code: 'X' } }];
    for (const result of [{}, { extensions }, { errors }, { errors, extensions }] as {
      errors?: unknown;
      extensions?: unknown;
    }[]) {
      // Apollo hands over the fields in this order, undefined ones included.
      const ordered = { errors: result.errors, data: answer.data, extensions: result.extensions };
      assert.equal(stringifyResult(ordered), JSON.stringify({ ...ordered, data }));
    }
    assert.equal(stringifyResult({ data: { a: 1 }, extensions }), JSON.stringify({ data: { a: 1 }, extensions }));
  });
});
