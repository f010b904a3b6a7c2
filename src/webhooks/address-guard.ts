import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup } from 'node:dns';
import { lookup as lookupAll } from 'node:dns/promises';

/**
 * Addresses a webhook may never reach in production: loopback, private (RFC 1918, unique-local), link-local
 * (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast and reserved ranges. An
 * IPv4-mapped IPv6 address is checked against the IPv4 rules (BlockList does so).
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 96],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['fec0::', 10],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class ForbiddenAddressError extends Error {
  readonly code = 'EFORBIDDENADDRESS';
}

function refusal(host: string, address: string): ForbiddenAddressError {
  return new ForbiddenAddressError(
    `${host} resolves to ${address}, a loopback, private or link-local address: webhooks are not sent there`,
  );
}

/** The host of a URL as a resolver or isIP takes it (an IPv6 literal without its brackets). */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** A name that does not resolve this fast is refused at creation (the look-up holds a request). */
const CREATION_LOOKUP_TIMEOUT_MS = 5000;

/** Refuses a URL whose host is, or resolves to, a forbidden address (at creation; delivery checks again). */
export async function assertPublicHost(url: URL): Promise<void> {
  const host = hostOf(url);
  const addresses = isIP(host)
    ? [{ address: host }]
    : await Promise.race([
        lookupAll(host, { all: true, verbatim: true }),
        new Promise<never>((_resolve, reject) =>
          setTimeout(() => reject(new Error(`${host} did not resolve in time`)), CREATION_LOOKUP_TIMEOUT_MS).unref(),
        ),
      ]);
  const bad = addresses.find(({ address }) => isForbiddenAddress(address));
  if (bad) throw refusal(host, bad.address);
}

/**
 * A resolver for the delivery's own connection: the addresses it connects to are the ones checked, so a
 * name that resolved to a public address when the webhook was created and to a private one now (DNS
 * rebinding) is refused at this connection, not at an earlier look-up.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const bad = addresses.find(({ address }) => isForbiddenAddress(address));
    if (bad) return callback(refusal(hostname, bad.address), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
    const [first] = addresses;
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    callback(null, first.address, first.family);
  });
};
