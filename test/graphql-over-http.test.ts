import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditServer, type AuditResult } from 'graphql-http';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * The GraphQL over HTTP specification's own conformance audit (graphql-http's serverAudits: every MUST,
 * SHOULD and MAY it checks) against a real gateway, as a client that sends the preflight header the
 * specification's CSRF note names (`GraphQL-Require-Preflight`) would meet it.
 */
describe('GraphQL over HTTP: the graphql-http server audit', () => {
  let gateway: TestGateway;
  let results: AuditResult[];

  before(async () => {
    gateway = await startTestGateway();
    const token = await gateway.tokenFor('analyst@example.com');
    results = await auditServer({
      url: `${gateway.url}/graphql`,
      fetchFn: (input: string | URL | Request, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        headers.set('graphql-require-preflight', '1');
        headers.set('authorization', `Bearer ${token}`);
        return fetch(input, { ...init, headers });
      },
    });
  });
  after(() => gateway?.close());

  const failing = (level: string) =>
    results
      .filter((result) => result.name.startsWith(level) && result.status !== 'ok')
      .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);

  it('passes every MUST', () => {
    assert.ok(results.filter((r) => r.name.startsWith('MUST')).length >= 13);
    assert.deepEqual(failing('MUST'), []);
  });

  it('passes every SHOULD', () => {
    assert.deepEqual(failing('SHOULD'), []);
  });

  it('a request error is 200 under the media type the client gets as application/json, 4xx under the other (q-values count)', async () => {
    const broken = JSON.stringify({ query: '{' });
    const cases: [string, number, string][] = [
      ['application/json', 200, 'application/json'],
      ['application/graphql-response+json', 400, 'application/graphql-response+json'],
      ['application/json;q=0.5, application/graphql-response+json', 400, 'application/graphql-response+json'],
      ['application/graphql-response+json;q=0.5, application/json', 200, 'application/json'],
    ];
    for (const [accept, status, type] of cases) {
      const response = await gateway.post(broken, { accept });
      assert.equal(response.status, status, accept);
      assert.match(response.headers.get('content-type') ?? '', new RegExp(`^${type.replace('+', '\\+')}`), accept);
    }
  });

  it('passes every MAY', () => {
    assert.deepEqual(failing('MAY'), []);
  });
});
