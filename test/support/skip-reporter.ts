import path from 'node:path';
import type { TestEvent } from 'node:test/reporters';

interface Skipped {
  kind: 'suite' | 'test';
  name: string;
  file: string | undefined;
  reason: string;
}

/**
 * A reporter beside `spec` for `npm test`: node's summary counts skipped tests but not skipped suites
 * (a suite that needs PostgreSQL, Redis or server binaries skips all its tests uncounted), so every
 * skipped suite and test is listed at the end with its reason.
 */
async function* skipReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const skipped: Skipped[] = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, name, file, details } = event.data;
    if (skip === undefined || skip === false) continue;
    skipped.push({
      kind: details.type === 'suite' ? 'suite' : 'test',
      name,
      file,
      reason: skip === true ? 'no reason given' : skip,
    });
  }
  const suites = skipped.filter((s) => s.kind === 'suite').length;
  const tests = skipped.length - suites;
  if (skipped.length === 0) {
    yield 'ℹ skipped suites 0, skipped tests 0\n';
    return;
  }
  yield `ℹ skipped suites ${suites}, skipped tests ${tests} (the counts above leave out the tests of skipped suites):\n`;
  for (const s of skipped) {
    const where = s.file ? ` (${path.relative(process.cwd(), s.file)})` : '';
    yield `  ﹣ ${s.kind} “${s.name}”${where}: ${s.reason}\n`;
  }
}

// node's --test-reporter loads the module's own export (module.exports), not an ES `default`.
export = skipReporter;
