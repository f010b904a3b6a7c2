/** Rejects with `DeadlineError` if `promise` has not settled within `ms` (the timer never outlives it). */
export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/**
 * `promise`, or a DeadlineError once `ms` have passed and the answers already received have been read.
 * Timers run before the event loop reads its sockets: when the process itself was busy (event-loop lag
 * under load), a deadline would fire before a reply that arrived in time was even read, and a healthy
 * store would be judged down (the cache then skips it for a cooldown, adding load: a spiral). So the
 * deadline waits one turn of the loop (setImmediate runs after the sockets are polled) before it rejects.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let afterPoll: NodeJS.Immediate | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => (afterPoll = setImmediate(() => reject(new DeadlineError(what, ms)))), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    clearImmediate(afterPoll);
  }
}
