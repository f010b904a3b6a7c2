import type { Viewer } from '../auth/viewer';
import type { Config } from '../config';
import { roleAtLeast } from '../domain/roles';
import { clientKeyOf } from '../domain/client-address';
import type { BucketPolicy } from './budget';

/**
 * Who pays for a request, and how much they may spend. Budgets are sized in points: a typical operation
 * (a page of studies with their creators, the dashboard) costs about 30, so a user's default 3,000 points
 * a minute (RATE_LIMIT_POINTS_PER_MINUTE) are about 100 typical operations. Organization admins get twice
 * that, members of an enterprise organization three times; anonymous callers share a fifth per address.
 */
export interface Principal {
  key: string;
  tier: 'anonymous' | 'user' | 'admin' | 'enterprise-user' | 'enterprise-admin';
  points: BucketPolicy;
  /** Bursts of at most 10 requests a second, whatever they cost. */
  requests: BucketPolicy;
}

export const REQUESTS: BucketPolicy = { capacity: 10, refillPerSecond: 10 };

/** A signed-in user's principal key (their budgets follow them across tiers). */
export const userPrincipalKey = (userId: string) => `user:${userId}`;

function perMinute(pointsPerMinute: number): BucketPolicy {
  return { capacity: pointsPerMinute, refillPerSecond: pointsPerMinute / 60 };
}

/**
 * Anonymous callers (and callers whose token was refused) are limited by their address: an IPv4 address, or
 * an IPv6 /64, which one subscriber holds whole (as the connection cap counts them).
 */
export function anonymousPrincipal(userPointsPerMinute: number, clientIp: string): Principal {
  return {
    key: `ip:${clientKeyOf(clientIp)}`,
    tier: 'anonymous',
    points: perMinute(userPointsPerMinute / 5),
    requests: REQUESTS,
  };
}

/** What a principal is decided from: a request's or a subscription's context. */
export interface Caller {
  readonly viewer: Viewer | null;
  readonly clientIp: string;
  readonly services: { readonly config: Pick<Config, 'rateLimitPointsPerMinute'> };
}

export function principalOf(ctx: Caller): Principal {
  const userPointsPerMinute = ctx.services.config.rateLimitPointsPerMinute;
  const viewer = ctx.viewer;
  if (!viewer) return anonymousPrincipal(userPointsPerMinute, ctx.clientIp);
  const admin = [...viewer.roles.values()].some((role) => roleAtLeast(role, 'admin'));
  const enterprise = viewer.plans.has('enterprise');
  const multiplier = (admin ? 2 : 1) * (enterprise ? 3 : 1);
  const tier = enterprise ? (admin ? 'enterprise-admin' : 'enterprise-user') : admin ? 'admin' : 'user';
  return {
    key: userPrincipalKey(viewer.id),
    tier,
    points: perMinute(userPointsPerMinute * multiplier),
    requests: REQUESTS,
  };
}
