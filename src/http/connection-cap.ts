import type { Server, Socket } from 'node:net';
import proxyaddr from '@fastify/proxy-addr';
import type { Config } from '../config';
import { clientKeyOf } from '../domain/client-address';

/**
 * Refuses (destroys) a TCP connection as it opens when its client already holds `maxPerAddress` open
 * ones, so that one address cannot exhaust the sockets and memory every connection costs. Behind a load
 * balancer every connection comes from a balancer: the proxies listed in TRUST_PROXY are never capped,
 * and with a hop count any peer may be a proxy, so nothing is capped. Counts are per process.
 */
export function capConnectionsPerAddress(
  server: Server,
  maxPerAddress: number,
  trustProxy: Config['trustProxy'],
  onRefused: (address: string) => void,
): void {
  if (maxPerAddress === 0 || typeof trustProxy === 'number') return;
  const isTrustedProxy = trustProxy === false ? () => false : proxyaddr.compile([...trustProxy]);
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    // Undefined once the peer has already gone: nothing to count.
    if (address === undefined || isTrustedProxy(address, 0)) return;
    const client = clientKeyOf(address);
    const count = (open.get(client) ?? 0) + 1;
    if (count > maxPerAddress) {
      onRefused(client);
      socket.destroy();
      return;
    }
    open.set(client, count);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left === 0) open.delete(client);
      else open.set(client, left);
    });
  });
}
