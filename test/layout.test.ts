import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PLUGIN_ORDER } from '../src/graphql/plugins';

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

  it('src/ is grouped by stage: at most ten files loose at its top', () => {
    const loose = readdirSync(path.join(ROOT, 'src')).filter((file) => file.endsWith('.ts'));
    assert.ok(loose.length <= 10, `loose in src/: ${loose.join(', ')}`);
  });

  it('the plugins run in their declared order: the cost dry run answers before the response cache could', () => {
    assert.ok(PLUGIN_ORDER.indexOf('cost') < PLUGIN_ORDER.indexOf('responseCache'));
    assert.ok(PLUGIN_ORDER.indexOf('staticCacheControl') < PLUGIN_ORDER.indexOf('responseCache'));
    assert.equal(new Set(PLUGIN_ORDER).size, PLUGIN_ORDER.length);
  });
});
