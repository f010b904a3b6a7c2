import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from './support/browser';
import { startTestGateway, type TestGateway } from './support/gateway';

describe(
  'the landing page in a real browser, offline',
  { skip: CHROMIUM ? false : 'needs chromium on this machine' },
  () => {
    let gateway: TestGateway;
    let browser: Browser;
    before(async () => {
      // Seeded at start (not after), so that the gateway has the demo token to show, as `npm start` does.
      gateway = await startTestGateway({
        seed: 'none',
        config: { sandbox: true, introspection: true, autoSeed: true },
      });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    });
    after(async () => {
      await browser?.close();
      await gateway?.close();
    });

    it('shows our own page when Sandbox cannot load: the demo token, a curl line that works, the schema link, no script error', async () => {
      const context = await browser.newContext();
      // Offline as far as Apollo's CDN goes: every request off this gateway fails.
      const gatewayOrigin = new URL(gateway.url).origin;
      await context.route(
        (url) => url.origin !== gatewayOrigin,
        (route) => route.abort('internetdisconnected'),
      );
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        // The blocked CDN request is the offline condition itself; anything else is a fault of the page.
        if (message.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|net::ERR_FAILED/.test(message.text()))
          problems.push(message.text());
      });
      const response = await page.goto(`${gateway.url}/graphql`, { waitUntil: 'load' });
      assert.equal(response?.status(), 200);
      await page.waitForTimeout(500);

      assert.equal(await page.locator('#fallback').isVisible(), true);
      assert.equal(await page.locator('#sandbox iframe').count(), 0, 'no Sandbox frame offline');
      const token = (await page.locator('#demo-token').textContent())!.trim();
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'the demo token is shown');
      const curl = (await page.locator('#curl').textContent())!;
      assert.ok(curl.startsWith(`curl -s ${gateway.url}/graphql `), curl);
      assert.ok(curl.includes(`Bearer ${token}`));
      assert.deepEqual(problems, []);

      // The curl line's request, sent as written, answers with the demo analyst.
      const body = /--data '(.*)'$/.exec(curl.trim())![1];
      const answer = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
      assert.equal(((await answer.json()) as any).data.viewer.email, 'analyst@example.com');

      const schemaLink = page.locator('a[href="/schema.graphql"]');
      assert.equal(await schemaLink.count(), 1);
      const schema = await (await fetch(`${gateway.url}/schema.graphql`)).text();
      assert.match(schema, /type Subscription \{/);

      // The dashboard link leads to the dashboard, which works offline too (its code is served here).
      await page.click('#dashboard-link');
      await page.locator('#chart-studies-by-status').waitFor();
      assert.deepEqual(problems, []);
      await context.close();
    });
  },
);
