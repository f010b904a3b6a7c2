import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context';
import type { RecentWriters } from './db/recent-writers';
import { currentRequestScope } from './request-scope';

/**
 * With a read replica: a mutation runs on the primary entirely (its access checks and its answer
 * included), and its viewer is remembered as a recent writer before anything is written, so the
 * viewer's next requests read from the primary too (see createContext).
 */
export function readYourWritesPlugin(recentWriters: RecentWriters): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          const scope = currentRequestScope();
          if (scope) scope.readsFromReplica = false;
          if (contextValue.viewer) await recentWriters.markWrite(contextValue.viewer.id);
        },
      };
    },
  };
}
