import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Strong ETags for answers a cache may keep (GET, 200, `max-age` > 0), and `304 Not Modified` when the
 * client already holds the same representation (`If-None-Match`), so a browser or CDN can revalidate a
 * persisted query's answer without receiving it again. A strong validator names the bytes sent: the
 * content-coding (`br`, `gzip`) is part of it, so it is settled after compression has chosen one.
 */
const identityTags = new WeakMap<FastifyRequest, string>();

function isCacheable(cacheControl: string | undefined): boolean {
  if (!cacheControl || /\bno-store\b/i.test(cacheControl)) return false;
  const maxAge = /\bmax-age=(\d+)/i.exec(cacheControl);
  return maxAge !== null && Number(maxAge[1]) > 0;
}

/** Called with an answer before it is sent: remembers its digest when it may be cached. */
export function noteAnswerForEtag(
  request: FastifyRequest,
  status: number,
  cacheControl: string | undefined,
  body: string,
): void {
  if (request.method !== 'GET' || status !== 200 || !isCacheable(cacheControl)) return;
  identityTags.set(request, createHash('sha256').update(body).digest('base64url').slice(0, 27));
}

function matches(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const values = (Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch).split(',').map((v) => v.trim());
  // If-None-Match compares weakly (RFC 9110 13.1.2): a W/ prefix does not prevent a match.
  return values.some((value) => value === '*' || value.replace(/^W\//, '') === etag);
}

function addVary(reply: FastifyReply, header: string): void {
  const vary = reply.getHeader('vary');
  if (typeof vary === 'string' && vary.split(',').some((name) => name.trim().toLowerCase() === header)) return;
  void reply.header('vary', typeof vary === 'string' && vary ? `${vary}, ${header}` : header);
}

/** onSend, after compression: sets the ETag and turns a revalidation of the same bytes into a 304. */
export async function etagOnSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const digest = identityTags.get(request);
  if (digest === undefined) return payload;
  const encoding = reply.getHeader('content-encoding');
  const etag = `"${digest}${typeof encoding === 'string' ? `-${encoding}` : ''}"`;
  void reply.header('etag', etag);
  // Compressed or not, the representation depends on Accept-Encoding (compression says so only when it
  // compresses), and on whose token asked: a browser must not hand one signed-in user's copy to another.
  addVary(reply, 'accept-encoding');
  addVary(reply, 'authorization');
  if (!matches(request.headers['if-none-match'], etag)) return payload;
  void reply.code(304);
  reply.removeHeader('content-length');
  reply.removeHeader('content-encoding');
  return null;
}
