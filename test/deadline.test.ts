import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { DeadlineError, withDeadline } from '../src/deadline';

/** Keeps the event loop busy, as a process under load does between two turns. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spinning
  }
}

describe('withDeadline', () => {
  let server: ChildProcess;
  let port: number;
  before(async () => {
    // Another process that echoes at once, like a healthy store: its answer arrives while we are busy.
    server = spawn(
      process.execPath,
      [
        '-e',
        "const s = require('net').createServer((c) => c.on('data', (d) => c.write(d))).listen(0, '127.0.0.1', () => console.log(s.address().port))",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(server.stdout!, 'data')) as [Buffer];
    port = Number(String(line).trim());
  });
  after(() => {
    server.kill();
  });

  const echo = async (): Promise<{ socket: net.Socket; reply: Promise<string> }> => {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const reply = once(socket, 'data').then(([data]) => String(data));
    return { socket, reply };
  };

  it('takes an answer that arrived in time even when the process was too busy to read it before the deadline', async () => {
    const { socket, reply } = await echo();
    try {
      socket.write('ping');
      const answer = withDeadline(reply, 20, 'echo');
      // The reply comes back within a millisecond; this process reads nothing for 100 ms.
      busyFor(100);
      assert.equal(await answer, 'ping');
    } finally {
      socket.destroy();
    }
  });

  it('still rejects a store that does not answer', async () => {
    const { socket, reply } = await echo();
    try {
      const started = Date.now();
      await assert.rejects(
        withDeadline(reply, 50, 'echo'),
        (error) => error instanceof DeadlineError && /echo did not answer within 50 ms/.test(error.message),
      );
      assert.ok(Date.now() - started >= 45);
    } finally {
      socket.destroy();
    }
  });
});
