import autocannon from 'autocannon';
import { summarize } from './stats';

export interface LoadResult {
  /** Every latency (ms), so runs can be merged. */
  latencies: number[];
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Non-200 answers, 200s with `errors`, and connection errors (timeouts included). */
  failures: number;
}

/**
 * autocannon at fixed concurrency for `seconds`, cycling through the bodies (each with its own bearer
 * token); every latency is kept, so the percentiles are exact rather than autocannon's fixed set.
 */
export async function runLoad(
  url: string,
  bodies: string[],
  tokens: string[],
  options: { connections: number; seconds: number },
): Promise<LoadResult> {
  let next = 0;
  let failures = 0;
  const latencies: number[] = [];
  let instance!: autocannon.Instance;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: `${url}/graphql`,
        connections: options.connections,
        duration: options.seconds,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const index = next++ % bodies.length;
              return {
                ...request,
                body: bodies[index],
                headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[index]}` },
              };
            },
            onResponse: (status, body) => {
              if (status !== 200 || body.includes('"errors"')) failures += 1;
            },
          },
        ],
      },
      (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)),
    );
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  const result = await finished;
  return summarizeLoad(latencies, options.seconds, failures + result.errors);
}

function summarizeLoad(latencies: number[], seconds: number, failures: number): LoadResult {
  const s = summarize(latencies);
  return {
    latencies,
    seconds,
    requests: s.n,
    requestsPerSecond: s.n / seconds,
    p50: s.p50,
    p95: s.p95,
    p99: s.p99,
    failures,
  };
}

/** Several runs of the same thing as one: all their latencies, over all their time. */
export function mergeLoads(runs: LoadResult[]): LoadResult {
  return summarizeLoad(
    runs.flatMap((run) => run.latencies),
    runs.reduce((total, run) => total + run.seconds, 0),
    runs.reduce((total, run) => total + run.failures, 0),
  );
}

/** Sends each body once, one at a time: SQL statements per request and a check that nothing fails. */
export async function probe(
  url: string,
  bodies: string[],
  tokens: string[],
): Promise<{ statements: number; cacheHits: number }> {
  let statements = 0;
  let cacheHits = 0;
  for (const [index, body] of bodies.entries()) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[index]}` },
      body,
    });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"'))
      throw new Error(`bench request failed (${response.status}): ${text.slice(0, 300)}`);
    statements = Math.max(statements, Number(response.headers.get('x-sql-statements') ?? Number.NaN));
    if (response.headers.get('x-cache') === 'hit') cacheHits += 1;
  }
  return { statements, cacheHits };
}

/** Resident memory of the gateway process, from its /metrics. */
export async function residentMegabytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^studygraph_process_resident_memory_bytes (\S+)$/m.exec(text);
  return match ? Number(match[1]) / 1024 / 1024 : Number.NaN;
}
