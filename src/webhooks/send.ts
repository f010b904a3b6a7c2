import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, hostOf, isForbiddenAddress } from './address-guard';
import { SIGNATURE_HEADER, signatureOf } from './signature';

export interface WebhookRequest {
  url: string;
  secret: string;
  /** The event's id (its activity entry's): the same on every attempt and redelivery, for de-duplication. */
  eventId: string;
  /** The event's type as the schema names it (ActivityType). */
  eventType: string;
  body: string;
}

export interface SendOptions {
  timeoutMs: number;
  /** Development only: loopback and private addresses may be reached. */
  allowPrivateAddresses: boolean;
}

export interface AttemptOutcome {
  succeeded: boolean;
  responseCode: number | null;
  durationMs: number;
  /** Why it failed, when it did (a status alone is told by responseCode). */
  error: string | null;
}

/** Response bytes read before the connection is dropped: a receiver's answer is never kept, only its status. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one event: signed, with its event id and a delivery id of this attempt, within `timeoutMs` for the
 * whole exchange, to the addresses the guard allows (checked at this connection), following no redirect.
 * A 2xx answer is success; anything else, a timeout or a refused address is a failed attempt.
 */
export async function sendWebhook(request: WebhookRequest, options: SendOptions): Promise<AttemptOutcome> {
  const started = performance.now();
  const failed = (error: string, responseCode: number | null = null): AttemptOutcome => ({
    succeeded: false,
    responseCode,
    durationMs: Math.round(performance.now() - started),
    error,
  });
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failed('the webhook URL is not a valid URL');
  }
  const host = hostOf(url);
  if (!options.allowPrivateAddresses && isIP(host) !== 0 && isForbiddenAddress(host))
    return failed(`${host} is a loopback, private or link-local address: webhooks are not sent there`);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outgoing.destroy();
      resolve(outcome);
    };
    // Whatever the receiver does (an answer that never ends, an upgrade), the attempt ends by its deadline.
    const deadline = setTimeout(() => settle(failed(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const outgoing = transport.request(
      url,
      {
        method: 'POST',
        ...(options.allowPrivateAddresses ? {} : { lookup: guardedLookup }),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(request.body),
          'user-agent': 'studygraph-webhooks',
          'x-studygraph-event': request.eventType,
          'x-studygraph-event-id': request.eventId,
          'x-studygraph-delivery': randomUUID(),
          [SIGNATURE_HEADER]: signatureOf(request.secret, request.body),
        },
      },
      (response) => {
        const code = response.statusCode ?? null;
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) response.destroy();
        });
        const done = () =>
          settle(
            code !== null && code >= 200 && code < 300
              ? {
                  succeeded: true,
                  responseCode: code,
                  durationMs: Math.round(performance.now() - started),
                  error: null,
                }
              : failed(`the receiver answered ${code}`, code),
          );
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    // An upgrade (101) is never a webhook's answer; without a listener Node would drop the socket silently.
    outgoing.on('upgrade', (_response, socket) => {
      socket.destroy();
      settle(failed('the receiver answered 101 (an upgrade)', 101));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => settle(failed(error.message.slice(0, 500))));
    outgoing.on('close', () => settle(failed('the connection closed before an answer')));
    outgoing.end(request.body);
  });
}
