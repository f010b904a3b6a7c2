import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EmbeddedDatabaseBusyError, lockEmbeddedDatabase } from '../src/db/embedded-lock';

describe('embedded database lock', () => {
  it('refuses a directory held by another live process, takes over a stale lock, and releases', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'studygraph-lock-'));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(path.join(dir, 'studygraph.pid'), String(holder.pid));
      assert.throws(() => lockEmbeddedDatabase(dir), EmbeddedDatabaseBusyError);
    } finally {
      holder.kill();
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    const release = lockEmbeddedDatabase(dir);
    assert.equal(readFileSync(path.join(dir, 'studygraph.pid'), 'utf8'), String(process.pid));
    release();
    assert.equal(existsSync(path.join(dir, 'studygraph.pid')), false);
  });
});
