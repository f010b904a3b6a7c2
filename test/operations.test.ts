import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse, validate } from 'graphql';
import { buildOperationManifest, loadOperationManifest } from '../src/cache/persisted-queries';
import { buildGatewaySchema } from '../src/graphql/build-schema';

const OPERATIONS = path.resolve(__dirname, '../../schema/operations');

describe('saved operations (schema/operations)', () => {
  it('every file parses and validates against the schema', async () => {
    const schema = await buildGatewaySchema();
    const files = (await readdir(OPERATIONS)).filter((file) => file.endsWith('.graphql'));
    assert.ok(files.length >= 3);
    for (const file of files) {
      const errors = validate(schema, parse(await readFile(path.join(OPERATIONS, file), 'utf8')));
      assert.deepEqual(
        errors.map((e) => e.message),
        [],
        file,
      );
    }
  });

  it('manifest.json lists exactly these operations (run `npm run schema:emit` after editing them)', () => {
    assert.deepEqual(loadOperationManifest(), buildOperationManifest());
  });
});
