import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './support/gateway';
import { seriesValue } from './support/metrics';

describe('requests by client', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway();
  });
  after(() => gateway?.close());

  const count = (labels: string) => seriesValue(gateway.url, `studygraph_requests_by_client_total{${labels}}`);

  it('counts signed-in requests by apollographql-client-name/-version, with absent, odd and surplus values bounded', async () => {
    const token = await gateway.tokenFor('analyst@example.com');
    const ask = (headers: Record<string, string>) => gateway.graphql('{ __typename }', { headers, token });
    await ask({ 'apollographql-client-name': 'web-dashboard', 'apollographql-client-version': '1.4.2' });
    await ask({ 'apollographql-client-name': 'web-dashboard', 'apollographql-client-version': '1.4.2' });
    await ask({});
    await ask({ 'apollographql-client-name': 'x'.repeat(200) });
    assert.equal(await count('client_name="web-dashboard",client_version="1.4.2",outcome="ok"'), 2);
    assert.equal(await count('client_name="unknown",client_version="unknown",outcome="ok"'), 1);
    assert.equal(await count('client_name="invalid",client_version="unknown",outcome="ok"'), 1);
    // Beyond 50 distinct names, the rest share one label.
    for (let i = 0; i < 60; i += 1) await ask({ 'apollographql-client-name': `client-${i}` });
    assert.equal(await count('client_name="other",client_version="unknown",outcome="ok"'), 60 - 49);
    // Anonymous callers name no client: they cannot use up the labels.
    await gateway.graphql('{ __typename }', { headers: { 'apollographql-client-name': 'spoof' } });
    assert.equal(await count('client_name="anonymous",client_version="anonymous",outcome="ok"'), 1);
    assert.equal(await count('client_name="spoof",client_version="unknown",outcome="ok"'), 0);
  });
});
