import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

// With WORKERS=N a scrape reaches one worker; that worker asks the primary, which collects every
// worker's registry over IPC (prom-client's AggregatorRegistry) and sums them.
const ASK = 'studygraph:metrics?';
const ANSWER = 'studygraph:metrics!';
const ANSWER_TIMEOUT_MS = 3000;

interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** In the primary: answer workers' requests for the whole cluster's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== ASK || typeof message.id !== 'number') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: Error) =>
        worker.isConnected() && worker.send({ type: ANSWER, id, error: error.message } satisfies Answer),
    );
  });
}

const pending = new Map<number, (answer: Answer) => void>();
let nextId = 0;

/** In a worker: offer `registry` to the primary's collection, and listen for its answers. */
export function shareWorkerMetrics(registry: Registry): void {
  if (!cluster.isWorker) return;
  new AggregatorRegistry(); // installs prom-client's worker-side listener
  AggregatorRegistry.setRegistries([registry]);
  process.on('message', (message: Answer) => {
    if (message?.type === ANSWER) pending.get(message.id)?.(message);
  });
}

/** The text to serve at /metrics: the whole cluster's from a worker, this process's otherwise. */
export async function metricsText(registry: Registry): Promise<string> {
  if (!cluster.isWorker || !process.send) return registry.metrics();
  const id = nextId++;
  try {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the primary did not answer')), ANSWER_TIMEOUT_MS);
      pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      process.send!({ type: ASK, id });
    });
    if (answer.text === undefined) throw new Error(answer.error ?? 'no metrics');
    return answer.text;
  } catch {
    // The primary is busy or gone: this worker's own figures are better than none.
    return registry.metrics();
  } finally {
    pending.delete(id);
  }
}
