import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ConfigError, loadConfig } from '../src/config';
import { startTestGateway, type TestGateway } from './support/gateway';
import { ACME } from './support/ids';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http, not fetch: fetch decompresses and hides what came over the wire. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const ANALYTICS =
  'query($id: ID, $days: Int!) { organization(id: $id) { analytics(days: $days) { dailyActiveUsers { date count } peakHours { hour count } } } }';

describe('compression and CORS', () => {
  let gateway: TestGateway;
  let token: string;
  before(async () => {
    gateway = await startTestGateway({ config: { corsOrigins: ['https://app.example.com'] } });
    token = await gateway.tokenFor('analyst@example.com');
  });
  after(() => gateway?.close());

  const post = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
    raw(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify({ query, variables }),
    });

  it('compresses answers over 1 KB with br or gzip as the client accepts, and leaves small ones as they are', async () => {
    const plain = await post(ANALYTICS, { id: ACME, days: 365 }, {});
    assert.equal(plain.headers['content-encoding'], undefined);
    const expected = JSON.parse(plain.body.toString('utf8'));
    assert.ok(plain.body.length > 10_000, `a 365-day answer is ${plain.body.length} bytes`);

    const gzip = await post(ANALYTICS, { id: ACME, days: 365 }, { 'accept-encoding': 'gzip' });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(gunzipSync(gzip.body).toString('utf8')), expected);

    const br = await post(ANALYTICS, { id: ACME, days: 365 }, { 'accept-encoding': 'br, gzip' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.deepEqual(JSON.parse(brotliDecompressSync(br.body).toString('utf8')), expected);
    assert.ok(br.body.length * 5 < plain.body.length, `br: ${br.body.length} of ${plain.body.length} bytes`);

    const small = await post('{ viewer { email } }', {}, { 'accept-encoding': 'br, gzip' });
    assert.equal(small.headers['content-encoding'], undefined, 'under 1 KB: not worth compressing');
    assert.equal(JSON.parse(small.body.toString('utf8')).data.viewer.email, 'analyst@example.com');
  });

  it('answers a preflight from an allowed origin, cached for 10 minutes, and nothing to another origin', async () => {
    const preflight = (origin: string) =>
      raw(`${gateway.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
    const allowed = await preflight('https://app.example.com');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(allowed.headers['access-control-max-age'], '600');
    assert.match(String(allowed.headers['access-control-allow-headers']), /authorization/);

    const refused = await preflight('https://evil.example.net');
    assert.equal(refused.headers['access-control-allow-origin'], undefined);

    const actual = await post('{ viewer { email } }', {}, { origin: 'https://app.example.com' });
    assert.equal(actual.headers['access-control-allow-origin'], 'https://app.example.com');
    const other = await post('{ viewer { email } }', {}, { origin: 'https://evil.example.net' });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('sends no CORS headers at all unless CORS_ORIGINS names origins, and refuses a malformed list', async () => {
    const closed = await startTestGateway({ seed: 'none' });
    try {
      const response = await raw(`${closed.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      });
      assert.equal(response.headers['access-control-allow-origin'], undefined);
    } finally {
      await closed.close();
    }
    assert.throws(() => loadConfig({ CORS_ORIGINS: 'app.example.com' }), ConfigError);
    assert.throws(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/path' }), ConfigError);
    assert.deepEqual(loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' }).corsOrigins, [
      'https://a.example.com',
      'http://localhost:5173',
    ]);
  });
});

describe('ETags and 304 for GET persisted queries', () => {
  let gateway: TestGateway;
  let token: string;
  const QUERY =
    'query Studies($id: ID!) { organization(id: $id) { name studies(first: 20) { edges { node { id title status } } } } }';
  const hash = createHash('sha256').update(QUERY).digest('hex');
  const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } });
  const getUrl = () =>
    `${gateway.url}/graphql?extensions=${encodeURIComponent(extensions)}&variables=${encodeURIComponent(JSON.stringify({ id: ACME }))}`;
  before(async () => {
    gateway = await startTestGateway();
    token = await gateway.tokenFor('analyst@example.com');
    // Registered once (an authenticated caller's automatic persisted query).
    const registered = await gateway.post(
      JSON.stringify({ query: QUERY, variables: { id: ACME }, extensions: JSON.parse(extensions) }),
      {
        authorization: `Bearer ${token}`,
      },
    );
    assert.equal(registered.status, 200);
  });
  after(() => gateway?.close());

  const get = (headers: Record<string, string> = {}) =>
    raw(getUrl(), { headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}`, ...headers } });

  it('gives a cacheable answer a strong ETag and answers its revalidation with 304 and no body', async () => {
    const first = await get();
    assert.equal(first.status, 200);
    assert.match(String(first.headers['cache-control']), /max-age=\d+/);
    const etag = first.headers.etag as string;
    assert.match(etag, /^"[A-Za-z0-9_-]{27}"$/);
    assert.equal((await get()).headers.etag, etag, 'the same answer, the same tag');

    assert.match(String(first.headers.vary), /accept-encoding/i, 'caches keep one representation per encoding');
    assert.match(String(first.headers.vary), /authorization/i, "a browser never hands one token's answer to another");
    const revalidated = await get({ 'if-none-match': etag });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.body.length, 0);
    assert.equal(revalidated.headers.etag, etag);

    const stale = await get({ 'if-none-match': '"something-else"' });
    assert.equal(stale.status, 200);
    assert.ok(stale.body.length > 0);
  });

  it('tags each content-coding apart: a gzip answer revalidates as gzip', async () => {
    const gzip = await get({ 'accept-encoding': 'gzip' });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    const etag = gzip.headers.etag as string;
    assert.match(etag, /-gzip"$/);
    assert.notEqual(etag, (await get()).headers.etag);
    assert.equal((await get({ 'accept-encoding': 'gzip', 'if-none-match': etag })).status, 304);
    assert.equal((await get({ 'if-none-match': etag })).status, 200, 'the identity bytes are another representation');
  });

  it('puts no ETag on answers that may not be cached (POST, errors)', async () => {
    const post = await gateway.post(JSON.stringify({ query: QUERY, variables: { id: ACME } }), {
      authorization: `Bearer ${token}`,
    });
    assert.equal(post.headers.get('etag'), null);
    const failing = await raw(`${gateway.url}/graphql?query=${encodeURIComponent('{ nope }')}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
    });
    assert.equal(failing.headers.etag, undefined);
  });
});
