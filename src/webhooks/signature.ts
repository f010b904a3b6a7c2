import { createHmac, randomBytes } from 'node:crypto';

/** The header a receiver checks: `sha256=` and the hex HMAC-SHA256 of the exact body bytes, keyed by the webhook's secret. */
export const SIGNATURE_HEADER = 'x-studygraph-signature';

export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A new webhook's secret: 32 random bytes, shown to its creator once. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
