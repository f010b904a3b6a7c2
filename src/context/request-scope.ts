import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request measurements that code deep below the resolvers (the SQL driver) adds to. */
export interface RequestScope {
  readonly requestId: string;
  /** Statements sent so far (counted when sent). */
  sqlStatements: number;
  /** Statements sent and not yet answered. */
  sqlInFlight: number;
  /** Set once the context has verified a token: error details are for authenticated callers. */
  authenticated: boolean;
  /** Called when the last statement in flight answers. */
  idleWaiters?: (() => void)[];
  /** The request may hold a mutation (see mayWrite): its viewer's roles are read fresh from the primary. */
  readonly mayWrite: boolean;
  /** With a read replica: true until the request turns out to be a mutation or its viewer wrote recently. */
  readsFromReplica: boolean;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

/** A statement is being sent; returns the scope to report its end to (none outside a request). */
export function statementStarted(): RequestScope | undefined {
  const scope = storage.getStore();
  if (scope) {
    scope.sqlStatements += 1;
    scope.sqlInFlight += 1;
  }
  return scope;
}

export function statementEnded(scope: RequestScope): void {
  scope.sqlInFlight -= 1;
  if (scope.sqlInFlight === 0 && scope.idleWaiters) {
    const waiters = scope.idleWaiters;
    scope.idleWaiters = undefined;
    for (const wake of waiters) wake();
  }
}

/**
 * Resolves once no statement of the request runs and none started within an event-loop turn (a DataLoader
 * dispatches its batch within the turn its keys were asked in), or when `timeoutMs` has passed. An error
 * that nulls a whole answer leaves sibling resolvers running: waiting for them makes the request's
 * statement count complete and keeps its work inside its own time.
 */
export async function untilStatementsSettled(scope: RequestScope, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (scope.sqlInFlight === 0 || Date.now() >= deadline) return;
    await new Promise<void>((resolve) => {
      (scope.idleWaiters ??= []).push(resolve);
      setTimeout(resolve, Math.max(0, deadline - Date.now())).unref();
    });
  }
}

/** Outside a request (CLI, schedules, migrations) every statement goes to the primary. */
export function readsFromReplica(): boolean {
  return storage.getStore()?.readsFromReplica === true;
}
