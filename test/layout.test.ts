import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '../..');

describe('layout', () => {
  it('resolvers read through loaders and write through services: none holds Kysely or a repository', () => {
    const folder = path.join(ROOT, 'resolvers');
    const files = readdirSync(folder).filter((file) => file.endsWith('.ts'));
    assert.ok(files.length > 10);
    for (const file of files) {
      const source = readFileSync(path.join(folder, file), 'utf8');
      assert.doesNotMatch(source, /from ['"]kysely['"]/, `${file} imports Kysely`);
      assert.doesNotMatch(source, /db\/repositories/, `${file} imports a repository`);
      assert.doesNotMatch(source, /services\.db\b/, `${file} reaches for the database`);
      assert.doesNotMatch(source, /\brepositories\b/, `${file} writes past the services (src/services/)`);
    }
  });
});
