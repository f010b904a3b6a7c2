import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import { capConnectionsPerAddress } from '../src/http/connection-cap';
import { clientKeyOf } from '../src/domain/client-address';
import { startTestGateway, type TestGateway } from './support/gateway';
import { until } from './support/wait';
import { WsClient } from './support/ws-client';

/** A raw TCP client: what it received, and when the server closed the connection. */
interface RawConnection {
  readonly socket: net.Socket;
  received(): string;
  /** Resolves with the milliseconds from connecting to the close. */
  readonly closed: Promise<number>;
}

function connectRaw(port: number, localAddress = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    // A refused connection is reset by the server: that is a close here, not a failure.
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => chunks.push(chunk));
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - started)));
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks).toString('utf8'), closed }));
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
}

/** Writes one byte of `text` every `everyMs` until the server closes the connection or the text ends. */
async function trickle(connection: RawConnection, text: string, everyMs: number): Promise<void> {
  for (const byte of text) {
    if (connection.socket.destroyed || connection.socket.writableEnded) return;
    connection.socket.write(byte);
    await Promise.race([pause(everyMs), connection.closed]);
  }
}

/** A complete GET on a raw connection, kept alive; its status code. */
async function getOn(connection: RawConnection, path: string): Promise<number> {
  const before = connection.received().length;
  connection.socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\n\r\n`);
  const status = await until(
    `an answer to GET ${path}`,
    () => /^HTTP\/1\.1 (\d{3})/.exec(connection.received().slice(before))?.[1],
    5000,
  );
  return Number(status);
}

function errorBodyOf(response: string): { errors: { message: string; extensions: { code: string } }[] } {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as {
    errors: { message: string; extensions: { code: string } }[];
  };
}

describe('slow clients: a request must arrive within its deadlines; WebSockets are not cut', () => {
  const REQUEST_TIMEOUT_MS = 1500;
  const HEADERS_TIMEOUT_MS = 700;
  let gateway: TestGateway;
  let port: number;

  before(async () => {
    gateway = await startTestGateway({
      config: { httpRequestTimeoutMs: REQUEST_TIMEOUT_MS, httpHeadersTimeoutMs: HEADERS_TIMEOUT_MS },
    });
    port = Number(new URL(gateway.url).port);
  });
  after(() => gateway?.close());

  it('a body trickled byte by byte is cut at the request deadline with a 408 in GraphQL’s error shape', async () => {
    const body = JSON.stringify({ query: `{ __typename } # ${'x'.repeat(200)}` });
    const connection = await connectRaw(port);
    connection.socket.write(
      `POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    void trickle(connection, body, 100);
    const closedAfterMs = await connection.closed;
    assert.ok(closedAfterMs >= REQUEST_TIMEOUT_MS - 100, `closed after ${closedAfterMs} ms, before the deadline`);
    assert.ok(closedAfterMs < REQUEST_TIMEOUT_MS + 1500, `closed only after ${closedAfterMs} ms`);
    const response = connection.received();
    assert.match(response, /^HTTP\/1\.1 408 /);
    const error = errorBodyOf(response).errors[0];
    assert.equal(error.extensions.code, 'BAD_REQUEST');
    assert.match(error.message, /took too long/);
  });

  it('headers trickled byte by byte are cut at the (shorter) headers deadline', async () => {
    const connection = await connectRaw(port);
    void trickle(connection, `POST /graphql HTTP/1.1\r\nhost: localhost\r\nx-padding: ${'y'.repeat(100)}\r\n\r\n`, 50);
    const closedAfterMs = await connection.closed;
    assert.ok(
      closedAfterMs >= HEADERS_TIMEOUT_MS - 100 && closedAfterMs < REQUEST_TIMEOUT_MS,
      `closed after ${closedAfterMs} ms`,
    );
    assert.match(connection.received(), /^HTTP\/1\.1 408 /);
    assert.equal(errorBodyOf(connection.received()).errors[0].extensions.code, 'BAD_REQUEST');
  });

  it('a connection that sends nothing is cut at the headers deadline too', async () => {
    const connection = await connectRaw(port);
    const closedAfterMs = await connection.closed;
    assert.ok(
      closedAfterMs >= HEADERS_TIMEOUT_MS - 100 && closedAfterMs < REQUEST_TIMEOUT_MS,
      `closed after ${closedAfterMs} ms`,
    );
    assert.match(connection.received(), /^HTTP\/1\.1 408 /);
  });

  it('control: a body sent in pauses that fit the deadline is answered', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const connection = await connectRaw(port);
    connection.socket.write(
      `POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    for (const part of [body.slice(0, 5), body.slice(5, 12), body.slice(12)]) {
      await pause(150);
      connection.socket.write(part);
    }
    await until('the answer', () => (connection.received().includes('"__typename"') ? true : undefined), 5000);
    assert.match(connection.received(), /^HTTP\/1\.1 200 /);
    connection.socket.destroy();
  });

  it('a WebSocket stays open and answers long past the request deadline', async () => {
    const client = await WsClient.connect(gateway.url, await gateway.tokenFor('analyst@example.com'));
    try {
      await pause(REQUEST_TIMEOUT_MS * 2 + 500);
      assert.equal(client.closed, undefined);
      client.send({ type: 'ping' });
      await client.until('pong', () => client.messages.some((m) => m.type === 'pong'), 5000);
    } finally {
      client.socket.close();
    }
  });
});

describe('connections per client address', () => {
  const CAP = 3;
  let gateway: TestGateway;
  let port: number;
  const opened: RawConnection[] = [];

  before(async () => {
    gateway = await startTestGateway({ seed: 'none', config: { maxConnectionsPerAddress: CAP, trustProxy: false } });
    port = Number(new URL(gateway.url).port);
  });
  after(async () => {
    for (const connection of opened) connection.socket.destroy();
    await gateway?.close();
  });

  async function open(localAddress: string): Promise<RawConnection> {
    const connection = await connectRaw(port, localAddress);
    opened.push(connection);
    return connection;
  }

  it('refuses the connection beyond the cap from one address, while another address still connects; a closed one frees its place', async () => {
    const first = [];
    for (let i = 0; i < CAP; i++) {
      const connection = await open('127.0.0.1');
      assert.equal(await getOn(connection, '/healthz'), 200, `connection ${i + 1} of ${CAP}`);
      first.push(connection);
    }
    const extra = await open('127.0.0.1');
    extra.socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n');
    await extra.closed;
    assert.equal(extra.received(), '', 'closed without an answer');

    const elsewhere = await open('127.0.0.2');
    assert.equal(await getOn(elsewhere, '/healthz'), 200);
    assert.equal(await getOn(first[0], '/healthz'), 200, 'the connections within the cap still serve');
    const scrape = await open('127.0.0.2');
    scrape.socket.write('GET /metrics HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n');
    await scrape.closed;
    assert.match(scrape.received(), /^studygraph_connections_refused_total 1$/m);

    first[0].socket.destroy();
    const again = await until('a place freed by the close', async () => {
      const connection = await open('127.0.0.1');
      connection.socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n');
      const answered = await Promise.race([
        until('answer', () => (connection.received() ? true : undefined), 2000).catch(() => false),
        connection.closed.then(() => false),
      ]);
      return answered ? connection : undefined;
    });
    assert.match(again.received(), /^HTTP\/1\.1 200 /);
  });
});

describe('the connection cap and trusted proxies (a plain TCP server)', () => {
  /** Opens `count` connections from `localAddress` and tells, for each, whether the server kept it. */
  async function kept(server: net.Server, localAddress: string, count: number): Promise<boolean[]> {
    const port = (server.address() as net.AddressInfo).port;
    const connections = [];
    for (let i = 0; i < count; i++) connections.push(await connectRaw(port, localAddress));
    // The server's 'connection' handlers ran once it answers every connection with a byte.
    const results = await Promise.all(
      connections.map((connection) =>
        Promise.race([
          until('a greeting', () => (connection.received() ? true : undefined), 2000).catch(() => false),
          connection.closed.then(() => false),
        ]),
      ),
    );
    for (const connection of connections) connection.socket.destroy();
    return results;
  }

  async function serverWith(trustProxy: false | number | readonly string[]): Promise<net.Server> {
    const server = net.createServer((socket) => socket.write('!'));
    capConnectionsPerAddress(server, 2, trustProxy, () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  it('listed proxies are exempt; other peers are capped', async () => {
    const server = await serverWith(['127.0.0.1/32', '10.0.0.0/8']);
    try {
      assert.deepEqual(await kept(server, '127.0.0.1', 4), [true, true, true, true]);
      assert.deepEqual(await kept(server, '127.0.0.2', 3), [true, true, false]);
    } finally {
      server.close();
    }
  });

  it('a hop count turns the cap off (any peer may be a proxy); without TRUST_PROXY every peer is capped', async () => {
    const hops = await serverWith(1);
    try {
      assert.deepEqual(await kept(hops, '127.0.0.1', 4), [true, true, true, true]);
    } finally {
      hops.close();
    }
    const direct = await serverWith(false);
    try {
      assert.deepEqual(await kept(direct, '127.0.0.1', 3), [true, true, false]);
    } finally {
      direct.close();
    }
  });

  it('IPv6 clients count per /64; IPv4 and IPv4-mapped addresses per address', () => {
    assert.equal(clientKeyOf('203.0.113.7'), '203.0.113.7');
    assert.equal(clientKeyOf('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientKeyOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientKeyOf('2001:0db8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
    assert.equal(clientKeyOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKeyOf('::a:b:c:d:e:192.0.2.1'), '0:a:b:c::/64');
    assert.equal(clientKeyOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.notEqual(clientKeyOf('2001:db8:1:3::1'), clientKeyOf('2001:db8:1:2::1'));
  });
});
