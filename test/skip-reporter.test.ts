import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestEvent } from 'node:test/reporters';
import skipReporter from './support/skip-reporter';

function passed(name: string, type: 'suite' | 'test', skip?: string | boolean): TestEvent {
  return {
    type: 'test:pass',
    data: {
      name,
      nesting: 0,
      testNumber: 1,
      file: `${process.cwd()}/dist/test/x.test.js`,
      skip,
      details: { duration_ms: 0, type },
    },
  } as unknown as TestEvent;
}

async function report(events: TestEvent[]): Promise<string> {
  async function* source() {
    yield* events;
  }
  let text = '';
  for await (const chunk of skipReporter(source())) text += chunk;
  return text;
}

describe('npm test’s skip reporter', () => {
  it('names every skipped suite and test with its reason, and counts the suites node’s summary leaves out', async () => {
    const text = await report([
      passed('PostgreSQL restarted under load', 'suite', 'needs PostgreSQL server binaries'),
      passed('runs', 'test'),
      passed('keeps limiting while Redis is down', 'test', 'needs redis-server'),
      passed('fine', 'suite'),
    ]);
    assert.match(text, /skipped suites 1, skipped tests 1/);
    assert.match(
      text,
      /suite “PostgreSQL restarted under load” \(dist\/test\/x\.test\.js\): needs PostgreSQL server binaries/,
    );
    assert.match(text, /test “keeps limiting while Redis is down” .*: needs redis-server/);
    assert.doesNotMatch(text, /“fine”|“runs”/);
  });

  it('says so when nothing was skipped', async () => {
    assert.equal(await report([passed('fine', 'suite')]), 'ℹ skipped suites 0, skipped tests 0\n');
  });
});
