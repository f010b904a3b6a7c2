import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request measurements that code deep below the resolvers (the SQL driver) adds to. */
export interface RequestScope {
  readonly requestId: string;
  sqlStatements: number;
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

export function countSqlStatement(): void {
  const scope = storage.getStore();
  if (scope) scope.sqlStatements += 1;
}

/** Outside a request (CLI, schedules, migrations) every statement goes to the primary. */
export function readsFromReplica(): boolean {
  return storage.getStore()?.readsFromReplica === true;
}
