import { OperationTypeNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context/context';
import type { RecentWriters } from '../db/recent-writers';

const MUTATION_KEYWORD = /\bmutation\b/;

/**
 * Whether an HTTP request body may hold a mutation, decided before the context (and its viewer's
 * roles) is loaded: documents that mention `mutation` anywhere, persisted queries sent by hash only,
 * and batches with either. A false "yes" only sends reads to the primary; a "no" is always right,
 * since a document without the keyword cannot hold a mutation.
 */
export function mayWrite(body: unknown): boolean {
  if (Array.isArray(body)) return body.some(mayWrite);
  if (body === null || typeof body !== 'object') return false;
  const { query } = body as { query?: unknown };
  if (typeof query !== 'string') return true;
  return MUTATION_KEYWORD.test(query);
}

/**
 * With a read replica: requests that may write already run on the primary entirely (the request scope
 * is set from `mayWrite` in http.ts, so access checks use roles read there), and a mutation's viewer is remembered as a recent writer before
 * anything is written and again when it is answered, so the window covers slow mutations too and the
 * viewer's next requests read from the primary (see createContext).
 */
export interface ReadYourWritesPluginOptions {
  /** Who wrote in the last READ_YOUR_WRITES_SECONDS, shared between processes through Redis. */
  recentWriters: RecentWriters;
}

export function readYourWritesPlugin({
  recentWriters,
}: ReadYourWritesPluginOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation === OperationTypeNode.MUTATION && contextValue.viewer)
            await recentWriters.markWrite(contextValue.viewer.id);
        },
        async willSendResponse({ operation, contextValue }) {
          if (operation?.operation === OperationTypeNode.MUTATION && contextValue.viewer)
            await recentWriters.markWrite(contextValue.viewer.id);
        },
      };
    },
  };
}
