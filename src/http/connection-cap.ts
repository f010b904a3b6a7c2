import { isIPv6, type Server, type Socket } from 'node:net';
import proxyaddr from '@fastify/proxy-addr';
import type { Config } from '../config';

/**
 * The client a connection counts against: its address, or for IPv6 its /64, because one subscriber is
 * handed a whole /64 and could otherwise open connections from as many addresses as it likes.
 */
export function clientKeyOf(address: string): string {
  if (!isIPv6(address)) return address;
  const mappedIPv4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mappedIPv4) return mappedIPv4[1];
  // An embedded IPv4 tail (64:ff9b::192.0.2.1) is two groups.
  const hexOnly = address
    .split('%')[0]
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
      [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((group) => group.toString(16)).join(':'),
    );
  const [head, tail] = hexOnly.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Refuses (destroys) a TCP connection as it opens when its client already holds `maxPerAddress` open
 * ones, so that one address cannot exhaust the sockets and memory every connection costs. Behind a load
 * balancer every connection comes from a balancer: the proxies listed in TRUST_PROXY are never capped,
 * and with a hop count any peer may be a proxy, so nothing is capped. Counts are per process.
 */
export function capConnectionsPerAddress(server: Server, maxPerAddress: number, trustProxy: Config['trustProxy'], onRefused: (address: string) => void): void {
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
