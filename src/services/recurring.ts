export interface Recurring<T> {
  /** Runs the task now, or joins the run under way (one at a time in this process). */
  readonly runNow: () => Promise<T>;
  /** No more runs; waits for the one under way. */
  readonly stop: () => Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (0: only when asked), one run at a time in this process. A failed run goes to
 * `onFailure` and the next interval tries again; the timer keeps no process alive.
 */
export function recurring<T>(
  intervalMs: number,
  task: () => Promise<T>,
  onFailure: (error: unknown) => void,
): Recurring<T> {
  let running: Promise<T> | undefined;
  const runNow = () =>
    (running ??= task().finally(() => {
      running = undefined;
    }));
  const timer = intervalMs > 0 ? setInterval(() => void runNow().catch(onFailure), intervalMs) : undefined;
  timer?.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
