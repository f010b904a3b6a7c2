import { errors, jwtVerify, SignJWT } from 'jose';
import type { Config } from './config';
import { unauthenticated } from './errors';

type JwtConfig = Config['jwt'];

const ALGORITHM = 'HS256';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The token of `Authorization: Bearer <token>`; null when the header is absent. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (header === undefined || header === '') return null;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(value ?? '');
  if (!match) throw unauthenticated('Malformed Authorization header: expected `Bearer <token>`.');
  return match[1]!;
}

/** Verifies signature, algorithm, issuer, audience and expiry; returns the user id (`sub`). */
export async function verifyAccessToken(token: string, jwt: JwtConfig): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, jwt.secret, {
      algorithms: [ALGORITHM],
      issuer: jwt.issuer,
      audience: jwt.audience,
      clockTolerance: jwt.clockToleranceSeconds,
      requiredClaims: ['sub', 'exp'],
    });
    if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) throw unauthenticated('Invalid token subject.');
    return payload.sub;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw unauthenticated('Token expired: request a new one.');
    if (error instanceof errors.JOSEError) throw unauthenticated('Invalid token.');
    throw error;
  }
}

export async function signAccessToken(user: { id: string; email: string }, jwt: JwtConfig, ttlSeconds = jwt.ttlSeconds): Promise<string> {
  return new SignJWT({ email: user.email })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(jwt.issuer)
    .setAudience(jwt.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(jwt.secret);
}
