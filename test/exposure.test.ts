import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './support/gateway';

const METRICS_TOKEN = 'scrape-secret-0123456789';

describe('what the gateway tells whoever asks', () => {
  let gateway: TestGateway;
  let metricsPort: string;

  before(async () => {
    gateway = await startTestGateway({ seed: 'small', config: { metrics: { token: METRICS_TOKEN, port: 0 } } });
    // main.ts listens on METRICS_PORT; here any free port.
    await gateway.gateway.metricsApp!.listen({ host: '127.0.0.1', port: 0 });
    metricsPort = String((gateway.gateway.metricsApp!.server.address() as { port: number }).port);
  });
  after(() => gateway?.close());

  it('/metrics on the gateway’s port needs METRICS_TOKEN when one is set, even from loopback', async () => {
    const without = await fetch(`${gateway.url}/metrics`);
    assert.equal(without.status, 401);
    assert.equal(
      ((await without.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code,
      'UNAUTHENTICATED',
    );
    assert.match(without.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal(
      (await fetch(`${gateway.url}/metrics`, { headers: { authorization: 'Bearer wrong-secret-0123456789' } })).status,
      401,
    );
    const scraped = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /studygraph_request_duration_seconds/);
  });

  it('METRICS_PORT serves /metrics alone, and nothing else', async () => {
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /studygraph_/);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/graphql`)).status, 404);
  });
});

describe('/metrics without a token', () => {
  it('answers loopback callers only, and not what a proxy on the same host forwarded', async () => {
    const gateway = await startTestGateway({ seed: 'none' });
    try {
      assert.equal((await fetch(`${gateway.url}/metrics`)).status, 200);
      for (const headers of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }]) {
        const forwarded = await fetch(`${gateway.url}/metrics`, { headers });
        assert.equal(forwarded.status, 403);
        assert.equal(
          ((await forwarded.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code,
          'FORBIDDEN',
        );
      }
    } finally {
      await gateway.close();
    }
  });
});

describe('the demo token is a development convenience', () => {
  it('is never handed out in production, whatever SANDBOX says', async () => {
    const production = await startTestGateway({
      seed: 'none',
      config: { env: 'production', sandbox: true, autoSeed: true },
    });
    try {
      assert.equal(production.gateway.demoToken, undefined);
      const page = await (await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } })).text();
      assert.doesNotMatch(page, /eyJ[A-Za-z0-9_-]+\.eyJ/, 'no token in the landing page');
    } finally {
      await production.close();
    }
    const development = await startTestGateway({
      seed: 'none',
      config: { env: 'development', sandbox: true, autoSeed: true },
    });
    try {
      assert.ok(development.gateway.demoToken, 'in development the analyst’s token is there');
    } finally {
      await development.close();
    }
  });
});
