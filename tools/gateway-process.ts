import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { environmentWith } from '../src/config';

export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then waits for the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
  /** What it wrote to stdout and stderr so far (with `output: 'capture'`; empty otherwise). */
  output(): string;
}

const MAIN = path.resolve(__dirname, '../src/main.js');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the gateway was not ready at ${url}/readyz within ${timeoutMs / 1000} s`);
}

/**
 * Starts `node dist/src/main.js` on a free loopback port with our environment plus `changes`, and resolves
 * once /readyz answers 200. Its output goes to ours (`inherit`), nowhere (`ignore`) or to `output()` (`capture`).
 */
export async function startGatewayProcess(
  changes: Record<string, string>,
  options: { output?: 'inherit' | 'ignore' | 'capture'; readyTimeoutMs?: number; port?: number } = {},
): Promise<GatewayProcess> {
  const port = options.port ?? (await freePort());
  const output = options.output ?? 'inherit';
  const child = spawn(process.execPath, [MAIN], {
    env: environmentWith({ HOST: '127.0.0.1', PORT: String(port), ...changes }),
    stdio: ['ignore', output === 'capture' ? 'pipe' : output, output === 'capture' ? 'pipe' : output],
  });
  let captured = '';
  child.stdout?.on('data', (chunk) => (captured += String(chunk)));
  child.stderr?.on('data', (chunk) => (captured += String(chunk)));
  const exited = once(child, 'exit').then(() => child.exitCode);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    await waitUntilReady(url, child, options.readyTimeoutMs ?? 180_000);
  } catch (error) {
    await stop(2000);
    throw error;
  }
  return { url, pid: child.pid!, stop, output: () => captured };
}
