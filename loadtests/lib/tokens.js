// Mints HS256 tokens in k6 for seeded users, so that load tests need no copied tokens.
// Seeded user n has id md5('user:' + n) read as a UUID (src/seed/seed.ts).
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';

export function seededUserId(n) {
  const hex = crypto.md5(`user:${n}`, 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Long enough for the longest soak (2 h) with its setup; issuer and audience as the gateway's.
export function mintToken(
  userId,
  secret,
  {
    issuer = __ENV.JWT_ISSUER || 'studygraph',
    audience = __ENV.JWT_AUDIENCE || 'studygraph',
    ttlSeconds = 3 * 3600,
  } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const header = encoding.b64encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }), 'rawurl');
  const payload = encoding.b64encode(
    JSON.stringify({ sub: userId, iss: issuer, aud: audience, iat: now, exp: now + ttlSeconds }),
    'rawurl',
  );
  const signature = crypto.hmac('sha256', secret, `${header}.${payload}`, 'base64rawurl');
  return `${header}.${payload}.${signature}`;
}
