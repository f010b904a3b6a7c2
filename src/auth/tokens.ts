import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { UUID_PATTERN } from '../../schema/input-limits';
import type { Config } from '../config';
import { serviceUnavailable, unauthenticated } from '../graphql/errors';

type JwtConfig = Config['jwt'];

const ALGORITHM = 'HS256';
/** What identity providers sign with; HMAC stays with our own secret, so no key is used as both. */
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

/** The token of `Authorization: Bearer <token>`; null when the header is absent. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (header === undefined || header === '') return null;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(value ?? '');
  if (!match) throw unauthenticated('Malformed Authorization header: expected `Bearer <token>`.');
  return match[1];
}

export type TokenVerifier = (token: string) => Promise<string>;

class KeySetUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the key set could not be fetched', { cause });
    this.name = 'KeySetUnavailableError';
  }
}

/**
 * Built once at start-up. Without JWT_JWKS_URL: HS256 tokens signed with JWT_SECRET. With it: tokens
 * signed by the key set's keys (fetched on first use, cached, refetched for an unknown `kid` at most every
 * 30 s), plus HS256 tokens only when JWT_SECRET is set explicitly (`npm run token`, internal tools).
 */
export function createTokenVerifier(jwt: JwtConfig): TokenVerifier {
  return rememberVerified(createSignatureVerifier(jwt), jwt);
}

/**
 * A token verified once is the same token the next time it comes: its user id is remembered until it
 * expires (at most 10,000 tokens), so a client's later requests skip the signature check, which is the
 * costliest part of authentication. Expiry is still checked on every request.
 */
function rememberVerified(verify: TokenVerifier, jwt: JwtConfig): TokenVerifier {
  const verified = new LRUCache<string, { userId: string; expiresAtMs: number }>({ max: 10_000 });
  return async (token) => {
    const known = verified.get(token);
    if (known) {
      if (Date.now() < known.expiresAtMs) return known.userId;
      verified.delete(token);
    }
    const userId = await verify(token);
    const exp = decodeJwt(token).exp;
    if (typeof exp === 'number') verified.set(token, { userId, expiresAtMs: (exp + jwt.clockToleranceSeconds) * 1000 });
    return userId;
  };
}

function createSignatureVerifier(jwt: JwtConfig): TokenVerifier {
  if (!jwt.jwksUrl) return (token) => verifyAccessToken(token, jwt);
  // Keys stay cached until a token names an unknown `kid` (then refetched, at most every 30 s), so an
  // outage of the provider does not fail tokens signed with keys we already hold.
  const keySet = createRemoteJWKSet(new URL(jwt.jwksUrl), {
    timeoutDuration: 3000,
    cooldownDuration: 30_000,
    cacheMaxAge: Infinity,
  });
  const algorithms = jwt.secretIsDevelopmentDefault ? JWKS_ALGORITHMS : [ALGORITHM, ...JWKS_ALGORITHMS];
  const key: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === ALGORITHM) return jwt.secret;
    try {
      return await keySet(header, token);
    } catch (error) {
      // No key for this token is the token's fault; anything else (timeout, HTTP error, not a key set) is the provider's.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new KeySetUnavailableError(error);
    }
  };
  return (token) => verifyWith(token, key, algorithms, jwt, true);
}

/** Verifies signature, algorithm, issuer, audience and expiry; returns the user id (`sub`). */
async function verifyAccessToken(token: string, jwt: JwtConfig): Promise<string> {
  return verifyWith(token, async () => jwt.secret, [ALGORITHM], jwt, false);
}

async function verifyWith(
  token: string,
  key: JWTVerifyGetKey,
  algorithms: string[],
  jwt: JwtConfig,
  remoteKeys: boolean,
): Promise<string> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms,
      issuer: jwt.issuer,
      audience: jwt.audience,
      clockTolerance: jwt.clockToleranceSeconds,
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw unauthenticated('Token expired: request a new one.');
    // The key set did not answer (timeout, network, HTTP error, not a key set): not the caller's fault; a retry may work.
    if (remoteKeys && error instanceof KeySetUnavailableError) {
      throw serviceUnavailable('The signing keys of the identity provider could not be fetched; try again shortly.');
    }
    if (error instanceof errors.JOSEError) throw unauthenticated('Invalid token.');
    throw error;
  }
  if (typeof payload.sub !== 'string' || !UUID_PATTERN.test(payload.sub))
    throw unauthenticated('Invalid token subject.');
  refuseAbsurdLifetime(payload as JWTPayload & { exp: number }, jwt);
  return payload.sub;
}

/**
 * A token that claims to live for years is a stolen credential that never expires: its lifetime is capped.
 * The token's own `iat` cannot be the only measure, since whoever minted the token chose it too: `exp` may
 * not lie further ahead of our clock than the longest lifetime, and `iat` may not lie ahead of it at all.
 */
function refuseAbsurdLifetime(payload: JWTPayload & { exp: number }, jwt: JwtConfig): void {
  const now = Math.floor(Date.now() / 1000);
  const tolerance = jwt.clockToleranceSeconds;
  if (typeof payload.iat === 'number' && payload.iat > now + tolerance) {
    throw unauthenticated(
      `Token issued in the future (its \`iat\` is more than ${tolerance} s ahead of the gateway's clock): request a new token.`,
    );
  }
  if (payload.exp - now > jwt.maxTtlSeconds + tolerance) {
    throw unauthenticated(
      `Token lifetime exceeds the maximum of ${jwt.maxTtlSeconds} s: it expires too far from now; request a shorter-lived token.`,
    );
  }
  if (typeof payload.iat === 'number' && payload.exp - payload.iat > jwt.maxTtlSeconds + tolerance) {
    throw unauthenticated(
      `Token lifetime exceeds the maximum of ${jwt.maxTtlSeconds} s: request a shorter-lived token.`,
    );
  }
}

export async function signAccessToken(
  user: { id: string; email: string },
  jwt: JwtConfig,
  ttlSeconds = jwt.ttlSeconds,
): Promise<string> {
  return new SignJWT({ email: user.email })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(jwt.issuer)
    .setAudience(jwt.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(jwt.secret);
}
