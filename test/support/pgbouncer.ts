import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../tools/gateway-process';
import { portAccepts, until } from './wait';

/** Debian's pgbouncer of the test's own, in transaction mode, in front of one PostgreSQL server. */
export interface OwnPgBouncer {
  /** `server`'s URL with the host and port of the pooler (same user and database). */
  readonly url: string;
  stop(): Promise<void>;
}

export function pgbouncerAvailable(): boolean {
  return spawnSync('pgbouncer', ['--version']).status === 0;
}

/**
 * Transaction pooling and `ignore_startup_parameters = extra_float_digits` only, as in production: any
 * other startup parameter (statement_timeout, options) is refused. Any database of the server is served.
 */
export async function startOwnPgBouncer(server: string): Promise<OwnPgBouncer> {
  const target = new URL(server);
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studygraph-pgbouncer-'));
  const user = decodeURIComponent(target.username) || 'postgres';
  writeFileSync(path.join(dir, 'users.txt'), `"${user}" ""\n`);
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'ignore_startup_parameters = extra_float_digits',
      'max_client_conn = 1000',
      'default_pool_size = 20',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
    ].join('\n'),
  );
  // PgBouncer refuses to run as root: it then runs as the postgres user, which owns its files.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    for (const file of ['', 'users.txt', 'pgbouncer.ini']) chownSync(path.join(dir, file), uid, gid);
  }
  const config = path.join(dir, 'pgbouncer.ini');
  const child: ChildProcess = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', 'pgbouncer', config], { stdio: 'ignore' })
    : spawn('pgbouncer', [config], { stdio: 'ignore' });
  await until(`pgbouncer on port ${port}`, async () => ((await portAccepts(port)) ? true : undefined));
  const url = new URL(server);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
