import type { FastifyReply } from 'fastify';

/** An answer in GraphQL's shape for what never reached GraphQL (malformed HTTP, unknown routes, limits). */
export function graphqlError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ errors: [{ message, extensions: { code } }] });
}
