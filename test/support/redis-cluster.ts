import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { until } from './wait';

const run = promisify(execFile);

/** A Redis Cluster of the test's own on loopback: three masters, one replica each. */
export interface OwnRedisCluster {
  /** `host:port` of every node, masters first as created. */
  readonly nodes: string[];
  /** The port of the master serving `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** SIGKILL of one node (a crash: its replica takes over after the node timeout). */
  kill(port: number): Promise<void>;
  /** Starts a killed node again (it rejoins, as a replica of whoever took over). */
  restart(port: number): Promise<void>;
  /** Resolves once every node agrees the cluster is whole (all slots served). */
  healthy(timeoutMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

/** How long a silent master may be before its replica takes over; short, so a test's failover takes seconds. */
const NODE_TIMEOUT_MS = 1000;

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * Six free ports, each with its cluster-bus port (+10000) free too. Both stay below Linux's ephemeral
 * range (from 32768), where an outgoing connection could take a port between this check and the bind.
 */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 10000 + Math.floor(Math.random() * 12000);
    if (ports.includes(port) || ports.includes(port - 10000) || ports.includes(port + 10000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10000))) ports.push(port);
  }
  return ports;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  return (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout;
}

export async function startOwnRedisCluster(): Promise<OwnRedisCluster> {
  const ports = await clusterPorts(6);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studygraph-redis-cluster-'));
  const children = new Map<number, ChildProcess>();
  const start = async (port: number) => {
    const child = spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        String(NODE_TIMEOUT_MS),
        '--save',
        '',
        '--appendonly',
        'no',
        // A replica's first full sync would otherwise wait 5 s for more replicas to share its transfer.
        '--repl-diskless-sync-delay',
        '0',
        '--dir',
        dir,
        '--logfile',
        path.join(dir, `redis-${port}.log`),
      ],
      { stdio: 'ignore' },
    );
    children.set(port, child);
    await until(`redis node ${port}`, async () =>
      (await cli(port, 'ping').catch(() => '')).trim() === 'PONG' ? true : undefined,
    );
  };
  const healthy = async (timeoutMs = 20_000) => {
    await until(
      'the redis cluster to be whole',
      async () => {
        const alive = [...children.keys()];
        const states = await Promise.all(alive.map((port) => cli(port, 'cluster', 'info').catch(() => '')));
        // A replica can take over only once it holds its master's data.
        const replication = await Promise.all(alive.map((port) => cli(port, 'info', 'replication').catch(() => '')));
        const whole = states.every(
          (info) => info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384'),
        );
        const synced = replication.every(
          (info) => info.includes('role:master') || info.includes('master_link_status:up'),
        );
        return whole && synced ? true : undefined;
      },
      timeoutMs,
    );
  };
  try {
    await Promise.all(ports.map(start));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await healthy();
  } catch (error) {
    for (const child of children.values()) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const alivePort = () => [...children.keys()][0];
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`),
    async masterOf(key) {
      const slot = Number((await cli(alivePort(), 'cluster', 'keyslot', key)).trim());
      const shards = await cli(alivePort(), 'cluster', 'nodes');
      for (const line of shards.trim().split('\n')) {
        const [, address, flags, , , , , state, ...ranges] = line.split(' ');
        if (!flags.includes('master') || flags.includes('fail') || state !== 'connected') continue;
        for (const range of ranges) {
          const [from, to = from] = range.split('-').map(Number);
          if (slot >= from && slot <= to) return Number(address.split('@')[0].split(':')[1]);
        }
      }
      throw new Error(`no master serves slot ${slot}`);
    },
    async kill(port) {
      const child = children.get(port);
      if (!child) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      children.delete(port);
    },
    restart: start,
    healthy,
    async destroy() {
      await Promise.all(
        [...children.values()].map((child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          return exited;
        }),
      );
      children.clear();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
