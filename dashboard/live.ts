import { createClient } from 'graphql-ws';
import { savedOperation } from './api';

/** Without a live connection the page asks again this often; the response cache answers most of those. */
const POLL_INTERVAL_MS = 60_000;

export interface Watch {
  stop(): void;
}

/**
 * Calls `changed` when the organization's figures are worth fetching again: on each
 * organizationAnalyticsChanged signal and each notification of the viewer while the WebSocket is up, or every
 * POLL_INTERVAL_MS while it is not.
 * `live` tells which of the two is in force.
 */
export function watchOrganization(
  token: string,
  organizationId: string,
  changed: () => void,
  live: (on: boolean) => void,
): Watch {
  let poll: number | undefined;
  // graphql-ws reports the completion and the close of a stopped watch later: they must do nothing then.
  let stopped = false;
  const startPolling = () => {
    if (stopped) return;
    live(false);
    poll ??= window.setInterval(changed, POLL_INTERVAL_MS);
  };
  const stopPolling = () => {
    if (stopped) return;
    if (poll !== undefined) window.clearInterval(poll);
    poll = undefined;
    live(true);
  };
  const client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 3,
    on: { connected: stopPolling, closed: startPolling },
  });
  const { query } = savedOperation('AnalyticsChanged');
  const unsubscribe = client.subscribe(
    { query, variables: { organizationId } },
    { next: () => stopped || changed(), error: startPolling, complete: startPolling },
  );
  // The viewer's own notifications (the workflow section's count) arrive on the same connection.
  const unsubscribeNotifications = client.subscribe(
    { query: savedOperation('NotificationsChanged').query },
    { next: () => stopped || changed(), error: startPolling, complete: startPolling },
  );
  return {
    stop() {
      stopped = true;
      unsubscribe();
      unsubscribeNotifications();
      void client.dispose();
      if (poll !== undefined) window.clearInterval(poll);
    },
  };
}
