import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadOperationManifest } from '../src/cache/persisted-queries';
import { signAccessToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { CHROMIUM } from './support/browser';
import { seriesValue } from './support/metrics';
import { until } from './support/wait';
import { dataOf, memberWithRole, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY } from './support/ids';

// What the functions run in the page use of the DOM (this test project compiles without the DOM library).
interface PageElement {
  textContent: string | null;
}
declare const document: {
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  querySelector(selector: string): PageElement | null;
};
declare const sessionStorage: { setItem(key: string, value: string): void };

/** Screenshots for a human to look at after a CI run (dist/ is not in the repository). */
const SCREENSHOTS = path.resolve(__dirname, 'screenshots');
/** The text of a saved operation (the only kind this suite's first gateway runs). */
const registered = (file: string) =>
  Object.values(loadOperationManifest().operations).find((operation) => operation.file === file)!.query;
const SIGNAL_SERIES = 'studygraph_subscriptions_active{field="organizationAnalyticsChanged"}';
const CHARTS = ['daily-active-users', 'peak-hours', 'activity-by-type', 'studies-by-status', 'top-contributors'];

interface OpenOptions {
  /** Saved in the tab's sessionStorage before the page loads, as a signed-in tab has it. */
  token?: string;
  width?: number;
}

/** A page that records every console error and uncaught exception, the CSP's refusals included. */
async function openPage(
  browser: Browser,
  url: string,
  options: OpenOptions = {},
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 } });
  if (options.token)
    await context.addInitScript((saved) => sessionStorage.setItem('studygraph.token', saved), options.token);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.goto(url);
  return { page, problems };
}

describe(
  'the analytics dashboard in a real browser',
  { skip: CHROMIUM ? false : 'needs chromium on this machine' },
  () => {
    let gateway: TestGateway;
    let browser: Browser;
    let token: string;
    before(async () => {
      // Seeded at start, as `npm start` does, so the page carries the demo token; only registered
      // operations run, so the page must send the saved operations by hash.
      gateway = await startTestGateway({
        seed: 'none',
        config: { sandbox: true, autoSeed: true, persistedQueries: 'only' },
      });
      token = await gateway.tokenFor('analyst@example.com');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      await mkdir(SCREENSHOTS, { recursive: true });
    });
    after(async () => {
      await browser?.close();
      await gateway?.close();
    });

    const open = (url: string, options: OpenOptions = {}) => openPage(browser, url, options);

    /** Elements marked `hidden` that are displayed all the same (a stylesheet's display overriding the attribute). */
    const shownThoughHidden = (page: Page): Promise<string[]> =>
      page.evaluate(() => {
        // The tests compile without the DOM's types: what this reads of the page, typed here.
        const browser = globalThis as unknown as {
          document: { querySelectorAll(selector: string): ArrayLike<{ id: string; tagName: string }> };
          getComputedStyle(element: unknown): { display: string };
        };
        return Array.from(browser.document.querySelectorAll('[hidden]'))
          .filter((element) => browser.getComputedStyle(element).display !== 'none')
          .map((element) => element.id || element.tagName);
      });

    /**
     * Text that does not fit its box: a block whose content is wider than it (a caption running into the next
     * card), described by its tag, class and the text's start.
     */
    const overflowingText = (page: Page): Promise<string[]> =>
      page.evaluate(() => {
        type Box = {
          tagName: string;
          className: string;
          textContent: string | null;
          scrollWidth: number;
          clientWidth: number;
          childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>;
        };
        const browser = globalThis as unknown as {
          document: { querySelectorAll(selector: string): ArrayLike<Box> };
          getComputedStyle(element: unknown): { display: string; overflowX: string };
        };
        return Array.from(browser.document.querySelectorAll('body *'))
          .filter((element) => {
            const style = browser.getComputedStyle(element);
            if (style.display === 'none' || style.display.startsWith('inline') || style.overflowX !== 'visible')
              return false;
            const ownText = Array.from(element.childNodes).some(
              (node) => node.nodeType === 3 && (node.textContent ?? '').trim() !== '',
            );
            return ownText && element.scrollWidth > element.clientWidth + 1;
          })
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} "${(e.textContent ?? '').trim().slice(0, 40)}"`);
      });

    const rowsOf = (page: Page, chart: string) => page.locator(`#chart-${chart} tbody tr`);
    /** A chart's table as text cells (the table sits in a closed <details>: text content, not rendered text). */
    const numbersOf = (page: Page, chart: string): Promise<string[][]> =>
      rowsOf(page, chart).evaluateAll((rows: { cells: ArrayLike<{ textContent: string | null }> }[]) =>
        rows.map((row) => Array.from(row.cells, (cell) => (cell.textContent ?? '').trim())),
      );

    it('shows live charts of the demo organization without typing anything, with no console error', async () => {
      const { page, problems } = await open(`${gateway.url}/dashboard`);
      await page.locator('#chart-top-contributors').waitFor();
      assert.match(page.url(), /\?organization=[\w-]+&days=30$/);
      for (const chart of CHARTS) {
        const box = await page.locator(`#chart-${chart} canvas`).boundingBox();
        assert.ok(box && box.width > 100 && box.height > 100, `${chart} is drawn`);
        assert.ok((await rowsOf(page, chart).count()) > 0, `${chart} has rows`);
      }
      assert.equal(await rowsOf(page, 'peak-hours').count(), 24);
      assert.equal(await rowsOf(page, 'daily-active-users').count(), 30);

      // The numbers are the API's: studies by status add up to the organization's studies.
      const organizationId = new URL(page.url()).searchParams.get('organization')!;
      const studies = await gateway.db
        .selectFrom('studies')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('organization_id', '=', organizationId)
        .executeTakeFirstOrThrow();
      const byStatus = await numbersOf(page, 'studies-by-status');
      assert.equal(
        byStatus.reduce((sum, [, count]) => sum + Number(count), 0),
        Number(studies.count),
      );
      await page.locator('#live').waitFor(); // the analytics signal is subscribed
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
      assert.deepEqual(problems, []);
      assert.deepEqual(await overflowingText(page), [], 'every text fits its box (1400 px)');
      assert.deepEqual(
        await shownThoughHidden(page),
        [],
        'nothing marked hidden is displayed (the sign-in form, while signed in)',
      );

      // Signing out leaves nothing of the signed-in view, and does not hand the demo token back.
      await page.locator('#sign-out').click();
      await page.locator('#sign-in').waitFor();
      assert.deepEqual(await shownThoughHidden(page), []);
      for (const id of ['dashboard', 'filters', 'live', 'sign-out'])
        assert.equal(await page.locator(`#${id}`).isVisible(), false, `#${id} after signing out`);
      assert.equal(await page.locator('#token').inputValue(), '');
      await page.context().close();
    });

    it('answers the browser’s favicon request without a 404', async () => {
      const icon = await fetch(`${gateway.url}/favicon.ico`);
      assert.equal(icon.status, 204);
    });

    it('a period change refetches and lands in the URL; the URL alone reopens the same view', async () => {
      const { page, problems } = await open(`${gateway.url}/dashboard?organization=${ACME}&days=30`);
      await page.locator('#chart-daily-active-users').waitFor();
      const refetch = page.waitForRequest(
        (request) => request.url().includes('operationName=Trends') && request.url().includes('%22days%22%3A7'),
      );
      await page.selectOption('#days', '7');
      await refetch;
      await page.waitForFunction(() => document.querySelectorAll('#chart-daily-active-users tbody tr').length === 7);
      assert.equal(new URL(page.url()).searchParams.get('days'), '7');

      const shared = await open(page.url());
      await shared.page.waitForFunction(
        () => document.querySelectorAll('#chart-daily-active-users tbody tr').length === 7,
      );
      assert.equal(await shared.page.locator('#days').inputValue(), '7');
      assert.equal(await shared.page.locator('#organization').inputValue(), ACME);
      assert.deepEqual([...problems, ...shared.problems], []);
      await page.context().close();
      await shared.page.context().close();
    });

    it('figures say how they moved since the previous period (▲/▼), as the API counts it', async () => {
      const { page, problems } = await open(`${gateway.url}/dashboard?organization=${ACME}&days=30`);
      await page.locator('#figures dd.change').first().waitFor();
      const previous = dataOf(
        await gateway.graphql(registered('period-comparison.graphql'), {
          token,
          variables: { organizationId: ACME, days: 30 },
        }),
      ).organization.previous;
      const current = dataOf(
        await gateway.graphql(registered('dashboard.graphql'), { token, variables: { days: 30 } }),
      ).organizations.edges.find((edge: any) => edge.node.id === ACME).node.analytics;
      const tile = page.locator('#figures .figure', { hasText: 'Studies created' });
      const moved = tile.locator('dd.change');
      assert.equal(await moved.getAttribute('title'), `Previous 30 days: ${previous.studiesCreated}`);
      const difference = current.studiesCreated - previous.studiesCreated;
      const expected = difference === 0 ? '=' : `${difference > 0 ? '▲' : '▼'} ${Math.abs(difference)}`;
      assert.equal((await moved.textContent())!.trim(), expected);
      assert.ok((await page.locator('#figures dd.change').count()) >= 5, 'most figures compare');
      assert.deepEqual(problems, []);
      await page.context().close();
    });

    it('a team table lists every member with their activity, sorts by any column, and keeps the order in the URL', async () => {
      const { page, problems } = await open(`${gateway.url}/dashboard?organization=${ACME}&days=30`);
      const rows = page.locator('#team-table tbody tr');
      await rows.first().waitFor();
      const members = await gateway.db
        .selectFrom('organization_members')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organization_id', '=', ACME)
        .executeTakeFirstOrThrow();
      assert.equal(await rows.count(), Number(members.n));
      const cells = () =>
        rows.evaluateAll((trs: { cells: ArrayLike<{ textContent: string | null }> }[]) =>
          trs.map((tr) => Array.from(tr.cells, (cell) => (cell.textContent ?? '').trim())),
        );
      // By default, the most active first; the entries add up to the activity the API counts for members.
      const byEntries = await cells();
      const entries = byEntries.map((row) => Number(row[3]));
      assert.deepEqual(
        entries,
        [...entries].sort((a, b) => b - a),
      );
      const contributors = dataOf(
        await gateway.graphql(registered('contributors.graphql'), {
          token,
          variables: { organizationId: ACME, days: 30, limit: 50 },
        }),
      ).organization.analytics.topContributors;
      assert.equal(
        entries.reduce((sum, n) => sum + n, 0),
        contributors.reduce((sum: number, c: { count: number }) => sum + c.count, 0),
      );

      await page.click('#team-table th button[data-column="name"]');
      await page.waitForURL(/sort=name/);
      const byName = (await cells()).map((row) => row[0]);
      assert.deepEqual(
        byName,
        [...byName].sort((a, b) => a.localeCompare(b, 'en')),
      );
      assert.equal(await page.locator('#team-table th[aria-sort="ascending"]').textContent(), 'Member');
      await page.click('#team-table th button[data-column="name"]');
      await page.waitForURL(/sort=-name/);

      // The URL alone reopens the same order.
      const again = await open(page.url());
      await again.page.locator('#team-table tbody tr').first().waitFor();
      const reopened = await again.page.locator('#team-table tbody tr td:first-child').allTextContents();
      assert.deepEqual(reopened, [...byName].reverse());
      assert.deepEqual([...problems, ...again.problems], []);
      await page.context().close();
      await again.page.context().close();
    });

    it('every table downloads as CSV: a chart’s numbers and a drill-down’s rows, as shown', async () => {
      const { page, problems } = await open(`${gateway.url}/dashboard?organization=${ACME}&days=365`);
      await page.locator('#chart-studies-by-status').waitFor();
      const download = async (button: string): Promise<string[][]> => {
        const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
        const text = await readFile(await file.path(), 'utf8');
        assert.ok(file.suggestedFilename().endsWith('.csv'), file.suggestedFilename());
        return text
          .trimEnd()
          .split('\r\n')
          .map((line) => line.split(','));
      };
      await page.click('#chart-studies-by-status summary');
      const byStatus = await download('#chart-studies-by-status button.csv');
      assert.deepEqual(byStatus[0], ['Status', 'Studies']);
      assert.deepEqual(byStatus.slice(1), await numbersOf(page, 'studies-by-status'));

      await page.click('#chart-studies-by-status tbody button');
      await page.locator('#drill table').waitFor();
      const drilled = await download('#drill button.csv');
      assert.deepEqual(drilled[0], ['Title', 'Created', 'Created by']);
      assert.equal(drilled.length - 1, await page.locator('#drill tbody tr').count());
      assert.deepEqual(problems, []);
      await page.context().close();
    });

    it('drill-downs list the rows behind a status, a type and a contributor', async () => {
      const { page, problems } = await open(`${gateway.url}/dashboard?organization=${ACME}&days=365`);
      await page.locator('#chart-studies-by-status').waitFor();

      const [status, count] = (await numbersOf(page, 'studies-by-status'))[0];
      await page.click('#chart-studies-by-status summary');
      await page.click(`#chart-studies-by-status tbody button`);
      await page.locator('#drill table').waitFor();
      const statusValue = status.toUpperCase().replaceAll(' ', '_');
      assert.match(page.url(), new RegExp(`drill=status%3A${statusValue}`));
      const expected = dataOf(
        await gateway.graphql(registered('studies-by-status.graphql'), {
          token,
          variables: { organizationId: ACME, status: statusValue },
        }),
      ).studies;
      assert.equal(expected.totalCount, Number(count));
      assert.deepEqual(
        await page.locator('#drill tbody tr td:first-child').allInnerTexts(),
        expected.edges.map((e: any) => e.node.title),
      );

      const [type] = (await numbersOf(page, 'activity-by-type'))[0];
      await page.click('#chart-activity-by-type summary');
      await page.click('#chart-activity-by-type tbody button');
      await page.waitForFunction(
        (wanted) => document.querySelector('#drill h2')?.textContent?.startsWith(wanted),
        type,
      );
      const types = await page.locator('#drill tbody tr td:nth-child(2)').allInnerTexts();
      assert.ok(types.length > 0 && types.every((t) => t === type), types.join());

      const [contributor] = (await numbersOf(page, 'top-contributors'))[0];
      await page.click('#chart-top-contributors summary');
      await page.click('#chart-top-contributors tbody button');
      await page.waitForFunction(
        (wanted) => document.querySelector('#drill h2')?.textContent?.startsWith(wanted),
        `${contributor}: recent activity`,
      );
      const actors = await page.locator('#drill tbody tr td:nth-child(3)').allInnerTexts();
      assert.ok(actors.length > 0 && actors.every((a) => a === contributor), actors.join());
      assert.match(page.url(), /drill=member%3A[\w-]+/);
      assert.deepEqual(problems, []);
      await page.context().close();
    });

    it('a forged or expired token shows the sign-in form with the reason, not blank charts', async () => {
      const analyst = { id: await gateway.userId('analyst@example.com'), email: 'analyst@example.com' };
      const expired = await signAccessToken(analyst, gateway.config.jwt, -120);
      for (const refused of ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged', expired]) {
        const { page } = await open(`${gateway.url}/dashboard`, { token: refused });
        await page.locator('#sign-in').waitFor();
        assert.match((await page.locator('#sign-in-reason').textContent())!, /refused the token/);
        assert.equal(await page.locator('#dashboard').isVisible(), false);
        await page.context().close();
      }
      const { page } = await open(`${gateway.url}/dashboard`, { token: expired });
      await page.locator('#sign-in').waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-sign-in.png'), fullPage: true });
      assert.deepEqual(await overflowingText(page), [], 'the sign-in form fits its box');
      const label = (await page.locator('#sign-in label').boundingBox())!;
      assert.ok(
        label.height < 30,
        `the token's label is one line at 1280 px, not ${Math.round(label.height)} px of lines`,
      );
      // Signing in with a good token shows the dashboard.
      await page.fill('#token', token);
      await page.click('#sign-in button[type=submit]');
      await page.locator('#chart-studies-by-status').waitFor();
      await page.context().close();
    });

    it('on a phone the charts stack in one column', async () => {
      const { page, problems } = await open(`${gateway.url}/dashboard?organization=${ACME}`, { width: 390 });
      await page.locator('#chart-top-contributors').waitFor();
      const boxes = await Promise.all(
        CHARTS.map(async (chart) => (await page.locator(`#chart-${chart}`).boundingBox())!),
      );
      assert.ok(
        boxes.every((box) => Math.abs(box.x - boxes[0].x) < 1 && box.width <= 390),
        JSON.stringify(boxes),
      );
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-phone.png'), fullPage: true });
      assert.deepEqual(problems, []);
      assert.deepEqual(await overflowingText(page), [], 'every text fits its box (390 px)');
      await page.context().close();
    });
  },
);

describe('the dashboard kept live', { skip: CHROMIUM ? false : 'needs chromium on this machine' }, () => {
  let gateway: TestGateway;
  let browser: Browser;
  let token: string;
  before(async () => {
    // Persisted queries as by default (automatic): the page's first request of a hash also sends the text.
    gateway = await startTestGateway({ seed: 'none', config: { sandbox: true, autoSeed: true } });
    token = await gateway.tokenFor('analyst@example.com');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('a write in the organization refetches the open page (organizationAnalyticsChanged)', async () => {
    const { page, problems } = await openPage(browser, `${gateway.url}/dashboard?organization=${ACME}&days=30`);
    await page.locator('#live').waitFor();
    // The badge shows at the socket's acknowledgement; the subscription is set up on the server after it.
    await until('the signal subscribed on the server', async () =>
      (await seriesValue(gateway.url, SIGNAL_SERIES)) >= 1 ? true : undefined,
    );
    const comments = page.locator('#figures .figure', { hasText: 'Comments resolved' }).locator('dd').first();
    const [resolved, total] = (await comments.textContent())!.split(' of ').map(Number);
    dataOf(
      await gateway.graphql('mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
        token,
        variables: { input: { studyId: ACME_STUDY, body: 'Seen from the dashboard test.' } },
      }),
    );
    // No reload, no click: the signal makes the page fetch its figures again, one more comment among them.
    await page.waitForFunction(
      (expected) =>
        [...document.querySelectorAll('#figures .figure')].some((tile) => tile.textContent?.startsWith(expected)),
      `Comments resolved${resolved} of ${total + 1}`,
    );
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});

describe('the dashboard’s workflow section', { skip: CHROMIUM ? false : 'needs chromium on this machine' }, () => {
  let gateway: TestGateway;
  let browser: Browser;
  let token: string;
  before(async () => {
    const base = loadConfig();
    gateway = await startTestGateway({
      config: {
        webhooks: {
          ...base.webhooks,
          deliver: true,
          allowPrivateAddresses: true,
          maxAttempts: 1,
          pollMs: 500,
          retryBaseMs: 1000,
          timeoutMs: 2000,
        },
      },
    });
    token = await gateway.tokenFor('analyst@example.com');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gateway?.close();
  });

  const write = async (as: string, mutation: string, input: Record<string, unknown>) =>
    dataOf(await gateway.graphql(mutation, { token: as, variables: { input } }));

  it('shows the policy and the rules, and the viewer’s notifications live, marked read by a click', async () => {
    await write(token, 'mutation($input: CreateAutomationRuleInput!) { createAutomationRule(input: $input) { id } }', {
      organizationId: ACME,
      name: 'Approved studies reach admins',
      trigger: { kind: 'STATUS_REACHED', status: 'APPROVED' },
      actions: [{ kind: 'NOTIFY', notifyRoles: ['ADMIN'] }],
    });
    const { page, problems } = await openPage(browser, `${gateway.url}/dashboard?organization=${ACME}`, { token });
    await page.locator('#workflow-policy').waitFor();
    assert.match((await page.locator('#workflow-policy').textContent())!, /after 1 approval from owner, admin, member/);
    const rule = page.locator('#workflow-rules tbody tr', { hasText: 'Approved studies reach admins' });
    assert.match((await rule.textContent())!, /a study reaches approved.*notify admin.*on/);
    await page.locator('#live').waitFor();
    const unread = async () => Number((await page.locator('#unread-count').textContent())!.split(' ')[0]);
    const before = await unread();
    // Another admin asks the analyst to approve a study: the section counts it without a reload.
    const requester = await memberWithRole(gateway, ACME, 'admin');
    await until('the notifications subscription on the server', async () =>
      (await seriesValue(gateway.url, 'studygraph_subscriptions_active{field="notifications"}')) >= 1
        ? true
        : undefined,
    );
    await write(requester.token, 'mutation($input: RequestApprovalInput!) { requestApproval(input: $input) { id } }', {
      studyId: ACME_STUDY,
      reviewerId: await gateway.userId('analyst@example.com'),
    });
    await page.waitForFunction(
      (expected) => document.querySelector('#unread-count')?.textContent === expected,
      `${before + 1} unread`,
    );
    assert.match((await page.locator('#workflow-notifications li').first().textContent())!, /^approval requested/);
    const shownUnread = await page.locator('#workflow-notifications li.unread').count();
    await page.locator('#mark-read').click();
    await page.waitForFunction(
      (expected) => document.querySelector('#unread-count')?.textContent === expected,
      `${before + 1 - shownUnread} unread`,
    );
    assert.equal(await page.locator('#workflow-notifications li.unread').count(), 0);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it(
    'lists the webhooks with their delivery log, and redelivers an attempt at a click',
    {
      skip: loadConfig().databaseUrl ? false : 'webhooks need DATABASE_URL',
    },
    async () => {
      const received: number[] = [];
      const receiver = http.createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          received.push(received.length);
          response.writeHead(received.length === 1 ? 500 : 200).end();
        });
      });
      receiver.listen(0, '127.0.0.1');
      await once(receiver, 'listening');
      try {
        const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
        await write(token, 'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }', {
          organizationId: ACME,
          url,
          events: ['STUDY_CREATED'],
        });
        await write(token, 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }', {
          organizationId: ACME,
          title: 'Hooked from the dashboard test',
        });
        await until('the failed attempt', () => (received.length >= 1 ? true : undefined));
        const { page, problems } = await openPage(browser, `${gateway.url}/dashboard?organization=${ACME}`, { token });
        const hook = page.locator('#workflow-webhooks');
        await hook.locator('h4', { hasText: url }).waitFor();
        await until('the attempt in the log', async () => {
          await page.reload();
          await hook
            .locator('tbody tr')
            .first()
            .waitFor({ timeout: 5000 })
            .catch(() => undefined);
          return (await hook.locator('tbody tr').count()) >= 1 ? true : undefined;
        });
        assert.match((await hook.locator('tbody tr').first().textContent())!, /study created.*failed \(500\)/);
        await hook.locator('tbody tr').first().getByRole('button', { name: 'Redeliver' }).click();
        await until('the redelivery at the receiver', () => (received.length >= 2 ? true : undefined));
        await until('the redelivery in the log', async () => {
          await page.reload();
          await hook.locator('tbody tr').first().waitFor();
          return /delivered \(200\)/.test((await hook.locator('tbody tr').first().textContent()) ?? '')
            ? true
            : undefined;
        });
        assert.match((await hook.locator('tbody tr').first().textContent())!, /\(redelivery\)/);
        assert.deepEqual(problems, []);
        await page.context().close();
      } finally {
        receiver.close();
      }
    },
  );
});

describe('the dashboard when rate limited', { skip: CHROMIUM ? false : 'needs chromium on this machine' }, () => {
  let gateway: TestGateway;
  let browser: Browser;
  let token: string;
  before(async () => {
    gateway = await startTestGateway({ config: { rateLimits: true } });
    token = await gateway.tokenFor('analyst@example.com');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('says when to retry instead of drawing blank charts', async () => {
    const trends = registered('trends.graphql');
    // analytics allows 30 calls a minute per user: spend them.
    for (let i = 0; i < 30; i += 1) {
      dataOf(await gateway.graphql(trends, { token, variables: { organizationId: ACME, days: 7 } }));
      await new Promise((resolve) => setTimeout(resolve, 110)); // under the burst limit of 10 a second
    }
    const { page } = await openPage(browser, `${gateway.url}/dashboard?organization=${ACME}`, { token });
    await page.locator('#problem').waitFor();
    assert.match((await page.locator('#problem').textContent())!, /^Rate limited: .* Trying again in \d+ s\.$/);
    assert.equal(await page.locator('#chart-studies-by-status').count(), 0, 'no chart drawn without data');
    await page.context().close();
  });
});

describe('the dashboard over plain HTTP', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ seed: 'none' });
  });
  after(() => gateway?.close());

  it('is served with a strict CSP and revalidated; its hashed assets are cached for a year', async () => {
    const page = await fetch(`${gateway.url}/dashboard`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|https?:/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    assert.doesNotMatch(html, /studygraph-demo-token/, 'no demo token outside development');
    const assets = [...html.matchAll(/\/dashboard\/assets\/(main-\w+\.(?:js|css))/g)].map((m) => m[0]);
    assert.equal(assets.length, 2);
    for (const asset of assets) {
      const response = await fetch(`${gateway.url}${asset}`);
      assert.equal(response.status, 200, asset);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.ok((await response.arrayBuffer()).byteLength > 1000);
    }
    const unknown = await fetch(`${gateway.url}/dashboard/assets/main-unknown.js`);
    assert.equal(unknown.status, 404);
    await unknown.arrayBuffer();
  });
});
